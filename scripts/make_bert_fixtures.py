#!/usr/bin/python3
"""Golden fixtures for the TypeScript BERT engine (src/core/model/bert.ts).

An INDEPENDENT reference: BERT is written here in plain PyTorch from the
architecture as Hugging Face transformers computes it (BertEmbeddings,
BertSelfAttention/BertSelfOutput, BertIntermediate/BertOutput, BertPooler,
BertForSequenceClassification), and safetensors is written/read by hand with
struct + json. Nothing here imports transformers, safetensors or peft.

Run with Debian's interpreter (it has torch 1.13 and numpy):

    /usr/bin/python3 scripts/make_bert_fixtures.py

Outputs:
    src/core/model/fixtures/bert-tiny/config.json
    src/core/model/fixtures/bert-tiny/model.safetensors
    src/core/model/fixtures/bert-tiny/expected.json
    src/core/model/fixtures/bert-tiny-lora/adapter_config.json
    src/core/model/fixtures/bert-tiny-lora/adapter_model.safetensors

The checkpoint also carries what real BERT checkpoints carry and the engine must
skip: the int64 "bert.embeddings.position_ids" buffer and an MLM head tensor
("cls.predictions.bias").

Precision policy (as scripts/make_fixtures.py): stored tensors are rounded to
float32 first, all reference math runs in float64 on those exact values, and
results are rounded to float32 only when written to JSON.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 4321
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_MODEL = os.path.join(ROOT, "src", "core", "model", "fixtures", "bert-tiny")
OUT_LORA = os.path.join(ROOT, "src", "core", "model", "fixtures", "bert-tiny-lora")

# The vocabulary size matches the WordPiece fixture (src/core/tokenize/fixtures/wordpiece),
# whose ids the inputs below use: [PAD]=0, [CLS]=2, [SEP]=3.
CONFIG = {
    "model_type": "bert",
    "architectures": ["BertForSequenceClassification"],
    "vocab_size": 40,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 32,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "classifier_dropout": None,
    "max_position_embeddings": 16,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "id2label": {"0": "neg", "1": "neu", "2": "pos"},
    "label2id": {"neg": 0, "neu": 1, "pos": 2},
}

LORA_R = 2
LORA_ALPHA = 4
LORA_SCALE = LORA_ALPHA / LORA_R  # PEFT: scaling = lora_alpha / r
LORA_TARGETS = ["query", "value"]
ADAPTER_CONFIG = {
    "peft_type": "LORA",
    "task_type": "SEQ_CLS",
    "r": LORA_R,
    "lora_alpha": LORA_ALPHA,
    "lora_dropout": 0.0,
    "target_modules": LORA_TARGETS,
    "fan_in_fan_out": False,
    "bias": "none",
    "modules_to_save": ["classifier"],
    "base_model_name_or_path": "bert-tiny",
    "inference_mode": True,
}

CLS, SEP, PAD = 2, 3, 0
# "[CLS] the film was great! [SEP]" and "[CLS] good food [SEP]" + right padding,
# in the WordPiece fixture's ids.
INPUT_IDS = [[CLS, 10, 12, 13, 17, 5, SEP], [CLS, 16, 21, SEP, PAD, PAD, PAD]]
ATTENTION_MASK = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]]

F64 = torch.float64


def f32(t):
    """Round to float32 (the stored precision) but keep computing in float64."""
    return t.to(torch.float32).to(F64)


def to_list(t):
    """Tensor -> nested list of Python floats holding exact float32 values."""
    a = t.detach().to(torch.float32).numpy()
    return np.vectorize(float, otypes=[object])(a).tolist() if a.ndim else float(a)


def write_json(path, obj):
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=2)
        fh.write("\n")


# --------------------------------------------------------------------------
# safetensors, by hand (F32 for floats, I64 for integer buffers)
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata=None):
    """u64 LE header length, JSON header (space-padded to 8), raw LE data sorted by name."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach()
        if t.dtype == torch.int64:
            arr, dtype = np.ascontiguousarray(t.numpy(), dtype="<i8"), "I64"
        else:
            arr, dtype = np.ascontiguousarray(t.to(torch.float32).numpy(), dtype="<f4"), "F32"
        raw = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hjson)))
        fh.write(hjson)
        for raw in blobs:
            fh.write(raw)


def read_safetensors(path):
    with open(path, "rb") as fh:
        data = fh.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    body = data[8 + hlen:]
    metadata = header.pop("__metadata__", None)
    out = {}
    end_max = 0
    for name, info in header.items():
        np_dtype, size = {"F32": ("<f4", 4), "I64": ("<i8", 8)}[info["dtype"]]
        begin, end = info["data_offsets"]
        n = int(np.prod(info["shape"])) if info["shape"] else 1
        assert end - begin == size * n, (name, info)
        out[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype=np_dtype).reshape(info["shape"]).copy())
        end_max = max(end_max, end)
    assert end_max == len(body), "data section has trailing/missing bytes"
    return out, metadata


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------

def init_params(cfg, gen):
    """Random BERT parameters under HF names; nn.Linear weights are [out, in].

    std 0.2 for matrices and embeddings (far from BERT's 0.02 so bugs show),
    LayerNorm gains 1 + 0.1 randn, every bias 0.1 randn. Row 1 of the
    token-type table is random too: using it instead of row 0 would show.
    """
    V, P, d, L = cfg["vocab_size"], cfg["max_position_embeddings"], cfg["hidden_size"], cfg["num_hidden_layers"]
    inner, n_types = cfg["intermediate_size"], cfg["type_vocab_size"]

    def w(*shape):
        return f32(torch.randn(*shape, generator=gen, dtype=F64) * 0.2)

    def b(*shape):
        return f32(torch.randn(*shape, generator=gen, dtype=F64) * 0.1)

    def g(*shape):
        return f32(1.0 + torch.randn(*shape, generator=gen, dtype=F64) * 0.1)

    p = {}
    e = "bert.embeddings."
    p[e + "word_embeddings.weight"] = w(V, d)
    p[e + "position_embeddings.weight"] = w(P, d)
    p[e + "token_type_embeddings.weight"] = w(n_types, d)
    p[e + "LayerNorm.weight"] = g(d)
    p[e + "LayerNorm.bias"] = b(d)
    for i in range(L):
        h = f"bert.encoder.layer.{i}."
        for m in ("query", "key", "value"):
            p[h + f"attention.self.{m}.weight"] = w(d, d)
            p[h + f"attention.self.{m}.bias"] = b(d)
        p[h + "attention.output.dense.weight"] = w(d, d)
        p[h + "attention.output.dense.bias"] = b(d)
        p[h + "attention.output.LayerNorm.weight"] = g(d)
        p[h + "attention.output.LayerNorm.bias"] = b(d)
        p[h + "intermediate.dense.weight"] = w(inner, d)
        p[h + "intermediate.dense.bias"] = b(inner)
        p[h + "output.dense.weight"] = w(d, inner)
        p[h + "output.dense.bias"] = b(d)
        p[h + "output.LayerNorm.weight"] = g(d)
        p[h + "output.LayerNorm.bias"] = b(d)
    p["bert.pooler.dense.weight"] = w(d, d)
    p["bert.pooler.dense.bias"] = b(d)
    n_labels = len(cfg["id2label"])
    p["classifier.weight"] = f32(torch.randn(n_labels, d, generator=gen, dtype=F64) * 0.5)
    p["classifier.bias"] = b(n_labels)
    return p


def checkpoint_extras(cfg, gen):
    """What a real checkpoint carries beside the parameters: the position_ids
    buffer (int64 [1, max_positions]) and an MLM head bias (BertForPreTraining)."""
    return {
        "bert.embeddings.position_ids": torch.arange(cfg["max_position_embeddings"], dtype=torch.int64)[None],
        "cls.predictions.bias": f32(torch.randn(cfg["vocab_size"], generator=gen, dtype=F64)),
    }


def init_lora(cfg, gen):
    """PEFT-layout LoRA on every layer's attention.self.query/value, plus the
    classifier saved whole (modules_to_save), as PEFT's SEQ_CLS export does.
    lora_A [r, in], lora_B [out, r]; B is random (PEFT zero-inits it) so the
    adapter changes the logits."""
    d = cfg["hidden_size"]
    lora = {}
    for i in range(cfg["num_hidden_layers"]):
        for mod in LORA_TARGETS:
            base = f"base_model.model.bert.encoder.layer.{i}.attention.self.{mod}"
            lora[base + ".lora_A.weight"] = f32(torch.randn(LORA_R, d, generator=gen, dtype=F64) * 0.3)
            lora[base + ".lora_B.weight"] = f32(torch.randn(d, LORA_R, generator=gen, dtype=F64) * 0.3)
    n_labels = len(cfg["id2label"])
    lora["base_model.model.classifier.weight"] = f32(torch.randn(n_labels, d, generator=gen, dtype=F64) * 0.5)
    lora["base_model.model.classifier.bias"] = f32(torch.randn(n_labels, generator=gen, dtype=F64) * 0.1)
    return lora


def lora_for(lora, name):
    """(A, B) for a module's full name, or None if it has no adapter."""
    key = f"base_model.model.{name}"
    if lora is None or key + ".lora_A.weight" not in lora:
        return None
    return lora[key + ".lora_A.weight"], lora[key + ".lora_B.weight"]


def with_adapter_head(params, lora):
    """The base parameters with the adapter's saved classifier in place."""
    out = dict(params)
    out["classifier.weight"] = lora["base_model.model.classifier.weight"]
    out["classifier.bias"] = lora["base_model.model.classifier.bias"]
    return out


def merge_lora(params, lora, cfg):
    """W' = W + scale * B @ A (fan_in_fan_out false: nn.Linear is already [out, in])."""
    merged = with_adapter_head(params, lora)
    for i in range(cfg["num_hidden_layers"]):
        for mod in LORA_TARGETS:
            name = f"bert.encoder.layer.{i}.attention.self.{mod}"
            A, B = lora_for(lora, name)
            merged[name + ".weight"] = params[name + ".weight"] + LORA_SCALE * (B @ A)
    return merged


# --------------------------------------------------------------------------
# BERT forward (eval mode: every dropout is the identity)
# --------------------------------------------------------------------------

def gelu(x):
    # hidden_act "gelu" in HF ACT2FN is the exact erf form
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def linear(params, name, x, lora=None):
    """nn.Linear (y = x W^T + b) with PEFT's unmerged LoRA branch scale * (x A^T) B^T."""
    y = x @ params[name + ".weight"].T + params[name + ".bias"]
    ab = lora_for(lora, name)
    if ab is not None:
        A, B = ab
        y = y + LORA_SCALE * ((x @ A.T) @ B.T)
    return y


def bert_hidden(params, cfg, input_ids, attention_mask, lora=None):
    """BertModel's last_hidden_state [B, T, d]."""
    Bsz, T = input_ids.shape
    d, H, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = d // H
    e = "bert.embeddings."
    token_type_ids = torch.zeros_like(input_ids)  # BertModel's default
    x = (params[e + "word_embeddings.weight"][input_ids]
         + params[e + "token_type_embeddings.weight"][token_type_ids]
         + params[e + "position_embeddings.weight"][torch.arange(T)][None])
    x = layer_norm(x, params[e + "LayerNorm.weight"], params[e + "LayerNorm.bias"], eps)
    # get_extended_attention_mask: (1 - mask) * finfo.min, added to every query row
    ext = (1.0 - attention_mask.to(x.dtype))[:, None, None, :] * torch.finfo(x.dtype).min

    def heads(t):  # [B,T,d] -> [B,H,T,hd]; head j owns features j*hd:(j+1)*hd
        return t.view(Bsz, T, H, hd).permute(0, 2, 1, 3)

    for i in range(cfg["num_hidden_layers"]):
        h = f"bert.encoder.layer.{i}."
        q = heads(linear(params, h + "attention.self.query", x, lora))
        k = heads(linear(params, h + "attention.self.key", x, lora))
        v = heads(linear(params, h + "attention.self.value", x, lora))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + ext
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(Bsz, T, d)
        a = linear(params, h + "attention.output.dense", ctx, lora)
        x = layer_norm(a + x, params[h + "attention.output.LayerNorm.weight"], params[h + "attention.output.LayerNorm.bias"], eps)
        m = gelu(linear(params, h + "intermediate.dense", x, lora))
        o = linear(params, h + "output.dense", m, lora)
        x = layer_norm(o + x, params[h + "output.LayerNorm.weight"], params[h + "output.LayerNorm.bias"], eps)
    return x


def bert_pooled(params, hidden):
    """BertPooler: tanh(dense(h[:, 0]))."""
    return torch.tanh(linear(params, "bert.pooler.dense", hidden[:, 0]))


def cls_logits(params, cfg, input_ids, attention_mask, lora=None):
    """BertForSequenceClassification: classifier(dropout(pooled))."""
    pooled = bert_pooled(params, bert_hidden(params, cfg, input_ids, attention_mask, lora))
    return linear(params, "classifier", pooled)


# --------------------------------------------------------------------------
# independent cross-check: loop-based numpy forward of one row
# --------------------------------------------------------------------------

def numpy_row_forward(params, cfg, ids, mask):
    """Token by token, head by head, keys restricted to real tokens; returns
    (hidden [T, d], pooled [d], logits [C]) for ONE row."""
    P = {k: v.numpy() for k, v in params.items()}
    d, H, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    hd = d // H
    T = len(ids)

    def ln(x, w, b):
        mu = x.mean()
        return (x - mu) / np.sqrt(((x - mu) ** 2).mean() + eps) * w + b

    def lin(name, x):
        return P[name + ".weight"] @ x + P[name + ".bias"]

    erf = np.vectorize(math.erf)

    e = "bert.embeddings."
    xs = [ln(P[e + "word_embeddings.weight"][ids[t]] + P[e + "position_embeddings.weight"][t]
             + P[e + "token_type_embeddings.weight"][0], P[e + "LayerNorm.weight"], P[e + "LayerNorm.bias"]) for t in range(T)]
    keys = [s for s in range(T) if mask[s] == 1]
    for i in range(cfg["num_hidden_layers"]):
        h = f"bert.encoder.layer.{i}."
        q = [lin(h + "attention.self.query", x) for x in xs]
        k = [lin(h + "attention.self.key", x) for x in xs]
        v = [lin(h + "attention.self.value", x) for x in xs]
        new = []
        for t in range(T):
            ctx = np.zeros(d)
            for j in range(H):
                sl = slice(j * hd, (j + 1) * hd)
                sc = np.array([q[t][sl] @ k[s][sl] / np.sqrt(hd) for s in keys])
                wts = np.exp(sc - sc.max())
                wts /= wts.sum()
                ctx[sl] = sum(wk * v[s][sl] for wk, s in zip(wts, keys))
            a = ln(lin(h + "attention.output.dense", ctx) + xs[t], P[h + "attention.output.LayerNorm.weight"], P[h + "attention.output.LayerNorm.bias"])
            z = lin(h + "intermediate.dense", a)
            m = 0.5 * z * (1 + erf(z / np.sqrt(2)))
            new.append(ln(lin(h + "output.dense", m) + a, P[h + "output.LayerNorm.weight"], P[h + "output.LayerNorm.bias"]))
        xs = new
    pooled = np.tanh(lin("bert.pooler.dense", xs[0]))
    return np.stack(xs), pooled, lin("classifier", pooled)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def self_checks(params, extras, lora, cfg, ids, mask, hidden, pooled, logits, lora_logits):
    # 1. safetensors round trip of what we wrote (float and int64 tensors)
    for path, ref in ((os.path.join(OUT_MODEL, "model.safetensors"), {**params, **extras}),
                      (os.path.join(OUT_LORA, "adapter_model.safetensors"), lora)):
        back, meta = read_safetensors(path)
        assert meta == {"format": "pt"}, meta
        assert sorted(back) == sorted(ref), "tensor names differ after round trip"
        for k in ref:
            assert back[k].dtype == (torch.int64 if ref[k].dtype == torch.int64 else torch.float32), k
            assert torch.equal(back[k].to(ref[k].dtype), ref[k]), f"value mismatch for {k}"

    # 2. LoRA merged into the weights == LoRA on the side, and it has an effect
    merged = cls_logits(merge_lora(params, lora, cfg), cfg, ids, mask)
    diff_merge = (merged - lora_logits).abs().max().item()
    assert diff_merge < 1e-10, diff_merge
    base_with_head = cls_logits(with_adapter_head(params, lora), cfg, ids, mask)
    assert (base_with_head - lora_logits).abs().max().item() > 1e-2, "LoRA has no visible effect"

    # 3. exact gelu == torch's
    z = torch.linspace(-6, 6, 101, dtype=F64)
    assert torch.allclose(gelu(z), F.gelu(z), atol=1e-14)

    # 4. vectorised forward == loop numpy forward at real tokens, both rows
    diff_np = 0.0
    for r in range(ids.shape[0]):
        h, p, lg = numpy_row_forward(params, cfg, ids[r].tolist(), mask[r].tolist())
        real = mask[r].bool()
        diff_np = max(diff_np, float(np.abs(h[real.numpy()] - hidden[r][real].numpy()).max()),
                      float(np.abs(p - pooled[r].numpy()).max()), float(np.abs(lg - logits[r].numpy()).max()))
    assert diff_np < 1e-10, diff_np

    # 5. padding does not leak: row 1 alone (no pad) gives the same states and logits
    n = int(mask[1].sum())
    alone = bert_hidden(params, cfg, ids[1:, :n], mask[1:, :n])
    assert torch.allclose(alone[0], hidden[1, :n], atol=1e-12)
    assert torch.allclose(cls_logits(params, cfg, ids[1:, :n], mask[1:, :n])[0], logits[1], atol=1e-12)

    # 6. token_type row 1 would change the output (so row 0 really is the one used)
    p2 = dict(params)
    p2["bert.embeddings.token_type_embeddings.weight"] = params["bert.embeddings.token_type_embeddings.weight"].flip(0)
    assert (cls_logits(p2, cfg, ids, mask) - logits).abs().max().item() > 1e-3

    # 7. how big is plain float32 error? (guides the TS tolerance)
    p32 = {k: v.to(torch.float32) for k, v in params.items()}
    h32 = bert_hidden(p32, cfg, ids, mask)
    diff32 = (h32.to(F64) - hidden)[mask.bool()].abs().max().item()
    return diff_merge, diff_np, diff32


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    cfg = CONFIG
    os.makedirs(OUT_MODEL, exist_ok=True)
    os.makedirs(OUT_LORA, exist_ok=True)

    params = init_params(cfg, gen)
    extras = checkpoint_extras(cfg, gen)
    lora = init_lora(cfg, gen)
    ids = torch.tensor(INPUT_IDS, dtype=torch.int64)
    mask = torch.tensor(ATTENTION_MASK, dtype=torch.int64)
    assert ids[:, 0].eq(CLS).all() and ids[mask == 0].eq(PAD).all()

    hidden = bert_hidden(params, cfg, ids, mask)
    pooled = bert_pooled(params, hidden)
    logits = linear(params, "classifier", pooled)
    lora_logits = cls_logits(with_adapter_head(params, lora), cfg, ids, mask, lora)
    lora_hidden = bert_hidden(params, cfg, ids, mask, lora)
    merged_query_0 = merge_lora(params, lora, cfg)["bert.encoder.layer.0.attention.self.query.weight"]

    labels = torch.tensor([2, 0])
    class_weights = torch.tensor([0.5, 1.0, 2.0], dtype=F64)
    loss = F.cross_entropy(logits, labels)  # num_labels > 1, int labels: single_label_classification
    loss_w = F.cross_entropy(logits, labels, weight=class_weights)

    write_json(os.path.join(OUT_MODEL, "config.json"), cfg)
    write_safetensors(os.path.join(OUT_MODEL, "model.safetensors"), {**params, **extras}, {"format": "pt"})
    write_json(os.path.join(OUT_LORA, "adapter_config.json"), ADAPTER_CONFIG)
    write_safetensors(os.path.join(OUT_LORA, "adapter_model.safetensors"), lora, {"format": "pt"})

    expected = {
        "seed": SEED,
        "input_ids": ids.tolist(),
        "attention_mask": mask.tolist(),
        "token_type_ids": torch.zeros_like(ids).tolist(),
        "hidden_states": to_list(hidden),
        "pooled": to_list(pooled),
        "cls_logits": to_list(logits),
        "cls_labels": labels.tolist(),
        "class_weights": class_weights.tolist(),
        "cls_loss": to_list(loss),
        "cls_loss_weighted": to_list(loss_w),
        "lora": {
            "adapter_dir": "bert-tiny-lora",
            "r": LORA_R,
            "lora_alpha": LORA_ALPHA,
            "target_modules": LORA_TARGETS,
            "lora_hidden_states": to_list(lora_hidden),
            "lora_cls_logits": to_list(lora_logits),
            "lora_merged_query_0": to_list(merged_query_0),
        },
    }
    write_json(os.path.join(OUT_MODEL, "expected.json"), expected)

    diff_merge, diff_np, diff32 = self_checks(params, extras, lora, cfg, ids, mask, hidden, pooled, logits, lora_logits)

    print("bert-tiny fixtures written:")
    for d in (OUT_MODEL, OUT_LORA):
        for f in sorted(os.listdir(d)):
            print(f"  {os.path.relpath(os.path.join(d, f), ROOT)}  ({os.path.getsize(os.path.join(d, f))} bytes)")
    print(f"  cls_logits={[[round(v, 4) for v in r] for r in logits.tolist()]}  cls_loss={loss.item():.6f}")
    print(f"  LoRA effect on logits max|d|={(lora_logits - cls_logits(with_adapter_head(params, lora), cfg, ids, mask)).abs().max().item():.3f}")
    print("self-checks passed:")
    print(f"  safetensors round trip exact; merged vs unmerged LoRA max|d|={diff_merge:.2e}")
    print(f"  numpy loop forward vs torch max|d|={diff_np:.2e}; float32 forward vs float64 golden max|d|={diff32:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

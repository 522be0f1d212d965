#!/usr/bin/python3
"""Golden fixtures for the TypeScript GPT-2 engine.

This is an INDEPENDENT reference: GPT-2 is written here in plain PyTorch from
the architecture as Hugging Face transformers computes it (GPT2Model,
GPT2LMHeadModel, GPT2ForSequenceClassification), and safetensors is
written/read by hand with struct + json. Nothing here imports transformers,
safetensors or peft, so the fixtures do not share code with the engine under
test.

Run with Debian's interpreter (it has torch 1.13 and numpy):

    /usr/bin/python3 scripts/make_fixtures.py

Outputs:
    src/core/model/fixtures/gpt2-tiny/config.json
    src/core/model/fixtures/gpt2-tiny/model.safetensors
    src/core/model/fixtures/gpt2-tiny/expected.json
    src/core/model/fixtures/gpt2-tiny-lora/adapter_config.json
    src/core/model/fixtures/gpt2-tiny-lora/adapter_model.safetensors

Precision policy: every stored tensor (weights, adapter, inputs of the AdamW
run) is first rounded to float32, because that is what the TS side loads.
All reference math then runs in float64 on those exact float32 values, and the
results are rounded to float32 only when written to JSON. So the goldens carry
no float32 accumulation error of their own; any difference the TS tests see
is the engine's.
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

SEED = 1234
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_MODEL = os.path.join(ROOT, "src", "core", "model", "fixtures", "gpt2-tiny")
OUT_LORA = os.path.join(ROOT, "src", "core", "model", "fixtures", "gpt2-tiny-lora")

CONFIG = {
    "model_type": "gpt2",
    "architectures": ["GPT2LMHeadModel"],
    "vocab_size": 37,
    "n_positions": 16,
    "n_embd": 12,
    "n_layer": 2,
    "n_head": 3,
    "n_inner": None,
    "activation_function": "gelu_new",
    "layer_norm_epsilon": 1e-5,
    "embd_pdrop": 0.1,
    "attn_pdrop": 0.1,
    "resid_pdrop": 0.1,
    "bos_token_id": 0,
    "eos_token_id": 0,
    "pad_token_id": 0,
    "num_labels": 3,
    "id2label": {"0": "neg", "1": "neu", "2": "pos"},
    "label2id": {"neg": 0, "neu": 1, "pos": 2},
}

LORA_R = 2
LORA_ALPHA = 4
LORA_SCALE = LORA_ALPHA / LORA_R  # PEFT: scaling = lora_alpha / r
LORA_TARGETS = ["c_attn", "mlp.c_fc"]
ADAPTER_CONFIG = {
    "peft_type": "LORA",
    "task_type": "CAUSAL_LM",
    "r": LORA_R,
    "lora_alpha": LORA_ALPHA,
    "lora_dropout": 0.0,
    "target_modules": LORA_TARGETS,
    "fan_in_fan_out": True,
    "bias": "none",
    "base_model_name_or_path": "gpt2-tiny",
    "inference_mode": True,
}

F64 = torch.float64


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

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
# safetensors, by hand
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata=None):
    """Write {name: float tensor} as F32 safetensors.

    Layout: u64 LE header length, JSON header, raw little-endian data.
    Tensors are laid out sorted by name (what the reference writer does), and
    the header is space-padded so that the data section starts 8-aligned.
    """
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().to(torch.float32).numpy(), dtype="<f4")
        raw = arr.tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
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
    """Read an F32 safetensors file -> ({name: float32 tensor}, metadata)."""
    with open(path, "rb") as fh:
        data = fh.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    body = data[8 + hlen:]
    metadata = header.pop("__metadata__", None)
    out = {}
    end_max = 0
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        begin, end = info["data_offsets"]
        n = int(np.prod(info["shape"])) if info["shape"] else 1
        assert end - begin == 4 * n, (name, info)
        arr = np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
        end_max = max(end_max, end)
    assert end_max == len(body), "data section has trailing/missing bytes"
    return out, metadata


# --------------------------------------------------------------------------
# parameters
# --------------------------------------------------------------------------

def init_params(cfg, gen):
    """Random GPT-2 parameters with HF names/layouts (float32-representable).

    std 0.2 for weight matrices (larger than GPT-2's 0.02 so the logits are far
    from uniform and bugs are visible), LayerNorm gains 1+0.1*randn, all biases
    0.1*randn (non-zero so a dropped bias shows up).
    """
    V, P, d, L = cfg["vocab_size"], cfg["n_positions"], cfg["n_embd"], cfg["n_layer"]
    inner = cfg["n_inner"] or 4 * d

    def w(*shape):
        return f32(torch.randn(*shape, generator=gen, dtype=F64) * 0.2)

    def b(*shape):
        return f32(torch.randn(*shape, generator=gen, dtype=F64) * 0.1)

    def g(*shape):
        return f32(1.0 + torch.randn(*shape, generator=gen, dtype=F64) * 0.1)

    p = {}
    p["transformer.wte.weight"] = w(V, d)
    p["transformer.wpe.weight"] = w(P, d)
    for i in range(L):
        h = f"transformer.h.{i}."
        p[h + "ln_1.weight"] = g(d)
        p[h + "ln_1.bias"] = b(d)
        # Conv1D layout: weight is [in, out] and y = x @ W + b
        p[h + "attn.c_attn.weight"] = w(d, 3 * d)
        p[h + "attn.c_attn.bias"] = b(3 * d)
        p[h + "attn.c_proj.weight"] = w(d, d)
        p[h + "attn.c_proj.bias"] = b(d)
        p[h + "ln_2.weight"] = g(d)
        p[h + "ln_2.bias"] = b(d)
        p[h + "mlp.c_fc.weight"] = w(d, inner)
        p[h + "mlp.c_fc.bias"] = b(inner)
        p[h + "mlp.c_proj.weight"] = w(inner, d)
        p[h + "mlp.c_proj.bias"] = b(d)
    p["transformer.ln_f.weight"] = g(d)
    p["transformer.ln_f.bias"] = b(d)
    # nn.Linear layout [out, in], no bias (GPT2ForSequenceClassification.score)
    p["score.weight"] = w(cfg["num_labels"], d)
    return p


def init_lora(cfg, gen):
    """PEFT-layout LoRA weights for every block's attn.c_attn and mlp.c_fc.

    lora_A is nn.Linear(in, r) -> weight [r, in]; lora_B is nn.Linear(r, out)
    -> weight [out, r]. PEFT zero-inits B; here B is random so the adapter
    actually changes the logits.
    """
    d = cfg["n_embd"]
    inner = cfg["n_inner"] or 4 * d
    shapes = {"attn.c_attn": (d, 3 * d), "mlp.c_fc": (d, inner)}
    lora = {}
    for i in range(cfg["n_layer"]):
        for mod, (fan_in, fan_out) in shapes.items():
            base = f"base_model.model.transformer.h.{i}.{mod}"
            lora[base + ".lora_A.weight"] = f32(torch.randn(LORA_R, fan_in, generator=gen, dtype=F64) * 0.3)
            lora[base + ".lora_B.weight"] = f32(torch.randn(fan_out, LORA_R, generator=gen, dtype=F64) * 0.3)
    return lora


def lora_for(lora, i, mod):
    """(A, B) for block i / module mod, or None if not adapted."""
    key = f"base_model.model.transformer.h.{i}.{mod}"
    if key + ".lora_A.weight" not in lora:
        return None
    return lora[key + ".lora_A.weight"], lora[key + ".lora_B.weight"]


def merge_lora(params, lora, cfg):
    """Fold LoRA into Conv1D weights: W' = W + scale * (B @ A)^T.

    The transpose is PEFT's fan_in_fan_out=True handling: B@A is [out, in]
    while a Conv1D weight is [in, out].
    """
    merged = dict(params)
    for i in range(cfg["n_layer"]):
        for mod in ("attn.c_attn", "mlp.c_fc"):
            ab = lora_for(lora, i, mod)
            if ab is None:
                continue
            A, B = ab
            name = f"transformer.h.{i}.{mod}.weight"
            merged[name] = params[name] + LORA_SCALE * (B @ A).T
    return merged


# --------------------------------------------------------------------------
# GPT-2 forward (eval mode: all dropouts are identity)
# --------------------------------------------------------------------------

def gelu_new(x):
    # GPT-2's tanh approximation ("gelu_new" in HF ACT2FN)
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, w, b, eps):
    # biased variance, eps inside the sqrt, like torch.nn.LayerNorm
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def conv1d(x, W, b, ab=None):
    """HF Conv1D (y = x @ W + b) with an optional UNMERGED LoRA branch.

    PEFT's LoRA forward: base(x) + lora_B(lora_A(x)) * scale, i.e.
    scale * (x @ A^T) @ B^T.
    """
    y = x @ W + b
    if ab is not None:
        A, B = ab
        y = y + LORA_SCALE * ((x @ A.T) @ B.T)
    return y


def attention_mask_bool(attention_mask, T):
    """[B,1,T,T] True where query t may attend key s: causal AND key not padding."""
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    keep_key = attention_mask.to(torch.bool)[:, None, None, :]
    return causal[None, None, :, :] & keep_key


def gpt2_hidden(params, cfg, input_ids, attention_mask, lora=None):
    """GPT2Model: returns h_final = ln_f(blocks(wte[ids] + wpe[0..T-1]))."""
    Bsz, T = input_ids.shape
    d, H, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hd = d // H
    # positions are plain 0..T-1 even for padded rows (HF default position_ids)
    x = params["transformer.wte.weight"][input_ids] + params["transformer.wpe.weight"][torch.arange(T)][None]
    allowed = attention_mask_bool(attention_mask, T)
    # HF fills masked scores with finfo(dtype).min (not -inf) so a fully
    # masked row would stay finite; here no row is fully masked anyway.
    neg = torch.finfo(x.dtype).min
    for i in range(cfg["n_layer"]):
        h = f"transformer.h.{i}."
        lo_attn = lora_for(lora, i, "attn.c_attn") if lora else None
        lo_fc = lora_for(lora, i, "mlp.c_fc") if lora else None

        a_in = layer_norm(x, params[h + "ln_1.weight"], params[h + "ln_1.bias"], eps)
        qkv = conv1d(a_in, params[h + "attn.c_attn.weight"], params[h + "attn.c_attn.bias"], lo_attn)
        q, k, v = qkv.split(d, dim=-1)  # c_attn output order is [q | k | v]

        def heads(t):  # [B,T,d] -> [B,H,T,hd]; head j owns columns j*hd:(j+1)*hd
            return t.view(Bsz, T, H, hd).permute(0, 2, 1, 3)

        q, k, v = heads(q), heads(k), heads(v)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        scores = torch.where(allowed, scores, torch.full_like(scores, neg))
        probs = torch.softmax(scores, dim=-1)
        ctx = (probs @ v).permute(0, 2, 1, 3).reshape(Bsz, T, d)
        x = x + conv1d(ctx, params[h + "attn.c_proj.weight"], params[h + "attn.c_proj.bias"])

        m_in = layer_norm(x, params[h + "ln_2.weight"], params[h + "ln_2.bias"], eps)
        m = gelu_new(conv1d(m_in, params[h + "mlp.c_fc.weight"], params[h + "mlp.c_fc.bias"], lo_fc))
        x = x + conv1d(m, params[h + "mlp.c_proj.weight"], params[h + "mlp.c_proj.bias"])
    return layer_norm(x, params["transformer.ln_f.weight"], params["transformer.ln_f.bias"], eps)


def lm_logits(params, cfg, input_ids, attention_mask, lora=None):
    # GPT2LMHeadModel: lm_head is tied to wte, no bias
    h = gpt2_hidden(params, cfg, input_ids, attention_mask, lora)
    return h @ params["transformer.wte.weight"].T


def pooled_index(attention_mask):
    # last non-padding token for RIGHT padding
    return attention_mask.sum(-1) - 1


def hf_pooled_index(input_ids, pad_token_id):
    """What GPT2ForSequenceClassification does (it looks at input_ids, not the
    mask): first pad position - 1, modulo T so 'no pad' -> T-1."""
    T = input_ids.shape[-1]
    idx = torch.eq(input_ids, pad_token_id).int().argmax(-1) - 1
    return idx % T


def cls_logits(params, cfg, input_ids, attention_mask):
    # score is applied at every position, then pooled at the last real token
    h = gpt2_hidden(params, cfg, input_ids, attention_mask)
    all_logits = h @ params["score.weight"].T  # [B,T,num_labels]
    idx = pooled_index(attention_mask)
    return all_logits[torch.arange(input_ids.shape[0]), idx]


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------

def make_lm_labels(input_ids, attention_mask, prompt_len_row0=2):
    labels = input_ids.clone()
    labels[attention_mask == 0] = -100
    labels[0, :prompt_len_row0] = -100  # mimic prompt masking on row 0
    return labels


def causal_lm_loss(logits, labels):
    # HF: logits[:, :-1] predict labels[:, 1:]; mean over non -100 targets
    shift_logits = logits[:, :-1, :].reshape(-1, logits.shape[-1])
    shift_labels = labels[:, 1:].reshape(-1)
    return F.cross_entropy(shift_logits, shift_labels, ignore_index=-100)


# --------------------------------------------------------------------------
# AdamW golden run
# --------------------------------------------------------------------------

def adamw_run(p0, grads, weight_decay, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    """torch.optim.AdamW on one parameter, returning params after each step."""
    p = torch.nn.Parameter(p0.clone())
    opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    after = []
    for g in grads:
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
        after.append(p.detach().clone())
    return after


def adamw_manual(p0, grads, weight_decay, lr=0.01, betas=(0.9, 0.999), eps=1e-8):
    """The same update written out, to check our reading of torch's AdamW:
    decoupled decay p *= 1 - lr*wd, then bias-corrected Adam with eps added to
    sqrt(v_hat) (i.e. to sqrt(v)/sqrt(bc2))."""
    b1, b2 = betas
    p, m, v = p0.clone(), torch.zeros_like(p0), torch.zeros_like(p0)
    after = []
    for t, g in enumerate(grads, start=1):
        p = p * (1 - lr * weight_decay)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = v.sqrt() / math.sqrt(1 - b2 ** t) + eps
        p = p - (lr / (1 - b1 ** t)) * m / denom
        after.append(p.clone())
    return after


def make_adamw(gen):
    p0 = f32(torch.randn(5, generator=gen, dtype=F64))
    grads = [f32(torch.randn(5, generator=gen, dtype=F64) * 0.5) for _ in range(3)]
    runs = []
    for wd in (0.1, 0.0):
        after = adamw_run(p0, grads, wd)
        manual = adamw_manual(p0, grads, wd)
        for a, b in zip(after, manual):
            assert torch.allclose(a, b, atol=1e-12, rtol=0), "AdamW manual mismatch"
        runs.append({"weight_decay": wd, "params_after_step": [to_list(a) for a in after]})
    return {
        "lr": 0.01,
        "betas": [0.9, 0.999],
        "eps": 1e-8,
        "steps": 3,
        "p0": to_list(p0),
        "grads": [to_list(g) for g in grads],
        "runs": runs,
    }


# --------------------------------------------------------------------------
# independent cross-check of the forward (slow, loop-based numpy)
# --------------------------------------------------------------------------

def numpy_row_forward(params, cfg, ids, mask):
    """Token-by-token, head-by-head numpy forward of ONE row. Catches mistakes
    in the vectorised version's reshapes/masking (e.g. head split order)."""
    P = {k: v.numpy() for k, v in params.items()}
    d, H, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hd = d // H
    T = len(ids)

    def ln(x, w, b):
        mu = x.mean()
        return (x - mu) / np.sqrt(((x - mu) ** 2).mean() + eps) * w + b

    def gelu(x):
        return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))

    xs = [P["transformer.wte.weight"][ids[t]] + P["transformer.wpe.weight"][t] for t in range(T)]
    for i in range(cfg["n_layer"]):
        h = f"transformer.h.{i}."
        qkv = [ln(x, P[h + "ln_1.weight"], P[h + "ln_1.bias"]) @ P[h + "attn.c_attn.weight"] + P[h + "attn.c_attn.bias"] for x in xs]
        new = []
        for t in range(T):
            ctx = np.zeros(d)
            keys = [s for s in range(t + 1) if mask[s] == 1]
            for j in range(H):
                sl = slice(j * hd, (j + 1) * hd)
                q = qkv[t][0:d][sl]
                sc = np.array([q @ qkv[s][d:2 * d][sl] / np.sqrt(hd) for s in keys])
                w = np.exp(sc - sc.max())
                w /= w.sum()
                ctx[sl] = sum(wk * qkv[s][2 * d:][sl] for wk, s in zip(w, keys))
            x = xs[t] + ctx @ P[h + "attn.c_proj.weight"] + P[h + "attn.c_proj.bias"]
            m = gelu(ln(x, P[h + "ln_2.weight"], P[h + "ln_2.bias"]) @ P[h + "mlp.c_fc.weight"] + P[h + "mlp.c_fc.bias"])
            new.append(x + m @ P[h + "mlp.c_proj.weight"] + P[h + "mlp.c_proj.bias"])
        xs = new
    hf = [ln(x, P["transformer.ln_f.weight"], P["transformer.ln_f.bias"]) for x in xs]
    return np.stack([x @ P["transformer.wte.weight"].T for x in hf])


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def make_inputs(cfg, gen):
    B, T = 2, 7
    input_ids = torch.randint(1, cfg["vocab_size"], (B, T), generator=gen)  # [1, 36]
    attention_mask = torch.ones(B, T, dtype=torch.long)
    attention_mask[1, 4:] = 0
    input_ids[attention_mask == 0] = cfg["pad_token_id"]  # right padding with id 0
    return input_ids, attention_mask


def self_checks(params, lora, cfg, input_ids, attention_mask, lm, lora_lm):
    # 1. safetensors round trip of what we actually wrote
    for path, ref in ((os.path.join(OUT_MODEL, "model.safetensors"), params),
                      (os.path.join(OUT_LORA, "adapter_model.safetensors"), lora)):
        back, meta = read_safetensors(path)
        assert meta == {"format": "pt"}, meta
        assert sorted(back) == sorted(ref), "tensor names differ after round trip"
        for k in ref:
            assert list(back[k].shape) == list(ref[k].shape), k
            assert torch.equal(back[k].to(F64), ref[k]), f"value mismatch for {k}"
        with open(path, "rb") as fh:
            (hlen,) = struct.unpack("<Q", fh.read(8))
        assert hlen % 8 == 0, "header not padded to a multiple of 8"

    # 2. LoRA: merged weights through the plain forward == unmerged forward
    merged = merge_lora(params, lora, cfg)
    lm_merged = lm_logits(merged, cfg, input_ids, attention_mask)
    diff_merge = (lm_merged - lora_lm).abs().max().item()
    assert diff_merge < 1e-5, diff_merge
    assert (lora_lm - lm).abs().max().item() > 1e-2, "LoRA has no visible effect"

    # 3. pooling index: mask-based == HF's pad-id-based, and the expected values
    idx = pooled_index(attention_mask)
    assert idx.tolist() == [6, 3], idx.tolist()
    assert hf_pooled_index(input_ids, cfg["pad_token_id"]).tolist() == idx.tolist()

    # 4. our gelu_new == torch's tanh-approximate gelu
    z = torch.linspace(-6, 6, 101, dtype=F64)
    assert torch.allclose(gelu_new(z), F.gelu(z, approximate="tanh"), atol=1e-12)

    # 5. vectorised forward == loop-based numpy forward, all positions of
    #    both rows (pad query positions attend to the real keys <= t)
    diff_np = 0.0
    for r in range(input_ids.shape[0]):
        ref = numpy_row_forward(params, cfg, input_ids[r].tolist(), attention_mask[r].tolist())
        diff_np = max(diff_np, float(np.abs(ref - lm[r].numpy()).max()))
    assert diff_np < 1e-10, diff_np

    # 6. padding must not leak: row 1's real-token logits equal an unpadded run
    short = lm_logits(params, cfg, input_ids[1:, :4], attention_mask[1:, :4])
    assert torch.allclose(short[0], lm[1, :4], atol=1e-12)

    # 7. how big is plain float32 error? (guides the TS tolerance)
    p32 = {k: v.to(torch.float32) for k, v in params.items()}
    lm32 = lm_logits(p32, cfg, input_ids, attention_mask)
    diff32 = (lm32.to(F64) - lm).abs().max().item()
    return diff_merge, diff_np, diff32


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)  # explicit generator: order-stable draws
    cfg = CONFIG
    os.makedirs(OUT_MODEL, exist_ok=True)
    os.makedirs(OUT_LORA, exist_ok=True)

    params = init_params(cfg, gen)
    lora = init_lora(cfg, gen)
    input_ids, attention_mask = make_inputs(cfg, gen)

    # --- forwards (float64) ---
    lm = lm_logits(params, cfg, input_ids, attention_mask)
    cls = cls_logits(params, cfg, input_ids, attention_mask)
    lora_lm = lm_logits(params, cfg, input_ids, attention_mask, lora=lora)
    merged_c_attn_0 = merge_lora(params, lora, cfg)["transformer.h.0.attn.c_attn.weight"]

    # --- losses ---
    lm_labels = make_lm_labels(input_ids, attention_mask)
    lm_loss = causal_lm_loss(lm, lm_labels)
    cls_labels = torch.tensor([2, 0])
    class_weights = torch.tensor([0.5, 1.0, 2.0], dtype=F64)
    cls_loss = F.cross_entropy(cls, cls_labels)
    cls_loss_w = F.cross_entropy(cls, cls_labels, weight=class_weights)
    # weighted CE is sum(w_y * ce) / sum(w_y) — check that reading explicitly
    ce = F.cross_entropy(cls, cls_labels, reduction="none")
    w_y = class_weights[cls_labels]
    assert torch.allclose(cls_loss_w, (w_y * ce).sum() / w_y.sum(), atol=1e-14)

    adamw = make_adamw(gen)

    # --- write files ---
    write_json(os.path.join(OUT_MODEL, "config.json"), cfg)
    write_safetensors(os.path.join(OUT_MODEL, "model.safetensors"), params, {"format": "pt"})
    write_json(os.path.join(OUT_LORA, "adapter_config.json"), ADAPTER_CONFIG)
    write_safetensors(os.path.join(OUT_LORA, "adapter_model.safetensors"), lora, {"format": "pt"})

    expected = {
        "seed": SEED,
        "input_ids": input_ids.tolist(),
        "attention_mask": attention_mask.tolist(),
        "lm_logits": to_list(lm),
        "cls_logits": to_list(cls),
        "cls_pooled_index": pooled_index(attention_mask).tolist(),
        "lm_labels": lm_labels.tolist(),
        "lm_loss": to_list(lm_loss),
        "cls_labels": cls_labels.tolist(),
        "class_weights": [0.5, 1.0, 2.0],
        "cls_loss": to_list(cls_loss),
        "cls_loss_weighted": to_list(cls_loss_w),
        "lora": {
            "adapter_dir": "gpt2-tiny-lora",
            "r": LORA_R,
            "lora_alpha": LORA_ALPHA,
            "scale": LORA_SCALE,
            "target_modules": LORA_TARGETS,
            "lora_lm_logits": to_list(lora_lm),
            "lora_merged_c_attn_0": to_list(merged_c_attn_0),
        },
        "adamw": adamw,
    }
    write_json(os.path.join(OUT_MODEL, "expected.json"), expected)

    diff_merge, diff_np, diff32 = self_checks(params, lora, cfg, input_ids, attention_mask, lm, lora_lm)

    print("gpt2-tiny fixtures written:")
    for d in (OUT_MODEL, OUT_LORA):
        for f in sorted(os.listdir(d)):
            print(f"  {os.path.relpath(os.path.join(d, f), ROOT)}  ({os.path.getsize(os.path.join(d, f))} bytes)")
    print(f"  input_ids={input_ids.tolist()}  pooled_index={pooled_index(attention_mask).tolist()}")
    print(f"  lm_loss={lm_loss.item():.6f}  cls_loss={cls_loss.item():.6f}  cls_loss_weighted={cls_loss_w.item():.6f}")
    print(f"  lm_logits range [{lm.min().item():.3f}, {lm.max().item():.3f}]  "
          f"LoRA effect max|d|={(lora_lm - lm).abs().max().item():.3f}")
    print("self-checks passed:")
    print(f"  safetensors round trip exact; merged vs unmerged LoRA max|d|={diff_merge:.2e}")
    print(f"  numpy loop forward vs torch max|d|={diff_np:.2e}; float32 forward vs float64 golden max|d|={diff32:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Golden fixtures for the TypeScript LLaMA engine (src/core/model/llama.ts).

This is an INDEPENDENT reference: LLaMA is written here in plain PyTorch from the
architecture as Hugging Face transformers computes it (LlamaModel,
LlamaForCausalLM, LlamaForSequenceClassification): RMSNorm, rotary embeddings in
the "rotate_half" layout, grouped-query attention through repeat_kv, SwiGLU MLP.
safetensors is written and read by hand with struct + json. Nothing here imports
transformers, safetensors or peft, so the fixtures share no code with the engine.

Run with Debian's interpreter (it has torch 1.13 and numpy):

    /usr/bin/python3 scripts/make_llama_fixtures.py

Outputs, for VARIANT in llama-tiny (GQA 4 heads / 2 kv heads, untied lm_head) and
llama-tiny-tied (tied embeddings, kv heads = heads, explicit head_dim 6, q/k/v/o and
MLP biases, and the quirks of older checkpoints: an lm_head.weight copy and rotary
inv_freq buffers in the file, both of which the loader must skip):

    src/core/model/fixtures/VARIANT/config.json
    src/core/model/fixtures/VARIANT/model.safetensors
    src/core/model/fixtures/VARIANT/expected.json
    src/core/model/fixtures/VARIANT-lora/adapter_config.json      (PEFT, q_proj + v_proj)
    src/core/model/fixtures/VARIANT-lora/adapter_model.safetensors

Precision policy (as scripts/make_fixtures.py): every stored tensor is rounded to
float32 first, all reference math then runs in float64 on those exact values, and
results are rounded to float32 only when written to JSON.

Self-checks: safetensors round trip; a slow numpy forward (token by token, head by
head, rotary as an explicit complex rotation of the pairs (j, j + hd/2), kv head
chosen as h // group) against the vectorised torch forward; LoRA merged == unmerged;
padding does not leak; rotary and LoRA both change the logits visibly.
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
FIXTURES = os.path.join(ROOT, "src", "core", "model", "fixtures")
F64 = torch.float64

COMMON = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "vocab_size": 41,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "max_position_embeddings": 32,
    "rms_norm_eps": 1e-6,
    "hidden_act": "silu",
    "attention_dropout": 0.0,
    "initializer_range": 0.02,
    "rope_scaling": None,
    "mlp_bias": False,
    "attention_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "pad_token_id": 0,
    "num_labels": 3,
    "id2label": {"0": "neg", "1": "neu", "2": "pos"},
    "label2id": {"neg": 0, "neu": 1, "pos": 2},
}

VARIANTS = {
    "llama-tiny": dict(COMMON, **{
        "intermediate_size": 40,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
    }),
    "llama-tiny-tied": dict(COMMON, **{
        "intermediate_size": 24,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "head_dim": 6,
        "rope_theta": 100.0,
        "tie_word_embeddings": True,
        "attention_bias": True,
        "mlp_bias": True,
    }),
}

LORA_R = 2
LORA_ALPHA = 8
LORA_SCALE = LORA_ALPHA / LORA_R  # PEFT: scaling = lora_alpha / r
LORA_TARGETS = ["q_proj", "v_proj"]

# A llama3 rope_scaling as Llama 3.2 ships it, on a head_dim/theta that makes every
# branch (kept, slowed, smoothed) occur; checked against inverseFrequencies() in TS.
LLAMA3_ROPE = {
    "head_dim": 16,
    "rope_theta": 500000.0,
    "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                     "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
}


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


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


# --------------------------------------------------------------------------
# safetensors, by hand
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata=None):
    """{name: tensor} as F32 safetensors: u64 LE header length, JSON header padded
    with spaces to a multiple of 8, then the raw little-endian data sorted by name."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().to(torch.float32).numpy(), dtype="<f4")
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
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
        assert info["dtype"] == "F32", (name, info["dtype"])
        begin, end = info["data_offsets"]
        n = int(np.prod(info["shape"])) if info["shape"] else 1
        assert end - begin == 4 * n, (name, info)
        out[name] = torch.from_numpy(np.frombuffer(body[begin:end], dtype="<f4").reshape(info["shape"]).copy())
        end_max = max(end_max, end)
    assert end_max == len(body), "data section has trailing/missing bytes"
    return out, metadata


# --------------------------------------------------------------------------
# parameters (HF names; nn.Linear weights are [out, in])
# --------------------------------------------------------------------------

def init_params(cfg, gen):
    """Random weights larger than LLaMA's 0.02 so logits are far from uniform and a
    bug shows; RMSNorm gains 1 + 0.1 randn; biases 0.1 randn when the config has them."""
    V, d, inter, L = cfg["vocab_size"], cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"]
    H, KV, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], head_dim(cfg)

    def w(*shape, std=0.3):
        return f32(torch.randn(*shape, generator=gen, dtype=F64) * std)

    def g(n):
        return f32(1.0 + torch.randn(n, generator=gen, dtype=F64) * 0.1)

    p = {"model.embed_tokens.weight": w(V, d, std=1.0)}
    for i in range(L):
        a, m = f"model.layers.{i}.self_attn.", f"model.layers.{i}.mlp."
        p[f"model.layers.{i}.input_layernorm.weight"] = g(d)
        p[a + "q_proj.weight"] = w(H * hd, d)
        p[a + "k_proj.weight"] = w(KV * hd, d)
        p[a + "v_proj.weight"] = w(KV * hd, d)
        p[a + "o_proj.weight"] = w(d, H * hd)
        if cfg["attention_bias"]:
            for name, n in (("q_proj", H * hd), ("k_proj", KV * hd), ("v_proj", KV * hd), ("o_proj", d)):
                p[a + name + ".bias"] = w(n, std=0.1)
        p[f"model.layers.{i}.post_attention_layernorm.weight"] = g(d)
        p[m + "gate_proj.weight"] = w(inter, d)
        p[m + "up_proj.weight"] = w(inter, d)
        p[m + "down_proj.weight"] = w(d, inter)
        if cfg["mlp_bias"]:
            for name, n in (("gate_proj", inter), ("up_proj", inter), ("down_proj", d)):
                p[m + name + ".bias"] = w(n, std=0.1)
    p["model.norm.weight"] = g(d)
    if not cfg["tie_word_embeddings"]:
        p["lm_head.weight"] = w(V, d)
    p["score.weight"] = w(cfg["num_labels"], d, std=0.5)  # LlamaForSequenceClassification, no bias
    return p


def init_lora(cfg, gen):
    """PEFT layout: lora_A [r, in], lora_B [out, r]; B random (PEFT zero-inits it) so
    the adapter changes the logits."""
    d, hd = cfg["hidden_size"], head_dim(cfg)
    outs = {"q_proj": cfg["num_attention_heads"] * hd, "v_proj": cfg["num_key_value_heads"] * hd}
    lora = {}
    for i in range(cfg["num_hidden_layers"]):
        for mod in LORA_TARGETS:
            base = f"base_model.model.model.layers.{i}.self_attn.{mod}"
            lora[base + ".lora_A.weight"] = f32(torch.randn(LORA_R, d, generator=gen, dtype=F64) * 0.3)
            lora[base + ".lora_B.weight"] = f32(torch.randn(outs[mod], LORA_R, generator=gen, dtype=F64) * 0.3)
    return lora


def lora_for(lora, module):
    """(A, B) for a module name like model.layers.0.self_attn.q_proj, or None."""
    key = f"base_model.model.{module}"
    if not lora or key + ".lora_A.weight" not in lora:
        return None
    return lora[key + ".lora_A.weight"], lora[key + ".lora_B.weight"]


def merge_lora(params, lora):
    """nn.Linear ([out, in]) merge, PEFT fan_in_fan_out=False: W' = W + scale * B @ A."""
    merged = dict(params)
    for key in lora:
        if key.endswith(".lora_A.weight"):
            module = key[len("base_model.model."):-len(".lora_A.weight")]
            A, B = lora_for(lora, module)
            merged[module + ".weight"] = params[module + ".weight"] + LORA_SCALE * (B @ A)
    return merged


# --------------------------------------------------------------------------
# LLaMA forward (eval mode; attention_dropout is 0)
# --------------------------------------------------------------------------

def rms_norm(x, w, eps):
    # LlamaRMSNorm: x * rsqrt(mean(x^2) + eps), then the gain
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def linear(params, module, x, lora=None):
    """nn.Linear (y = x W^T + b) plus PEFT's unmerged LoRA branch scale * B(A(x))."""
    y = x @ params[module + ".weight"].T
    if module + ".bias" in params:
        y = y + params[module + ".bias"]
    ab = lora_for(lora, module)
    if ab is not None:
        A, B = ab
        y = y + LORA_SCALE * ((x @ A.T) @ B.T)
    return y


def rope_inv_freq(hd, theta):
    return 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=F64) / hd))


def rope_cos_sin(hd, theta, positions):
    """LlamaRotaryEmbedding: freqs = pos x inv_freq, emb = cat(freqs, freqs)."""
    freqs = positions.to(F64)[:, None] * rope_inv_freq(hd, theta)[None, :]  # [T, hd/2]
    emb = torch.cat([freqs, freqs], dim=-1)  # [T, hd]
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat([-x2, x1], dim=-1)


def repeat_kv(x, n_rep):
    """[B, KV, T, hd] -> [B, KV*n_rep, T, hd]; kv head j serves query heads j*n_rep..j*n_rep+n_rep-1."""
    B, KV, T, hd = x.shape
    return x[:, :, None, :, :].expand(B, KV, n_rep, T, hd).reshape(B, KV * n_rep, T, hd)


def llama_hidden(params, cfg, input_ids, attention_mask, lora=None, rotary=True):
    """LlamaModel: model.norm(blocks(embed_tokens[ids])). Positions 0..T-1 for every row
    (HF's default position_ids; right padding leaves real tokens at the same positions)."""
    Bsz, T = input_ids.shape
    d, H, KV, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    hd = head_dim(cfg)
    x = params["model.embed_tokens.weight"][input_ids]
    cos, sin = (t.to(x.dtype) for t in rope_cos_sin(hd, cfg["rope_theta"], torch.arange(T)))
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None, None] & attention_mask.to(torch.bool)[:, None, None, :]
    neg = torch.finfo(x.dtype).min
    for i in range(cfg["num_hidden_layers"]):
        a, m = f"model.layers.{i}.self_attn.", f"model.layers.{i}.mlp."
        h_in = rms_norm(x, params[f"model.layers.{i}.input_layernorm.weight"], eps)
        q = linear(params, a + "q_proj", h_in, lora).view(Bsz, T, H, hd).transpose(1, 2)
        k = linear(params, a + "k_proj", h_in, lora).view(Bsz, T, KV, hd).transpose(1, 2)
        v = linear(params, a + "v_proj", h_in, lora).view(Bsz, T, KV, hd).transpose(1, 2)
        if rotary:
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, H // KV), repeat_kv(v, H // KV)
        scores = (q @ k.transpose(-1, -2)) * hd ** -0.5
        scores = torch.where(allowed, scores, torch.full_like(scores, neg))
        ctx = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(Bsz, T, H * hd)
        x = x + linear(params, a + "o_proj", ctx, lora)
        m_in = rms_norm(x, params[f"model.layers.{i}.post_attention_layernorm.weight"], eps)
        gate = linear(params, m + "gate_proj", m_in, lora)
        x = x + linear(params, m + "down_proj", F.silu(gate) * linear(params, m + "up_proj", m_in, lora), lora)
    return rms_norm(x, params["model.norm.weight"], eps)


def lm_head(params, cfg):
    return params["model.embed_tokens.weight" if cfg["tie_word_embeddings"] else "lm_head.weight"]


def lm_logits(params, cfg, input_ids, attention_mask, lora=None, rotary=True):
    return llama_hidden(params, cfg, input_ids, attention_mask, lora, rotary) @ lm_head(params, cfg).T


def pooled_index(input_ids, pad_token_id):
    """LlamaForSequenceClassification: the rightmost token that is not padding."""
    T = input_ids.shape[-1]
    non_pad = (input_ids != pad_token_id).int()
    return (torch.arange(T) * non_pad).argmax(-1)


def cls_logits(params, cfg, input_ids, attention_mask):
    all_logits = llama_hidden(params, cfg, input_ids, attention_mask) @ params["score.weight"].T  # [B, T, C]
    return all_logits[torch.arange(input_ids.shape[0]), pooled_index(input_ids, cfg["pad_token_id"])]


def llama3_inv_freq(spec):
    """transformers' _compute_llama3_parameters, written out."""
    s = spec["rope_scaling"]
    inv = rope_inv_freq(spec["head_dim"], spec["rope_theta"])
    factor, lo, hi, old = s["factor"], s["low_freq_factor"], s["high_freq_factor"], s["original_max_position_embeddings"]
    wavelen = 2 * math.pi / inv
    out = torch.where(wavelen > old / lo, inv / factor, inv)
    smooth = (old / wavelen - lo) / (hi - lo)
    smoothed = (1 - smooth) * out / factor + smooth * out
    medium = ~(wavelen < old / hi) & ~(wavelen > old / lo)
    out = torch.where(medium, smoothed, out)
    kinds = {"kept": int((wavelen < old / hi).sum()), "slowed": int((wavelen > old / lo).sum()), "smoothed": int(medium.sum())}
    assert all(kinds.values()), kinds
    return out


# --------------------------------------------------------------------------
# independent cross-check: slow numpy loop, rotary as a complex rotation
# --------------------------------------------------------------------------

def numpy_row_forward(params, cfg, ids, mask, lora=None):
    """One row, token by token and head by head. Rotary pairs dimension j with j + hd/2
    (the rotate_half layout) and multiplies (x_j + i x_{j+hd/2}) by e^{i pos theta_j};
    query head h reads kv head h // (H / KV)."""
    P = {k: v.numpy() for k, v in params.items()}
    Lo = {k: v.numpy() for k, v in (lora or {}).items()}
    d, H, KV, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["rms_norm_eps"]
    hd, half, group = head_dim(cfg), head_dim(cfg) // 2, cfg["num_attention_heads"] // cfg["num_key_value_heads"]
    theta = cfg["rope_theta"]

    def lin(module, x):
        y = P[module + ".weight"] @ x + P.get(module + ".bias", 0.0)
        key = f"base_model.model.{module}"
        if key + ".lora_A.weight" in Lo:
            y = y + LORA_SCALE * (Lo[key + ".lora_B.weight"] @ (Lo[key + ".lora_A.weight"] @ x))
        return y

    def rms(x, w):
        return w * x / np.sqrt((x * x).mean() + eps)

    def rotate(vec, pos):
        z = (vec[:half] + 1j * vec[half:]) * np.exp(1j * pos * theta ** (-2.0 * np.arange(half) / hd))
        return np.concatenate([z.real, z.imag])

    xs = [P["model.embed_tokens.weight"][t] for t in ids]
    for i in range(cfg["num_hidden_layers"]):
        a, m = f"model.layers.{i}.self_attn.", f"model.layers.{i}.mlp."
        hs = [rms(x, P[f"model.layers.{i}.input_layernorm.weight"]) for x in xs]
        qs = [lin(a + "q_proj", h) for h in hs]
        ks = [lin(a + "k_proj", h) for h in hs]
        vs = [lin(a + "v_proj", h) for h in hs]
        new = []
        for t in range(len(ids)):
            keys = [s for s in range(t + 1) if mask[s] == 1]
            ctx = np.zeros(H * hd)
            for h in range(H):
                j = h // group
                q = rotate(qs[t][h * hd:(h + 1) * hd], t)
                sc = np.array([q @ rotate(ks[s][j * hd:(j + 1) * hd], s) / np.sqrt(hd) for s in keys])
                wts = np.exp(sc - sc.max())
                wts /= wts.sum()
                ctx[h * hd:(h + 1) * hd] = sum(wk * vs[s][j * hd:(j + 1) * hd] for wk, s in zip(wts, keys))
            x = xs[t] + lin(a + "o_proj", ctx)
            mi = rms(x, P[f"model.layers.{i}.post_attention_layernorm.weight"])
            gate = lin(m + "gate_proj", mi)
            new.append(x + lin(m + "down_proj", gate / (1 + np.exp(-gate)) * lin(m + "up_proj", mi)))
        xs = new
    head = lm_head(params, cfg).numpy()
    return np.stack([head @ rms(x, P["model.norm.weight"]) for x in xs])


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def make_inputs(cfg, gen):
    B, T = 2, 7
    input_ids = torch.randint(3, cfg["vocab_size"], (B, T), generator=gen)  # no pad/bos/eos among real tokens
    attention_mask = torch.ones(B, T, dtype=torch.long)
    attention_mask[1, 4:] = 0
    input_ids[attention_mask == 0] = cfg["pad_token_id"]  # right padding
    return input_ids, attention_mask


def write_variant(name, cfg, gen):
    out_model = os.path.join(FIXTURES, name)
    out_lora = os.path.join(FIXTURES, name + "-lora")
    os.makedirs(out_model, exist_ok=True)
    os.makedirs(out_lora, exist_ok=True)
    params = init_params(cfg, gen)
    lora = init_lora(cfg, gen)
    input_ids, attention_mask = make_inputs(cfg, gen)

    lm = lm_logits(params, cfg, input_ids, attention_mask)
    cls = cls_logits(params, cfg, input_ids, attention_mask)
    lora_lm = lm_logits(params, cfg, input_ids, attention_mask, lora=lora)

    stored = dict(params)
    if cfg["tie_word_embeddings"]:
        # Older checkpoints carry these; the engine must skip both.
        stored["lm_head.weight"] = params["model.embed_tokens.weight"]
        for i in range(cfg["num_hidden_layers"]):
            stored[f"model.layers.{i}.self_attn.rotary_emb.inv_freq"] = f32(rope_inv_freq(head_dim(cfg), cfg["rope_theta"]))
    write_json(os.path.join(out_model, "config.json"), cfg)
    write_safetensors(os.path.join(out_model, "model.safetensors"), stored, {"format": "pt"})
    write_json(os.path.join(out_lora, "adapter_config.json"), {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "r": LORA_R,
        "lora_alpha": LORA_ALPHA,
        "lora_dropout": 0.0,
        "target_modules": LORA_TARGETS,
        "fan_in_fan_out": False,
        "bias": "none",
        "base_model_name_or_path": name,
        "inference_mode": True,
    })
    write_safetensors(os.path.join(out_lora, "adapter_model.safetensors"), lora, {"format": "pt"})

    expected = {
        "seed": SEED,
        "input_ids": input_ids.tolist(),
        "attention_mask": attention_mask.tolist(),
        "lm_logits": to_list(lm),
        "cls_logits": to_list(cls),
        "cls_pooled_index": pooled_index(input_ids, cfg["pad_token_id"]).tolist(),
        "lora": {
            "adapter_dir": name + "-lora",
            "r": LORA_R,
            "lora_alpha": LORA_ALPHA,
            "target_modules": LORA_TARGETS,
            "lora_lm_logits": to_list(lora_lm),
        },
        "rope_llama3": dict(LLAMA3_ROPE, inv_freq=to_list(llama3_inv_freq(LLAMA3_ROPE))),
    }
    write_json(os.path.join(out_model, "expected.json"), expected)

    # ---------------- self-checks ----------------
    for path, ref in ((os.path.join(out_model, "model.safetensors"), stored),
                      (os.path.join(out_lora, "adapter_model.safetensors"), lora)):
        back, meta = read_safetensors(path)
        assert meta == {"format": "pt"} and sorted(back) == sorted(ref), path
        for k in ref:
            assert torch.equal(back[k].to(F64), ref[k]), f"value mismatch for {k}"

    diff_np = 0.0
    for r in range(2):
        for lo, ref in ((None, lm), (lora, lora_lm)):
            slow = numpy_row_forward(params, cfg, input_ids[r].tolist(), attention_mask[r].tolist(), lo)
            diff_np = max(diff_np, float(np.abs(slow - ref[r].numpy()).max()))
    assert diff_np < 1e-10, diff_np

    diff_merge = (lm_logits(merge_lora(params, lora), cfg, input_ids, attention_mask) - lora_lm).abs().max().item()
    assert diff_merge < 1e-10, diff_merge
    lora_effect = (lora_lm - lm).abs().max().item()
    assert lora_effect > 1e-1, "LoRA has no visible effect"
    rotary_effect = (lm_logits(params, cfg, input_ids, attention_mask, rotary=False) - lm).abs().max().item()
    assert rotary_effect > 1e-1, "rotary embeddings have no visible effect"
    short = lm_logits(params, cfg, input_ids[1:, :4], attention_mask[1:, :4])
    assert torch.allclose(short[0], lm[1, :4], atol=1e-12), "padding leaks into real tokens"
    assert pooled_index(input_ids, cfg["pad_token_id"]).tolist() == [6, 3]

    p32 = {k: v.to(torch.float32) for k, v in params.items()}
    diff32 = (lm_logits(p32, cfg, input_ids, attention_mask).to(F64) - lm).abs().max().item()

    print(f"{name}: input_ids={input_ids.tolist()}")
    print(f"  lm_logits range [{lm.min().item():.3f}, {lm.max().item():.3f}]; LoRA effect {lora_effect:.3f}; rotary effect {rotary_effect:.3f}")
    print(f"  numpy loop vs torch max|d|={diff_np:.2e}; merged vs unmerged LoRA {diff_merge:.2e}; float32 vs float64 golden {diff32:.2e}")


def main():
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    for name, cfg in VARIANTS.items():
        write_variant(name, cfg, gen)
    print("self-checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

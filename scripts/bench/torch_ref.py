#!/usr/bin/env python3
"""PyTorch reference for `npm run bench`: the same GPT-2 training step (tied LM head,
gelu_new, causal attention, AdamW, global-norm clipping at 1, dropout 0) on the CPU,
written as nanoGPT writes it. Prints tokens/s per config; `--json FILE` writes them.

Run with Debian's torch (`/usr/bin/python3 scripts/bench/torch_ref.py`); it uses 2
threads, the cores of the development machines. Without OpenBLAS
(libopenblas0-pthread) Debian's torch falls back to reference BLAS and is ~5x slower.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: (n_layer, d, heads, ctx, batch, vocab, timed steps, warm-up steps)
    "S": (4, 128, 4, 128, 8, 256, 7, 2),
    "M": (6, 384, 6, 256, 8, 4096, 2, 1),
}


class Block(nn.Module):
    def __init__(self, d, heads, ctx):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)
        self.heads = heads
        self.register_buffer("mask", torch.tril(torch.ones(ctx, ctx)).view(1, 1, ctx, ctx))

    def forward(self, x):
        B, T, C = x.shape
        H = self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q = q.view(B, T, H, C // H).transpose(1, 2)
        k = k.view(B, T, H, C // H).transpose(1, 2)
        v = v.view(B, T, H, C // H).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self, n_layer, d, heads, ctx, vocab):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.h = nn.ModuleList([Block(d, heads, ctx) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):
        B, T = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for blk in self.h:
            x = blk(x)
        return self.ln_f(x) @ self.wte.weight.t()


def bench(name, n_layer, d, heads, ctx, batch, vocab, steps, warmup):
    torch.manual_seed(0)
    model = GPT(n_layer, d, heads, ctx, vocab)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)
    ids = torch.randint(0, vocab, (batch, ctx))
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    ms = statistics.median(times) * 1000
    return {"config": name, "backend": "torch-cpu", "impl": "pytorch", "tokensPerSec": batch * ctx / (ms / 1000), "msPerStep": ms,
            "stepMs": [round(t * 1000) for t in times], "threads": torch.get_num_threads(), "torch": torch.__version__, "lastLoss": loss.item()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", action="append", choices=sorted(CONFIGS), help="limit to these configs (repeatable)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    results = []
    for name in args.config or list(CONFIGS):
        r = bench(name, *CONFIGS[name])
        print(f"pytorch {torch.__version__} cpu x{r['threads']}  {name}: {r['tokensPerSec']:.0f} tokens/s, {r['msPerStep']:.0f} ms/step", file=sys.stderr)
        results.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=1)
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()

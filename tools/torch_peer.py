#!/usr/bin/env python3
"""PyTorch peer of bench/engine.ts: the same Qwen3 shapes and steps, timed in PyTorch on the CPU.

bench/peer.ts runs this next to medrl and prints the ratios; it can also run alone:

    python3 tools/torch_peer.py --config '<Qwen3 config.json as JSON>' --threads 1 \
        --train-rows 1 --train-tokens 128 --lora --new-tokens 32

Prints one JSON object: training tok/s (forward + backward + Adam on random tokens; LoRA r16
alpha 32 on all seven projections with --lora, else every weight), cached greedy generation tok/s
for 1 row and for 8 rows (16-token prompts), peak RSS, and the torch build and thread settings.

The model is written here from the published Qwen3 architecture (pre-norm decoder layers,
RMSNorm, rotary embeddings, grouped-query attention with q/k RMSNorm, SwiGLU MLP), with a KV cache
and PyTorch's fused scaled_dot_product_attention: the peer gets its fastest CPU path. Weights are
random (normal, std initializer_range), fp32, like bench/engine.ts.

Thread settings: --threads sets torch.set_num_threads. The BLAS library's own count comes from the
environment (OPENBLAS_NUM_THREADS, MKL_NUM_THREADS) before torch loads; bench/peer.ts tries both
"torch threads = n" and "torch threads = 1, BLAS threads = n" and keeps the faster.
"""
import argparse
import json
import math
import os
import resource
import time

import torch
import torch.nn.functional as F


class RMSNorm(torch.nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Linear(torch.nn.Module):
    """x @ W^T, W [out, in] as Hugging Face stores it, with an optional LoRA delta (B A x) * alpha / r."""

    def __init__(self, inp, out, std):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(out, inp) * std)
        self.lora = None

    def add_lora(self, r, alpha):
        inp = self.weight.shape[1]
        bound = 1 / math.sqrt(inp)
        self.lora_a = torch.nn.Parameter(torch.empty(r, inp).uniform_(-bound, bound))
        self.lora_b = torch.nn.Parameter(torch.zeros(self.weight.shape[0], r))
        self.lora = alpha / r

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.lora is not None:
            y = y + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.lora
        return y


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, nh, nkv, d, i = (c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"],
                            c["head_dim"], c["intermediate_size"])
        std, eps = c["initializer_range"], c["rms_norm_eps"]
        self.nh, self.nkv, self.d = nh, nkv, d
        self.input_norm = RMSNorm(h, eps)
        self.q, self.k, self.v = Linear(h, nh * d, std), Linear(h, nkv * d, std), Linear(h, nkv * d, std)
        self.o = Linear(nh * d, h, std)
        self.q_norm, self.k_norm = RMSNorm(d, eps), RMSNorm(d, eps)
        self.post_norm = RMSNorm(h, eps)
        self.gate, self.up, self.down = Linear(h, i, std), Linear(h, i, std), Linear(i, h, std)

    def projections(self):
        return [self.q, self.k, self.v, self.o, self.gate, self.up, self.down]

    def forward(self, x, cos, sin, cache):
        b, t, _ = x.shape
        a = self.input_norm(x)
        q = self.q_norm(self.q(a).view(b, t, self.nh, self.d)).transpose(1, 2)
        k = self.k_norm(self.k(a).view(b, t, self.nkv, self.d)).transpose(1, 2)
        v = self.v(a).view(b, t, self.nkv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if "k" in cache:
                k = torch.cat((cache["k"], k), dim=2)
                v = torch.cat((cache["v"], v), dim=2)
            cache["k"], cache["v"] = k, v
        # One query per step attends to everything cached; a prompt is causal.
        out = F.scaled_dot_product_attention(q, k, v, is_causal=t > 1, enable_gqa=True)
        x = x + self.o(out.transpose(1, 2).reshape(b, t, self.nh * self.d))
        m = self.post_norm(x)
        return x + self.down(F.silu(self.gate(m)) * self.up(m))


class Qwen3(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Parameter(torch.randn(c["vocab_size"], c["hidden_size"]) * c["initializer_range"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = None if c.get("tie_word_embeddings", True) else Linear(c["hidden_size"], c["vocab_size"],
                                                                              c["initializer_range"])
        d = c["head_dim"]
        self.inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))

    def forward(self, ids, past=0, caches=None, last_only=False):
        t = ids.shape[1]
        angles = torch.arange(past, past + t, dtype=torch.float32)[:, None] * self.inv_freq
        emb = torch.cat((angles, angles), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        x = F.embedding(ids, self.embed)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, None if caches is None else caches[i])
        x = self.norm(x[:, -1:] if last_only else x)
        return F.linear(x, self.embed) if self.lm_head is None else self.lm_head(x)


def train_tok_s(model, rows, tokens, params, steps):
    vocab = model.c["vocab_size"]
    seq = torch.tensor([[(b * 131 + i * 29) % vocab for i in range(tokens + 1)] for b in range(rows)])
    inputs, targets = seq[:, :-1], seq[:, 1:]
    optimizer = torch.optim.Adam(params, lr=1e-4)

    def step():
        logits = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return rows * tokens * steps / (time.perf_counter() - start)


@torch.no_grad()
def generate_tok_s(model, rows, new_tokens):
    vocab = model.c["vocab_size"]
    prompt = torch.tensor([[((i * 37) % vocab + b * 11) % vocab for i in range(16)] for b in range(rows)])

    def run(n):
        caches = [{} for _ in model.layers]
        logits = model(prompt, 0, caches, last_only=True)
        past = prompt.shape[1]
        for _ in range(n - 1):
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            logits = model(nxt, past, caches, last_only=True)
            past += 1

    run(2)  # warm-up
    start = time.perf_counter()
    run(new_tokens)
    return rows * new_tokens / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", required=True, help="Qwen3 config.json fields as a JSON object")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--train-rows", type=int, default=1)
    p.add_argument("--train-tokens", type=int, default=128)
    p.add_argument("--train-steps", type=int, default=2)
    p.add_argument("--lora", action="store_true")
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--batch-new-tokens", type=int, default=32)
    p.add_argument("--skip-gen", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    c = json.loads(args.config)
    model = Qwen3(c)
    out = {
        "torch": torch.__version__,
        "blas": "mkl" if torch.backends.mkl.is_available() else "other",
        "torchThreads": torch.get_num_threads(),
        "blasThreadsEnv": os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("MKL_NUM_THREADS"),
        "params": sum(p.numel() for p in model.parameters()),
    }
    if not args.skip_gen:
        model.eval()
        out["genCacheTokS"] = generate_tok_s(model, 1, args.new_tokens)
        out["genBatch8TokS"] = generate_tok_s(model, 8, args.batch_new_tokens)
    model.train()
    if args.lora:
        for prm in model.parameters():
            prm.requires_grad_(False)
        for layer in model.layers:
            for proj in layer.projections():
                proj.add_lora(16, 32)
        params = [prm for prm in model.parameters() if prm.requires_grad]
    else:
        params = list(model.parameters())
    out["trainTokS"] = train_tok_s(model, args.train_rows, args.train_tokens, params, args.train_steps)
    out["peakRssGb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()

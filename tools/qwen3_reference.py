#!/usr/bin/env python3
"""Independent PyTorch reference for the TypeScript Qwen3 engine (core/engine/src/qwen3).

Builds two small random Qwen3 checkpoints in Hugging Face layout and records the logits this
straightforward implementation computes for fixed input ids, so that test/engine/reference.test.ts
can check the TypeScript forward pass against it (within 1e-4). CI only compares; run this by hand
after changing the fixtures:

    apt-get install -y python3-torch python3-numpy
    /usr/bin/python3 tools/qwen3_reference.py

Writes into test/fixtures/engine/:
  qwen3-untied/  config.json, model.safetensors.index.json + 2 BF16 shards (untied lm_head)
  qwen3-tied/    config.json, model.safetensors (F32, tied lm_head)
  qwen3-reference.json  input ids, attention masks, logits and greedy continuations per model

The implementation follows the Qwen3 architecture as published (transformers' modeling_qwen3.py
semantics): pre-norm decoder layers, RMSNorm, rotary embeddings (rotate_half convention), grouped-
query attention with per-head RMSNorm on queries and keys, SwiGLU MLP, optional tied lm_head.
Padding is on the left; position ids are cumsum(mask) - 1 as in transformers' generate.
"""
import json
import math
import os
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "engine")


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return x * torch.rsqrt(variance + eps) * weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rotary(positions, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    angles = positions.to(torch.float64)[..., None] * inv_freq  # [B, T, d/2]
    emb = torch.cat((angles, angles), dim=-1)
    return emb.cos().to(torch.float32), emb.sin().to(torch.float32)  # [B, T, d]


def forward(cfg, w, input_ids, mask):
    """Logits [B, T, V] of the whole sequence (no cache)."""
    bsz, t = input_ids.shape
    nh, nkv, d = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    cos, sin = rotary(positions, d, cfg["rope_theta"])
    cos, sin = cos[:, None], sin[:, None]  # [B, 1, T, d]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    allowed = causal[None, None] & mask.bool()[:, None, None, :]  # [B, 1, T, T]
    bias = torch.zeros(allowed.shape).masked_fill(~allowed, torch.finfo(torch.float32).min)

    x = w["model.embed_tokens.weight"][input_ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (h @ w[p + "self_attn.q_proj.weight"].T).view(bsz, t, nh, d)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).view(bsz, t, nkv, d)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).view(bsz, t, nkv, d)
        q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps).transpose(1, 2)  # [B, nh, T, d]
        k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps).transpose(1, 2)
        v = v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=1)  # query head i uses kv head i // (nh / nkv)
        v = v.repeat_interleave(nh // nkv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + bias
        context = torch.softmax(scores, dim=-1) @ v  # [B, nh, T, d]
        context = context.transpose(1, 2).reshape(bsz, t, nh * d)
        x = x + context @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def greedy(cfg, w, prompt, steps):
    ids = list(prompt)
    for _ in range(steps):
        x = torch.tensor([ids])
        logits = forward(cfg, w, x, torch.ones_like(x))
        ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt):]


def random_weights(cfg, gen):
    h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    nh, nkv, d = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]

    def mat(out, inp):
        return torch.randn(out, inp, generator=gen) / math.sqrt(inp)

    def norm(size):
        return 1.0 + 0.2 * torch.randn(size, generator=gen)

    w = {"model.embed_tokens.weight": torch.randn(v, h, generator=gen)}
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        w[p + "input_layernorm.weight"] = norm(h)
        w[p + "self_attn.q_proj.weight"] = mat(nh * d, h)
        w[p + "self_attn.k_proj.weight"] = mat(nkv * d, h)
        w[p + "self_attn.v_proj.weight"] = mat(nkv * d, h)
        w[p + "self_attn.o_proj.weight"] = mat(h, nh * d)
        w[p + "self_attn.q_norm.weight"] = norm(d)
        w[p + "self_attn.k_norm.weight"] = norm(d)
        w[p + "post_attention_layernorm.weight"] = norm(h)
        w[p + "mlp.gate_proj.weight"] = mat(i, h)
        w[p + "mlp.up_proj.weight"] = mat(i, h)
        w[p + "mlp.down_proj.weight"] = mat(h, i)
    w["model.norm.weight"] = norm(h)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = mat(v, h)
    return w


def tensor_bytes(t, dtype):
    if dtype == "BF16":
        return t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().tobytes()
    return t.to(torch.float32).contiguous().numpy().tobytes()


def write_safetensors(path, tensors, dtype):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensor_bytes(tensors[name], dtype)
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for chunk in chunks:
            f.write(chunk)


def as_stored(w, dtype):
    """The weights as the loader will see them (BF16 rounds)."""
    return {k: (v.to(torch.bfloat16).to(torch.float32) if dtype == "BF16" else v) for k, v in w.items()}


def build(name, cfg, dtype, shards, seed):
    out = os.path.join(ROOT, name)
    os.makedirs(out, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    w = random_weights(cfg, gen)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump({"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", **cfg}, f, indent=2)
    names = sorted(w)
    if shards == 1:
        write_safetensors(os.path.join(out, "model.safetensors"), w, dtype)
    else:
        weight_map = {}
        per = math.ceil(len(names) / shards)
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = {n: w[n] for n in names[s * per:(s + 1) * per]}
            write_safetensors(os.path.join(out, file), part, dtype)
            weight_map.update({n: file for n in part})
        with open(os.path.join(out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=2)
    w = as_stored(w, dtype)
    gen_ids = torch.Generator().manual_seed(seed + 1)
    v = cfg["vocab_size"]
    input_ids = torch.randint(0, v, (2, 9), generator=gen_ids)
    mask = torch.ones_like(input_ids)
    mask[1, :3] = 0  # left padding
    input_ids[1, :3] = 0
    with torch.no_grad():
        logits = forward(cfg, w, input_ids, mask)
        prompt = input_ids[0, :5].tolist()
        continuation = greedy(cfg, w, prompt, 8)
    return {
        "dir": name,
        "input_ids": input_ids.tolist(),
        "attention_mask": mask.tolist(),
        "logits": [[[round(float(x), 6) for x in row] for row in seq] for seq in logits],
        "greedy": {"prompt": prompt, "continuation": continuation},
    }


def main():
    torch.set_num_threads(1)
    base = {
        "vocab_size": 97,
        "hidden_size": 48,
        "intermediate_size": 80,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,  # heads * head_dim = 64 != hidden_size, as Qwen3 allows
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "max_position_embeddings": 256,
        "hidden_act": "silu",
        "attention_bias": False,
        "rope_scaling": None,
        "initializer_range": 0.02,
    }
    cases = [
        build("qwen3-untied", {**base, "tie_word_embeddings": False}, "BF16", 2, 1234),
        build("qwen3-tied", {**base, "tie_word_embeddings": True, "rope_theta": 1000000.0}, "F32", 1, 99),
    ]
    with open(os.path.join(ROOT, "qwen3-reference.json"), "w") as f:
        json.dump({"generator": "tools/qwen3_reference.py", "torch": torch.__version__, "cases": cases}, f)
    print("wrote", ROOT)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Cross-checks medrl's safetensors files against PyTorch, in both directions. Fixture-only: CI never runs it.

1. Node writes sample checkpoints with @medrl/plugin-checkpoint-hf (tools/safetensors_sample.ts): a Qwen3
   model through the hf-model writer (BF16), the same tensors as F32 and F16, and LoRA adapters through
   the peft-adapter writer. PyTorch reads every tensor from the raw bytes and checks that
   - F32 values are bit-identical to the fp32 sources,
   - BF16 and F16 values are bit-identical to torch's own rounding (`tensor.to(torch.bfloat16)`),
   - config.json / adapter_config.json / PEFT key names and lora_A [r, in] / lora_B [out, r] shapes are right.
2. PyTorch writes test/fixtures/safetensors/torch-written.safetensors (its own BF16/F16/F32 bytes, a header
   built here) and torch-written.json (the values torch decodes); test/engine/safetensors.test.ts reads the
   file with core's reader and compares.

Needs Debian's python3-torch (apt-get install python3-torch) and node. Run from the repository root:
  /usr/bin/python3 tools/safetensors_crosscheck.py
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import numpy
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "safetensors")
TORCH_DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def read_file(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    (length,) = struct.unpack("<Q", raw[:8])
    assert length % 8 == 0, f"{path}: header length {length} is not 8-byte aligned"
    header = json.loads(raw[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = TORCH_DTYPES[entry["dtype"]]
        tensor = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = tensor.reshape(entry["shape"])
    return tensors, metadata


def bits(tensor):
    return tensor.view(torch.int16 if tensor.element_size() == 2 else torch.int32)


def check_file(path, values, dtype, checked):
    tensors, metadata = read_file(path)
    assert set(tensors) <= set(values), f"{path}: unexpected tensors {set(tensors) - set(values)}"
    for name, tensor in tensors.items():
        source = torch.from_numpy(numpy.array(values[name]["bits"], dtype=numpy.uint32).view(numpy.float32))
        source = source.reshape(values[name]["shape"])
        assert list(tensor.shape) == values[name]["shape"], f"{path}: {name} shape {list(tensor.shape)}"
        expected = source.to(TORCH_DTYPES[dtype])
        mismatch = (bits(tensor) != bits(expected)).sum().item()
        assert mismatch == 0, f"{path}: {name}: {mismatch} values differ from torch's {dtype} rounding"
        checked[dtype] = checked.get(dtype, 0) + tensor.numel()
    return tensors, metadata


def check_node_files(workdir):
    subprocess.run(["npx", "tsx", "tools/safetensors_sample.ts", workdir], cwd=ROOT, check=True)
    with open(os.path.join(workdir, "values.json")) as handle:
        values = json.load(handle)
    checked = {}
    model, metadata = check_file(os.path.join(workdir, "model", "model.safetensors"), values, "BF16", checked)
    assert metadata == {"format": "pt"}, metadata
    check_file(os.path.join(workdir, "model-f32.safetensors"), values, "F32", checked)
    check_file(os.path.join(workdir, "model-f16.safetensors"), values, "F16", checked)
    with open(os.path.join(workdir, "model", "config.json")) as handle:
        config = json.load(handle)
    assert config["architectures"] == ["Qwen3ForCausalLM"] and config["torch_dtype"] == "bfloat16", config
    assert "lm_head.weight" in model and model["model.layers.1.self_attn.k_proj.weight"].shape == (8, 16)

    adapter, _ = check_file(os.path.join(workdir, "adapter", "adapter_model.safetensors"), values, "F32", checked)
    with open(os.path.join(workdir, "adapter", "adapter_config.json")) as handle:
        adapter_config = json.load(handle)
    assert adapter_config["peft_type"] == "LORA" and adapter_config["r"] == 4, adapter_config
    for name, tensor in adapter.items():
        assert name.startswith("base_model.model.model.layers."), name
        if ".lora_A." in name:
            assert tensor.shape[0] == adapter_config["r"], (name, tensor.shape)
        else:
            assert tensor.shape[1] == adapter_config["r"], (name, tensor.shape)
    return checked


def write_torch_fixture():
    """A file whose bytes torch produced, for core's reader to decode."""
    source = torch.tensor(
        [1.0, -2.5, 1 / 3, 1e-3, 65504.0, 1e-7, -0.0, 3.14159265, 1 + 2**-8, 123456.789, float("inf"), 6.1e-5],
        dtype=torch.float32,
    )
    tensors = {
        "bf16": source.to(torch.bfloat16).reshape(3, 4),
        "f16": source.to(torch.float16).reshape(4, 3),
        "f32": source.reshape(12),
    }
    names = {"bf16": "BF16", "f16": "F16", "f32": "F32"}
    header, blobs, offset = {"__metadata__": {"format": "pt", "writer": "torch " + torch.__version__}}, [], 0
    for name, tensor in tensors.items():
        blob = bits(tensor).numpy().tobytes()
        header[name] = {"dtype": names[name], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "torch-written.safetensors"), "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    def plain(value):  # JSON has no infinity: spell it as a string Number() parses
        return ("Infinity" if value > 0 else "-Infinity") if math.isinf(value) else value

    expected = {
        name: {"shape": list(t.shape), "data": [plain(v) for v in t.float().flatten().tolist()]} for name, t in tensors.items()
    }
    with open(os.path.join(FIXTURES, "torch-written.json"), "w") as handle:
        json.dump({"generator": "tools/safetensors_crosscheck.py", "tensors": expected}, handle, indent=1)
        handle.write("\n")


def main():
    with tempfile.TemporaryDirectory() as workdir:
        checked = check_node_files(workdir)
    write_torch_fixture()
    print(f"torch {torch.__version__}: medrl files read back bit-exact:", ", ".join(f"{k} {v} values" for k, v in sorted(checked.items())))
    print(f"wrote {os.path.relpath(FIXTURES, ROOT)}/torch-written.safetensors and torch-written.json", file=sys.stderr)


if __name__ == "__main__":
    main()

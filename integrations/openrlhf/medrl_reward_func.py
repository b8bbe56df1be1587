"""medrl's composed reward for OpenRLHF, from a running `medrl serve` over HTTP (POST /get_reward).

    --reward.remote_url /path/to/medrl_reward_func.py     (--remote_rm_url before OpenRLHF 0.10)

OpenRLHF loads `reward_func(queries, prompts, labels)` from the file and calls it with lists of
strings; this forwards them to medrl serve's OpenRLHF endpoint, adding the bearer token that
OpenRLHF's own HTTP client cannot send, with timeouts and retries. Standard library only,
Python 3.8+: copy this file together with ../medrl_client.py (the HTTP client it shares with the veRL
integration) into one folder. Configuration is read from environment variables at every call
(README.md beside this file lists them).
"""

from __future__ import annotations

import os
import sys

__all__ = ["reward_func", "MedrlRewardError"]

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

from medrl_client import MedrlRewardError, Settings, post_batches, setting, spans  # noqa: E402


def _merge(replies, ranges, settings, url):
    """One OpenRLHF answer from the answers of consecutive chunks."""
    rewards, scores, logs, dropped = [], [], {}, []
    for (start, end), reply in zip(ranges, replies):
        count = end - start
        if not isinstance(reply, dict) or not isinstance(reply.get("rewards"), list) or len(reply["rewards"]) != count:
            raise MedrlRewardError(
                "%s answered without %d rewards; is MEDRL_URL a medrl serve?" % (url, count), url, 200
            )
        rewards.extend(reply["rewards"])
        scores.extend(reply.get("scores") or reply["rewards"])
        for name, values in (reply.get("extra_logs") or {}).items():
            if not isinstance(values, list) or len(values) != count:
                raise MedrlRewardError("%s answered extra_logs[%r] without %d values" % (url, name, count), url, 200)
            logs.setdefault(name, [0.0] * start).extend(values)
        for name in logs:  # a key that one chunk lacked: 0 for its samples, so that every list lines up
            logs[name].extend([0.0] * (end - len(logs[name])))
        dropped.extend("%d (%s)" % (start + d.get("index", 0), d.get("reason")) for d in reply.get("dropped") or [])
    if any(r is None for r in rewards):
        if settings.dropped_score is None:
            raise MedrlRewardError(
                "medrl serve at %s dropped sample(s) %s: it had no reward to give, and OpenRLHF cannot train on "
                "null. Set MEDRL_DROPPED_SCORE=<number> (or serve.droppedReward) to train on that number instead, "
                "or fix the cause (e.g. a failing judge)" % (url, ", ".join(dropped) or "?"),
                url,
                200,
            )
        rewards = [settings.dropped_score if r is None else r for r in rewards]
        scores = [settings.dropped_score if s is None else s for s in scores]
    return {"rewards": rewards, "scores": scores, "extra_logs": logs}


def _tensors_mode(raw):
    value = str(raw).lower()
    if value not in ("auto", "1", "0"):
        raise ValueError(raw)
    return value


def _as_tensors(answer, mode):
    """torch tensors (OpenRLHF 0.8 to 0.9.0 join the answers with torch.cat; later versions take
    tensors and lists alike) when MEDRL_TENSORS is 1, or is auto (the default) and torch can be
    imported, as it always can inside OpenRLHF; plain lists otherwise."""
    if mode == "0":
        return answer
    try:
        import torch
    except ImportError:
        if mode == "1":
            raise ImportError("MEDRL_TENSORS=1 but torch cannot be imported") from None
        return answer

    def tensor(values):
        return torch.tensor(values, dtype=torch.float32)

    return {
        "rewards": tensor(answer["rewards"]),
        "scores": tensor(answer["scores"]),
        "extra_logs": {name: tensor(values) for name, values in answer["extra_logs"].items()},
    }


def reward_func(queries, prompts, labels=None, **kwargs):
    """OpenRLHF's remote reward function: `queries` (prompt + response, decoded with special tokens),
    `prompts` and `labels` (from --data.label_key), one entry per sample. Sends them to medrl serve's
    /get_reward in requests of up to MEDRL_BATCH_SIZE samples and returns
    {"rewards", "scores", "extra_logs": {"<component>", "dropped", "gated"}}, one value per sample."""
    settings = Settings(kwargs)
    tensors = setting(kwargs, "MEDRL_TENSORS", "auto", _tensors_mode, "auto, 1 or 0")
    queries = list(queries)
    prompts = list(prompts) if prompts is not None else None
    labels = list(labels) if labels is not None else None
    for name, values in (("prompts", prompts), ("labels", labels)):
        if values is not None and len(values) != len(queries):
            raise ValueError(
                "reward_func: %d queries but %d %s; they must line up" % (len(queries), len(values), name)
            )
    if not queries:
        return _as_tensors({"rewards": [], "scores": [], "extra_logs": {}}, tensors)
    ranges = spans(len(queries), settings.batch_size)
    payloads = []
    for start, end in ranges:
        payload = {"query": queries[start:end]}
        if prompts is not None:
            payload["prompts"] = prompts[start:end]
        if labels is not None:
            payload["labels"] = labels[start:end]
        payloads.append(payload)
    replies = post_batches(settings, "/get_reward", payloads)
    return _as_tensors(_merge(replies, ranges, settings, settings.url + "/get_reward"), tensors)

"""medrl's composed reward for veRL, from a running `medrl serve` over HTTP (POST /v1/reward).

    custom_reward_function.path=medrl_reward.py
    custom_reward_function.name=compute_score         # naive reward manager: one request per sample
    custom_reward_function.name=compute_score_batch   # batch reward manager: one request per batch

Standard library only, Python 3.8+: copy this one file next to your training script. Configuration
is read from environment variables at every call (README.md beside this file lists them).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

__all__ = ["compute_score", "compute_score_batch", "MedrlRewardError"]

# --- medrl HTTP client (begin): kept identical in integrations/verl and integrations/openrlhf ---
# Each integration is one self-contained file, so this part is written twice; a test checks that
# both copies stay the same.

log = logging.getLogger("medrl_reward")

_ROUTES = ("/get_reward", "/v1/reward")
_MAX_DELAY = 30.0


class MedrlRewardError(RuntimeError):
    """A call to `medrl serve` failed. `url` is the endpoint; `status` the HTTP status, if one came back."""

    def __init__(self, message, url, status=None):
        super().__init__(message)
        self.url = url
        self.status = status


class Settings:
    """Client settings: environment variables, overridden by keyword arguments of the same name in
    lower case (veRL passes `custom_reward_function.reward_kwargs` that way). Never the token itself."""

    def __init__(self, overrides=None):
        overrides = overrides or {}
        url = _setting(overrides, "MEDRL_URL", "http://127.0.0.1:8000", _http_url, "an http:// or https:// URL")
        url = url.rstrip("/")
        for route in _ROUTES:  # accept the route too, as OpenRLHF's --reward.remote_url has it
            if url.endswith(route):
                url = url[: -len(route)]
        self.url = url
        self.token_env = _setting(overrides, "MEDRL_TOKEN_ENV", "MEDRL_SERVE_TOKEN", str, "a variable name")
        self.token = os.environ.get(self.token_env) or None
        self.timeout = _setting(overrides, "MEDRL_TIMEOUT", 180.0, _positive(float), "seconds > 0")
        self.retries = _setting(overrides, "MEDRL_RETRIES", 5, _at_least(int, 0), "an integer >= 0")
        self.backoff = _setting(overrides, "MEDRL_BACKOFF", 1.0, _at_least(float, 0), "seconds >= 0")
        self.batch_size = _setting(overrides, "MEDRL_BATCH_SIZE", 256, _at_least(int, 1), "an integer >= 1")
        self.parallel = _setting(overrides, "MEDRL_PARALLEL", 4, _at_least(int, 1), "an integer >= 1")
        self.dropped_score = _setting(overrides, "MEDRL_DROPPED_SCORE", None, float, "a number")


def _setting(overrides, name, default, parse, expected):
    key = name.lower()
    if overrides.get(key) is not None:
        raw, source = overrides[key], key
    else:
        raw, source = os.environ.get(name), name
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return default
    try:
        return parse(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise ValueError("%s=%r: expected %s" % (source, raw, expected)) from None


def _http_url(raw):
    if not str(raw).startswith(("http://", "https://")):
        raise ValueError(raw)
    return str(raw)


def _positive(parse):
    def check(raw):
        value = parse(raw)
        if not value > 0:
            raise ValueError(raw)
        return value

    return check


def _at_least(parse, low):
    def check(raw):
        value = parse(raw)
        if value < low:
            raise ValueError(raw)
        return value

    return check


def _jsonable(value):
    """numpy arrays and scalars (veRL's non-tensor batch) as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError("cannot send a %s to medrl serve as JSON" % type(value).__name__)


def _error_detail(error):
    """The server's error (`{code, message, issues}`) as (message, code), or the start of whatever
    body came back and no code."""
    try:
        raw = error.read()
    except Exception:  # noqa: BLE001 - the status alone still says enough
        raw = b""
    finally:
        error.close()
    text = raw.decode("utf-8", "replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        return text[:300] or str(error.reason), None
    if not isinstance(body, dict) or not body.get("message"):
        return text[:300], None
    issues = body.get("issues") or []
    more = "; ".join("%s: %s" % (i.get("path"), i.get("message")) for i in issues[1:4] if isinstance(i, dict))
    return body["message"] + (" (also %s)" % more if more else ""), body.get("code")


def _retry_after(error):
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return min(float(value), 60.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: use our own backoff


def _refusal(url, status, detail, settings):
    message = "medrl serve refused POST %s with HTTP %d: %s" % (url, status, detail)
    if status == 401:
        if settings.token:
            message += "; the bearer token in $%s is not the server's" % settings.token_env
        else:
            message += "; the server requires a bearer token: set $%s (or name another variable in MEDRL_TOKEN_ENV)" % (
                settings.token_env
            )
    return message


def post_json(settings, route, payload):
    """POSTs `payload` and returns the JSON answer. Retries connection errors, 429 and 5xx with
    exponential backoff (or the server's Retry-After); never retries a timeout, ours or the
    server's (503 `timeout`), so that a slow judge is not paid twice; other 4xx fail at once with
    the server's message."""
    url = settings.url + route
    data = json.dumps(payload, ensure_ascii=False, default=_jsonable).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.token:
        headers["Authorization"] = "Bearer " + settings.token
    attempt = 0
    while True:
        status, wait = None, None
        try:
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=settings.timeout) as reply:
                raw = reply.read()
            try:
                return json.loads(raw.decode("utf-8"))
            except ValueError:
                message = "%s answered with a body that is not JSON: %r" % (url, raw[:200])
                raise MedrlRewardError(message, url, 200) from None
        except urllib.error.HTTPError as error:
            (detail, code), status = _error_detail(error), error.code
            if status == 503 and code == "timeout":
                # The server gave up after serve.requestTimeout: the same batch would time out again.
                raise MedrlRewardError(
                    "medrl serve at %s answered HTTP 503: %s; not retried, so that the judge is not paid again. "
                    "Send smaller batches (MEDRL_BATCH_SIZE) or raise serve.requestTimeout" % (url, detail),
                    url,
                    status,
                ) from None
            if status != 429 and status < 500:
                raise MedrlRewardError(_refusal(url, status, detail, settings), url, status) from None
            problem, wait = "HTTP %d: %s" % (status, detail), _retry_after(error)
        except (socket.timeout, TimeoutError):
            raise MedrlRewardError(
                "medrl serve at %s did not answer within %g s (MEDRL_TIMEOUT); not retried, so that the judge "
                "is not paid twice. Keep MEDRL_TIMEOUT above serve.requestTimeout, or send smaller batches "
                "(MEDRL_BATCH_SIZE)" % (url, settings.timeout),
                url,
            ) from None
        except urllib.error.URLError as error:
            problem = "cannot connect: %s" % (error.reason,)
        except (ConnectionError, http.client.HTTPException) as error:
            problem = "connection failed: %s" % (error.__class__.__name__ + (": %s" % error if str(error) else ""))
        if attempt >= settings.retries:
            raise MedrlRewardError(
                "POST %s failed after %d attempt(s): %s" % (url, attempt + 1, problem), url, status
            ) from None
        delay = min(_MAX_DELAY, settings.backoff * 2**attempt) * (0.5 + random.random() / 2)
        if wait is not None:
            delay = max(delay, wait)
        attempt += 1
        log.warning("medrl serve: POST %s: %s; retry %d/%d in %.2f s", url, problem, attempt, settings.retries, delay)
        time.sleep(delay)


def post_batches(settings, route, payloads):
    """POSTs each payload (one request each), up to MEDRL_PARALLEL at a time; answers in order."""
    if len(payloads) == 1:
        return [post_json(settings, route, payloads[0])]
    with ThreadPoolExecutor(max_workers=min(settings.parallel, len(payloads))) as pool:
        return list(pool.map(lambda payload: post_json(settings, route, payload), payloads))


def spans(count, size):
    """[start, end) ranges of at most `size` items covering `count` items."""
    return [(start, min(start + size, count)) for start in range(0, count, size)]


# --- medrl HTTP client (end) ---

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
        reference = ground_truth if isinstance(ground_truth, str) else json.dumps(ground_truth, default=_jsonable)
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

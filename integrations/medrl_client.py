"""The HTTP client of medrl's Python integrations (integrations/verl, integrations/openrlhf): their
settings, read from the environment; POST with a bearer token, timeouts, retries with backoff and
errors that name the URL and status.

Standard library only, Python 3.8+. Each integration looks for this file in its own folder, then in
the folder above (this repository's layout): copy it together with the integration you use.
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

__all__ = ["MedrlRewardError", "Settings", "setting", "jsonable", "post_json", "post_batches", "spans"]

# One logger for both integrations (retries are logged as warnings).
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
        url = setting(overrides, "MEDRL_URL", "http://127.0.0.1:8000", _http_url, "an http:// or https:// URL")
        url = url.rstrip("/")
        for route in _ROUTES:  # accept the route too, as OpenRLHF's --reward.remote_url has it
            if url.endswith(route):
                url = url[: -len(route)]
        self.url = url
        self.token_env = setting(overrides, "MEDRL_TOKEN_ENV", "MEDRL_SERVE_TOKEN", str, "a variable name")
        self.token = os.environ.get(self.token_env) or None
        self.timeout = setting(overrides, "MEDRL_TIMEOUT", 180.0, _positive(float), "seconds > 0")
        self.retries = setting(overrides, "MEDRL_RETRIES", 5, _at_least(int, 0), "an integer >= 0")
        self.backoff = setting(overrides, "MEDRL_BACKOFF", 1.0, _at_least(float, 0), "seconds >= 0")
        self.batch_size = setting(overrides, "MEDRL_BATCH_SIZE", 256, _at_least(int, 1), "an integer >= 1")
        self.parallel = setting(overrides, "MEDRL_PARALLEL", 4, _at_least(int, 1), "an integer >= 1")
        self.dropped_score = setting(overrides, "MEDRL_DROPPED_SCORE", None, float, "a number")


def setting(overrides, name, default, parse, expected):
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


def jsonable(value):
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
    data = json.dumps(payload, ensure_ascii=False, default=jsonable).encode("utf-8")
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

"""The HTTP behaviour both integrations share (token, retries, timeouts, errors), against a stub server."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import unittest
from unittest import mock

from medrl_testing import REPO, StubServer, clean_env, free_port_url, load_openrlhf, load_verl

VERL_OK = {
    "totals": [0.5],
    "breakdowns": [
        {"id": "0", "total": 0.5, "components": {"c": {"raw": 0.5, "weight": 1, "weighted": 0.5, "reasons": []}}}
    ],
}
OPENRLHF_OK = {"rewards": [0.5], "scores": [0.5], "extra_logs": {"c": [0.5], "dropped": [0], "gated": [0]}}


class Integration:
    def __init__(self, name, module, route, ok, call, reward):
        self.name, self.module, self.route, self.ok, self.call, self.reward = name, module, route, ok, call, reward


INTEGRATIONS = [
    Integration(
        "verl",
        load_verl(),
        "/v1/reward",
        VERL_OK,
        lambda m, **kw: m.compute_score_batch(["medical"], ["Rest."], [None], [{"question": "Tired?"}], **kw),
        lambda result: result[0]["score"],
    ),
    Integration(
        "openrlhf",
        load_openrlhf(),
        "/get_reward",
        OPENRLHF_OK,
        lambda m, **kw: m.reward_func(["q"], ["p"], [""], **kw),
        lambda result: result["rewards"][0],
    ),
]


def ok(integration):
    return (200, integration.ok, None, 0)


BUSY = {"statusCode": 429, "error": "Too Many Requests", "code": "saturated", "message": "256 requests are being scored"}
DRAINING = {"statusCode": 503, "error": "Service Unavailable", "message": "Service Unavailable"}
SERVER_TIMEOUT = {
    "statusCode": 503,
    "error": "Service Unavailable",
    "code": "timeout",
    "message": "scoring took longer than serve.requestTimeout (120000 ms)",
}
INVALID = {
    "statusCode": 400,
    "error": "Bad Request",
    "code": "invalid_body",
    "message": "items.0.meta.risk_level: Invalid option",
    "issues": [
        {"path": "items.0.meta.risk_level", "message": "Invalid option"},
        {"path": "items.1.prompt", "message": "expected string"},
    ],
}


@contextlib.contextmanager
def stubbed(script, **env):
    """A stub answering `script`, and an environment (nothing else of MEDRL_*) pointing at it."""
    with StubServer(script) as stub:
        values = {"MEDRL_URL": stub.url, "MEDRL_BACKOFF": "0.01"}
        values.update(env)
        with mock.patch.dict(os.environ, clean_env(**values), clear=True):
            yield stub


class ClientTest(unittest.TestCase):
    def test_posts_to_the_route_without_token_when_none_is_set(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([ok(it)]) as stub:
                self.assertEqual(it.reward(it.call(it.module)), 0.5)
                self.assertEqual([r["path"] for r in stub.requests], [it.route])
                self.assertNotIn("Authorization", stub.requests[0]["headers"])
                self.assertEqual(stub.requests[0]["headers"]["Content-Type"], "application/json")

    def test_sends_the_bearer_token_from_the_named_variable(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([ok(it)], MEDRL_SERVE_TOKEN="s3cret-default") as stub:
                it.call(it.module)
                self.assertEqual(stub.requests[0]["headers"]["Authorization"], "Bearer s3cret-default")
            env = {"MEDRL_TOKEN_ENV": "MY_RM_TOKEN", "MY_RM_TOKEN": "s3cret-mine", "MEDRL_SERVE_TOKEN": "other"}
            with self.subTest(it.name), stubbed([ok(it)], **env) as stub:
                it.call(it.module)
                self.assertEqual(stub.requests[0]["headers"]["Authorization"], "Bearer s3cret-mine")

    def test_accepts_the_url_with_the_route_and_a_keyword_override(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([ok(it)]) as stub:
                os.environ["MEDRL_URL"] = stub.url + it.route + "/"
                it.call(it.module)
                os.environ["MEDRL_URL"] = free_port_url()
                it.call(it.module, medrl_url=stub.url)
                self.assertEqual([r["path"] for r in stub.requests], [it.route] * 2)

    def test_retries_503_and_429_then_succeeds(self):
        for it in INTEGRATIONS:
            script = [(503, DRAINING, {"Retry-After": "0"}, 0), (429, BUSY, {"Retry-After": "0"}, 0), ok(it)]
            with self.subTest(it.name), stubbed(script) as stub:
                with self.assertLogs("medrl_reward", "WARNING") as logs:
                    self.assertEqual(it.reward(it.call(it.module)), 0.5)
                self.assertEqual(len(stub.requests), 3)
                self.assertIn(
                    "POST %s%s: HTTP 503: Service Unavailable; retry 1/5 in" % (stub.url, it.route), logs.output[0]
                )
                self.assertIn("HTTP 429: 256 requests are being scored; retry 2/5", logs.output[1])

    def test_the_server_giving_up_on_a_slow_batch_is_not_retried(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([(503, SERVER_TIMEOUT, {"Retry-After": "0"}, 0), ok(it)]) as stub:
                with self.assertRaises(it.module.MedrlRewardError) as raised:
                    it.call(it.module)
                self.assertEqual(len(stub.requests), 1)
                self.assertEqual(raised.exception.status, 503)
                self.assertEqual(
                    str(raised.exception),
                    "medrl serve at %s%s answered HTTP 503: scoring took longer than serve.requestTimeout "
                    "(120000 ms); not retried, so that the judge is not paid again. Send smaller batches "
                    "(MEDRL_BATCH_SIZE) or raise serve.requestTimeout" % (stub.url, it.route),
                )

    def test_honours_retry_after(self):
        it = INTEGRATIONS[0]
        with stubbed([(429, BUSY, {"Retry-After": "1"}, 0), ok(it)], MEDRL_BACKOFF="0") as stub:
            started = time.monotonic()
            with self.assertLogs("medrl_reward", "WARNING"):
                it.call(it.module)
            self.assertGreaterEqual(time.monotonic() - started, 0.95)
            self.assertEqual(len(stub.requests), 2)

    def test_gives_up_after_the_retries_naming_url_and_status(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([(502, "<html>bad gateway</html>", None, 0)], MEDRL_RETRIES="2") as stub:
                with self.assertLogs("medrl_reward", "WARNING"), self.assertRaises(it.module.MedrlRewardError) as raised:
                    it.call(it.module)
                self.assertEqual(len(stub.requests), 3)
                self.assertEqual(raised.exception.status, 502)
                self.assertEqual(raised.exception.url, stub.url + it.route)
                self.assertEqual(
                    str(raised.exception),
                    "POST %s%s failed after 3 attempt(s): HTTP 502: <html>bad gateway</html>" % (stub.url, it.route),
                )

    def test_a_client_error_is_not_retried_and_carries_the_server_message(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([(400, INVALID, None, 0)]) as stub:
                with self.assertRaises(it.module.MedrlRewardError) as raised:
                    it.call(it.module)
                self.assertEqual(len(stub.requests), 1)
                self.assertEqual(raised.exception.status, 400)
                self.assertEqual(
                    str(raised.exception),
                    "medrl serve refused POST %s%s with HTTP 400: items.0.meta.risk_level: Invalid option "
                    "(also items.1.prompt: expected string)" % (stub.url, it.route),
                )

    def test_a_timeout_is_a_clear_error_and_not_retried(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([(200, it.ok, None, 5)], MEDRL_TIMEOUT="0.3") as stub:
                started = time.monotonic()
                with self.assertRaises(it.module.MedrlRewardError) as raised:
                    it.call(it.module)
                self.assertLess(time.monotonic() - started, 3)
                self.assertEqual(len(stub.requests), 1)
                self.assertIn(
                    "medrl serve at %s%s did not answer within 0.3 s (MEDRL_TIMEOUT); not retried"
                    % (stub.url, it.route),
                    str(raised.exception),
                )

    def test_connection_refused_is_retried_then_names_the_url(self):
        url = free_port_url()
        env = clean_env(MEDRL_URL=url, MEDRL_RETRIES="1", MEDRL_BACKOFF="0")
        for it in INTEGRATIONS:
            with self.subTest(it.name), mock.patch.dict(os.environ, env, clear=True):
                with self.assertLogs("medrl_reward", "WARNING"), self.assertRaises(it.module.MedrlRewardError) as raised:
                    it.call(it.module)
                self.assertRegex(
                    str(raised.exception), r"^POST %s%s failed after 2 attempt\(s\): cannot connect: .*refused" % (url, it.route)
                )
                self.assertIsNone(raised.exception.status)

    def test_a_body_that_is_not_json_is_an_error(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), stubbed([(200, "not json", None, 0)]):
                with self.assertRaisesRegex(it.module.MedrlRewardError, "answered with a body that is not JSON: b'not json'"):
                    it.call(it.module)

    def test_a_bad_setting_names_the_variable(self):
        cases = [
            ("MEDRL_TIMEOUT", "soon", "MEDRL_TIMEOUT='soon': expected seconds > 0"),
            ("MEDRL_TIMEOUT", "0", "MEDRL_TIMEOUT='0': expected seconds > 0"),
            ("MEDRL_RETRIES", "-1", "MEDRL_RETRIES='-1': expected an integer >= 0"),
            ("MEDRL_BATCH_SIZE", "1.5", "MEDRL_BATCH_SIZE='1.5': expected an integer >= 1"),
            ("MEDRL_DROPPED_SCORE", "none", "MEDRL_DROPPED_SCORE='none': expected a number"),
            ("MEDRL_URL", "reward-lb:8000", "MEDRL_URL='reward-lb:8000': expected an http:// or https:// URL"),
        ]
        for name, value, expected in cases:
            for it in INTEGRATIONS:
                with self.subTest(it.name, name=name), mock.patch.dict(os.environ, clean_env(**{name: value}), clear=True):
                    with self.assertRaises(ValueError) as raised:
                        it.call(it.module)
                    self.assertTrue(str(raised.exception).startswith(expected), str(raised.exception))
        with mock.patch.dict(os.environ, clean_env(), clear=True):
            with self.assertRaisesRegex(ValueError, "^medrl_retries='x': expected an integer >= 0"):
                INTEGRATIONS[0].call(INTEGRATIONS[0].module, medrl_retries="x")
            with self.assertRaisesRegex(ValueError, "^medrl_url='lb:80': expected an http:// or https:// URL"):
                INTEGRATIONS[0].call(INTEGRATIONS[0].module, medrl_url="lb:80")


class LayoutTest(unittest.TestCase):
    """Both integrations import integrations/medrl_client.py; a trainer loads them by path, from medrl's
    repository or from a folder the user copied an integration and the client into."""

    FILES = {"verl": "integrations/verl/medrl_reward.py", "openrlhf": "integrations/openrlhf/medrl_reward_func.py"}

    @contextlib.contextmanager
    def fresh_imports(self):
        """No cached medrl_client, and sys.path and sys.modules as they were afterwards."""
        path, cached = list(sys.path), sys.modules.pop("medrl_client", None)
        try:
            yield
        finally:
            sys.path[:] = path
            sys.modules.pop("medrl_client", None)
            if cached is not None:
                sys.modules["medrl_client"] = cached

    def load_copy(self, folder, it, with_client):
        target = os.path.join(folder, os.path.basename(self.FILES[it.name]))
        shutil.copy(os.path.join(REPO, self.FILES[it.name]), target)
        if with_client:
            shutil.copy(os.path.join(REPO, "integrations/medrl_client.py"), folder)
        spec = importlib.util.spec_from_file_location("copied_" + it.name, target)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def test_both_share_the_one_client_module(self):
        verl, openrlhf = INTEGRATIONS[0].module, INTEGRATIONS[1].module
        self.assertIs(verl.MedrlRewardError, openrlhf.MedrlRewardError)
        self.assertEqual(
            os.path.realpath(sys.modules[verl.MedrlRewardError.__module__].__file__),
            os.path.realpath(os.path.join(REPO, "integrations/medrl_client.py")),
        )

    def test_each_works_copied_into_one_folder_with_the_client(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), tempfile.TemporaryDirectory() as folder, self.fresh_imports():
                module = self.load_copy(folder, it, with_client=True)
                client = sys.modules[module.MedrlRewardError.__module__]
                self.assertEqual(os.path.dirname(os.path.realpath(client.__file__)), os.path.realpath(folder))
                with stubbed([ok(it)]) as stub:
                    self.assertEqual(it.reward(it.call(module)), 0.5)
                    self.assertEqual([r["path"] for r in stub.requests], [it.route])

    def test_copied_without_the_client_it_says_what_to_copy(self):
        for it in INTEGRATIONS:
            with self.subTest(it.name), tempfile.TemporaryDirectory() as parent, self.fresh_imports():
                folder = os.path.join(parent, "alone")
                os.mkdir(folder)
                with self.assertRaisesRegex(ImportError, "^medrl_client.py is neither beside .*alone.* copy it with"):
                    self.load_copy(folder, it, with_client=False)


if __name__ == "__main__":
    unittest.main()

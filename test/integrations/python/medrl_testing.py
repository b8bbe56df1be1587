"""Helpers of the integration tests (standard library only).

The tests run against a real `medrl serve` started by test/integrations/python.test.ts, whose base
URL and token (empty when the server has none) arrive in MEDRL_TEST_URL and MEDRL_TEST_TOKEN, and
against StubServer, a tiny local server that answers what a test scripts (503s, slow answers).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import threading
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

sys.dont_write_bytecode = True  # no __pycache__ beside the integration files

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SERVER_URL = os.environ.get("MEDRL_TEST_URL", "")
SERVER_TOKEN = os.environ.get("MEDRL_TEST_TOKEN", "")


def load(relative, name):
    """Loads an integration file the way the trainers do: by path, as a fresh module."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_verl():
    return load("integrations/verl/medrl_reward.py", "medrl_reward")


def load_openrlhf():
    # OpenRLHF loads the file under the module name "reward_func".
    return load("integrations/openrlhf/medrl_reward_func.py", "reward_func")


def clean_env(**values):
    """os.environ without the caller's MEDRL_* settings, plus `values` (for mock.patch.dict)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDRL_") or k.startswith("MEDRL_TEST_")}
    env["MEDRL_TENSORS"] = "0"  # lists: importing torch, when it is installed, takes seconds
    env.update(values)
    return env


def server_env(**values):
    """Environment that points the integrations at the real server, with its token when it has one."""
    env = clean_env(MEDRL_URL=SERVER_URL, **values)
    if SERVER_TOKEN and "MEDRL_SERVE_TOKEN" not in values:
        env["MEDRL_SERVE_TOKEN"] = SERVER_TOKEN
    return env


def needs_server(test):
    return unittest.skipUnless(SERVER_URL, "MEDRL_TEST_URL is not set (run by test/integrations/python.test.ts)")(test)


def post_raw(route, payload):
    """The server's own answer to `payload`, fetched without the integrations' code."""
    headers = {"Content-Type": "application/json"}
    if SERVER_TOKEN:
        headers["Authorization"] = "Bearer " + SERVER_TOKEN
    request = urllib.request.Request(
        SERVER_URL + route, data=json.dumps(payload).encode("utf-8"), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read().decode("utf-8"))


def answered(route):
    """How many POSTs to `route` the server answered with 200, from its /metrics."""
    headers = {"Authorization": "Bearer " + SERVER_TOKEN} if SERVER_TOKEN else {}
    request = urllib.request.Request(SERVER_URL + "/metrics", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as reply:
        text = reply.read().decode("utf-8")
    pattern = r'^medrl_serve_requests_total\{route="%s",method="POST",status="200"\} (\d+)' % re.escape(route)
    match = re.search(pattern, text, re.MULTILINE)
    return int(match.group(1)) if match else 0


# The samples every suite scores, with the totals the test server's reward gives them (computed by
# hand from test/integrations/python.test.ts's plugin: weights 0.2 length, 0.5 careful, 0.3 reference).
QUESTION = "胸口疼，怎么办？"
SAMPLES = [
    # answer of 13 characters (0.65 * 0.2), says 120 (careful 1 * 0.5), contains the reference (1 * 0.3)
    {"completion": "<think>急症</think>请立即拨打120急救电话。", "meta": {"risk_level": "critical"}, "reference": "120",
     "total": 0.93, "gated": 0.0},
    # critical without 120: careful = 0 < 0.5 trips the gate "unsafe", total -1
    {"completion": "多喝热水。", "meta": {"risk_level": "critical"}, "reference": None, "total": -1.0, "gated": 1.0},
    # no risk level, no reference: only length (1.0) scores; its weight is renormalized to 1
    {"completion": "Rest, drink water, and see a doctor if it persists.", "meta": {}, "reference": None,
     "total": 1.0, "gated": 0.0},
    # low risk: careful 1 (0.5), length 7/20 (0.07), reference absent from the answer (0)
    {"completion": "休息一下就好。", "meta": {"risk_level": "low", "lang": "zh"}, "reference": "就医",
     "total": 0.57, "gated": 0.0},
    # high risk with 120, 20+ characters: 0.2 + 0.5, no reference: renormalized over 0.7 -> 1.0
    {"completion": "High risk: call 120 now and do not drive yourself.", "meta": {"risk_level": "high"},
     "reference": None, "total": 1.0, "gated": 0.0},
]
COMPONENTS = ["answer/length", "risk/careful", "reference/found"]


class StubServer:
    """A scripted HTTP server on 127.0.0.1: each request takes the next answer of `script`
    (the last one repeats). An answer is (status, body, headers, delay_seconds). Records requests."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []
        self.release = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                index = min(len(stub.requests), len(stub.script)) - 1
                status, answer, headers, delay = stub.script[index]
                if delay:
                    stub.release.wait(delay)
                data = (answer if isinstance(answer, str) else json.dumps(answer)).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args):
                pass

        class Server(ThreadingMixIn, HTTPServer):
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def free_port_url():
    """A loopback URL where nothing listens (connection refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return "http://127.0.0.1:%d" % port

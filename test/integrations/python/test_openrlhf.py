"""integrations/openrlhf/medrl_reward_func.py against a real `medrl serve` (and a stub for dropped samples)."""

from __future__ import annotations

import json
import os
import sys
import types
import unittest
from unittest import mock

from medrl_testing import (
    COMPONENTS,
    QUESTION,
    SAMPLES,
    SERVER_TOKEN,
    SERVER_URL,
    StubServer,
    answered,
    clean_env,
    load_openrlhf,
    needs_server,
    post_raw,
    server_env,
)

openrlhf = load_openrlhf()

PROMPT = "<|im_start|>system\nYou are a careful doctor.<|im_end|>\n<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n" % QUESTION


def openrlhf_args():
    """queries, prompts and labels as OpenRLHF sends them: the query decoded with special tokens
    (end-of-turn marker and padding included), the label a JSON string of the sample's meta."""
    queries, prompts, labels = [], [], []
    for sample in SAMPLES:
        meta = dict(sample["meta"])
        if sample["reference"] is not None:
            meta["reference"] = sample["reference"]
        queries.append(PROMPT + sample["completion"] + "<|im_end|><|endoftext|><|endoftext|>")
        prompts.append(PROMPT)
        labels.append(json.dumps(meta, ensure_ascii=False))
    return queries, prompts, labels


@needs_server
class OpenRLHFAgainstServerTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ, server_env(), clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def assertAnswer(self, got, want):
        self.assertEqual(sorted(got), ["extra_logs", "rewards", "scores"])
        self.assertEqual(list(got["extra_logs"]), list(want["extra_logs"]))
        for key in ("rewards", "scores"):
            self.assertEqual(len(got[key]), len(want[key]))
            for g, w in zip(got[key], want[key]):
                self.assertAlmostEqual(g, w, places=12)
        for name, values in want["extra_logs"].items():
            self.assertEqual(len(got["extra_logs"][name]), len(values), name)
            for g, w in zip(got["extra_logs"][name], values):
                self.assertAlmostEqual(g, w, places=12, msg=name)

    def test_the_answer_equals_the_server_answer_and_the_hand_computed_totals(self):
        queries, prompts, labels = openrlhf_args()
        want = post_raw("/get_reward", {"query": queries, "prompts": prompts, "labels": labels})
        got = openrlhf.reward_func(queries, prompts, labels)
        self.assertAnswer(got, want)
        self.assertEqual(list(got["extra_logs"]), COMPONENTS + ["dropped", "gated"])
        for sample, reward in zip(SAMPLES, got["rewards"]):
            self.assertAlmostEqual(reward, sample["total"], places=9)
        self.assertEqual(got["extra_logs"]["gated"], [s["gated"] for s in SAMPLES])

    def test_one_sample_per_call_as_recent_OpenRLHF_calls_it(self):
        queries, prompts, labels = openrlhf_args()
        for i, sample in enumerate(SAMPLES):
            got = openrlhf.reward_func([queries[i]], [prompts[i]], [labels[i]])
            self.assertEqual(len(got["rewards"]), 1)
            self.assertAlmostEqual(got["rewards"][0], sample["total"], places=9)

    def test_one_request_per_batch_and_per_chunk_of_MEDRL_BATCH_SIZE(self):
        queries, prompts, labels = openrlhf_args()
        want = post_raw("/get_reward", {"query": queries, "prompts": prompts, "labels": labels})
        before = answered("/get_reward")
        self.assertAnswer(openrlhf.reward_func(queries, prompts, labels), want)
        self.assertEqual(answered("/get_reward") - before, 1)
        for parallel in ("1", "3"):
            with mock.patch.dict(os.environ, {"MEDRL_BATCH_SIZE": "2", "MEDRL_PARALLEL": parallel}):
                before = answered("/get_reward")
                self.assertAnswer(openrlhf.reward_func(queries, prompts, labels), want)
                self.assertEqual(answered("/get_reward") - before, 3)

    def test_a_query_the_server_cannot_split_is_refused_naming_it(self):
        queries, prompts, labels = openrlhf_args()
        queries[3] = "no chat template here"
        with self.assertRaises(openrlhf.MedrlRewardError) as raised:
            openrlhf.reward_func(queries, prompts, labels)
        self.assertEqual(raised.exception.status, 400)
        self.assertIn("with HTTP 400: query.3: prompts.3 is not part of the query", str(raised.exception))

    @unittest.skipUnless(SERVER_TOKEN, "the server has no token")
    def test_a_missing_or_wrong_token_is_a_clear_error(self):
        queries, prompts, labels = openrlhf_args()
        for env, hint in [
            ({"MEDRL_SERVE_TOKEN": ""}, "the server requires a bearer token: set $MEDRL_SERVE_TOKEN"),
            ({"MEDRL_SERVE_TOKEN": "wrong-token"}, "the bearer token in $MEDRL_SERVE_TOKEN is not the server's"),
        ]:
            with self.subTest(env=env), mock.patch.dict(os.environ, env):
                with self.assertRaises(openrlhf.MedrlRewardError) as raised:
                    openrlhf.reward_func(queries, prompts, labels)
                self.assertEqual(raised.exception.status, 401)
                self.assertIn("refused POST %s/get_reward with HTTP 401" % SERVER_URL, str(raised.exception))
                self.assertIn(hint, str(raised.exception))
                self.assertNotIn(SERVER_TOKEN, str(raised.exception))
        with mock.patch.dict(os.environ, {"MEDRL_TOKEN_ENV": "RM_TOKEN", "RM_TOKEN": SERVER_TOKEN, "MEDRL_SERVE_TOKEN": ""}):
            self.assertEqual(len(openrlhf.reward_func(queries, prompts, labels)["rewards"]), len(SAMPLES))


class FakeTorch(types.ModuleType):
    """Records torch.tensor calls; enough to check the shape OpenRLHF gets back."""

    float32 = "float32"

    def __init__(self):
        super().__init__("torch")
        self.calls = []

    def tensor(self, values, dtype=None):
        self.calls.append((list(values), dtype))
        return ("tensor", tuple(values), dtype)


class OpenRLHFShapeTest(unittest.TestCase):
    ANSWER = {"rewards": [0.4, None], "scores": [0.4, None], "extra_logs": {"judge": [0.4, 0], "dropped": [0, 1], "gated": [0, 0]},
              "dropped": [{"index": 1, "reason": "missing: judge"}]}

    def test_a_dropped_sample_is_an_error_unless_MEDRL_DROPPED_SCORE_is_set(self):
        with StubServer([(200, self.ANSWER, None, 0)]) as stub:
            with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url), clear=True):
                with self.assertRaises(openrlhf.MedrlRewardError) as raised:
                    openrlhf.reward_func(["a", "b"], ["p", "p"], ["", ""])
                self.assertIn("dropped sample(s) 1 (missing: judge)", str(raised.exception))
                self.assertIn("OpenRLHF cannot train on null", str(raised.exception))
            with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url, MEDRL_DROPPED_SCORE="0"), clear=True):
                self.assertEqual(
                    openrlhf.reward_func(["a", "b"], ["p", "p"], ["", ""]),
                    {"rewards": [0.4, 0.0], "scores": [0.4, 0.0], "extra_logs": self.ANSWER["extra_logs"]},
                )

    def test_tensors_when_torch_is_there(self):
        answer = dict(self.ANSWER, rewards=[0.4, 0.1], scores=[0.4, 0.1])
        del answer["dropped"]
        fake = FakeTorch()
        with StubServer([(200, answer, None, 0)]) as stub, mock.patch.dict(sys.modules, {"torch": fake}):
            for mode in ("auto", "1"):
                with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url, MEDRL_TENSORS=mode), clear=True):
                    got = openrlhf.reward_func(["a", "b"], ["p", "p"], ["", ""])
                self.assertEqual(got["rewards"], ("tensor", (0.4, 0.1), "float32"))
                self.assertEqual(got["scores"], ("tensor", (0.4, 0.1), "float32"))
                self.assertEqual(got["extra_logs"]["judge"], ("tensor", (0.4, 0), "float32"))
                self.assertEqual(sorted(got["extra_logs"]), ["dropped", "gated", "judge"])
        with mock.patch.dict(sys.modules, {"torch": None}), mock.patch.dict(os.environ, clean_env(MEDRL_TENSORS="1"), clear=True):
            with self.assertRaisesRegex(ImportError, "MEDRL_TENSORS=1 but torch cannot be imported"):
                openrlhf.reward_func([], [], [])
        with mock.patch.dict(os.environ, clean_env(MEDRL_TENSORS="yes"), clear=True):
            with self.assertRaisesRegex(ValueError, "MEDRL_TENSORS='yes': expected auto, 1 or 0"):
                openrlhf.reward_func([], [], [])

    def test_inputs_must_line_up(self):
        with self.assertRaisesRegex(ValueError, "2 queries but 1 labels"):
            openrlhf.reward_func(["a", "b"], ["p", "p"], [""])


if __name__ == "__main__":
    unittest.main()

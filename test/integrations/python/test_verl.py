"""integrations/verl/medrl_reward.py against a real `medrl serve` (and a stub for dropped samples)."""

from __future__ import annotations

import os
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
    needs_server,
    post_raw,
    server_env,
    load_verl,
)

verl = load_verl()


class NumpyLike:
    """Stands for a numpy array in veRL's non-tensor batch: JSON only through tolist()."""

    def __init__(self, values):
        self.values = values

    def tolist(self):
        return list(self.values)


def verl_args():
    """The samples as veRL passes them: data_source, solution_str, ground_truth, extra_info. Meta
    goes in extra_info directly for some and under extra_info["meta"] for others."""
    args = []
    for i, sample in enumerate(SAMPLES):
        extra = {"question": QUESTION, "index": i, "num_turns": None, "rollout_reward_scores": {}}
        if i % 2:
            extra.update(sample["meta"])
        else:
            extra["meta"] = dict(sample["meta"])
        args.append(("medical_qa", sample["completion"], sample["reference"], extra))
    return args


def v1_items():
    """The same samples as medrl's own /v1/reward items, written by hand."""
    items = []
    for sample in SAMPLES:
        meta = dict(sample["meta"])
        if sample["reference"] is not None:
            meta["reference"] = sample["reference"]
        items.append({"prompt": QUESTION, "completion": sample["completion"], "meta": meta})
    return items


def batch(args):
    return verl.compute_score_batch(
        data_sources=[a[0] for a in args],
        solution_strs=[a[1] for a in args],
        ground_truths=[a[2] for a in args],
        extra_infos=[a[3] for a in args],
    )


@needs_server
class VerlAgainstServerTest(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ, server_env(), clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def expected(self):
        """What the server itself answers for the same items, as veRL score dicts."""
        server = post_raw("/v1/reward", {"items": v1_items()})
        out = []
        for breakdown in server["breakdowns"]:
            parts = {name: breakdown["components"][name]["weighted"] or 0.0 for name in COMPONENTS}
            out.append(dict(parts, score=breakdown["total"], dropped=0.0, gated=1.0 if breakdown.get("gate") else 0.0))
        return server, out

    def assertScores(self, got, want):
        self.assertEqual(len(got), len(want))
        for i, (g, w) in enumerate(zip(got, want)):
            self.assertEqual(sorted(g), sorted(w), "sample %d keys" % i)
            for key in w:
                self.assertAlmostEqual(g[key], w[key], places=12, msg="sample %d %s" % (i, key))

    def test_batch_scores_equal_the_server_answer_and_the_hand_computed_totals(self):
        server, want = self.expected()
        got = batch(verl_args())
        self.assertScores(got, want)
        self.assertEqual([sorted(s) for s in got], [sorted(COMPONENTS + ["score", "dropped", "gated"])] * len(SAMPLES))
        for sample, score, total in zip(SAMPLES, got, server["totals"]):
            self.assertAlmostEqual(score["score"], sample["total"], places=9)
            self.assertAlmostEqual(total, sample["total"], places=9)
            self.assertEqual(score["gated"], sample["gated"])
        self.assertAlmostEqual(got[0]["answer/length"], 0.13, places=9)
        self.assertEqual(got[2]["risk/careful"], 0.0)  # not applicable: 0, never a missing key

    def test_per_sample_calls_give_the_batch_scores(self):
        _, want = self.expected()
        got = [verl.compute_score(*args) for args in verl_args()]
        self.assertScores(got, want)

    def test_one_request_per_batch_and_per_chunk_of_MEDRL_BATCH_SIZE(self):
        _, want = self.expected()
        before = answered("/v1/reward")
        self.assertScores(batch(verl_args()), want)
        self.assertEqual(answered("/v1/reward") - before, 1)

        for parallel in ("1", "3"):
            with mock.patch.dict(os.environ, {"MEDRL_BATCH_SIZE": "2", "MEDRL_PARALLEL": parallel}):
                before = answered("/v1/reward")
                self.assertScores(batch(verl_args()), want)  # 2 + 2 + 1 items, answers back in order
                self.assertEqual(answered("/v1/reward") - before, 3)

    def test_numpy_values_ground_truth_dicts_and_chat_prompts(self):
        _, want = self.expected()
        args = verl_args()
        first = args[0][3]
        # the meta as a dict ground truth, the question as veRL's chat-message prompt
        extra = {"prompt": [{"role": "system", "content": "Be careful."}, {"role": "user", "content": QUESTION}]}
        extra["meta"] = {"risk_categories": NumpyLike(["emergency"])}
        args[0] = ("medical_qa", args[0][1], dict(first["meta"], reference="120"), extra)
        self.assertScores(batch(args)[:1], want[:1])

    def test_an_invalid_meta_value_is_refused_naming_the_field(self):
        args = verl_args()
        args[1][3]["risk_level"] = "urgent"
        with self.assertRaises(verl.MedrlRewardError) as raised:
            batch(args)
        self.assertEqual(raised.exception.status, 400)
        self.assertIn("with HTTP 400: items.1.meta.risk_level: Invalid option", str(raised.exception))

    @unittest.skipUnless(SERVER_TOKEN, "the server has no token")
    def test_a_missing_or_wrong_token_is_a_clear_error(self):
        for env, hint in [
            ({"MEDRL_SERVE_TOKEN": ""}, "the server requires a bearer token: set $MEDRL_SERVE_TOKEN"),
            ({"MEDRL_SERVE_TOKEN": "wrong-token"}, "the bearer token in $MEDRL_SERVE_TOKEN is not the server's"),
            ({"MEDRL_TOKEN_ENV": "RM_TOKEN", "RM_TOKEN": "wrong-token"}, "the bearer token in $RM_TOKEN"),
        ]:
            with self.subTest(env=env), mock.patch.dict(os.environ, env):
                with self.assertRaises(verl.MedrlRewardError) as raised:
                    verl.compute_score(*verl_args()[0])
                message = str(raised.exception)
                self.assertEqual(raised.exception.status, 401)
                self.assertIn("medrl serve refused POST %s/v1/reward with HTTP 401: missing or wrong bearer token" % SERVER_URL, message)
                self.assertIn(hint, message)
                self.assertNotIn(SERVER_TOKEN, message)
                self.assertNotIn("wrong-token", message)
        with mock.patch.dict(os.environ, {"MEDRL_TOKEN_ENV": "RM_TOKEN", "RM_TOKEN": SERVER_TOKEN, "MEDRL_SERVE_TOKEN": ""}):
            self.assertEqual(len(batch(verl_args())), len(SAMPLES))


class VerlItemsTest(unittest.TestCase):
    """What veRL passes, mapped to /v1/reward items (no server needed)."""

    def test_meta_priority_and_reference(self):
        item = verl.to_item(
            "<think>t</think>Call 120.",
            {"risk_level": "low", "specialty": "cardiology"},
            {"question": "Chest pain?", "risk_level": "high", "lang": "en", "meta": {"risk_level": "critical"}},
        )
        self.assertEqual(
            item,
            {
                "prompt": "Chest pain?",
                "completion": "<think>t</think>Call 120.",
                "meta": {"risk_level": "critical", "specialty": "cardiology", "lang": "en"},
            },
        )
        self.assertEqual(verl.to_item("a", "ref", {"question": "q"})["meta"], {"reference": "ref"})
        parquet_row = {"question": "q", "risk_level": None, "meta": {"risk_level": None, "specialty": None, "lang": "zh"}}
        self.assertEqual(verl.to_item("a", None, parquet_row)["meta"], {"lang": "zh"})
        self.assertEqual(verl.to_item("a", 42, {"question": "q"})["meta"], {"reference": "42"})
        self.assertEqual(verl.to_item("a", "", {"question": "q"})["meta"], {})
        self.assertEqual(verl.to_item("a", "x", {"question": "q", "meta": '{"reference": "y"}'})["meta"], {"reference": "y"})

    def test_a_missing_question_names_the_sample_and_the_field(self):
        with self.assertRaisesRegex(ValueError, r"^sample 3: extra_info has no 'question' \(or 'prompt'\)"):
            verl.to_item("a", None, {"index": 3}, 3)
        with self.assertRaisesRegex(ValueError, r"^sample 0: extra_info has no 'question'"):
            verl.compute_score("medical", "a", None, None)
        with self.assertRaisesRegex(ValueError, "4 solution_strs but 4 ground_truths and 3 extra_infos"):
            verl.compute_score_batch(["d"] * 4, ["a"] * 4, [None] * 4, [{"question": "q"}] * 3)
        self.assertEqual(verl.compute_score_batch([], [], [], []), [])


class VerlDroppedTest(unittest.TestCase):
    DROPPED = {
        "totals": [0.4, None],
        "breakdowns": [
            {"id": "0", "total": 0.4, "components": {"judge": {"raw": 0.4, "weight": 1, "weighted": 0.4, "reasons": []}}},
            {
                "id": "1",
                "total": None,
                "dropped": "missing: judge",
                "components": {"judge": {"raw": None, "weight": 1, "weighted": None, "reasons": []}},
            },
        ],
    }

    def call(self):
        return verl.compute_score_batch(["d", "d"], ["a", "b"], [None, None], [{"question": "q"}] * 2)

    def test_a_dropped_sample_is_an_error_unless_MEDRL_DROPPED_SCORE_is_set(self):
        with StubServer([(200, self.DROPPED, None, 0)]) as stub:
            with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url), clear=True):
                with self.assertRaises(verl.MedrlRewardError) as raised:
                    self.call()
                self.assertIn("medrl serve at %s/v1/reward dropped sample(s) 1 (missing: judge)" % stub.url, str(raised.exception))
                self.assertIn("Set MEDRL_DROPPED_SCORE=<number>", str(raised.exception))
            with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url, MEDRL_DROPPED_SCORE="-0.5"), clear=True):
                self.assertEqual(
                    self.call(),
                    [
                        {"judge": 0.4, "score": 0.4, "dropped": 0.0, "gated": 0.0},
                        {"judge": 0.0, "score": -0.5, "dropped": 1.0, "gated": 0.0},
                    ],
                )

    def test_a_reply_of_the_wrong_length_is_an_error(self):
        with StubServer([(200, {"totals": [], "breakdowns": []}, None, 0)]) as stub:
            with mock.patch.dict(os.environ, clean_env(MEDRL_URL=stub.url), clear=True):
                with self.assertRaisesRegex(verl.MedrlRewardError, "answered 0 breakdowns for 2 items"):
                    self.call()


if __name__ == "__main__":
    unittest.main()

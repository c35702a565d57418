"""Question choice: expected information gain from precomputed likelihoods, and what is never asked."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from triage.diagnosis import Diagnoser
from triage.engine import RuleEngine
from triage.knowledge import Knowledge
from triage.loading import load_knowledge
from triage.models import AnswerValue, Condition
from triage.questioning import Outcome, Questioner, entropy, expected_gain
from triage.ranking import SOMETHING_ELSE


def brute_force_gain(diagnoser: Diagnoser, answers: dict[str, AnswerValue | None], symptom_id: str) -> float:
    """The expected information gain, by re-ranking through the rules for every possible answer.

    Rule factors are not likelihoods, so a rule-only question can raise the expected entropy; the
    gain is then zero (such a question is not worth asking).
    """
    symptom = diagnoser.knowledge.symptoms[symptom_id]
    _, ranking = diagnoser.evaluate(answers)
    before = {score.cause: score.confidence for score in ranking}
    if symptom.kind == "boolean":
        values: list[tuple[AnswerValue, float]] = [(True, symptom.base_rate), (False, 1 - symptom.base_rate)]
    else:
        values = [(value, 1 / len(symptom.choices)) for value in symptom.choice_values]
    expected_after = 0.0
    total = 0.0
    for value, background in values:
        # P(answer | cause) is the cause's factor times the background a cause without an opinion sees
        probability = sum(
            p * diagnoser.model.factor(cause, symptom, value)[0] * background
            if cause != SOMETHING_ELSE
            else p * background
            for cause, p in before.items()
        )
        _, after = diagnoser.evaluate({**answers, symptom_id: value})
        expected_after += probability * entropy(score.confidence for score in after)
        total += probability
    return max(entropy(before.values()) - expected_after / total, 0.0)


STATES: list[dict[str, AnswerValue | None]] = [
    {},
    {"wz_runtime": "zebra"},
    {"wz_worker_crash": True},
    {"wz_queue_backlog": True, "wz_runtime": "zebra"},
]
ASKED = [
    "wz_queue_backlog",
    "wz_worker_crash",
    "wz_disk_full",
    "wz_recent_deploy",
    "wz_runtime",
    "wz_rule_only",
]


@pytest.mark.parametrize(
    ("answers", "symptom_id"),
    [(answers, symptom) for answers in STATES for symptom in ASKED if symptom not in answers],
)
def test_expected_gain_equals_re_ranking_every_possible_answer(
    wizard_knowledge: Knowledge, answers: dict[str, AnswerValue | None], symptom_id: str
) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    inference, ranking = diagnoser.evaluate(answers)
    questioner = Questioner(wizard_knowledge, diagnoser.model)
    fired = {firing.rule for firing in inference.firings}
    outcomes = questioner.with_rules(wizard_knowledge.symptoms[symptom_id], answers, inference, fired)
    fast = expected_gain({score.cause: score.confidence for score in ranking}, outcomes)
    assert fast == pytest.approx(brute_force_gain(diagnoser, answers, symptom_id), abs=1e-6)


def test_an_outcome_that_moves_nothing_gains_nothing() -> None:
    posterior = {"a": 0.5, "b": 0.3, SOMETHING_ELSE: 0.2}
    outcomes = [Outcome(True, 0.1, {}, {}), Outcome(False, 0.9, {}, {})]
    assert expected_gain(posterior, outcomes) == 0.0


def test_a_question_that_settles_two_even_causes_gains_one_bit() -> None:
    posterior = {"a": 0.5, "b": 0.5}
    outcomes = [
        Outcome(True, 0.5, {"a": 1e9, "b": 1e-9}, {"a": 1.0, "b": 0.0}),
        Outcome(False, 0.5, {"a": 1e-9, "b": 1e9}, {"a": 0.0, "b": 1.0}),
    ]
    assert expected_gain(posterior, outcomes) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("probabilities", "bits"),
    [([1.0], 0.0), ([0.5, 0.5], 1.0), ([0.25] * 4, 2.0), ([0.0, 1.0], 0.0)],
)
def test_entropy_in_bits(probabilities: list[float], bits: float) -> None:
    assert math.isclose(entropy(probabilities), bits, abs_tol=1e-12)


def test_a_symptom_no_cause_or_rule_uses_is_never_a_candidate(wizard_knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    inference, ranking = diagnoser.evaluate({"wz_queue_backlog": True})
    candidates = Questioner(wizard_knowledge, diagnoser.model).candidates(
        ranking, {"wz_queue_backlog": True}, inference
    )
    ids = [candidate.symptom.id for candidate in candidates]
    assert "wz_unused" not in ids
    assert "wz_rule_only" in ids  # only a rule uses it, but that rule weighs a cause


def test_answered_symptoms_and_unmet_ask_when_are_not_candidates(wizard_knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    questioner = Questioner(wizard_knowledge, diagnoser.model)

    def candidate_ids(answers: dict[str, AnswerValue | None]) -> list[str]:
        inference, ranking = diagnoser.evaluate(answers)
        return [c.symptom.id for c in questioner.candidates(ranking, answers, inference)]

    on_zebra = candidate_ids({"wz_runtime": "zebra", "wz_worker_crash": None})
    assert "wz_runtime" not in on_zebra
    assert "wz_worker_crash" not in on_zebra  # "don't know" is an answer too
    assert "wz_latency_ms" not in on_zebra  # ask_when: only on yak servers
    assert "wz_latency_ms" in candidate_ids({"wz_runtime": "yak"})


def test_candidates_come_best_first_and_cost_divides_the_gain(wizard_knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    inference, ranking = diagnoser.evaluate({})
    questioner = Questioner(wizard_knowledge, diagnoser.model)
    by_cost = questioner.candidates(ranking, {}, inference)
    assert [c.priority for c in by_cost] == sorted((c.priority for c in by_cost), reverse=True)
    for candidate in by_cost:
        assert candidate.priority == pytest.approx(candidate.gain / candidate.symptom.cost)
    plain = questioner.candidates(ranking, {}, inference, by_cost=False)
    assert all(c.priority == c.gain for c in plain)


def test_number_outcomes_cover_both_sides_of_every_threshold(wizard_knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    questioner = Questioner(wizard_knowledge, diagnoser.model)
    values = [outcome.value for outcome in questioner.outcomes["wz_latency_ms"]]
    assert any(isinstance(v, float) and v > 500 for v in values)
    assert any(isinstance(v, float) and v <= 500 for v in values)
    for outcome in questioner.outcomes["wz_latency_ms"]:
        assert sum(outcome.likelihoods.values()) > 0


CONDITIONS = [
    ({"symptom": "a"}, {"a": True}, True),
    ({"symptom": "a"}, {"a": False}, False),
    ({"symptom": "a", "is": False}, {"a": False}, True),
    ({"not": {"symptom": "a"}}, {}, True),
    ({"not": {"symptom": "a"}}, {"a": None}, True),
    ({"not": {"symptom": "a"}}, {"a": True}, False),
    ({"known": "a"}, {"a": None}, False),
    ({"known": "a"}, {"a": False}, True),
    ({"symptom": "n", "gt": 10}, {"n": 11.0}, True),
    ({"symptom": "n", "gt": 10, "le": 20}, {"n": 25.0}, False),
    ({"symptom": "t", "matches": "disk.*full"}, {"t": "Disk is FULL"}, True),
    ({"any": [{"symptom": "a"}, {"symptom": "n", "lt": 0}]}, {"n": -1.0}, True),
    ({"all": [{"symptom": "a"}, {"not": {"symptom": "n", "lt": 0}}]}, {"a": True, "n": 5.0}, True),
    ({"all": [{"symptom": "a"}, {"not": {"symptom": "n", "lt": 0}}]}, {"a": True, "n": -5.0}, False),
]


@pytest.mark.parametrize(("condition", "answers", "expected"), CONDITIONS)
def test_conditions_hold_exactly_when_the_rule_engine_fires(
    tmp_path: Path, condition: dict[str, object], answers: dict[str, AnswerValue | None], expected: bool
) -> None:
    knowledge_file = tmp_path / "k.yaml"
    knowledge_file.write_text(
        yaml.safe_dump(
            {
                "symptoms": [
                    {"id": "a", "question": "a?"},
                    {"id": "n", "question": "n?", "kind": "number"},
                    {"id": "t", "question": "t?", "kind": "text"},
                ],
                "causes": [
                    {
                        "id": "c",
                        "title": "c",
                        "summary": "c",
                        "evidence": [{"symptom": "a"}],
                        "sources": [{"guide": "g", "section": "s"}],
                    }
                ],
                "rules": [
                    {"id": "r", "when": condition, "then": {"evidence": [{"cause": "c", "factor": 2}]}}
                ],
            }
        )
    )
    knowledge = load_knowledge([knowledge_file], shipped=False)
    questioner = Questioner(knowledge, Diagnoser(knowledge).model)
    fired = bool(RuleEngine(knowledge).infer(answers).firings)
    assert questioner.holds(Condition.model_validate(condition), answers, {}) is expected
    assert fired is expected

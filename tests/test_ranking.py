"""Ranking: priors and evidence likelihoods give calibrated, explained confidences."""

from __future__ import annotations

import math

import pytest

from triage.engine import RuleEngine
from triage.knowledge import Knowledge
from triage.ranking import SOMETHING_ELSE, LikelihoodModel


def confidences(knowledge: Knowledge, answers: dict[str, object]) -> dict[str, float]:
    model = LikelihoodModel(knowledge)
    firings = RuleEngine(knowledge).infer(answers).firings  # type: ignore[arg-type]
    return {score.cause: score.confidence for score in model.score(answers, firings)}  # type: ignore[arg-type]


def test_confidences_are_a_probability_distribution(mini_knowledge: Knowledge) -> None:
    result = confidences(mini_knowledge, {"timed_out": True})
    assert math.isclose(sum(result.values()), 1.0)
    assert set(result) == {*mini_knowledge.causes, SOMETHING_ELSE}


def test_with_no_answers_the_priors_decide_and_something_else_keeps_its_share(
    mini_knowledge: Knowledge,
) -> None:
    result = confidences(mini_knowledge, {})
    assert result[SOMETHING_ELSE] == pytest.approx(0.08)
    assert result["lambda_timeout_too_low"] == pytest.approx(result["container_oom"])


def test_unknown_answers_move_nothing(mini_knowledge: Knowledge) -> None:
    assert confidences(mini_knowledge, {"timed_out": None, "platform": None}) == confidences(
        mini_knowledge, {}
    )


def test_a_no_is_evidence_against_a_cause_that_usually_shows_the_symptom(mini_knowledge: Knowledge) -> None:
    before = confidences(mini_knowledge, {})["lambda_timeout_too_low"]
    after = confidences(mini_knowledge, {"timed_out": False})["lambda_timeout_too_low"]
    assert after < before


def test_context_splits_look_alike_causes(mini_knowledge: Knowledge) -> None:
    on_lambda = confidences(mini_knowledge, {"memory_full": True, "platform": "lambda"})
    on_ecs = confidences(mini_knowledge, {"memory_full": True, "platform": "ecs"})
    assert on_lambda["lambda_memory_too_low"] > 0.8 > on_lambda["container_oom"]
    assert on_ecs["container_oom"] > 0.8 > on_ecs["lambda_memory_too_low"]


def test_every_contribution_says_what_moved_the_cause(mini_knowledge: Knowledge) -> None:
    model = LikelihoodModel(mini_knowledge)
    answers = {"platform": "lambda", "duration_ms": 20000.0, "timed_out": True}
    firings = RuleEngine(mini_knowledge).infer(answers).firings
    top = model.score(answers, firings)[0]
    assert top.cause == "lambda_timeout_too_low"
    assert [(c.kind, c.name) for c in top.contributions] == [
        ("answer", "timed_out"),
        ("answer", "platform"),
        ("rule", "slow_and_timing_out"),
    ]
    timed_out = top.contributions[0]
    assert timed_out.factor == pytest.approx(0.97 / 0.05)


def test_a_choice_answer_outside_the_stated_values_weakens_the_cause(mini_knowledge: Knowledge) -> None:
    model = LikelihoodModel(mini_knowledge)
    factor, _ = model.factor("container_oom", mini_knowledge.symptoms["platform"], "lambda")
    assert factor == pytest.approx(0.05 / 0.5)


def test_a_slip_rate_softens_a_contradicting_answer_without_reversing_it(mini_knowledge: Knowledge) -> None:
    timed_out = mini_knowledge.symptoms["timed_out"]
    strict, _ = LikelihoodModel(mini_knowledge).factor("lambda_timeout_too_low", timed_out, False)
    forgiving, _ = LikelihoodModel(mini_knowledge, slip=0.1).factor(
        "lambda_timeout_too_low", timed_out, False
    )
    # always (0.97) against a base rate of 0.05: a "no" is 0.03/0.95 strictly, (0.1*0.97+0.9*0.03)/(0.1*0.05+0.9*0.95) with slips
    assert strict == pytest.approx(0.03 / 0.95)
    assert forgiving == pytest.approx((0.9 * 0.03 + 0.1 * 0.97) / (0.9 * 0.95 + 0.1 * 0.05))
    assert strict < forgiving < 1.0


def test_a_slip_rate_spreads_a_choice_over_the_other_values(mini_knowledge: Knowledge) -> None:
    platform = mini_knowledge.symptoms["platform"]
    count = len(platform.choices)
    factor, _ = LikelihoodModel(mini_knowledge, slip=0.2).factor("container_oom", platform, "lambda")
    assert factor == pytest.approx((0.8 * 0.05 + 0.2 * 0.95 / (count - 1)) * count)


def test_no_slip_rate_at_a_half_or_more(mini_knowledge: Knowledge) -> None:
    with pytest.raises(ValueError, match=r"slip must be a share between 0 and 0\.5"):
        LikelihoodModel(mini_knowledge, slip=0.5)

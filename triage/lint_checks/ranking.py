"""Causes the ranking can never put first, and causes no question can tell apart."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..knowledge import Knowledge
from ..lint import LintContext, Problem, register
from ..models import AnswerValue, Cause, Symptom
from ..ranking import SOMETHING_ELSE, LikelihoodModel

TIE = 1e-9


@register(
    "K302",
    "never-first",
    "warning",
    "a cause that does not rank first even when every symptom is answered in its favour",
)
def causes_never_first(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    if len(knowledge.causes) < 2:
        return
    model: LikelihoodModel = context.likelihood_model
    candidates = _answer_candidates(knowledge)
    for cause in knowledge.causes.values():
        answers = _favourable_answers(model, cause, knowledge, candidates)
        first, winner, scores = _ranks_first(model, answers, cause.id)
        if first:
            continue
        # A second try: also answer the rivals' symptoms the way that hurts them most.
        rivals = [cid for cid, score in scores.items() if score > scores[cause.id] + TIE] or [winner]
        answers = _answers_against(model, cause, rivals, knowledge, candidates)
        if _ranks_first(model, answers, cause.id)[0] or _rules_rescue(context, cause, answers):
            continue
        yield Problem(
            ("causes", cause.id),
            f"cause {cause.id!r} never ranks first: answering its evidence in its favour still ranks "
            f"{winner!r} above it ({scores[winner]:.0%} against {scores[cause.id]:.0%}); "
            "give it evidence that tells it apart, or a higher prior",
        )


@register(
    "K303",
    "indistinguishable",
    "warning",
    "two causes with identical evidence (and rule weights): no question can tell them apart",
)
def indistinguishable_causes(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    rule_weights: dict[str, list[tuple[str, float]]] = {}
    for rule in knowledge.rules.values():
        for weight in rule.then.evidence:
            rule_weights.setdefault(weight.cause, []).append((rule.id, weight.factor))
    first_with: dict[tuple[Any, ...], Cause] = {}
    for cause in knowledge.causes.values():
        signature = (
            tuple(
                sorted(
                    (
                        item.symptom,
                        repr(item.value),
                        item.gt,
                        item.ge,
                        item.lt,
                        item.le,
                        item.matches,
                        round(item.probability, 6),
                    )
                    for item in cause.evidence
                )
            ),
            tuple(sorted(rule_weights.get(cause.id, []))),
        )
        earlier = first_with.setdefault(signature, cause)
        if earlier is not cause:
            where = knowledge.place_of("causes", earlier.id)
            yield Problem(
                ("causes", cause.id),
                f"causes {earlier.id!r} ({where}) and {cause.id!r} have identical evidence; no question "
                "can tell them apart: add evidence that differs, or merge them",
            )


def _ranks_first(
    model: LikelihoodModel, answers: dict[str, AnswerValue], cause_id: str
) -> tuple[bool, str, dict[str, float]]:
    """Whether the cause ranks first (ties count) with support of its own; the winner; the scores."""
    ranking = [s for s in model.score(answers) if s.cause != SOMETHING_ELSE]
    scores = {s.cause: s.confidence for s in ranking}
    winner = max(scores, key=lambda cid: scores[cid])
    own = next(s for s in ranking if s.cause == cause_id)
    return own.supported and scores[cause_id] >= scores[winner] - TIE, winner, scores


def _answer_candidates(knowledge: Knowledge) -> dict[str, list[AnswerValue]]:
    """For each symptom some evidence names, the answers worth trying (text symptoms left out)."""
    bounds: dict[str, set[float]] = {}
    for cause in knowledge.causes.values():
        for item in cause.evidence:
            found = bounds.setdefault(item.symptom, set())
            found.update(float(b) for b in (item.gt, item.ge, item.lt, item.le) if b is not None)
    candidates: dict[str, list[AnswerValue]] = {}
    for symptom_id, found in bounds.items():
        symptom = knowledge.symptoms.get(symptom_id)
        if symptom is None:
            continue
        if symptom.kind == "boolean":
            candidates[symptom_id] = [True, False]
        elif symptom.kind == "choice":
            candidates[symptom_id] = list(symptom.choice_values)
        elif symptom.kind == "number":
            numbers = {0.0}
            for bound in found:
                numbers.update({bound - 1, bound, bound + 1, bound / 2, bound * 2})
            candidates[symptom_id] = sorted(numbers)
    return candidates


def _log_factor(model: LikelihoodModel, cause_id: str, symptom: Symptom, value: AnswerValue) -> float:
    return math.log(model.factor(cause_id, symptom, value)[0])


def _favourable_answers(
    model: LikelihoodModel, cause: Cause, knowledge: Knowledge, candidates: dict[str, list[AnswerValue]]
) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    for symptom_id in dict.fromkeys(item.symptom for item in cause.evidence):
        symptom = knowledge.symptoms.get(symptom_id)
        if symptom is None or symptom_id not in candidates:
            continue
        answers[symptom_id] = max(
            candidates[symptom_id], key=lambda value: _log_factor(model, cause.id, symptom, value)
        )
    return answers


def _answers_against(
    model: LikelihoodModel,
    cause: Cause,
    rivals: list[str],
    knowledge: Knowledge,
    candidates: dict[str, list[AnswerValue]],
) -> dict[str, AnswerValue]:
    """Answers that favour ``cause`` over its strongest rival, symptom by symptom."""
    relevant = {item.symptom for item in cause.evidence}
    for rival in rivals:
        relevant.update(model.items.get(rival, {}))
    answers: dict[str, AnswerValue] = {}
    for symptom_id in sorted(relevant):
        symptom = knowledge.symptoms.get(symptom_id)
        if symptom is None or symptom_id not in candidates:
            continue

        def margin(value: AnswerValue, symptom: Symptom = symptom) -> float:
            own = _log_factor(model, cause.id, symptom, value)
            return own - max(_log_factor(model, rival, symptom, value) for rival in rivals)

        answers[symptom_id] = max(candidates[symptom_id], key=margin)
    return answers


def _rules_rescue(context: LintContext, cause: Cause, answers: dict[str, AnswerValue]) -> bool:
    """Whether the rules that fire on these answers lift the cause to first place."""
    if not any(w.cause == cause.id for rule in context.knowledge.rules.values() for w in rule.then.evidence):
        return False
    inference = context.rule_engine.infer(answers)
    model: LikelihoodModel = context.likelihood_model
    ranking = [s for s in model.score(answers, inference.firings) if s.cause != SOMETHING_ELSE]
    best = max(s.confidence for s in ranking)
    own = next(s for s in ranking if s.cause == cause.id)
    return own.supported and own.confidence >= best - TIE

"""Ranking: posterior probabilities of causes from priors, answers and rule evidence.

The model is naive Bayes over the causes plus one "something else" hypothesis. Each cause's
evidence item says how likely a symptom shows a value when that cause is real; a cause that does
not name a symptom sees it at the symptom's base rate (booleans), uniformly (choices) or at the base
rate of the tested condition (numbers, text). An answer moves each cause by the ratio of its
likelihood to that background, so unknown answers move nothing. Rules that fire multiply in their
factors. Confidences are the normalised posteriors.

A ``slip`` rate allows for answers given by mistake: with probability ``slip`` the answer is one
the user did not mean (the other one for a yes/no, any other choice, the other side of a
threshold), so every likelihood ``p`` becomes ``(1 - slip)·p + slip·(1 - p)`` (spread over the
other choices for a choice). One wrong answer then weakens the true cause instead of ruling it out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .inference import CauseEvidence, Firing
from .knowledge import Knowledge
from .models import AnswerValue, Evidence, Symptom
from .resemblance import Likeness

SOMETHING_ELSE = "something_else"
SOMETHING_ELSE_SHARE = 0.08  # prior mass of "none of the known causes"
MIN_LIKELIHOOD = 0.005


@dataclass(frozen=True)
class Contribution:
    """One thing that moved a cause: an answer through an evidence item, or a fired rule."""

    kind: str  # "answer", "rule" or "text" (the description's resemblance)
    name: str  # symptom id, rule id, or "description"
    value: AnswerValue | None
    factor: float
    note: str | None = None

    @property
    def supports(self) -> bool:
        return self.factor > 1.0

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            {"answer": "symptom", "rule": "rule"}.get(self.kind, "source"): self.name,
            "factor": round(self.factor, 3),
            "effect": "supports" if self.factor > 1 else "weakens",
        }
        if self.value is not None:
            data["value"] = self.value
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class Score:
    """A cause's place in the ranking."""

    cause: str
    confidence: float
    log_weight: float
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return any(c.supports for c in self.contributions)


@dataclass(frozen=True)
class _Item:
    evidence: Evidence
    test: Callable[[Any], bool]


class LikelihoodModel:
    """The evidence of every cause, indexed for fast scoring."""

    def __init__(self, knowledge: Knowledge, *, temperature: float = 1.0, slip: float = 0.0) -> None:
        if not 0.0 <= slip < 0.5:
            raise ValueError(f"slip must be a share between 0 and 0.5, got {slip}")
        self.knowledge = knowledge
        self.temperature = temperature
        self.slip = slip
        self.items: dict[str, dict[str, list[_Item]]] = {}
        for cause in knowledge.causes.values():
            by_symptom: dict[str, list[_Item]] = {}
            for item in cause.evidence:
                by_symptom.setdefault(item.symptom, []).append(_Item(item, item.test()))
            self.items[cause.id] = by_symptom
        total_prior = sum(cause.prior for cause in knowledge.causes.values()) or 1.0
        self.log_prior = {
            cause.id: math.log(cause.prior / total_prior * (1 - SOMETHING_ELSE_SHARE))
            for cause in knowledge.causes.values()
        }
        self.log_prior[SOMETHING_ELSE] = math.log(SOMETHING_ELSE_SHARE)

    def factor(self, cause_id: str, symptom: Symptom, value: AnswerValue) -> tuple[float, str | None]:
        """How much answering ``value`` to ``symptom`` multiplies the odds of ``cause_id``."""
        items = self.items.get(cause_id, {}).get(symptom.id)
        if not items:
            return 1.0, None
        slip = self.slip
        if symptom.kind == "boolean":
            item = items[0]
            p_true = _slipped(
                item.evidence.probability if item.evidence.value is True else 1 - item.evidence.probability,
                slip,
            )
            background = _slipped(symptom.base_rate, slip)
            if value is True:
                return _clamp(p_true) / background, item.evidence.note
            return _clamp(1 - p_true) / (1 - background), item.evidence.note
        if symptom.kind == "choice":
            count = len(symptom.choices)
            stated = {item.evidence.value: item.evidence.probability for item in items}
            uniform = 1 / count  # a symmetric slip leaves the uniform background as it is
            if value in stated:
                share = stated[value]
            else:
                rest = max(1 - sum(stated.values()), 0.0)
                unstated = count - len(stated)
                share = rest / unstated if unstated else 0.0
            share = (1 - slip) * share + slip * (1 - share) / max(count - 1, 1)
            return _clamp(share) / uniform, items[0].evidence.note
        # number and text symptoms: each item is a yes/no test of the answer
        factor = 1.0
        for item in items:
            factor *= self.tested_factor(item.evidence.probability, symptom.base_rate, item.test(value))
        return factor, items[0].evidence.note

    def tested_factor(self, probability: float, base_rate: float, passed: bool) -> float:
        """The factor of one yes/no test of an answer (a number threshold, a text pattern): the
        test's likelihood when the cause is real over its base rate when it is not."""
        p = _slipped(probability, self.slip)
        background = _slipped(base_rate, self.slip)
        return _clamp(p) / background if passed else _clamp(1 - p) / (1 - background)

    def score(
        self,
        answers: Mapping[str, AnswerValue | None],
        firings: Sequence[Firing] = (),
        likenesses: Sequence[Likeness] = (),
    ) -> list[Score]:
        """Every cause (and "something else") with its confidence, best first."""
        text_factors = {likeness.cause: likeness for likeness in likenesses}
        rule_factors: dict[str, list[tuple[str, CauseEvidence]]] = {}
        for firing in firings:
            for evidence in firing.evidence:
                rule_factors.setdefault(evidence.cause, []).append((firing.rule, evidence))
        known = {
            symptom_id: value
            for symptom_id, value in answers.items()
            if value is not None and symptom_id in self.knowledge.symptoms
        }
        scores: list[Score] = []
        for cause_id, log_prior in self.log_prior.items():
            contributions: list[Contribution] = []
            log_likelihood = 0.0
            for symptom_id in self.items.get(cause_id, {}):
                if symptom_id not in known:
                    continue
                factor, note = self.factor(cause_id, self.knowledge.symptoms[symptom_id], known[symptom_id])
                if factor != 1.0:
                    contributions.append(Contribution("answer", symptom_id, known[symptom_id], factor, note))
                    log_likelihood += math.log(factor)
            for rule_id, evidence in rule_factors.get(cause_id, []):
                contributions.append(Contribution("rule", rule_id, None, evidence.factor, evidence.note))
                log_likelihood += math.log(evidence.factor)
            likeness = text_factors.get(cause_id)
            if likeness is not None:
                note = "shared words: " + ", ".join(likeness.shared)
                contributions.append(Contribution("text", "description", None, likeness.factor, note))
                log_likelihood += math.log(likeness.factor)
            scores.append(Score(cause_id, 0.0, log_prior + log_likelihood / self.temperature, contributions))
        top = max(score.log_weight for score in scores)
        total = sum(math.exp(score.log_weight - top) for score in scores)
        for score in scores:
            score.confidence = math.exp(score.log_weight - top) / total
        scores.sort(key=lambda score: (-score.confidence, score.cause))
        return scores


def _slipped(probability: float, slip: float) -> float:
    """The chance of an answer when a share ``slip`` of answers is the opposite of what was meant."""
    return (1 - slip) * probability + slip * (1 - probability)


def _clamp(probability: float) -> float:
    return min(max(probability, MIN_LIKELIHOOD), 1 - MIN_LIKELIHOOD)

"""Question choice: which symptom is worth asking now, by expected information gain.

For every symptom the possible answers (outcomes) and, for each outcome, the factor it multiplies
each cause by are computed once from the likelihood model. Only the causes that name a symptom move
when it is answered, so the entropy of every hypothetical posterior is computed from those causes
alone: a question costs a few multiplications per cause that names it, not a run of the rule engine.
Rules that a hypothetical answer would newly fire add their evidence factors (evaluated by a small
condition checker over the answers, with the same meaning as the engine's), so questions that only
rules use are still worth asking.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .inference import Inference
from .knowledge import Knowledge
from .models import AnswerValue, Condition, Evidence, Rule, Symptom, answer_test
from .ranking import SOMETHING_ELSE, LikelihoodModel, Score

MIN_GAIN = 0.002  # bits; below this an answer cannot change the ranking in a way worth a question
SUGGESTED_BONUS = 2.0  # a question a fired rule suggests counts this many times its gain


@dataclass(frozen=True)
class Outcome:
    """One possible answer to a symptom and what it would do to the causes that name it."""

    value: AnswerValue | None  # a representative answer; None when no single value stands for it
    background: float  # P(outcome) for a cause that does not name the symptom
    factors: Mapping[str, float]  # cause -> factor on its odds (only causes it moves)
    likelihoods: Mapping[str, float]  # cause -> P(outcome | cause) (only causes that name it)
    label: str = ""
    moved: tuple[str, ...] = field(init=False, repr=False, compare=False)  # causes it moves

    def __post_init__(self) -> None:
        object.__setattr__(self, "moved", tuple(dict.fromkeys([*self.factors, *self.likelihoods])))


@dataclass(frozen=True)
class Candidate:
    """A symptom worth asking, with its expected information gain (bits) and its priority."""

    symptom: Symptom
    gain: float
    priority: float
    suggested_by: str | None = None
    separates: list[str] = field(default_factory=list)
    confirms: str | None = None  # the answered symptom whose answer alone the leader's lead rests on


class Questioner:
    """Precomputed outcome tables for every symptom of a knowledge base."""

    def __init__(self, knowledge: Knowledge, model: LikelihoodModel) -> None:
        self.knowledge = knowledge
        self.model = model
        self.outcomes: dict[str, list[Outcome]] = {}
        for symptom in knowledge.symptoms.values():
            causes = knowledge.causes_by_symptom.get(symptom.id, [])
            self.outcomes[symptom.id] = _outcomes(symptom, causes, model) if causes else []
        self.holds = ConditionChecker().holds
        self.rules_using = _rules_using(knowledge)

    # -----------------------------------------------------------------------------------------

    def candidates(
        self,
        ranking: Sequence[Score],
        answers: Mapping[str, AnswerValue | None],
        inference: Inference,
        *,
        by_cost: bool = True,
        limit: int | None = None,
    ) -> list[Candidate]:
        """Every askable symptom that can change the ranking, best first (the first ``limit``)."""
        posterior = {score.cause: score.confidence for score in ranking}
        spread = Spread.of(posterior)  # the ranking's own entropy terms, shared by every question
        ordered = [score.cause for score in ranking if score.cause != SOMETHING_ELSE]
        suggested: dict[str, str] = {}
        for firing in inference.firings:
            for symptom_id in firing.ask:
                suggested.setdefault(symptom_id, firing.rule)
        fired = {firing.rule for firing in inference.firings}
        found: list[Candidate] = []
        for symptom in self.knowledge.symptoms.values():
            if symptom.id in answers or symptom.id in inference.derived:
                continue
            if symptom.ask_when is not None and not self.holds(symptom.ask_when, answers, inference.derived):
                continue
            outcomes = self.with_rules(symptom, answers, inference, fired)
            if not outcomes:
                continue
            gain = expected_gain(posterior, outcomes, spread)
            if gain < MIN_GAIN:
                continue
            priority = gain / symptom.cost if by_cost else gain
            if symptom.id in suggested:
                priority *= SUGGESTED_BONUS
            found.append(Candidate(symptom, gain, priority, suggested.get(symptom.id)))
        found.sort(key=lambda candidate: (-candidate.priority, candidate.symptom.id))
        # which causes a question separates is only worked out for the candidates returned
        return [
            Candidate(
                candidate.symptom,
                candidate.gain,
                candidate.priority,
                candidate.suggested_by,
                self.separates(candidate.symptom, posterior, ordered),
            )
            for candidate in found[:limit]
        ]

    def best_separator(
        self,
        first: str,
        second: str,
        answers: Mapping[str, AnswerValue | None],
        inference: Inference,
    ) -> Candidate | None:
        """The unanswered question that would best tell ``first`` from ``second``."""
        pair = {first: 0.5, second: 0.5}
        fired = {firing.rule for firing in inference.firings}
        best: Candidate | None = None
        for symptom in self.knowledge.symptoms.values():
            if symptom.id in answers or symptom.id in inference.derived:
                continue
            outcomes = self.with_rules(symptom, answers, inference, fired)
            if not outcomes:
                continue
            gain = expected_gain(pair, outcomes)
            if gain >= MIN_GAIN and (best is None or gain > best.gain):
                best = Candidate(symptom, gain, gain, None, [first, second])
        return best

    def separates(
        self, symptom: Symptom, posterior: Mapping[str, float], ordered: Sequence[str], limit: int = 4
    ) -> list[str]:
        """The likeliest causes whose evidence names this symptom, and the likeliest that does not."""
        named = set(self.knowledge.causes_by_symptom.get(symptom.id, []))
        chosen: list[str] = []
        other_taken = False
        for cause in ordered:
            if cause in named and (posterior.get(cause, 0.0) >= 0.005 or not chosen):
                chosen.append(cause)
            elif not other_taken and posterior.get(cause, 0.0) >= 0.01:
                chosen.append(cause)
                other_taken = True
            if len(chosen) >= limit:
                break
        return chosen

    def expectation(self, cause_id: str, symptom: Symptom) -> str:
        """What a cause expects of the answer, as a phrase ("expects yes", "expects > 10000 ms")."""
        items = [item for item in self.knowledge.causes[cause_id].evidence if item.symptom == symptom.id]
        if not items:
            return "does not involve it"
        return "expects " + self._expected_value(symptom, items)

    def _expected_value(self, symptom: Symptom, items: list[Evidence]) -> str:
        if symptom.kind == "boolean":
            item = items[0]
            p_true = item.probability if item.value is True else 1 - item.probability
            return "yes" if p_true > symptom.base_rate else "no"
        if symptom.kind == "choice":
            best = max(items, key=lambda item: item.probability)
            labels = {choice.value: choice.label for choice in symptom.choices}
            return labels.get(str(best.value), str(best.value))
        parts = []
        for item in items:
            unit = f" {symptom.unit}" if symptom.unit else ""
            tests = [
                f"{sign} {_number(limit)}{unit}"
                for sign, limit in ((">", item.gt), ("≥", item.ge), ("<", item.lt), ("≤", item.le))
                if limit is not None
            ]
            if item.matches is not None:
                tests.append(f"matching /{item.matches}/")
            text = " and ".join(tests) or str(item.value)
            parts.append(text if item.probability >= symptom.base_rate else f"not {text}")
        return ", ".join(parts)

    # -----------------------------------------------------------------------------------------

    def with_rules(
        self,
        symptom: Symptom,
        answers: Mapping[str, AnswerValue | None],
        inference: Inference,
        fired: set[str],
    ) -> list[Outcome]:
        """The symptom's outcomes with the evidence of rules each answer would newly fire."""
        outcomes = self.outcomes.get(symptom.id, [])
        rules = self.rules_using.get(symptom.id, [])
        if not rules:
            return outcomes
        if not outcomes:
            outcomes = _plain_outcomes(symptom)
        extended: list[Outcome] = []
        for outcome in outcomes:
            if outcome.value is None:
                extended.append(outcome)
                continue
            extra = self.new_evidence(rules, {**answers, symptom.id: outcome.value}, inference, fired)
            if not extra:
                extended.append(outcome)
                continue
            factors = dict(outcome.factors)
            for cause, factor in extra.items():
                factors[cause] = factors.get(cause, 1.0) * factor
            extended.append(
                Outcome(outcome.value, outcome.background, factors, outcome.likelihoods, outcome.label)
            )
        return extended

    def new_evidence(
        self,
        rules: Sequence[Rule],
        answers: Mapping[str, AnswerValue | None],
        inference: Inference,
        fired: set[str],
    ) -> dict[str, float]:
        """Cause factors of the rules (among ``rules``) that these answers would newly fire."""
        facts: dict[str, AnswerValue] = dict(inference.derived)
        newly: set[str] = set()
        factors: dict[str, float] = {}
        changed = True
        while changed:
            changed = False
            for rule in rules:
                if rule.id in fired or rule.id in newly or not self.holds(rule.when, answers, facts):
                    continue
                newly.add(rule.id)
                changed = True
                for derivation in rule.then.derive:
                    facts.setdefault(derivation.fact, derivation.value)
                for weight in rule.then.evidence:
                    factors[weight.cause] = factors.get(weight.cause, 1.0) * weight.factor
        return factors


class ConditionChecker:
    """Evaluates knowledge conditions over answers and facts, with the rule engine's meaning
    ("not" = not established); each leaf's test is built once and kept."""

    def __init__(self) -> None:
        self._tests: dict[int, Callable[[Any], bool]] = {}

    def holds(
        self,
        condition: Condition,
        answers: Mapping[str, AnswerValue | None],
        facts: Mapping[str, AnswerValue],
    ) -> bool:
        """Whether a condition holds, with the rule engine's meaning ("not" = not established)."""
        if condition.all is not None:
            return all(self.holds(child, answers, facts) for child in condition.all)
        if condition.any is not None:
            return any(self.holds(child, answers, facts) for child in condition.any)
        if condition.not_ is not None:
            return not self.holds(condition.not_, answers, facts)
        if condition.known is not None:
            return answers.get(condition.known) is not None
        test = self._test(condition)
        if condition.symptom is not None:
            value = answers.get(condition.symptom)
            return value is not None and test(value)
        assert condition.fact is not None
        for value in (facts.get(condition.fact), answers.get(condition.fact)):
            if value is not None and test(value):
                return True
        return False

    def _test(self, condition: Condition) -> Callable[[Any], bool]:
        test = self._tests.get(id(condition))
        if test is None:
            test = answer_test(
                condition.is_, condition.gt, condition.ge, condition.lt, condition.le, condition.matches
            )
            self._tests[id(condition)] = test
        return test


# ---------------------------------------------------------------------------------------------


def entropy(probabilities: Iterable[float]) -> float:
    """Shannon entropy in bits."""
    return -sum(p * math.log2(p) for p in probabilities if p > 0)


@dataclass(frozen=True)
class Spread:
    """The terms of a ranking's entropy that every question shares, computed once per ranking."""

    total: float  # sum of the weights
    p_log_p: float  # sum of p·log2 p
    before: float  # the entropy (bits) of the normalised ranking
    terms: Mapping[str, float]  # cause -> p·log2 p

    @classmethod
    def of(cls, posterior: Mapping[str, float]) -> Spread:
        terms = {cause: p * math.log2(p) if p > 0 else 0.0 for cause, p in posterior.items()}
        total = sum(posterior.values())
        p_log_p = sum(terms.values())
        before = -p_log_p / total + math.log2(total) if total > 0 else 0.0
        return cls(total, p_log_p, before, terms)


def expected_gain(
    posterior: Mapping[str, float], outcomes: Sequence[Outcome], spread: Spread | None = None
) -> float:
    """Expected reduction of the ranking's entropy (bits) from learning the outcome.

    Causes an outcome does not move keep their relative weights, so their share of the entropy
    is computed from one running total (``spread``, shared by every question asked of the same
    ranking) instead of cause by cause: an outcome costs one pass over the causes it moves.
    """
    if spread is None:
        spread = Spread.of(posterior)
    total = spread.total
    if total <= 0:
        return 0.0
    terms = spread.terms
    log2 = math.log2
    mass = 0.0
    weighted = 0.0
    for outcome in outcomes:
        factors = outcome.factors
        likelihoods = outcome.likelihoods
        background = outcome.background
        named_mass = 0.0
        named_probability = 0.0
        z = total
        w_log_w = spread.p_log_p
        for cause in outcome.moved:
            p = posterior.get(cause, 0.0)
            if p <= 0:
                continue
            named_mass += p
            named_probability += p * likelihoods.get(cause, background)
            w = p * factors.get(cause, 1.0)
            z += w - p
            w_log_w += (w * log2(w) if w > 0 else 0.0) - terms[cause]
        probability = (total - named_mass) * background + named_probability
        if probability <= 0:
            continue
        after = -w_log_w / z + log2(z) if z > 0 else 0.0
        mass += probability
        weighted += probability * after
    if mass <= 0:
        return 0.0
    return max(spread.before - weighted / mass, 0.0)


def _outcomes(symptom: Symptom, causes: Sequence[str], model: LikelihoodModel) -> list[Outcome]:
    if symptom.kind == "text":
        return _text_outcomes(symptom, causes, model)
    plain = _plain_outcomes(symptom, model, causes)
    if symptom.kind != "number":
        return _with_likelihoods(plain, causes, normalise=False)
    return _with_likelihoods(plain, causes, normalise=True)


def _plain_outcomes(
    symptom: Symptom, model: LikelihoodModel | None = None, causes: Sequence[str] = ()
) -> list[Outcome]:
    """The outcomes of a symptom with the likelihood factors of ``causes`` (none without a model)."""
    if symptom.kind == "boolean":
        values: list[tuple[AnswerValue, float, str]] = [
            (True, symptom.base_rate, "yes"),
            (False, 1 - symptom.base_rate, "no"),
        ]
    elif symptom.kind == "choice":
        values = [(choice.value, 1 / len(symptom.choices), choice.label) for choice in symptom.choices]
    elif symptom.kind == "number":
        points = _number_points(symptom, model, causes)
        values = [(point, 1 / len(points), _number(point)) for point in points]
    else:
        return []
    outcomes = []
    for value, background, label in values:
        factors: dict[str, float] = {}
        if model is not None:
            for cause in causes:
                factor, _ = model.factor(cause, symptom, value)
                if factor != 1.0:
                    factors[cause] = factor
        outcomes.append(Outcome(value, background, factors, {}, label))
    return outcomes


def _with_likelihoods(outcomes: list[Outcome], causes: Sequence[str], *, normalise: bool) -> list[Outcome]:
    likelihoods: dict[int, dict[str, float]] = {index: {} for index in range(len(outcomes))}
    for cause in causes:
        raw = [outcome.factors.get(cause, 1.0) * outcome.background for outcome in outcomes]
        scale = sum(raw) if normalise and sum(raw) > 0 else 1.0
        for index, value in enumerate(raw):
            likelihoods[index][cause] = value / scale
    return [
        Outcome(outcome.value, outcome.background, outcome.factors, likelihoods[index], outcome.label)
        for index, outcome in enumerate(outcomes)
    ]


def _number_points(symptom: Symptom, model: LikelihoodModel | None, causes: Sequence[str]) -> list[float]:
    """One representative value per interval the evidence thresholds cut the number line into."""
    limits: set[float] = set()
    if model is not None:
        for cause in causes:
            for item in model.items.get(cause, {}).get(symptom.id, []):
                for limit in (item.evidence.gt, item.evidence.ge, item.evidence.lt, item.evidence.le):
                    if limit is not None:
                        limits.add(float(limit))
    ordered = sorted(limits)
    if not ordered:
        return [0.0]
    points = [ordered[0] - max(1.0, abs(ordered[0]))]
    for low, high in itertools.pairwise(ordered):
        points += [low, (low + high) / 2]
    points += [ordered[-1], ordered[-1] + max(1.0, abs(ordered[-1]))]
    return points


def _text_outcomes(symptom: Symptom, causes: Sequence[str], model: LikelihoodModel) -> list[Outcome]:
    """Text answers: "matches this item's pattern" for each pattern, and "matches none"."""
    patterns: list[str] = []
    for cause in causes:
        for item in model.items.get(cause, {}).get(symptom.id, []):
            if item.evidence.matches is not None and item.evidence.matches not in patterns:
                patterns.append(item.evidence.matches)
    outcomes: list[Outcome] = []
    base = symptom.base_rate
    for pattern in [*patterns, None]:
        factors: dict[str, float] = {}
        for cause in causes:
            factor = 1.0
            for item in model.items.get(cause, {}).get(symptom.id, []):
                hit = pattern is not None and item.evidence.matches == pattern
                factor *= model.tested_factor(item.evidence.probability, base, hit)
            if factor != 1.0:
                factors[cause] = factor
        background = base if pattern is not None else max(1 - base * len(patterns), base)
        outcomes.append(Outcome(None, background, factors, {}, pattern or "other"))
    return _with_likelihoods(outcomes, causes, normalise=True)


def _rules_using(knowledge: Knowledge) -> dict[str, list[Rule]]:
    """For each symptom, the rules its answer can lead to firing (directly or through facts)."""
    direct: dict[str, set[str]] = {}
    for rule in knowledge.rules.values():
        for _kind, name in rule.when.references():
            direct.setdefault(name, set()).add(rule.id)
    result: dict[str, list[Rule]] = {}
    for symptom_id in knowledge.symptoms:
        reached: set[str] = set()
        frontier = list(direct.get(symptom_id, set()))
        while frontier:
            rule_id = frontier.pop()
            if rule_id in reached:
                continue
            reached.add(rule_id)
            for derivation in knowledge.rules[rule_id].then.derive:
                frontier.extend(direct.get(derivation.fact, set()) - reached)
        if any(knowledge.rules[rule_id].then.evidence for rule_id in reached):
            result[symptom_id] = [rule for rule in knowledge.rules.values() if rule.id in reached]
    return result


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


__all__ = [
    "SOMETHING_ELSE",
    "Candidate",
    "ConditionChecker",
    "Outcome",
    "Questioner",
    "Spread",
    "entropy",
    "expected_gain",
]

"""Rules (and ``ask_when`` conditions) that can never hold.

A condition can never hold when a test admits no answer of its symptom's kind (``is: maybe`` on a
yes/no question), when an ``all`` asks one symptom or fact for incompatible things (``is: lambda``
and ``is: ecs``; ``gt: 10`` and ``lt: 5``; X and not X), or when it needs a fact that only rules that
never fire derive. Missing symptoms and facts are reported by K201/K202 and not again here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..knowledge import Knowledge
from ..lint import LintContext, Problem, register
from ..models import AnswerValue, Condition, answer_test

Available = dict[str, set[Any]]  # fact -> the values some firing rule derives for it

_ANY_TEXT = object()  # stands for "some text no 'is' names" when testing text symptoms


@register("K304", "never-holds", "error", "a rule or ask_when whose condition no answers can satisfy")
def conditions_that_never_hold(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    available = derivable_facts(knowledge)
    for rule in knowledge.rules.values():
        reason = why_never(rule.when, knowledge, available)
        if reason:
            yield Problem(("rules", rule.id), f"rule {rule.id!r} can never fire: {reason}", ("when",))
    for symptom in knowledge.symptoms.values():
        if symptom.ask_when is not None:
            reason = why_never(symptom.ask_when, knowledge, available)
            if reason:
                yield Problem(
                    ("symptoms", symptom.id),
                    f"symptom {symptom.id!r} is never asked: its ask_when can never hold: {reason}",
                    ("ask_when",),
                )


def derivable_facts(knowledge: Knowledge) -> Available:
    """The facts (and their values) that rules able to fire derive, to a fixed point."""
    available: Available = {}
    changed = True
    fired: set[str] = set()
    while changed:
        changed = False
        for rule in knowledge.rules.values():
            if rule.id in fired or why_never(rule.when, knowledge, available) is not None:
                continue
            fired.add(rule.id)
            changed = True
            for derivation in rule.then.derive:
                available.setdefault(derivation.fact, set()).add(derivation.value)
    return available


def why_never(condition: Condition, knowledge: Knowledge, available: Available) -> str | None:
    """Why ``condition`` can never hold, or None when some answers satisfy it."""
    if condition.any is not None:
        reasons = [why_never(child, knowledge, available) for child in condition.any]
        if all(reasons):
            return "no branch of 'any' can hold (" + "; ".join(r for r in reasons if r) + ")"
        return None
    if condition.not_ is not None:
        return None  # "not established" holds whenever nothing is known
    if condition.all is not None:
        for child in condition.all:
            reason = why_never(child, knowledge, available)
            if reason:
                return reason
        return _contradiction(condition.all, knowledge, available)
    return _contradiction([condition], knowledge, available)


def _leaves(children: list[Condition]) -> Iterator[tuple[Condition, bool]]:
    """Leaf tests an ``all`` requires, with True for negated ones (``not`` of a leaf)."""
    for child in children:
        if child.all is not None:
            yield from _leaves(child.all)
        elif child.not_ is not None and (child.not_.symptom or child.not_.fact):
            yield child.not_, True
        elif child.symptom or child.fact:
            yield child, False


def _contradiction(children: list[Condition], knowledge: Knowledge, available: Available) -> str | None:
    groups: dict[str, list[tuple[Condition, bool]]] = {}
    for leaf, negated in _leaves(children):
        name = leaf.symptom or leaf.fact or ""
        groups.setdefault(name, []).append((leaf, negated))
    for name, leaves in groups.items():
        if all(negated for _leaf, negated in leaves):
            continue
        candidates = _candidates(name, leaves, knowledge, available)
        if candidates is None:
            continue  # unknown name (reported elsewhere) or a text test we cannot enumerate
        if not any(_satisfies(value, leaves) for value in candidates):
            described = " and ".join(_describe(leaf, negated) for leaf, negated in leaves)
            if name in knowledge.derived_facts and name not in available and name not in knowledge.symptoms:
                return f"fact {name!r} is only derived by rules that never fire"
            if len(leaves) == 1:
                return f"no answer to {name!r} satisfies {described}"
            return f"{described} contradict each other"
    return None


def _satisfies(value: Any, leaves: list[tuple[Condition, bool]]) -> bool:
    for leaf, negated in leaves:
        test = answer_test(leaf.is_, leaf.gt, leaf.ge, leaf.lt, leaf.le, leaf.matches)
        holds = value is not _ANY_TEXT and test(value)
        if holds == negated:
            return False
    return True


def _candidates(
    name: str, leaves: list[tuple[Condition, bool]], knowledge: Knowledge, available: Available
) -> list[Any] | None:
    """Every kind of value ``name`` could take, or None when they cannot be enumerated."""
    symptom = knowledge.symptoms.get(name)
    if symptom is None:
        if name in knowledge.derived_facts:
            return list(available.get(name, set()))
        return None
    stated: list[AnswerValue] = [leaf.is_ for leaf, _negated in leaves if leaf.is_ is not None]
    if symptom.kind == "boolean":
        return [True, False]
    if symptom.kind == "choice":
        return list(symptom.choice_values)
    if symptom.kind == "number":
        bounds = [
            float(b) for leaf, _n in leaves for b in (leaf.gt, leaf.ge, leaf.lt, leaf.le) if b is not None
        ]
        numbers = {0.0, -1e18, 1e18} | {float(v) for v in stated if not isinstance(v, bool | str)}
        for bound in bounds:
            numbers.update({bound, bound - 1e-6, bound + 1e-6})
        for low in bounds:
            for high in bounds:
                numbers.add((low + high) / 2)
        return sorted(numbers)
    if any(leaf.matches is not None for leaf, _negated in leaves):
        return None
    return [value for value in stated if isinstance(value, str)] + [_ANY_TEXT]


def _describe(leaf: Condition, negated: bool) -> str:
    name = leaf.symptom or leaf.fact
    tests = [
        f"{label} {value!r}" if label in ("is", "matches") else f"{label} {value:g}"
        for label, value in (
            ("is", leaf.is_),
            ("gt", leaf.gt),
            ("ge", leaf.ge),
            ("lt", leaf.lt),
            ("le", leaf.le),
            ("matches", leaf.matches),
        )
        if value is not None
    ]
    text = f"{name} " + (" ".join(tests) if tests else "is True")
    return f"not ({text})" if negated else f"({text})"

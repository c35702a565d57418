"""The forward-chaining rule engine: knowledge rules compiled into an experta KnowledgeEngine.

This is the only module that imports experta. Facts are the user's answers (``Answers``) and what
rules derive (``Derived``); a rule that fires records a ``Firing`` (what it derived, the evidence it
adds to causes, the symptoms it suggests asking) and its derived facts can fire further rules.
"""

from __future__ import annotations

import collections
import collections.abc
from collections.abc import Callable, Mapping
from typing import Any

from .inference import Inference
from .knowledge import Knowledge
from .models import AnswerValue, Condition, Rule, answer_test


def _restore_collections_aliases() -> None:
    """Give ``collections`` back the ABC aliases Python 3.10 removed.

    experta 1.9.4 pins ``frozendict==1.2``, whose module does ``class frozendict(collections.Mapping)``
    and so fails on import on Python 3.10+. The alias is the same class ``collections.abc`` exports,
    so adding it back changes nothing for other code. See docs/decisions.md.
    """
    for name in ("Mapping", "MutableMapping", "Sequence", "Iterable", "Hashable", "Callable"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


_restore_collections_aliases()

import experta  # noqa: E402  (must follow the alias fix above)


class Answers(experta.Fact):  # type: ignore[misc]
    """Every symptom the rules mention, in one fact: field ``fields[symptom]`` holds its answer
    (None when unknown)."""


class Derived(experta.Fact):  # type: ignore[misc]
    """A fact a rule derived."""


class RuleEngine:
    """Compiles a knowledge base's rules once; ``infer`` runs them on a set of answers."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        # Every symptom a rule mentions is a field of the one Answers fact of a run (None when
        # unknown), so negated tests match positively; answers no rule mentions are left out.
        # One fact instead of one per symptom: experta's Rete sends every fact through every
        # pattern's tests, so the cost of a run no longer grows with answers x patterns.
        mentioned = sorted(
            {
                name
                for rule in knowledge.rules.values()
                for kind, name in rule.when.references()
                if kind == "symptom" or name in knowledge.symptoms
            }
        )
        # neutral field names: experta reads "__" in a field name as a path into nested data
        self.fields = {symptom: f"s{index}" for index, symptom in enumerate(mentioned)}
        self._engine_class = _compile(list(knowledge.rules.values()), self.fields)
        # Building experta's Rete network is half the cost of a run, so it is built once and
        # ``reset()`` (which clears facts, agenda and the matcher's memories) starts each run.
        self._engine: Any = None
        self._order = {rule_id: index for index, rule_id in enumerate(knowledge.rules)}

    def infer(self, answers: Mapping[str, AnswerValue | None]) -> Inference:
        """Run the rules to a fixed point over the known (non-null) answers."""
        inference = Inference()
        if not self.knowledge.rules:
            return inference
        if self._engine is None:
            self._engine = self._engine_class()
        engine = self._engine
        engine.inference = inference
        engine.reset()
        engine.declare(Answers(**{field: answers.get(symptom) for symptom, field in self.fields.items()}))
        engine.run()
        # experta's agenda order among rules activated together follows hashing, which changes
        # between processes; report firings in knowledge order so results are reproducible
        inference.firings.sort(key=lambda firing: self._order[firing.rule])
        return inference


def _compile(rules: list[Rule], fields: Mapping[str, str]) -> type:
    attributes: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        condition = _compile_condition(_push_negations(rule.when), fields)
        lhs = experta.AND(experta.InitialFact(), condition)
        # Rules activated together (by the one Answers fact) would fire in the order of experta's
        # network, which follows set iteration and so changes from process to process; a salience
        # by file order makes the order of firings the same everywhere.
        attributes[f"rule_{rule.id}"] = experta.Rule(lhs, salience=len(rules) - index)(_action(rule))
    return type("TriageRules", (experta.KnowledgeEngine,), attributes)


def _action(rule: Rule) -> Callable[[Any], None]:
    def fire(engine: Any) -> None:
        inference: Inference = engine.inference
        for name, value in inference.record(rule).items():
            engine.declare(Derived(fact=name, value=value))

    fire.__name__ = f"rule_{rule.id}"
    return fire


def _push_negations(condition: Condition, negate: bool = False) -> Condition:
    """Move every ``not`` down to a single test, which is what experta's NOT handles reliably."""
    if condition.not_ is not None:
        return _push_negations(condition.not_, not negate)
    if condition.all is not None or condition.any is not None:
        children = [_push_negations(child, negate) for child in (condition.all or condition.any or [])]
        is_all = (condition.all is not None) != negate
        return Condition.model_validate({"all" if is_all else "any": children})
    return Condition.model_validate({"not": condition}) if negate else condition


def _compile_condition(condition: Condition, fields: Mapping[str, str]) -> Any:
    if condition.all is not None:
        return experta.AND(*[_compile_condition(child, fields) for child in condition.all])
    if condition.any is not None:
        return experta.OR(*[_compile_condition(child, fields) for child in condition.any])
    if condition.not_ is not None:
        return _compile_negation(condition.not_, fields)
    if condition.known is not None:
        return _answer(fields, condition.known, lambda value: value is not None)
    if condition.symptom is not None:
        return _answer(fields, condition.symptom, value_test(condition))
    assert condition.fact is not None
    derived = Derived(fact=condition.fact, value=experta.P(value_test(condition)))
    if condition.fact not in fields:
        return derived
    # a rule may also test a symptom by its fact name
    return experta.OR(derived, _answer(fields, condition.fact, value_test(condition)))


def _compile_negation(leaf: Condition, fields: Mapping[str, str]) -> Any:
    """A negated test. experta's NOT can leave a stale activation on the agenda once several rules
    use it, so a negated symptom test matches the symptom's field of the Answers fact (None when
    unknown) with the opposite predicate; only derived facts, which appear during the run, use NOT."""
    if leaf.known is not None:
        return _answer(fields, leaf.known, lambda value: value is None)
    if leaf.symptom is not None:
        test = value_test(leaf)
        return _answer(fields, leaf.symptom, lambda value: not test(value))
    return experta.NOT(_compile_condition(leaf, fields))


def _answer(fields: Mapping[str, str], symptom: str, test: Callable[[Any], bool]) -> Any:
    """The pattern: the Answers fact whose field for ``symptom`` passes ``test``."""
    return Answers(**{fields[symptom]: experta.P(test)})


def value_test(condition: Condition) -> Callable[[Any], bool]:
    """The test a leaf condition applies to a value."""
    return answer_test(
        condition.is_, condition.gt, condition.ge, condition.lt, condition.le, condition.matches
    )

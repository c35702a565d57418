"""The forward-chaining rule engine: knowledge rules compiled into an experta KnowledgeEngine.

This is the only module that imports experta. Facts are the user's answers (``Answer``) and what
rules derive (``Derived``); a rule that fires records a ``Firing`` (what it derived, the evidence it
adds to causes, the symptoms it suggests asking) and its derived facts can fire further rules.
"""

from __future__ import annotations

import collections
import collections.abc
from collections.abc import Callable, Mapping
from typing import Any

from .inference import CauseEvidence, Firing, Inference
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


class Answer(experta.Fact):  # type: ignore[misc]
    """A symptom the user (or the text they pasted) answered."""


class Derived(experta.Fact):  # type: ignore[misc]
    """A fact a rule derived."""


class RuleEngine:
    """Compiles a knowledge base's rules once; ``infer`` runs them on a set of answers."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._engine_class = _compile(list(knowledge.rules.values()))
        # Every symptom a rule mentions gets exactly one Answer fact per run (value None when
        # unknown), so negated tests match positively; answers no rule mentions are left out.
        self._mentioned = sorted(
            {
                name
                for rule in knowledge.rules.values()
                for kind, name in rule.when.references()
                if kind == "symptom" or name in knowledge.symptoms
            }
        )
        # Building experta's Rete network is half the cost of a run, so it is built once and
        # ``reset()`` (which clears facts, agenda and the matcher's memories) starts each run.
        self._engine: Any = None

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
        for symptom in self._mentioned:
            engine.declare(Answer(symptom=symptom, value=answers.get(symptom)))
        engine.run()
        return inference


def _compile(rules: list[Rule]) -> type:
    attributes: dict[str, Any] = {}
    for rule in rules:
        lhs = experta.AND(experta.InitialFact(), _compile_condition(_push_negations(rule.when)))
        attributes[f"rule_{rule.id}"] = experta.Rule(lhs)(_action(rule))
    return type("TriageRules", (experta.KnowledgeEngine,), attributes)


def _action(rule: Rule) -> Callable[[Any], None]:
    def fire(engine: Any) -> None:
        inference: Inference = engine.inference
        if any(firing.rule == rule.id for firing in inference.firings):
            return  # an 'any' branch already fired this rule
        firing = Firing(
            rule=rule.id,
            derived={d.fact: d.value for d in rule.then.derive},
            evidence=[CauseEvidence(w.cause, w.factor, w.note) for w in rule.then.evidence],
            ask=list(rule.then.ask),
        )
        inference.firings.append(firing)
        for name, value in firing.derived.items():
            if name not in inference.derived:
                inference.derived[name] = value
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


def _compile_condition(condition: Condition) -> Any:
    if condition.all is not None:
        return experta.AND(*[_compile_condition(child) for child in condition.all])
    if condition.any is not None:
        return experta.OR(*[_compile_condition(child) for child in condition.any])
    if condition.not_ is not None:
        return _compile_negation(condition.not_)
    if condition.known is not None:
        return Answer(symptom=condition.known)
    if condition.symptom is not None:
        return Answer(symptom=condition.symptom, value=experta.P(value_test(condition)))
    assert condition.fact is not None
    return experta.OR(
        Derived(fact=condition.fact, value=experta.P(value_test(condition))),
        # a rule may also test a symptom by its fact name
        Answer(symptom=condition.fact, value=experta.P(value_test(condition))),
    )


def _compile_negation(leaf: Condition) -> Any:
    """A negated test. experta's NOT can leave a stale activation on the agenda once several rules
    use it, so a negated symptom test matches the symptom's Answer fact (declared for every
    mentioned symptom, None when unknown) with the opposite predicate; only derived facts, which
    appear during the run, use NOT."""
    if leaf.known is not None:
        return Answer(symptom=leaf.known, value=experta.P(lambda value: value is None))
    if leaf.symptom is not None:
        test = value_test(leaf)
        return Answer(symptom=leaf.symptom, value=experta.P(lambda value: not test(value)))
    return experta.NOT(_compile_condition(leaf))


def value_test(condition: Condition) -> Callable[[Any], bool]:
    """The test a leaf condition applies to a value."""
    return answer_test(
        condition.is_, condition.gt, condition.ge, condition.lt, condition.le, condition.matches
    )

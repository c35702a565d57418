"""An optional rule engine backend on CLIPS (through clipspy), compiled from the same knowledge rules.

Same interface and meaning as :class:`triage.engine.RuleEngine`: facts are answers and derived
facts, ``not`` means "not established", a rule records one ``Firing`` however many ``any``
branches match, and a derived fact keeps the first value derived for it. It serves as the
reference for the batch benchmark and as a faster engine for very large knowledge; install it
with ``pip install 'triage[clips]'``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from .errors import UsageError
from .inference import Inference
from .knowledge import Knowledge
from .models import AnswerValue, Condition, Rule, compile_pattern

TEMPLATES = (
    "(deftemplate answer (slot symptom) (slot value))",
    "(deftemplate derived (slot fact) (slot value))",
)


def _import_clips() -> Any:
    try:
        import clips
    except ImportError:
        raise UsageError("the CLIPS backend needs clipspy: pip install 'triage[clips]'") from None
    return clips


class ClipsRuleEngine:
    """Compiles a knowledge base's rules into one CLIPS environment; ``infer`` runs them on answers."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.clips = _import_clips()
        self.knowledge = knowledge
        self.rules = dict(knowledge.rules)
        # answers to symptoms the rules mention; anything else can match nothing
        self._mentioned = {
            name
            for rule in self.rules.values()
            for _, name in rule.when.references()
            if name in knowledge.symptoms
        }
        self._inference = Inference()
        self._patterns: list[re.Pattern[str]] = []
        self.environment = self.clips.Environment()
        for template in TEMPLATES:
            self.environment.build(template)
        self.environment.define_function(self._fire, name="triage-fire")
        self.environment.define_function(self._matches, name="triage-matches")
        for rule in self.rules.values():
            self.environment.build(self.rule_source(rule))
        self._answer = self.environment.find_template("answer")

    def infer(self, answers: Mapping[str, AnswerValue | None]) -> Inference:
        """Run the rules to a fixed point over the known (non-null) answers."""
        self._inference = Inference()
        if not self.rules:
            return self._inference
        self.environment.reset()
        for symptom, value in answers.items():
            if value is not None and symptom in self._mentioned:
                self._answer.assert_fact(symptom=self.clips.Symbol(symptom), value=self._value(value))
        self.environment.run()
        return self._inference

    # ------------------------------------------------------------------------------- callbacks

    def _fire(self, rule_id: Any) -> None:
        for name, value in self._inference.record(self.rules[str(rule_id)]).items():
            self.environment.find_template("derived").assert_fact(
                fact=self.clips.Symbol(name), value=self._value(value)
            )

    def _matches(self, index: int, value: Any) -> Any:
        hit = (
            isinstance(value, str)
            and not isinstance(value, self.clips.Symbol)
            and self._patterns[int(index)].search(value) is not None
        )
        return self.clips.Symbol("TRUE" if hit else "FALSE")

    def _value(self, value: AnswerValue) -> Any:
        if isinstance(value, bool):
            return self.clips.Symbol("TRUE" if value else "FALSE")
        if isinstance(value, int | float):
            return float(value)
        return value

    # ------------------------------------------------------------------------------- compiling

    def rule_source(self, rule: Rule) -> str:
        """The ``defrule`` construct of one knowledge rule."""
        variables = itertools.count()
        lhs = self._condition(rule.when, variables)
        return f'(defrule rule_{rule.id} {lhs} => (triage-fire "{rule.id}"))'

    def _condition(self, condition: Condition, variables: itertools.count[int], negate: bool = False) -> str:
        """The LHS of a condition, negations pushed down to single patterns (De Morgan)."""
        if condition.not_ is not None:
            return self._condition(condition.not_, variables, not negate)
        if condition.all is not None or condition.any is not None:
            children = [self._condition(c, variables, negate) for c in condition.all or condition.any or []]
            conjunction = (condition.all is not None) != negate
            return ("(and " if conjunction else "(or ") + " ".join(children) + ")"
        patterns = self._patterns_for(condition, variables)
        if not negate:
            return patterns[0] if len(patterns) == 1 else "(or " + " ".join(patterns) + ")"
        negated = [f"(not {pattern})" for pattern in patterns]
        return negated[0] if len(negated) == 1 else "(and " + " ".join(negated) + ")"

    def _patterns_for(self, condition: Condition, variables: itertools.count[int]) -> list[str]:
        """The patterns any of which establishes a leaf condition."""
        if condition.known is not None:
            return [f"(answer (symptom {condition.known}))"]
        if condition.symptom is not None:
            variable = f"?v{next(variables)}"
            return [
                f"(answer (symptom {condition.symptom}) (value {variable}&:{self._test(condition, variable)}))"
            ]
        assert condition.fact is not None
        first, second = f"?v{next(variables)}", f"?v{next(variables)}"
        return [
            f"(derived (fact {condition.fact}) (value {first}&:{self._test(condition, first)}))",
            # a rule may also test a symptom by its fact name
            f"(answer (symptom {condition.fact}) (value {second}&:{self._test(condition, second)}))",
        ]

    def _test(self, condition: Condition, variable: str) -> str:
        """The CLIPS test with the same meaning as :func:`triage.models.answer_test`."""
        if condition.matches is not None:
            self._patterns.append(compile_pattern(condition.matches))
            return f"(eq (triage-matches {len(self._patterns) - 1} {variable}) TRUE)"
        bounds = [
            (op, limit)
            for op, limit in (
                (">", condition.gt),
                (">=", condition.ge),
                ("<", condition.lt),
                ("<=", condition.le),
            )
            if limit is not None
        ]
        if bounds:
            tests = " ".join(f"({op} {variable} {float(limit)!r})" for op, limit in bounds)
            return f"(and (numberp {variable}) {tests})"
        wanted: AnswerValue = True if condition.is_ is None else condition.is_
        if isinstance(wanted, bool):
            return f"(eq {variable} {'TRUE' if wanted else 'FALSE'})"
        if isinstance(wanted, int | float):
            return f"(and (numberp {variable}) (= {variable} {float(wanted)!r}))"
        return f"(and (stringp {variable}) (eq {variable} {_string(wanted)}))"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def engine_factory(name: str) -> Callable[[Knowledge], Any]:
    """The rule engine class for a backend name: ``experta`` (default) or ``clips``."""
    if name == "clips":
        return ClipsRuleEngine
    if name == "experta":
        from .engine import RuleEngine

        return RuleEngine
    raise UsageError(f"unknown rule engine {name!r}; choose experta or clips")

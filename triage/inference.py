"""What the rule engine concludes: fired rules, derived facts, evidence for causes.

Plain data, so the ranking and the reports need not know which engine produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import AnswerValue, Rule


@dataclass(frozen=True)
class CauseEvidence:
    """Evidence a rule adds to a cause."""

    cause: str
    factor: float
    note: str | None = None


@dataclass
class Firing:
    """One rule that fired and what it concluded."""

    rule: str
    derived: dict[str, AnswerValue] = field(default_factory=dict)
    evidence: list[CauseEvidence] = field(default_factory=list)
    ask: list[str] = field(default_factory=list)


@dataclass
class Inference:
    """Everything the rules concluded from one set of answers."""

    derived: dict[str, AnswerValue] = field(default_factory=dict)
    firings: list[Firing] = field(default_factory=list)

    @property
    def suggested_questions(self) -> list[str]:
        return [name for firing in self.firings for name in firing.ask]

    def record(self, rule: Rule) -> dict[str, AnswerValue]:
        """Record that ``rule`` fired (once, whichever branch of an 'any' got there first);
        returns the facts it derived that were not known yet, for the engine to declare."""
        if any(firing.rule == rule.id for firing in self.firings):
            return {}
        firing = Firing(
            rule=rule.id,
            derived={d.fact: d.value for d in rule.then.derive},
            evidence=[CauseEvidence(w.cause, w.factor, w.note) for w in rule.then.evidence],
            ask=list(rule.then.ask),
        )
        self.firings.append(firing)
        new = {name: value for name, value in firing.derived.items() if name not in self.derived}
        self.derived.update(new)
        return new

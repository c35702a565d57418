"""What the rule engine concludes: fired rules, derived facts, evidence for causes.

Plain data, so the ranking and the reports need not know which engine produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import AnswerValue


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

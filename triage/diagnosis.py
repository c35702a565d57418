"""Diagnosis: from a case to ranked causes with evidence, filled-in commands, fixes and sources."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .cases import CaseModel, check_answers
from .engine import RuleEngine
from .examples import knowledge_examples
from .inference import Firing, Inference
from .intake import Match, Matcher, answers_from
from .knowledge import Knowledge
from .models import PLACEHOLDER, AnswerValue, Cause, Command, Solution
from .ranking import SOMETHING_ELSE, LikelihoodModel, Score
from .resemblance import MAX_FACTOR, MAX_FACTOR_BESIDE_ERRORS, Likeness, Resemblance

if TYPE_CHECKING:
    from .clips_backend import ClipsRuleEngine

DEFAULT_TOP = 5
ENGINE_VARIABLE = "TRIAGE_ENGINE"
MIN_REPORTED_CONFIDENCE = 0.01


@dataclass
class Diagnosis:
    """One ranked cause of a case."""

    cause: Cause
    score: Score
    context: Mapping[str, str] = field(default_factory=dict)

    @property
    def confidence(self) -> float:
        return self.score.confidence

    @property
    def diagnostics(self) -> list[Command]:
        return [fill_command(command, self.context) for command in self.cause.diagnostics]

    @property
    def solutions(self) -> list[Solution]:
        return [
            solution.model_copy(
                update={"commands": [fill_command(c, self.context) for c in solution.commands]}
            )
            for solution in self.cause.solutions
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.cause.id,
            "title": self.cause.title,
            "confidence": round(self.confidence, 4),
            "summary": self.cause.summary,
            "severity": self.cause.severity,
            "sources": [source.model_dump() for source in self.cause.sources],
            "evidence": [contribution.to_json() for contribution in self.score.contributions],
            "diagnostics": [command.model_dump() for command in self.diagnostics],
            "solutions": [solution.model_dump() for solution in self.solutions],
            "procedures": list(self.cause.procedures),
        }


@functools.cache
def _rule_named_only(rule: str) -> Firing:
    """A fired rule without what it concluded, one per rule, shared by every compact result that
    fired it (compact results are read, never changed): a batch keeps one small list a case."""
    return Firing(rule)


@dataclass
class CaseResult:
    """Everything triage concluded about one case."""

    case_id: str
    diagnoses: list[Diagnosis]
    matched: list[Match]
    answers: dict[str, AnswerValue | None]
    inference: Inference
    ranking: list[Score]
    context: dict[str, str] = field(default_factory=dict)

    @property
    def something_else(self) -> float:
        return next((s.confidence for s in self.ranking if s.cause == SOMETHING_ELSE), 0.0)

    def compact(self) -> CaseResult:
        """The same result with only the reported causes and "something else" left in the ranking,
        and the fired rules without their evidence.

        Reports and the JSON read nothing else; a batch keeps its results compact so that memory
        does not grow with every cause's score and every rule's evidence.
        """
        kept = {diagnosis.cause.id for diagnosis in self.diagnoses} | {SOMETHING_ELSE}
        # the fired rules' evidence is in the scores already; the JSON names the rules alone
        inference = Inference(
            dict(self.inference.derived), [_rule_named_only(firing.rule) for firing in self.inference.firings]
        )
        return replace(
            self, inference=inference, ranking=[score for score in self.ranking if score.cause in kept]
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.case_id,
            "matched": [match.to_json() for match in self.matched],
            "diagnoses": [diagnosis.to_json() for diagnosis in self.diagnoses],
            "answers": dict(self.answers),
            "derived": dict(self.inference.derived),
            "rules_fired": [firing.rule for firing in self.inference.firings],
            "something_else": round(self.something_else, 4),
            "context": dict(self.context),
        }


class Diagnoser:
    """A knowledge base made ready to diagnose: patterns compiled, rules compiled, evidence indexed."""

    def __init__(
        self,
        knowledge: Knowledge,
        *,
        temperature: float = 1.0,
        slip: float = 0.0,
        engine: str | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.matcher = Matcher(knowledge)
        # the rule engine backend: experta (default) or clips (the optional extra), or $TRIAGE_ENGINE
        backend = engine or os.environ.get(ENGINE_VARIABLE) or "experta"
        self.engine: RuleEngine | ClipsRuleEngine
        if backend == "experta":
            self.engine = RuleEngine(knowledge)
        else:
            from .clips_backend import engine_factory

            self.engine = engine_factory(backend)(knowledge)
        self.model = LikelihoodModel(knowledge, temperature=temperature, slip=slip)

    def evaluate(
        self, answers: Mapping[str, AnswerValue | None], likenesses: Sequence[Likeness] = ()
    ) -> tuple[Inference, list[Score]]:
        """Run the rules and rank the causes for a set of answers (and the text's resemblances)."""
        inference = self.engine.infer(answers)
        return inference, self.model.score(answers, inference.firings, likenesses)

    @functools.cached_property
    def resemblance(self) -> Resemblance:
        """Built when a description first needs it, from the causes' words and the knowledge cases."""
        return Resemblance(self.knowledge, knowledge_examples(self.knowledge))

    def likenesses(self, description: str | None, matched: Sequence[Match] = ()) -> list[Likeness]:
        """What the case's own words resemble (descriptions only; errors are matched by patterns).
        Once an error or a log line was read (``matched``), the words count for less."""
        if not description:
            return []
        read_errors = any(not match.from_description for match in matched)
        return self.resemblance.compare(
            description, strongest=MAX_FACTOR_BESIDE_ERRORS if read_errors else MAX_FACTOR
        )

    def diagnose(self, case: CaseModel, *, top: int = DEFAULT_TOP) -> CaseResult:
        """Rank the causes of one case; explicit answers override what the text revealed."""
        check_answers(case, self.knowledge, getattr(case, "place", None))
        matched = self.matcher.read(case.description, case.errors)
        answers: dict[str, AnswerValue | None] = {**answers_from(matched, self.knowledge), **case.answers}
        inference, ranking = self.evaluate(answers, self.likenesses(case.description, matched))
        return self.result(case.id or "case-1", matched, answers, inference, ranking, case.context, top)

    def result(
        self,
        case_id: str,
        matched: list[Match],
        answers: dict[str, AnswerValue | None],
        inference: Inference,
        ranking: list[Score],
        context: Mapping[str, str],
        top: int = DEFAULT_TOP,
    ) -> CaseResult:
        diagnoses = [
            Diagnosis(self.knowledge.causes[score.cause], score, context)
            for score in ranking
            if score.cause != SOMETHING_ELSE
            and score.supported
            and score.confidence >= MIN_REPORTED_CONFIDENCE
        ][:top]
        return CaseResult(case_id, diagnoses, matched, answers, inference, ranking, dict(context))


def diagnose(
    cases: CaseModel | Sequence[CaseModel],
    knowledge: Knowledge | None = None,
    *,
    top: int = DEFAULT_TOP,
) -> list[CaseResult]:
    """Diagnose one case or several with the given (or the shipped) knowledge."""
    from .loading import load_knowledge

    diagnoser = Diagnoser(knowledge if knowledge is not None else load_knowledge())
    batch = [cases] if isinstance(cases, CaseModel) else list(cases)
    return [diagnoser.diagnose(case, top=top) for case in batch]


def fill_command(command: Command, context: Mapping[str, str]) -> Command:
    """The command with known ``{placeholders}`` replaced; unknown ones stay visible."""
    if not context or "{" not in command.command:
        return command
    filled = PLACEHOLDER.sub(lambda hit: context.get(hit.group(1), hit.group(0)), command.command)
    return command.model_copy(update={"command": filled})


def unfilled_placeholders(commands: Sequence[Command]) -> list[str]:
    """Placeholders still in these commands, in order of first appearance."""
    seen: dict[str, None] = {}
    for command in commands:
        for name in PLACEHOLDER.findall(command.command):
            seen.setdefault(name, None)
    return list(seen)

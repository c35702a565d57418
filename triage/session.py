"""The session core: one troubleshooting conversation, from the first words to the report.

A ``Session`` holds what the user said (description, pasted errors, answers, placeholder values),
picks the next question, takes answers, undoes them, and produces the same ``CaseResult`` as
``triage diagnose``. The wizard, the JSON-lines protocol and the evaluation all drive this class;
it never prints or prompts, and it round-trips through plain JSON so a session can be resumed.
"""

from __future__ import annotations

import gc
import math
import secrets
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any

from .cases import answer_problem
from .diagnosis import DEFAULT_TOP, CaseResult, Diagnoser, fill_command, unfilled_placeholders
from .errors import SessionError
from .inference import Inference
from .intake import Match, answers_from
from .models import AnswerValue, Command, Symptom
from .questioning import Candidate, Questioner
from .ranking import SOMETHING_ELSE, Score
from .resemblance import Likeness

FORMAT = "triage-session"
VERSION = 1


@dataclass
class StopSettings:
    """When the session stops asking: a confident, clear leader, or the question cap."""

    confidence: float = 0.85
    margin: float = 0.3  # top confidence minus the second's
    max_questions: int = 15
    by_cost: bool = True  # divide information gain by the symptom's cost


@dataclass
class Question:
    """The question worth asking now, with why it is asked and how to find the answer."""

    symptom: Symptom
    gain: float
    why: str
    how_to_check: list[Command]
    separates: list[str]
    suggested_by: str | None = None

    @property
    def id(self) -> str:
        return self.symptom.id

    @property
    def text(self) -> str:
        return self.symptom.question


@dataclass
class RunnerUp:
    """Why a cause ranks below the leader: what favoured the leader, and what could turn it."""

    cause: str
    confidence: float
    reasons: list[str]
    question: str | None  # the symptom that would best separate it from the leader


@dataclass
class Handoff:
    """What a report needs beyond the diagnoses: what was asked, and what to do next."""

    answered: list[tuple[str, AnswerValue]]
    unknown: list[str]
    skipped: list[str]
    revealed: list[tuple[str, AnswerValue]]
    next_question: Candidate | None
    runners_up: list[RunnerUp]
    missing_placeholders: list[str]


class Session:
    """One troubleshooting conversation over a diagnoser's knowledge."""

    def __init__(self, diagnoser: Diagnoser, session_id: str, settings: StopSettings) -> None:
        self.diagnoser = diagnoser
        self.questioner = _questioner(diagnoser)
        self.id = session_id
        self.settings = settings
        self.description: str | None = None
        self.errors: list[str] = []
        self.context: dict[str, str] = {}
        self.given: dict[str, AnswerValue | None] = {}  # answers from the case and the user, in order
        self.history: list[str] = []  # symptoms answered through answer(), for undo
        self.skipped: list[str] = []
        self.skipped_placeholders: list[str] = []
        self.finished = False
        self.opened = False  # the opening (description, errors) is done
        self.created = _now()
        self.updated = self.created
        self.knowledge_paths: list[str] = []
        self.matched: list[Match] = []
        self.revealed: dict[str, AnswerValue] = {}
        self._likenesses: list[Likeness] = []
        self._inference = Inference()
        self._ranking: list[Score] = []

    # ----------------------------------------------------------------------------------------- start

    @classmethod
    def start(
        cls,
        diagnoser: Diagnoser,
        *,
        description: str | None = None,
        errors: Sequence[str] = (),
        answers: Mapping[str, AnswerValue | None] | None = None,
        context: Mapping[str, str] | None = None,
        settings: StopSettings | None = None,
        session_id: str | None = None,
    ) -> Session:
        """A new session from what the user already knows; the text's revelations are not asked."""
        session = cls(diagnoser, session_id or new_session_id(), settings or StopSettings())
        session.context = dict(context or {})
        for symptom_id, value in (answers or {}).items():
            session._check(symptom_id, value)
            session.given[symptom_id] = value
        session.describe(description, errors)
        return session

    def describe(self, description: str | None, errors: Sequence[str] = ()) -> None:
        """Set the problem's description and pasted errors, and read what they reveal."""
        self.description = description.strip() if description and description.strip() else None
        self.errors = [error for error in errors if error.strip()]
        self.matched = self.diagnoser.matcher.read(self.description, self.errors)
        self.revealed = answers_from(self.matched, self.diagnoser.knowledge)
        self._likenesses = self.diagnoser.likenesses(self.description, self.matched)
        self.opened = True
        self._evaluate()

    # ------------------------------------------------------------------------------------ questions

    @property
    def answers(self) -> dict[str, AnswerValue | None]:
        """Everything known: what the text revealed, overridden by explicit answers."""
        return {**self.revealed, **self.given}

    @property
    def inference(self) -> Inference:
        return self._inference

    @property
    def questions_asked(self) -> int:
        return len(self.history)

    def ranking(self) -> list[Score]:
        """The current ranking of every cause (and "something else"), best first."""
        return list(self._ranking)

    def stop_reason(self) -> str | None:
        """Why the session should stop now, or None while questions are worth asking."""
        if self.finished:
            return "finished"
        if self.questions_asked >= self.settings.max_questions:
            return "question limit reached"
        if self._confident():
            return None if self._confirmation() else "confident"
        if not self.candidates(limit=1):
            return "no question can change the ranking"
        return None

    def candidates(self, limit: int | None = None) -> list[Candidate]:
        return self.questioner.candidates(
            self._ranking, self.answers, self._inference, by_cost=self.settings.by_cost, limit=limit
        )

    def next_question(self) -> Question | None:
        """The question worth most now, or None when the stop rule says finish."""
        if self.finished or self.questions_asked >= self.settings.max_questions:
            return None
        if self._confident():
            confirming = self._confirmation()
            return self.question_for(confirming) if confirming else None
        best = self.candidates(limit=1)
        return self.question_for(best[0]) if best else None

    def question_for(self, candidate: Candidate) -> Question:
        return Question(
            symptom=candidate.symptom,
            gain=candidate.gain,
            why=self.why(candidate),
            how_to_check=[fill_command(command, self.context) for command in candidate.symptom.check],
            separates=candidate.separates,
            suggested_by=candidate.suggested_by,
        )

    def why(self, candidate: Candidate) -> str:
        """Which candidates the question separates, and what each expects."""
        confidences = {score.cause: score.confidence for score in self._ranking}
        parts = []
        for cause_id in candidate.separates:
            cause = self.diagnoser.knowledge.causes[cause_id]
            expects = self.questioner.expectation(cause_id, candidate.symptom)
            parts.append(f"{cause.title} ({confidences.get(cause_id, 0.0):.0%}) {expects}")
        text = "It separates " + "; ".join(parts) + "." if parts else "Rules use the answer."
        if candidate.confirms:
            symptom = self.diagnoser.knowledge.symptoms[candidate.confirms]
            text = f"The lead rests on your last answer alone ({symptom.question}); this checks it. " + text
        if candidate.suggested_by:
            rule = self.diagnoser.knowledge.rules.get(candidate.suggested_by)
            reason = f": {rule.description}" if rule and rule.description else ""
            text = f"Rule {candidate.suggested_by} suggests it{reason}. " + text
        return text

    # -------------------------------------------------------------------------------------- answers

    def answer(self, symptom_id: str, value: AnswerValue | None) -> None:
        """Record an answer (None means "don't know") and re-rank."""
        self._check(symptom_id, value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        self.given.pop(symptom_id, None)
        self.given[symptom_id] = value
        if symptom_id in self.history:
            self.history.remove(symptom_id)
        self.history.append(symptom_id)
        if symptom_id in self.skipped:
            self.skipped.remove(symptom_id)
        self.finished = False
        self._touch()
        self._evaluate()

    def undo(self) -> str | None:
        """Take back the last answer; returns its symptom id (None when there is nothing to undo)."""
        self.finished = False
        if not self.history:
            return None
        symptom_id = self.history.pop()
        self.given.pop(symptom_id, None)
        if symptom_id in self.skipped:
            self.skipped.remove(symptom_id)
        self._touch()
        self._evaluate()
        return symptom_id

    def finish(self, skipped: str | None = None) -> None:
        """Stop asking; ``skipped`` is the question that was on screen, if any."""
        if skipped and skipped not in self.skipped and skipped not in self.given:
            self.skipped.append(skipped)
        self.finished = True
        self._touch()

    # ------------------------------------------------------------------------------------- context

    def missing_placeholders(self, commands: Sequence[Command]) -> list[str]:
        """Placeholders these commands need that are neither known nor already declined."""
        return [
            name
            for name in unfilled_placeholders(commands)
            if name not in self.context and name not in self.skipped_placeholders
        ]

    def set_context(self, name: str, value: str | None) -> None:
        """Fill a placeholder; None or empty records that the user declined to give it."""
        if value is None or not value.strip():
            if name not in self.skipped_placeholders:
                self.skipped_placeholders.append(name)
        else:
            self.context[name] = value.strip()
            if name in self.skipped_placeholders:
                self.skipped_placeholders.remove(name)
        self._touch()

    def report_commands(self, top: int = 1) -> list[Command]:
        """The commands a report shows for its leading diagnoses (confirmations and fixes)."""
        commands: list[Command] = []
        for diagnosis in self.result(top).diagnoses[:top]:
            commands += diagnosis.cause.diagnostics
            for solution in diagnosis.cause.solutions:
                commands += solution.commands
        return commands

    # -------------------------------------------------------------------------------------- results

    def result(self, top: int = DEFAULT_TOP) -> CaseResult:
        """The same object ``triage diagnose`` produces for this case."""
        return self.diagnoser.result(
            self.id, self.matched, self.answers, self._inference, self._ranking, self.context, top
        )

    def handoff(self, top: int = DEFAULT_TOP) -> Handoff:
        """What was answered, unknown and skipped; why the runners-up rank lower; what to ask next."""
        answered = [(s, v) for s, v in self.given.items() if v is not None]
        unknown = [s for s, v in self.given.items() if v is None]
        causes = [score for score in self._ranking if score.cause != SOMETHING_ELSE and score.supported]
        next_question: Candidate | None = None
        if len(causes) >= 2:
            next_question = self.questioner.best_separator(
                causes[0].cause, causes[1].cause, self.answers, self._inference
            )
        elif causes:
            best = self.candidates(limit=1)
            next_question = best[0] if best else None
        runners_up = [self._runner_up(causes[0], other) for other in causes[1:top]] if causes else []
        return Handoff(
            answered=answered,
            unknown=unknown,
            skipped=list(self.skipped),
            revealed=sorted(self.revealed.items()),
            next_question=next_question,
            runners_up=runners_up,
            missing_placeholders=list(self.skipped_placeholders),
        )

    def _runner_up(self, leader: Score, other: Score) -> RunnerUp:
        mine = {(c.kind, c.name): c.factor for c in other.contributions}
        theirs = {(c.kind, c.name): c.factor for c in leader.contributions}
        ratios = []
        for key in set(mine) | set(theirs):
            ratio = theirs.get(key, 1.0) / mine.get(key, 1.0)
            if ratio > 1.0:
                ratios.append((ratio, key))
        ratios.sort(key=lambda item: (-item[0], item[1]))
        knowledge = self.diagnoser.knowledge
        reasons = []
        for ratio, (kind, name) in ratios[:3]:
            if kind == "answer":
                symptom = knowledge.symptoms.get(name)
                value = self.answers.get(name)
                label = f"{symptom.question if symptom else name} → {_plain(value)}"
            elif kind == "rule":
                label = f"rule {name}"
            else:
                label = "the description's words"
            reasons.append(f"{label} (x{ratio:.1f} for the leader)")
        prior_ratio = knowledge.causes[leader.cause].prior / knowledge.causes[other.cause].prior
        if prior_ratio > 1.0 and len(reasons) < 3:
            reasons.append(f"it is rarer (prior x{prior_ratio:.1f} lower than the leader's)")
        separator = self.questioner.best_separator(leader.cause, other.cause, self.answers, self._inference)
        return RunnerUp(other.cause, other.confidence, reasons, separator.symptom.id if separator else None)

    # ------------------------------------------------------------------------------------- storage

    def to_json(self) -> dict[str, Any]:
        """Everything needed to resume the session, as plain JSON data."""
        top = next((s for s in self._ranking if s.cause != SOMETHING_ELSE), None)
        return {
            "format": FORMAT,
            "version": VERSION,
            "id": self.id,
            "created": self.created,
            "updated": self.updated,
            "opened": self.opened,
            "finished": self.finished,
            "description": self.description,
            "errors": list(self.errors),
            "context": dict(self.context),
            "answers": [[symptom, value] for symptom, value in self.given.items()],
            "history": list(self.history),
            "skipped": list(self.skipped),
            "skipped_placeholders": list(self.skipped_placeholders),
            "settings": asdict(self.settings),
            "knowledge": list(self.knowledge_paths),
            "summary": {
                "top": top.cause if top else None,
                "confidence": round(top.confidence, 4) if top else None,
                "questions": self.questions_asked,
            },
        }

    @classmethod
    def from_json(cls, data: Any, diagnoser: Diagnoser) -> Session:
        """A session saved by ``to_json``; SessionError when the data is not one."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise SessionError("not a triage session file")
        if data.get("version") != VERSION:
            raise SessionError(
                f"session format version {data.get('version')!r} is not supported (expected {VERSION})"
            )
        try:
            settings = StopSettings(**data["settings"])
            session = cls(diagnoser, _text(data["id"]), settings)
            session.created = _text(data["created"])
            session.updated = _text(data["updated"])
            session.context = {_text(k): _text(v) for k, v in dict(data["context"]).items()}
            session.knowledge_paths = [_text(p) for p in data.get("knowledge", [])]
            for symptom_id, value in data["answers"]:
                session._check(_text(symptom_id), value)
                session.given[symptom_id] = value
            session.history = [_text(s) for s in data["history"] if s in session.given]
            session.skipped = [_text(s) for s in data["skipped"]]
            session.skipped_placeholders = [_text(s) for s in data["skipped_placeholders"]]
            description = data["description"]
            errors = [_text(error) for error in data["errors"]]
            opened = bool(data["opened"])
            finished = bool(data["finished"])
        except SessionError:
            raise
        except (KeyError, TypeError, ValueError) as error:
            raise SessionError(f"session data is incomplete or malformed ({error})") from None
        session.describe(description if isinstance(description, str) else None, errors)
        session.opened = opened
        session.finished = finished
        return session

    # ------------------------------------------------------------------------------------ internals

    def _check(self, symptom_id: str, value: Any) -> None:
        symptom = self.diagnoser.knowledge.symptoms.get(symptom_id)
        if symptom is None:
            raise SessionError(f"unknown symptom {symptom_id!r}; `triage export` lists the symptoms")
        if value is None:
            return
        if not isinstance(value, bool | int | float | str):
            raise SessionError(f"answer to {symptom_id!r}: expected a value, got {value!r}")
        problem = answer_problem(symptom.kind, symptom.choice_values, value)
        if problem:
            raise SessionError(f"answer to {symptom_id!r}: {problem}")

    def _confident(self) -> bool:
        causes = [score for score in self._ranking if score.cause != SOMETHING_ELSE]
        if not causes or self._ranking[0] is not causes[0]:
            return False
        second = self._ranking[1].confidence if len(self._ranking) > 1 else 0.0
        return (
            causes[0].confidence >= self.settings.confidence
            and causes[0].confidence - second >= self.settings.margin
        )

    def _confirmation(self) -> Candidate | None:
        """The question to ask before stopping when the confident leader owes its lead to the last
        answer alone: without it another cause would lead, so one slip of the user would decide the
        diagnosis. It is the question that best tells the leader from that cause. None when the lead
        holds without the last answer, or nothing can tell the two apart; once the check is
        answered, the last answer is the check itself, so a lead is checked at most once unless the
        check itself turned it."""
        causes = [score for score in self._ranking if score.cause != SOMETHING_ELSE]
        last = self.history[-1] if self.history else None
        if len(causes) < 2 or last is None or self.given.get(last) is None:
            return None
        leader, others = causes[0], causes[1:]
        temperature = self.diagnoser.model.temperature
        without_last = leader.log_weight - _answer_weight(leader, last) / temperature
        rivals = [
            (score.log_weight - _answer_weight(score, last) / temperature, score.cause) for score in others
        ]
        weight, rival = max(rivals)
        if weight < without_last:
            return None
        best = self.questioner.best_separator(leader.cause, rival, self.answers, self._inference)
        return replace(best, confirms=last) if best else None

    def _evaluate(self) -> None:
        self._inference, self._ranking = self.diagnoser.evaluate(self.answers, self._likenesses)

    def _touch(self) -> None:
        self.updated = _now()


def _answer_weight(score: Score, symptom_id: str) -> float:
    """How much one answer moved a cause's log weight (before the temperature)."""
    return sum(math.log(c.factor) for c in score.contributions if c.kind == "answer" and c.name == symptom_id)


def new_session_id() -> str:
    """A short, sortable, unique id: the UTC time and four random hex digits."""
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


_QUESTIONERS: weakref.WeakKeyDictionary[Diagnoser, Questioner] = weakref.WeakKeyDictionary()


def _questioner(diagnoser: Diagnoser) -> Questioner:
    """One precomputed questioner per diagnoser (sessions over the same knowledge share it)."""
    questioner = _QUESTIONERS.get(diagnoser)
    if questioner is None:
        questioner = _QUESTIONERS[diagnoser] = Questioner(diagnoser.knowledge, diagnoser.model)
        # The compiled knowledge, rules and tables live as long as the process; left in the cyclic
        # collector's view, every full collection walks them all (about 0.1 s at 10x knowledge, in
        # whichever question it lands). Frozen, a collection walks only what sessions allocate.
        gc.freeze()
    return questioner


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise SessionError(f"session data is malformed: expected text, got {value!r}")
    return value


def _plain(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "don't know" if value is None else str(value)

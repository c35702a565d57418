"""``triage ask --jsonl``: the wizard's session as a JSON-lines protocol on stdin and stdout.

The first input line starts the session (``description``, ``errors``, ``answers``, ``context``, all
optional); every further line answers the open question or sends ``back`` / ``finish``. Every input
line gets exactly one output line, flushed at once: the next question, the report, or an error
(after which the session goes on). See docs/wizard.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from .common import add_knowledge_option

if TYPE_CHECKING:
    from ..diagnosis import Diagnoser
    from ..session import Question, Session, StopSettings

START_KEYS = ("description", "errors", "answers", "context")
RANKING_SIZE = 5


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="run a session over JSON lines on stdin/stdout (for chat bots and web pages)",
        description=(
            "Run a triage session as a line protocol. First line: {description, errors, answers, context}; "
            'then {"answer": true|false|null|choice|number}, {"command": "back"} or {"command": "finish"}. '
            "Each line is answered by one JSON line: a question, the report, or an error."
        ),
    )
    parser.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in, JSON lines out")
    add_knowledge_option(parser)
    parser.add_argument(
        "--confidence", type=float, default=None, metavar="P", help="stop confidence (default 0.85)"
    )
    parser.add_argument(
        "--margin", type=float, default=None, help="stop margin over the second (default 0.3)"
    )
    parser.add_argument(
        "--max-questions", type=int, default=None, metavar="N", help="question cap (default 15)"
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..diagnosis import Diagnoser
    from ..session import StopSettings
    from .common import knowledge_from

    settings = StopSettings()
    for name in ("confidence", "margin", "max_questions"):
        if getattr(options, name) is not None:
            setattr(settings, name, getattr(options, name))
    protocol = LineProtocol(Diagnoser(knowledge_from(options)), settings)
    while True:
        line = sys.stdin.readline()
        if not line:
            return 0
        sys.stdout.write(json.dumps(protocol.handle(line), ensure_ascii=False) + "\n")
        sys.stdout.flush()


class LineProtocol:
    """Turns each input line into exactly one output message."""

    def __init__(self, diagnoser: Diagnoser, settings: StopSettings) -> None:
        self.diagnoser = diagnoser
        self.settings = settings
        self.session: Session | None = None
        self.question: Question | None = None

    def handle(self, line: str) -> dict[str, Any]:
        from ..errors import TriageError

        try:
            message = json.loads(line)
        except json.JSONDecodeError as error:
            return _error(f"not JSON ({error.msg} at column {error.colno}); send one JSON object per line")
        if not isinstance(message, dict):
            return _error(f"expected a JSON object, got {type(message).__name__}")
        try:
            if self.session is None:
                return self.start(message)
            return self.step(message)
        except TriageError as error:
            return _error(str(error))

    def start(self, message: dict[str, Any]) -> dict[str, Any]:
        from pydantic import BaseModel, ConfigDict, Field, ValidationError

        from ..models import AnswerValue
        from ..session import Session

        class Opening(BaseModel):
            model_config = ConfigDict(extra="forbid")

            description: str | None = None
            errors: list[str] = Field(default_factory=list)
            answers: dict[str, AnswerValue | None] = Field(default_factory=dict)
            context: dict[str, str] = Field(default_factory=dict)

        unknown = sorted(set(message) - set(START_KEYS))
        if unknown:
            return _error(
                f"unknown key {unknown[0]!r} in the first line; expected some of {', '.join(START_KEYS)}"
            )
        try:
            opening = Opening.model_validate(message)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return _error(f"first line: {where}: {first['msg']}")
        self.session = Session.start(
            self.diagnoser,
            description=opening.description,
            errors=opening.errors,
            answers=opening.answers,
            context=opening.context,
            settings=self.settings,
        )
        return self.next()

    def step(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self.session is not None
        if set(message) == {"answer"}:
            if self.question is None:
                return _error('no question is open; send {"command": "back"} to return to the last one')
            self.session.answer(self.question.id, message["answer"])
            return self.next()
        if set(message) == {"command"}:
            command = message["command"]
            if command == "back":
                self.session.undo()
                return self.next()
            if command == "finish":
                self.session.finish(skipped=self.question.id if self.question else None)
                return self.next()
            return _error(f"unknown command {command!r}; expected back or finish")
        return _error('expected {"answer": ...} or {"command": "back" | "finish"}')

    def next(self) -> dict[str, Any]:
        assert self.session is not None
        self.question = self.session.next_question()
        if self.question is None:
            from ..report import session_case_json

            session = self.session
            case = session_case_json(
                session.result(), session.handoff(), self.diagnoser.knowledge, session.id
            )
            return {"type": "report", "case": case}
        return question_json(self.question, self.session)


def question_json(question: Question, session: Session) -> dict[str, Any]:
    symptom = question.symptom
    if symptom.kind == "boolean":
        choices: list[dict[str, Any]] = [{"value": True, "label": "yes"}, {"value": False, "label": "no"}]
    else:
        choices = [{"value": choice.value, "label": choice.label} for choice in symptom.choices]
    knowledge = session.diagnoser.knowledge
    ranking = [
        {
            "id": score.cause,
            "title": knowledge.causes[score.cause].title,
            "confidence": round(score.confidence, 4),
        }
        for score in session.ranking()
        if score.cause in knowledge.causes
    ][:RANKING_SIZE]
    data: dict[str, Any] = {
        "type": "question",
        "id": symptom.id,
        "text": symptom.question,
        "kind": symptom.kind,
        "choices": choices,
        "why": question.why,
        "how_to_check": [{"title": c.title, "command": c.command} for c in question.how_to_check],
        "ranking": ranking,
        "number": session.questions_asked + 1,
        "separates": list(question.separates),
    }
    if symptom.unit:
        data["unit"] = symptom.unit
    return data


def _error(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}

"""The interactive wizard: questionary prompts and rich output over a ``Session``.

The terminal is injected: ``input``/``output`` go to prompt_toolkit (tests pass a pipe input and a
dummy output), ``console`` is the rich console everything else is printed on. Every answer is saved
through the ``save`` callback; Ctrl-C (or end of input) at any prompt saves and re-raises
``KeyboardInterrupt`` for the command to report.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import questionary
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .diagnosis import fill_command
from .errors import TriageError
from .models import AnswerValue, Command
from .ranking import SOMETHING_ELSE
from .report import command_mode, print_session, session_case_json, session_markdown
from .session import Question, Session

# Every string the wizard shows, in one place.
MESSAGES = {
    "welcome": "triage: describe the problem, answer a few questions, get the likely causes.",
    "describe": "Describe the problem (what you see, since when, what changed); Enter to skip:",
    "errors": "Paste error or log lines (several at once is fine); an empty line ends:",
    "recognised": "Recognised from your text:",
    "nothing_recognised": "Nothing in the text matched a known symptom; the questions will narrow it down.",
    "yes": "Yes",
    "no": "No",
    "dont_know": "Don't know",
    "enter_value": "Enter a value",
    "why": "Why are you asking?",
    "how": "How do I check?",
    "back": "Back (undo the last answer)",
    "ranking": "Show the ranking",
    "finish": "Finish now",
    "value_prompt": "{question}{unit} (empty to go back to the choices):",
    "not_a_number": "Please enter a number, e.g. 42 or 3.5",
    "placeholder": "Value for {{{name}}} in the commands (Enter to leave it as is):",
    "no_check": "No command for this one: answer from what you know or can see.",
    "nothing_to_undo": "Nothing to undo yet.",
    "undone": "Took back: {question}",
    "leaders": "Now leading:",
    "stopped": "Stopping: {reason}.",
    "report_written": "Report written to {path}",
}

META_KEYS = {"why": "w", "how": "h", "back": "b", "ranking": "r", "finish": "f"}
_CHOICE_KEYS = "123456789acegijklmopqstuvxz"


@dataclass(frozen=True)
class Terminal:
    """Where the wizard reads keys and writes prompts (None: the real terminal)."""

    input: Input | None = None
    output: Output | None = None

    def kwargs(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.input is not None:
            extra["input"] = self.input
        if self.output is not None:
            extra["output"] = self.output
        return extra


class Wizard:
    """Runs one session to its report in a terminal."""

    def __init__(
        self,
        session: Session,
        console: Console,
        *,
        terminal: Terminal | None = None,
        save: Callable[[Session], object] | None = None,
        report_path: Path | None = None,
        output_format: str = "text",
    ) -> None:
        self.session = session
        self.console = console
        self.terminal = terminal or Terminal()
        self._save = save
        self.report_path = report_path
        self.output_format = output_format

    # ------------------------------------------------------------------------------------- flow

    def run(self) -> None:
        """Opening, questions, report; KeyboardInterrupt after saving when the user interrupts."""
        try:
            if not self.session.opened:
                self.opening()
            self.questions()
            self.report()
        except (KeyboardInterrupt, EOFError):
            self.save()
            raise KeyboardInterrupt from None

    def opening(self) -> None:
        self.console.print(Text(MESSAGES["welcome"], style="bold"))
        self._prepare_reading_meanwhile()
        description = self._text(MESSAGES["describe"])
        errors: list[str] = []
        while True:
            pasted = self._text(MESSAGES["errors"])
            if not pasted.strip():
                break
            errors += [line for line in pasted.splitlines() if line.strip()]
        self.session.describe(description, errors)
        self.save()
        if self.session.matched:
            self.console.print(Text(MESSAGES["recognised"], style="bold"))
            knowledge = self.session.diagnoser.knowledge
            for symptom_id, value in sorted(self.session.revealed.items()):
                question = knowledge.symptoms[symptom_id].question
                self.console.print(Text(f"  • {question} → {_plain(value)}"))
            self.show_leaders()
        elif description or errors:
            self.console.print(Text(MESSAGES["nothing_recognised"], style="dim"))

    def _prepare_reading_meanwhile(self) -> None:
        """Compile the symptom patterns and index the causes' words (with the knowledge cases) in
        the background while the user types the description, so that reading it does not wait for
        them. A broken pattern or case file is reported by the reading itself."""
        diagnoser = self.session.diagnoser

        def prepare_quietly() -> None:
            with contextlib.suppress(TriageError):
                diagnoser.matcher.compile_all()
            with contextlib.suppress(TriageError):  # a broken pattern does not stop the indexing
                diagnoser.resemblance  # noqa: B018 (builds the cached index)

        threading.Thread(target=prepare_quietly, name="prepare-reading", daemon=True).start()

    def questions(self) -> None:
        while True:
            question = self.session.next_question()
            if question is None:
                reason = self.session.stop_reason()
                if reason and reason != "finished":
                    self.console.print(Text(MESSAGES["stopped"].format(reason=reason), style="dim"))
                return
            if not self.ask(question):
                return

    def ask(self, question: Question) -> bool:
        """One question until it is answered (True) or the user finishes (False); back counts as done."""
        while True:
            action, value = self._choose(question)
            if action == "answer":
                self.session.answer(question.id, value)
                self.save()
                self.show_leaders()
                return True
            if action == "why":
                self.console.print(Text(question.why, style="italic"))
            elif action == "how":
                self.show_checks(question.symptom.check)
            elif action == "ranking":
                self.show_ranking()
            elif action == "back":
                undone = self.session.undo()
                self.save()
                if undone is None:
                    self.console.print(Text(MESSAGES["nothing_to_undo"], style="dim"))
                    continue
                knowledge = self.session.diagnoser.knowledge
                self.console.print(
                    Text(MESSAGES["undone"].format(question=knowledge.symptoms[undone].question))
                )
                return True
            elif action == "finish":
                self.session.finish(skipped=question.id)
                self.save()
                return False

    def report(self) -> None:
        session = self.session
        self.fill_placeholders(session.report_commands())
        if not session.finished:
            session.finish()
        self.save()
        result = session.result()
        handoff = session.handoff()
        knowledge = session.diagnoser.knowledge
        if self.output_format == "json":
            import json

            case = session_case_json(result, handoff, knowledge, session.id)
            self.console.print_json(json.dumps({"cases": [case]}, ensure_ascii=False))
        else:
            self.console.rule("Report")
            print_session(result, handoff, knowledge, self.console)
        if self.report_path is not None:
            self.report_path.write_text(session_markdown(result, handoff, knowledge), encoding="utf-8")
            self.console.print(Text(MESSAGES["report_written"].format(path=self.report_path), style="dim"))

    # ------------------------------------------------------------------------------------ pieces

    def show_leaders(self, count: int = 3) -> None:
        knowledge = self.session.diagnoser.knowledge
        leaders = [s for s in self.session.ranking() if s.cause != SOMETHING_ELSE and s.supported][:count]
        if not leaders:
            return
        line = Text(MESSAGES["leaders"] + " ", style="dim")
        for index, score in enumerate(leaders):
            if index:
                line.append(" · ", style="dim")
            line.append(f"{knowledge.causes[score.cause].title} ", style="bold" if index == 0 else "")
            line.append(f"{score.confidence:.0%}", style="green" if index == 0 else "")
        self.console.print(line)

    def show_ranking(self, count: int = 8) -> None:
        knowledge = self.session.diagnoser.knowledge
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("#", justify="right")
        table.add_column("confidence", justify="right")
        table.add_column("cause")
        for rank, score in enumerate(self.session.ranking()[:count], 1):
            title = "something else" if score.cause == SOMETHING_ELSE else knowledge.causes[score.cause].title
            table.add_row(str(rank), f"{score.confidence:.0%}", title)
        self.console.print(table)

    def show_checks(self, raw: Sequence[Command]) -> None:
        """The commands that answer a question, marked read-only or changing, placeholders filled."""
        if not raw:
            self.console.print(Text(MESSAGES["no_check"], style="dim"))
            return
        self.fill_placeholders(raw)
        for command in raw:
            shown = fill_command(command, self.session.context)
            self.console.print(Text(f"  {shown.title} [{command_mode(shown)}]"))
            self.console.print(Text("    " + shown.command.replace("\n", "\n    "), style="cyan"))

    def fill_placeholders(self, commands: Sequence[Command]) -> None:
        """Ask, once each, for the placeholder values these commands still need."""
        for name in self.session.missing_placeholders(commands):
            value = self._text(MESSAGES["placeholder"].format(name=name))
            self.session.set_context(name, value)
            self.save()

    def save(self) -> None:
        if self._save is not None:
            self._save(self.session)

    # ---------------------------------------------------------------------------------- prompts

    def _choose(self, question: Question) -> tuple[str, AnswerValue | None]:
        symptom = question.symptom
        choices: list[Any] = []
        if symptom.kind == "boolean":
            choices += [
                questionary.Choice(MESSAGES["yes"], ("answer", True), shortcut_key="y"),
                questionary.Choice(MESSAGES["no"], ("answer", False), shortcut_key="n"),
            ]
        elif symptom.kind == "choice":
            for key, choice in zip(_CHOICE_KEYS, symptom.choices, strict=False):
                choices.append(questionary.Choice(choice.label, ("answer", choice.value), shortcut_key=key))
        else:
            choices.append(questionary.Choice(MESSAGES["enter_value"], ("enter", None), shortcut_key="e"))
        choices.append(questionary.Choice(MESSAGES["dont_know"], ("answer", None), shortcut_key="d"))
        choices.append(questionary.Separator())
        for action, key in META_KEYS.items():
            choices.append(questionary.Choice(MESSAGES[action], (action, None), shortcut_key=key))
        picked = questionary.select(
            symptom.question,
            choices=choices,
            use_shortcuts=True,
            use_jk_keys=False,
            **self.terminal.kwargs(),
        ).unsafe_ask()
        action, value = picked
        if action != "enter":
            return str(action), value
        entered = self._value(question)
        return ("answer", entered) if entered is not None else self._choose(question)

    def _value(self, question: Question) -> AnswerValue | None:
        symptom = question.symptom
        unit = f" ({symptom.unit})" if symptom.unit else ""
        message = MESSAGES["value_prompt"].format(question=symptom.question, unit=unit)

        def valid(text: str) -> bool | str:
            if symptom.kind != "number" or not text.strip():
                return True
            try:
                float(text.replace(",", ""))
            except ValueError:
                return MESSAGES["not_a_number"]
            return True

        text = questionary.text(message, validate=valid, **self.terminal.kwargs()).unsafe_ask()
        if not text.strip():
            return None
        return float(text.replace(",", "")) if symptom.kind == "number" else text.strip()

    def _text(self, message: str) -> str:
        answer = questionary.text(message, **self.terminal.kwargs()).unsafe_ask()
        return str(answer or "")


def _plain(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)

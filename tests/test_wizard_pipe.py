"""The questionary wizard driven by keystrokes through prompt_toolkit pipe input."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from triage.diagnosis import Diagnoser
from triage.errors import KnowledgeError
from triage.knowledge import Knowledge
from triage.models import AnswerValue, compile_pattern
from triage.session import Session, StopSettings
from triage.wizard import Terminal, Wizard

ENTER = "\r"
CTRL_C = "\x03"


class Run:
    """One wizard run: the session, what it printed, every saved state, and how it ended."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.saved: list[dict[str, Any]] = []
        self.stream = io.StringIO()
        self.interrupted = False

    @property
    def printed(self) -> str:
        return self.stream.getvalue()


def run_wizard(
    knowledge: Knowledge,
    keys: str,
    *,
    answers: dict[str, AnswerValue | None] | None = None,
    context: dict[str, str] | None = None,
    settings: StopSettings | None = None,
    opened: bool = False,
    report_path: Path | None = None,
    output_format: str = "text",
) -> Run:
    session = Session.start(Diagnoser(knowledge), answers=answers, context=context, settings=settings)
    session.opened = opened
    run = Run(session)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        drive(run, pipe, report_path=report_path, output_format=output_format)
    return run


def drive(run: Run, pipe: Any, *, report_path: Path | None = None, output_format: str = "text") -> None:
    """Run the wizard on ``run.session`` with keys from ``pipe``, recording what it prints and saves."""
    wizard = Wizard(
        run.session,
        Console(file=run.stream, width=120, color_system=None),
        terminal=Terminal(pipe, DummyOutput()),
        save=lambda current: run.saved.append(current.to_json()),
        report_path=report_path,
        output_format=output_format,
    )
    try:
        wizard.run()
    except KeyboardInterrupt:
        run.interrupted = True


def test_a_full_session_from_description_to_report(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(
        wizard_knowledge,
        "zebra queue WZ-BACKLOG growing"
        + ENTER  # description
        + ENTER  # no error lines
        + "n"
        + ENTER  # do the workers crash? no
        + "orders"
        + ENTER,  # {queue_name}, needed by the report's commands
    )
    assert not run.interrupted
    assert run.session.finished
    assert run.session.given == {"wz_worker_crash": False}
    printed = run.printed
    assert (
        "Recognised from your text:\n  • Is the wz queue backlog growing? → yes\n  • What runs the wz workers? → zebra"
        in printed
    )
    assert "Stopping: confident." in printed
    assert "1. The wz consumer is stuck — 9" in printed
    assert "wzctl consumers show --queue orders" in printed
    assert "wzctl consumers restart --queue orders" in printed
    assert "Why not the others?" in printed
    assert (
        "  answered: wz_worker_crash=no\n  from the text: wz_queue_backlog=yes, wz_runtime=zebra" in printed
    )
    assert run.saved[-1]["finished"] is True
    assert run.saved[-1]["context"] == {"queue_name": "orders"}


def test_error_lines_are_collected_until_an_empty_line_and_a_paste_may_hold_several(
    wizard_knowledge: Knowledge,
) -> None:
    paste = "\x1b[200~WZ-CRASH 137\nWZ-ENOSPC on /spool\x1b[201~"
    run = run_wizard(wizard_knowledge, ENTER + "WZ-BACKLOG" + ENTER + paste + ENTER + ENTER + CTRL_C)
    assert run.session.description is None
    assert run.session.errors == ["WZ-BACKLOG", "WZ-CRASH 137", "WZ-ENOSPC on /spool"]
    assert set(run.session.revealed) == {"wz_queue_backlog", "wz_worker_crash", "wz_disk_full"}


def test_why_how_and_ranking_answer_in_place_and_ask_the_same_question_again(
    wizard_knowledge: Knowledge,
) -> None:
    run = run_wizard(
        wizard_knowledge,
        "w" + ENTER + "h" + ENTER + "blue" + ENTER + "r" + ENTER + "h" + ENTER + CTRL_C,
        answers={"wz_queue_backlog": True, "wz_runtime": "zebra"},
        opened=True,
    )
    printed = run.printed
    assert "It separates The wz consumer is stuck (" in printed
    # the placeholder is asked once: the second "how" shows the command without asking again
    assert (
        printed.count(
            "List crashed workers [read-only]\n    wzctl workers list --cluster blue --state crashed"
        )
        == 2
    )
    assert "#  confidence  cause" in printed
    assert run.interrupted
    assert run.session.given == {"wz_queue_backlog": True, "wz_runtime": "zebra"}
    assert run.saved[-1]["context"] == {"wz_cluster": "blue"}


def test_back_undoes_the_last_answer_and_asks_it_again(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(
        wizard_knowledge,
        "d" + ENTER + "b" + ENTER + CTRL_C,
        answers={"wz_queue_backlog": True},
        settings=StopSettings(confidence=0.99),
        opened=True,
    )
    assert "Took back: Do the wz workers crash?" in run.printed
    assert run.session.history == []
    assert [saved["history"] for saved in run.saved] == [["wz_worker_crash"], [], []]


def test_back_with_nothing_to_undo_says_so(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(wizard_knowledge, "b" + ENTER + CTRL_C, answers={"wz_queue_backlog": True}, opened=True)
    assert "Nothing to undo yet." in run.printed


def test_ctrl_c_at_the_first_prompt_saves_the_session(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(wizard_knowledge, CTRL_C)
    assert run.interrupted
    assert len(run.saved) == 1
    assert run.saved[0]["opened"] is False
    assert run.saved[0]["id"] == run.session.id


def test_number_questions_take_a_typed_value(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(
        wizard_knowledge,
        "e" + ENTER + "fast" + ENTER + "\x7f" * 4 + "750" + ENTER + CTRL_C,  # rejected, erased, retyped
        answers={"wz_runtime": "yak", "wz_disk_full": None, "wz_recent_deploy": None},
        settings=StopSettings(confidence=0.99),
        opened=True,
    )
    assert run.session.given["wz_latency_ms"] == 750.0


def test_choice_questions_offer_their_choices(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(
        wizard_knowledge,
        "2" + ENTER + CTRL_C,
        answers={"wz_disk_full": True},
        settings=StopSettings(confidence=0.999),
        opened=True,
    )
    assert run.session.given["wz_runtime"] == "yak"


def test_finish_now_writes_the_markdown_report_with_the_handoff(
    wizard_knowledge: Knowledge, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    run = run_wizard(
        wizard_knowledge,
        "f" + ENTER + ENTER,  # finish, then decline the {queue_name} placeholder
        answers={"wz_queue_backlog": True},
        opened=True,
        report_path=report,
    )
    text = report.read_text()
    assert text.startswith(f"# Triage report: {run.session.id}\n")
    assert "## Why not the runners-up" in text
    assert "## Next best question\n\nDo the wz workers crash? (`wz_worker_crash`)" in text
    assert "## Related procedures\n\n### wz recovery (recovery)" in text
    assert "wzctl queue drain --queue {queue_name}" in text and "(changes the system)" in text
    assert "**Skipped**\n\n- Do the wz workers crash? (`wz_worker_crash`)" in text
    assert "**Placeholders not given**: `{queue_name}`" in text
    assert f"Report written to {report}" in run.printed


def test_json_format_prints_the_diagnose_case_object(wizard_knowledge: Knowledge) -> None:
    run = run_wizard(
        wizard_knowledge,
        "f" + ENTER + ENTER,
        answers={"wz_queue_backlog": True},
        opened=True,
        output_format="json",
    )
    data = json.loads(run.printed)
    case = data["cases"][0]
    assert {"id", "matched", "diagnoses"} <= set(case)
    assert case["diagnoses"][0]["id"] == "wz_consumer_stuck"
    assert case["session"]["skipped"] == ["wz_worker_crash"]


@pytest.mark.parametrize("key", ["y", "n", "d"])
def test_yes_no_and_dont_know_are_one_key_each(wizard_knowledge: Knowledge, key: str) -> None:
    run = run_wizard(
        wizard_knowledge,
        key + ENTER + CTRL_C,
        answers={"wz_queue_backlog": True},
        settings=StopSettings(confidence=0.999),
        opened=True,
    )
    assert run.session.given["wz_worker_crash"] == {"y": True, "n": False, "d": None}[key]


# The wizard prepares the reading (compiles the patterns, indexes the causes' words) in a
# background thread while the user types the description.


def _wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _reading_prepared(diagnoser: Diagnoser) -> bool:
    return "resemblance" in vars(diagnoser) and all(
        pattern.compiled for pattern in diagnoser.matcher.patterns
    )


def _run_typing_later(session: Session, type_keys: Callable[[Any], None]) -> Run:
    """The wizard in this thread; ``type_keys(pipe)`` in another, while the wizard waits for keys."""
    session.opened = False
    run = Run(session)
    with create_pipe_input() as pipe:
        typist = threading.Thread(target=type_keys, args=(pipe,), name="typist")
        typist.start()
        try:
            drive(run, pipe)
        finally:
            typist.join(60)
    return run


def test_the_reading_is_prepared_while_the_description_prompt_waits(
    wizard_knowledge: Knowledge,
) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    session = Session.start(diagnoser)
    assert not _reading_prepared(diagnoser)
    prepared_before_typing: list[bool] = []

    def type_once_prepared(pipe: Any) -> None:
        prepared_before_typing.append(_wait_for(lambda: _reading_prepared(diagnoser)))
        pipe.send_text(CTRL_C)

    run = _run_typing_later(session, type_once_prepared)

    assert prepared_before_typing == [True]
    assert run.interrupted


def test_a_pattern_that_does_not_compile_stops_neither_the_preparation_nor_hides_the_error(
    wizard_knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    diagnoser = Diagnoser(wizard_knowledge)
    broken = diagnoser.matcher.patterns[0]

    def compile_failing_on_one(source: str) -> re.Pattern[str]:
        if source == broken.source:
            raise re.error("unbalanced parenthesis")
        return compile_pattern(source)

    monkeypatch.setattr("triage.intake.compile_pattern", compile_failing_on_one)
    thread_errors: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    indexed_before_typing: list[bool] = []

    def type_once_indexed(pipe: Any) -> None:
        indexed_before_typing.append(_wait_for(lambda: "resemblance" in vars(diagnoser)))
        pipe.send_text("zebra queue growing" + ENTER + ENTER)

    with pytest.raises(KnowledgeError, match=f"symptom '{broken.symptom.id}'.*does not compile"):
        _run_typing_later(Session.start(diagnoser), type_once_indexed)

    assert indexed_before_typing == [True]
    assert thread_errors == []


def test_a_description_typed_during_the_preparation_is_read_as_without_it(
    shipped_knowledge: Knowledge,
) -> None:
    description = "the telegram bot stopped answering after we moved the webhook, no errors at all"
    reference = Session.start(Diagnoser(shipped_knowledge))
    reference.describe(description, [])

    run = run_wizard(shipped_knowledge, description + ENTER + ENTER + CTRL_C)

    assert run.interrupted
    assert run.session.revealed == reference.revealed
    assert [score.cause for score in run.session.ranking()] == [score.cause for score in reference.ranking()]

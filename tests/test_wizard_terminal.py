"""The installed ``triage`` wizard in a real pseudo-terminal (pexpect): what a user at a keyboard sees."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest

from triage.loading import load_knowledge

WIZARD = Path(__file__).parent / "files" / "wizard"
ENTER = "\r"
CTRL_C = "\x03"


def triage_executable() -> str:
    beside_python = Path(sys.executable).parent / "triage"
    found = str(beside_python) if beside_python.exists() else shutil.which("triage")
    assert found, "the triage command is not installed; run `pip install -e '.[test]'`"
    return found


@pytest.fixture
def spawn(tmp_path: Path) -> Callable[..., pexpect.spawn]:
    """Start the installed ``triage`` in a pseudo-terminal with the wz test knowledge layered on."""
    environment = {
        **os.environ,
        "TRIAGE_STATE_DIR": str(tmp_path / "state"),
        "NO_COLOR": "1",
        "TERM": "xterm",
    }
    environment.pop("TRIAGE_KNOWLEDGE", None)

    def start(*args: str) -> pexpect.spawn:
        child = pexpect.spawn(
            triage_executable(),
            [*args, "--knowledge", str(WIZARD)],
            env=environment,
            cwd=str(tmp_path),
            encoding="utf-8",
            timeout=30,
            dimensions=(60, 220),
        )
        # a person types after the prompt is drawn; keys sent while one prompt hands over to the
        # next can land before the terminal is in raw mode
        child.delaybeforesend = 0.3
        return child

    return start


class Questions:
    """Recognises every question the loaded knowledge can ask, so shipped ones get "don't know"."""

    def __init__(self) -> None:
        knowledge = load_knowledge([WIZARD])
        self.texts = sorted({s.question for s in knowledge.symptoms.values()}, key=len, reverse=True)
        # a prompt is "?" (styled) and the question, unlike the "Recognised" list of the same texts
        self.patterns = [r"\?(?:\x1b\[[0-9;]*m)* " + re.escape(text) for text in self.texts]

    def until(self, child: pexpect.spawn, wanted: str) -> None:
        """Answer "don't know" to every other question until ``wanted`` is asked."""
        while True:
            asked = self.texts[child.expect(self.patterns)]
            if asked == wanted:
                return
            child.send("d" + ENTER)
            child.expect("Now leading:")


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None
    return child.exitstatus


def test_a_full_session_to_the_report_with_why_how_and_back(
    spawn: Callable[..., pexpect.spawn], tmp_path: Path
) -> None:
    questions = Questions()
    child = spawn("--set", "wz_cluster=blue", "--report", "report.md")
    child.expect("Describe the problem")
    child.send("zebra" + ENTER)
    child.expect("Paste error or log lines")
    child.send("WZ-BACKLOG" + ENTER)  # pasted: described, its words would settle the ranking too soon
    child.send(ENTER)
    child.expect("Recognised from your text:")
    questions.until(child, "Do the wz workers crash?")
    child.send("w" + ENTER)
    child.expect(r"It separates .*The wz consumer is stuck \(\d+%\) expects no")
    child.send("h" + ENTER)
    child.expect(re.escape("wzctl workers list --cluster blue --state crashed"))
    child.send("y" + ENTER)
    child.expect("Now leading:")
    child.send("b" + ENTER)  # whatever comes next: go back
    child.expect(re.escape("Took back: Do the wz workers crash?"))
    questions.until(child, "Do the wz workers crash?")
    child.send("n" + ENTER)
    child.expect("Now leading:")
    # the shipped knowledge may still have questions worth asking: finish now if one comes
    if child.expect([re.escape("Value for {queue_name}"), *questions.patterns]) > 0:
        child.send("f" + ENTER)
        child.expect(re.escape("Value for {queue_name}"))
    child.send("orders" + ENTER)
    child.expect("Report")
    child.expect(r"1\. The wz consumer is stuck")
    child.expect(re.escape("wzctl consumers show --queue orders"))
    child.expect("Hand-off")
    child.expect("answered: wz_worker_crash=no")
    assert finish(child) == 0
    report = (tmp_path / "report.md").read_text()
    assert "# Triage report:" in report
    assert "## Hand-off" in report


def test_ctrl_c_saves_and_resume_continues_where_it_stopped(
    spawn: Callable[..., pexpect.spawn], run_triage: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    questions = Questions()
    child = spawn()
    child.expect("Describe the problem")
    child.send(CTRL_C)  # at the very first prompt
    child.expect(r"triage resume (\S+)")
    session_id = child.match.group(1)
    assert finish(child) == 130

    child = spawn("resume", session_id)
    child.expect("Describe the problem")  # the opening was never done, so it comes first
    child.send("zebra WZ-BACKLOG" + ENTER)
    child.expect("Paste error or log lines")
    child.send(ENTER)
    questions.until(child, "Do the wz workers crash?")
    child.send(CTRL_C)
    child.expect(r"triage resume (\S+)")
    assert child.match.group(1) == session_id
    assert finish(child) == 130

    child = spawn("resume")  # no id: the latest unfinished session
    child.expect(re.escape("Do the wz workers crash?"))
    child.send("f" + ENTER)
    child.expect(re.escape("Value for {queue_name}"))
    child.send(ENTER)
    child.expect("skipped: wz_worker_crash")
    assert finish(child) == 0

    listed = run_triage("sessions", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    sessions = json.loads(listed.stdout)["sessions"]
    assert [(s["id"], s["finished"]) for s in sessions] == [(session_id, True)]


def test_without_a_terminal_the_wizard_points_to_diagnose_and_ask(
    run_triage: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    result = run_triage(stdin="")
    assert result.returncode == 2
    assert result.stderr == (
        "triage: the interactive wizard needs a terminal; use `triage diagnose FILE` for a case file "
        "or `triage ask --jsonl` for the JSON-lines protocol\n"
    )
    assert result.stdout == ""


def test_resuming_a_corrupt_session_file_is_one_line_naming_it(
    run_triage: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    sessions = tmp_path / "state" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "bad.json").write_text("{not json")
    result = run_triage("resume", "bad")
    assert result.returncode == 2
    assert result.stderr == (
        f"triage: {sessions / 'bad.json'}:1:2: corrupt session file (Expecting property name enclosed in "
        "double quotes); delete it or start a new session with `triage`\n"
    )
    missing = run_triage("resume", "nope")
    assert missing.stderr == "triage: no saved session 'nope'; `triage sessions` lists them\n"
    assert missing.returncode == 2


def test_from_scan_skips_the_opening_and_keeps_the_scan_context(
    spawn: Callable[..., pexpect.spawn], tmp_path: Path
) -> None:
    scan = {
        "files": [],
        "symptoms": [],
        "cases": [
            {
                "answers": {"wz_queue_backlog": True, "wz_runtime": "zebra"},
                "context": {"queue_name": "orders"},
            }
        ],
    }
    (tmp_path / "scan.json").write_text(json.dumps(scan))
    questions = Questions()
    child = spawn("--from-scan", "scan.json")
    child.logfile_read = io.StringIO()
    index = child.expect([re.escape("Describe the problem"), *questions.patterns])
    assert index > 0, "the opening was asked although the scan said what is known"
    child.send("f" + ENTER)
    while child.expect([re.escape("Value for {"), "Hand-off"]) == 0:
        child.send(ENTER)  # placeholders the scan did not give
    assert finish(child) == 0
    assert "wzctl consumers show --queue orders" in child.logfile_read.getvalue()


def test_sessions_lists_saved_sessions_and_deletes_one(
    run_triage: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    from triage.diagnosis import Diagnoser
    from triage.session import Session
    from triage.session_store import SessionStore

    session = Session.start(
        Diagnoser(load_knowledge([WIZARD], shipped=False)), description="zebra WZ-BACKLOG", session_id="s-1"
    )
    SessionStore(tmp_path / "state").save(session.to_json())
    listed = run_triage("sessions", env={"COLUMNS": "200"})
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "updated", "status", "questions", "leading", "cause", "description"]
    assert lines[1].split()[:1] == ["s-1"] and "open" in lines[1] and "zebra WZ-BACKLOG" in lines[1]
    assert lines[-1] == "Continue one with: triage resume ID"
    deleted = run_triage("sessions", "--delete", "s-1")
    assert (deleted.returncode, deleted.stdout) == (0, "deleted session s-1\n")
    empty = run_triage("sessions")
    assert empty.stdout.startswith("No saved sessions in ")

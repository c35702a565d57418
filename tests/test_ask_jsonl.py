"""``triage ask --jsonl``: the session as JSON lines, through the installed command."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WIZARD = str(Path(__file__).parent / "files" / "wizard")

Runner = Callable[..., subprocess.CompletedProcess[str]]


def ask(run_triage: Runner, *messages: Any) -> list[dict[str, Any]]:
    """Send each message as one line (strings as they are); return the output lines, parsed."""
    lines = [m if isinstance(m, str) else json.dumps(m) for m in messages]
    result = run_triage("ask", "--jsonl", "--knowledge", WIZARD, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_input_line_gets_exactly_one_output_line(run_triage: Runner) -> None:
    out = ask(
        run_triage,
        {"description": "zebra WZ-BACKLOG"},
        "this is not json",
        "[1, 2]",
        {"command": "dance"},
        {"answer": None},
        {"command": "back"},
        {"command": "finish"},
        {"answer": True},
    )
    assert [line["type"] for line in out] == [
        "question",
        "error",
        "error",
        "error",
        "question",
        "question",
        "report",
        "error",
    ]
    assert out[1]["message"] == "not JSON (Expecting value at column 1); send one JSON object per line"
    assert out[2]["message"] == "expected a JSON object, got list"
    assert out[3]["message"] == "unknown command 'dance'; expected back or finish"
    assert out[7]["message"] == 'no question is open; send {"command": "back"} to return to the last one'


def test_back_returns_to_the_question_it_undoes(run_triage: Runner) -> None:
    out = ask(run_triage, {"description": "zebra WZ-BACKLOG"}, {"answer": None}, {"command": "back"})
    first, second, again = out
    assert second["id"] != first["id"]
    assert again["id"] == first["id"]
    assert again["ranking"] == first["ranking"]


def test_a_question_carries_text_kind_choices_why_how_and_ranking(run_triage: Runner) -> None:
    (question,) = ask(run_triage, {"answers": {"wz_queue_backlog": True, "wz_runtime": "zebra"}})
    assert {"type", "id", "text", "kind", "choices", "why", "how_to_check", "ranking"} <= set(question)
    assert question["ranking"][0] == {
        "id": "wz_consumer_stuck",
        "title": "The wz consumer is stuck",
        "confidence": question["ranking"][0]["confidence"],
    }
    for entry in question["how_to_check"]:
        assert set(entry) == {"title", "command"}
    if question["kind"] == "boolean":
        assert question["choices"] == [{"value": True, "label": "yes"}, {"value": False, "label": "no"}]


def test_a_wrong_answer_is_an_error_and_the_same_question_stays_open(run_triage: Runner) -> None:
    out = ask(run_triage, {"description": "zebra WZ-BACKLOG"}, {"answer": [1]}, {"answer": None})
    assert out[1]["type"] == "error"
    assert out[1]["message"].startswith(f"answer to {out[0]['id']!r}: expected")
    assert out[2]["type"] in ("question", "report")
    assert out[2].get("id") != out[0]["id"]


@pytest.mark.parametrize(
    ("first_line", "message"),
    [
        ({"answers": {"wz_nope": True}}, "unknown symptom 'wz_nope'; `triage export` lists the symptoms"),
        (
            {"colour": "red"},
            "unknown key 'colour' in the first line; expected some of description, errors, answers, context",
        ),
        ({"errors": "WZ-CRASH 1"}, "first line: errors: Input should be a valid list"),
        ({"context": {"queue_name": 7}}, "first line: context.queue_name: Input should be a valid string"),
        (
            {"answers": {"wz_worker_crash": "often"}},
            "answer to 'wz_worker_crash': expected true, false or null, got 'often'",
        ),
    ],
)
def test_a_bad_first_line_is_an_error_and_a_good_one_still_starts(
    run_triage: Runner, first_line: dict[str, Any], message: str
) -> None:
    out = ask(run_triage, first_line, {"answers": {}})
    assert out[0] == {"type": "error", "message": message}
    assert out[1]["type"] == "question"  # an empty start is fine: the questions narrow it down


def test_the_report_is_the_case_object_of_diagnose_json(run_triage: Runner, tmp_path: Path) -> None:
    case = {"description": "zebra", "errors": ["WZ-BACKLOG"], "answers": {"wz_worker_crash": False}}
    (tmp_path / "case.json").write_text(json.dumps(case))
    diagnosed = run_triage("diagnose", "case.json", "--format", "json", "--knowledge", WIZARD)
    assert diagnosed.returncode == 0, diagnosed.stderr
    expected = json.loads(diagnosed.stdout)["cases"][0]
    *_, report = ask(run_triage, case, {"command": "finish"})
    assert report["type"] == "report"
    got = report["case"]
    assert set(expected) <= set(got)
    # the order in which simultaneous rules fire is not fixed across processes, so compare as sets
    assert sorted(got.pop("rules_fired")) == sorted(expected.pop("rules_fired"))
    for key in set(expected) - {"id"}:
        assert got[key] == expected[key], key
    assert got["session"]["answered"] == {"wz_worker_crash": False}


def test_each_answer_is_written_and_flushed_before_the_next_line_is_read(tmp_path: Path) -> None:
    beside_python = Path(sys.executable).parent / "triage"
    executable = str(beside_python) if beside_python.exists() else shutil.which("triage")
    assert executable, "the triage command is not installed"
    environment = {**os.environ, "TRIAGE_STATE_DIR": str(tmp_path / "state")}
    environment.pop("TRIAGE_KNOWLEDGE", None)
    process = subprocess.Popen(
        [executable, "ask", "--jsonl", "--knowledge", WIZARD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=tmp_path,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        for message in ({"description": "zebra WZ-BACKLOG"}, {"answer": None}):
            process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 60)
            assert ready, "no answer while the input stays open"
            assert json.loads(process.stdout.readline())["type"] in ("question", "report")
    finally:
        process.stdin.close()
        assert process.wait(timeout=60) == 0


def test_ask_needs_the_jsonl_flag(run_triage: Runner) -> None:
    result = run_triage("ask", stdin="{}\n")
    assert result.returncode == 2
    assert "the following arguments are required: --jsonl" in result.stderr

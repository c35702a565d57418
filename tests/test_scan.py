"""`triage scan`: symptoms, counts, times and diagnoses from real-looking logs of the five systems."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import triage.scan
from triage.cases import CaseModel
from triage.diagnosis import Diagnoser
from triage.errors import CaseFileError, LogFileError, Place
from triage.intake import Matcher
from triage.knowledge import Knowledge
from triage.literals import required_literals
from triage.loading import load_knowledge
from triage.scan import LogScanner, ScanResult, diagnose_scan, read_answers, read_scan_case
from triage.timestamps import find_timestamp, timestamp_of_value

FILES = Path(__file__).parent / "files"
LOGS = FILES / "logs"
SCAN_KNOWLEDGE = FILES / "scan"

Run = Callable[..., CompletedProcess[str]]


def triage_executable() -> str:
    beside_python = Path(sys.executable).parent / "triage"
    return str(beside_python) if beside_python.exists() else str(shutil.which("triage"))


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    """The scan tests' own knowledge, without the shipped one."""
    return load_knowledge([SCAN_KNOWLEDGE], shipped=False)


def scan(knowledge: Knowledge, *paths: Path | str) -> ScanResult:
    return LogScanner(knowledge).scan([str(path) for path in paths])


def summary(result: ScanResult) -> dict[str, tuple[int, str | None, str | None]]:
    return {
        tally.symptom: (
            tally.count,
            str(tally.first_seen) if tally.first_seen else None,
            str(tally.last_seen) if tally.last_seen else None,
        )
        for tally in result.symptoms
    }


# ---------------------------------------------------------------------------------------------
# The five systems


@pytest.mark.parametrize(
    ("log", "expected", "first_cause"),
    [
        (
            "lambda-timeout.log",
            {
                "scan_lambda_timed_out": (2, "2024-05-01T22:14:03.512Z", "2024-05-01T22:16:11.037Z"),
                "scan_lambda_duration_ms": (3, None, None),  # REPORT lines carry no time
                "scan_runtime": (9, None, None),
            },
            "scan_lambda_timeout",
        ),
        (
            "dynamodb-throttling.log",
            {"scan_dynamodb_throttled": (3, "2024-05-01T10:00:00.123", "2024-05-01T10:00:07.902")},
            "scan_dynamodb_capacity",
        ),
        (
            "alb-access.log",
            {"scan_alb_502": (3, "2024-05-01T10:02:14.882Z", "2024-05-01T10:04:51.337Z")},
            "scan_alb_no_healthy_target",
        ),
        (
            "ecs-service-events.log",
            {"scan_ecs_task_stopped": (2, "2024-05-01T10:02:09.000Z", "2024-05-01T10:04:47.000Z")},
            "scan_alb_no_healthy_target",
        ),
        (
            "discord-bot.jsonl",
            {
                "scan_discord_429": (3, "2024-05-01T10:00:00.123Z", "2024-05-01T10:01:00.999Z"),
                "scan_retry_after": (3, "2024-05-01T10:00:00.123Z", "2024-05-01T10:01:00.999Z"),
            },
            "scan_discord_rate_limit",
        ),
    ],
)
def test_each_system_log_gives_its_symptoms_and_cause(
    knowledge: Knowledge, log: str, expected: dict[str, tuple[int, str | None, str | None]], first_cause: str
) -> None:
    result = scan(knowledge, LOGS / log)
    assert summary(result) == expected
    diagnosis = diagnose_scan(result, Diagnoser(knowledge))
    assert diagnosis.diagnoses[0].cause.id == first_cause


def test_syslog_times_take_the_current_year(knowledge: Knowledge) -> None:
    result = scan(knowledge, LOGS / "mongodb-connection.log")
    year = datetime.now(timezone.utc).year
    counted = summary(result)["scan_mongo_unreachable"]
    assert counted[0] == 3
    assert {counted[1], counted[2]} <= {
        f"{year}-05-01T10:00:31",
        f"{year}-05-01T10:01:33",
        f"{year - 1}-05-01T10:00:31",
        f"{year - 1}-05-01T10:01:33",
    }
    assert diagnose_scan(result, Diagnoser(knowledge)).diagnoses[0].cause.id == "scan_mongo_down"


LAMBDA_EXPORT = {
    "scan_runtime": (2, "2024-05-01T22:13:33.481Z", "2024-05-01T22:14:03.513Z"),
    "scan_lambda_timed_out": (1, "2024-05-01T22:14:03.512Z", "2024-05-01T22:14:03.512Z"),
    "scan_lambda_duration_ms": (1, "2024-05-01T22:14:03.513Z", "2024-05-01T22:14:03.513Z"),
}


@pytest.mark.parametrize(
    ("log", "timeout_line"), [("cloudwatch-export.jsonl", 2), ("cloudwatch-filter-log-events.json", 12)]
)
def test_cloudwatch_exports_use_the_message_and_the_event_time(
    knowledge: Knowledge, log: str, timeout_line: int
) -> None:
    result = scan(knowledge, LOGS / log)
    assert result.lines == 3
    assert summary(result) == LAMBDA_EXPORT
    assert result.tallies["scan_lambda_duration_ms"].value == 30033.52
    sample = result.tallies["scan_lambda_timed_out"].samples[0]
    assert sample.source == f"{LOGS / log}:{timeout_line}"
    assert sample.text.endswith("Task timed out after 30.03 seconds")


def test_gzip_is_read_like_the_plain_file(knowledge: Knowledge) -> None:
    plain = scan(knowledge, LOGS / "lambda-timeout.log")
    packed = scan(knowledge, LOGS / "lambda-timeout.log.gz")
    assert (packed.lines, summary(packed)) == (plain.lines, summary(plain))


def test_gzip_is_recognised_by_its_magic_bytes_not_its_name(knowledge: Knowledge, tmp_path: Path) -> None:
    rotated = tmp_path / "app.log.1"
    rotated.write_bytes(gzip.compress((LOGS / "dynamodb-throttling.log").read_bytes()))
    assert summary(scan(knowledge, rotated)) == summary(scan(knowledge, LOGS / "dynamodb-throttling.log"))


def test_several_files_add_up_and_samples_name_their_line(knowledge: Knowledge) -> None:
    result = scan(knowledge, LOGS / "alb-access.log", LOGS / "ecs-service-events.log")
    assert result.files == [str(LOGS / "alb-access.log"), str(LOGS / "ecs-service-events.log")]
    assert result.lines == 4 + 5
    assert [sample.source for sample in result.tallies["scan_ecs_task_stopped"].samples] == [
        f"{LOGS / 'ecs-service-events.log'}:2",
        f"{LOGS / 'ecs-service-events.log'}:4",
    ]
    diagnosis = diagnose_scan(result, Diagnoser(knowledge))
    assert diagnosis.diagnoses[0].cause.id == "scan_alb_no_healthy_target"
    assert diagnosis.answers["scan_alb_502"] is True


# ---------------------------------------------------------------------------------------------
# Hard input


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


TIMEOUT_LINE = b"2024-05-01T22:14:03.512Z 3f6c2a1e Task timed out after 30.03 seconds"


def test_invalid_utf8_is_replaced_not_fatal(knowledge: Knowledge, tmp_path: Path) -> None:
    log = write(tmp_path, "bad.log", b"\xff\xfe garbage \xc3\n" + TIMEOUT_LINE + b" \xe9t\xe9\n")
    result = scan(knowledge, log)
    sample = result.tallies["scan_lambda_timed_out"].samples[0]
    assert sample.text.endswith("seconds \ufffdt\ufffd")
    assert sample.source == f"{log}:2"


def test_a_very_long_line_is_cut_and_the_scan_goes_on(knowledge: Knowledge, tmp_path: Path) -> None:
    beyond_the_cut = b"x" * (triage.scan.MAX_LINE_BYTES + 10) + TIMEOUT_LINE
    within = TIMEOUT_LINE + b" " + b"y" * (3 * triage.scan.CHUNK_BYTES)
    log = write(tmp_path, "long.log", beyond_the_cut + b"\n" + within + b"\n" + TIMEOUT_LINE + b"\n")
    result = scan(knowledge, log)
    assert result.lines == 3
    tally = result.tallies["scan_lambda_timed_out"]
    assert [sample.source for sample in tally.samples] == [f"{log}:2", f"{log}:3"]
    assert len(tally.samples[0].text) == triage.scan.MAX_SAMPLE_CHARS


def test_an_empty_file_scans_to_nothing(knowledge: Knowledge, tmp_path: Path) -> None:
    result = scan(knowledge, write(tmp_path, "empty.log", b""))
    assert (result.lines, result.tallies) == (0, {})


@pytest.mark.parametrize("chunk_bytes", [1, 7, 100, 4096])
def test_results_do_not_depend_on_where_chunks_end(
    knowledge: Knowledge, monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    logs = [LOGS / "lambda-timeout.log", LOGS / "discord-bot.jsonl", LOGS / "alb-access.log"]
    expected = scan(knowledge, *logs)
    monkeypatch.setattr(triage.scan, "CHUNK_BYTES", chunk_bytes)
    result = scan(knowledge, *logs)
    assert (result.lines, summary(result)) == (expected.lines, summary(expected))
    assert [t.samples for t in result.symptoms] == [t.samples for t in expected.symptoms]


def test_only_counts_and_three_samples_are_kept(knowledge: Knowledge, tmp_path: Path) -> None:
    lines = b"".join(
        b"2024-05-01T10:%02d:%02d.000Z abc Task timed out after 3.00 seconds\n" % divmod(i, 60)
        for i in range(3000)
    )
    tally = scan(knowledge, write(tmp_path, "many.log", lines)).tallies["scan_lambda_timed_out"]
    assert (tally.count, len(tally.samples)) == (3000, 3)
    assert (str(tally.first_seen), str(tally.last_seen)) == (
        "2024-05-01T10:00:00.000Z",
        "2024-05-01T10:49:59.000Z",
    )


@pytest.mark.parametrize(
    ("line", "time"),
    [
        (
            {"message": "Task timed out after 3.00 seconds", "timestamp": 1714557600123},
            "2024-05-01T10:00:00.123Z",
        ),
        (
            {"msg": "Task timed out after 3.00 seconds", "time": "2024-05-01T10:00:00Z"},
            "2024-05-01T10:00:00Z",
        ),
        (
            {"log": "Task timed out after 3.00 seconds\n", "time": "2024-05-01T12:00:00+02:00"},
            "2024-05-01T10:00:00Z",
        ),
        (
            {"t": {"$date": "2024-05-01T10:00:00.500+00:00"}, "msg": "Task timed out after 3.00 seconds"},
            "2024-05-01T10:00:00.500Z",
        ),
        (
            {"level": "error", "error": "2024-05-01 10:00:00,250 Task timed out after 3.00 seconds"},
            "2024-05-01T10:00:00.250",
        ),
    ],
)
def test_json_lines_take_the_message_and_the_time(
    knowledge: Knowledge, tmp_path: Path, line: dict[str, object], time: str
) -> None:
    log = write(
        tmp_path, "app.jsonl", (json.dumps({"msg": "ready"}) + "\n" + json.dumps(line) + "\n").encode()
    )
    tally = scan(knowledge, log).tallies["scan_lambda_timed_out"]
    assert (tally.count, str(tally.first_seen), tally.samples[0].source) == (1, time, f"{log}:2")


def test_a_pattern_that_runs_away_is_stopped_and_reported(tmp_path: Path) -> None:
    knowledge_file = tmp_path / "slow.yaml"
    knowledge_file.write_text(
        "symptoms:\n"
        "  - id: slow_signal\n"
        "    question: Is it slow?\n"
        "    patterns: [{regex: '(?:a+)+b'}]\n"
        "  - id: timed_out\n"
        "    question: Timed out?\n"
        "    patterns: [{regex: 'timed out'}]\n"
    )
    slow = load_knowledge([knowledge_file], shipped=False)
    log = write(tmp_path, "a.log", b"a" * 40 + b"c timed out\n" + b"a" * 40 + b"c timed out\n")
    result = LogScanner(slow, pattern_time_limit=0.3).scan([str(log)])
    assert result.tallies["timed_out"].count == 2
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"{log}:1: a pattern of symptom 'slow_signal' ran over 0.3 s")


# ---------------------------------------------------------------------------------------------
# The prefilter never hides a match


@pytest.mark.parametrize(
    "pattern", [r"\b[a-z]{3,}\d{4}\b", r"(?x) \b [a-z]{3,} \d{4} \b", r"(?i)\b[a-z]{3,}\d{4}\b"]
)
def test_patterns_without_a_required_literal_still_match(tmp_path: Path, pattern: str) -> None:
    knowledge_file = tmp_path / "k.yaml"
    knowledge_file.write_text(
        json.dumps(
            {"symptoms": [{"id": "code", "question": "An order code?", "patterns": [{"regex": pattern}]}]}
        )
    )
    code = load_knowledge([knowledge_file], shipped=False)
    log = write(tmp_path, "k.log", b"nothing here 12\nsee ORDER9812 now\n")
    scanner = LogScanner(code)
    assert summary(scanner.scan([str(log)])) == {"code": (1, None, None)}
    assert scanner.prefilter.pattern != rb"^"  # joined the prefilter rather than disabling it


def test_a_pattern_without_a_required_literal_reads_a_contraction_without_its_apostrophe(
    tmp_path: Path,
) -> None:
    # the prefilter joins such a pattern into its alternation: it must match what the pattern matches
    knowledge_file = tmp_path / "k.yaml"
    knowledge_file.write_text(
        json.dumps(
            {
                "symptoms": [
                    {"id": "refusal", "question": "Refused?", "patterns": [{"regex": r"\b(?:\d{5}|won.t)\b"}]}
                ]
            }
        )
    )
    refusal = load_knowledge([knowledge_file], shipped=False)
    log = write(tmp_path, "k.log", b"nothing here\nthe app wont start\n")
    assert summary(LogScanner(refusal).scan([str(log)])) == {"refusal": (1, None, None)}


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"Task timed out after (?:\d+(?:\.\d+)?) seconds", {"task timed out after "}),
        (r"\btim(?:ing|ed) ?out\b", {"timing out", "timingout", "timed out", "timedout"}),
        (r"\b50[234]\b", {"502", "503", "504"}),
        (r"(?<![\w-])timed[\s_-]+out(?![\w-])", {"timed"}),
        (r"ECONNREFUSED.*27017", {"econnrefused"}),
        (
            r"\bMongoServerSelectionError\b|\bECONNREFUSED [\d.]+:27017\b",
            {"mongoserverselectionerror", "econnrefused "},
        ),
        (r"café error", {" error"}),  # the prefilter folds ASCII case only
        (r'say "hi"', {"say "}),  # JSON would escape the quote
        (r"x*", None),
        (r"(?:[a-z]+-){3}[a-z]+", {"-"}),
        (r"\b[a-z]{3,}\d{4}\b", None),
    ],
)
def test_required_literals(pattern: str, literals: set[str] | None) -> None:
    assert required_literals(pattern) == (frozenset(literals) if literals is not None else None)


_FRAGMENTS = st.sampled_from(
    [
        "Task timed out after 3.5 seconds",
        "ProvisionedThroughputExceededException",
        "ECONNREFUSED 10.0.0.1:27017",
        "MongoServerSelectionError",
        "DiscordAPIError[429]",
        "You are being rate limited",
        "retry_after=2",
        "RequestId: 3f6c2a1e-aa",
        "\tDuration: 12.5 ms",
        "502 Bad Gateway",
        "Essential container in task exited",
        "ecs-agent",
        " ",
        "-",
        "\t",
        "x",
        "é",
        "TIMED",
        "OUT",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_FRAGMENTS, max_size=6).map("".join), min_size=1, max_size=8))
def test_the_scan_finds_what_running_every_pattern_finds(
    knowledge: Knowledge, tmp_path_factory: pytest.TempPathFactory, lines: list[str]
) -> None:
    mixed = [line.swapcase() if index % 2 else line for index, line in enumerate(lines)]
    log = tmp_path_factory.mktemp("prop") / "p.log"
    log.write_text("\n".join(mixed) + "\n", encoding="utf-8")
    matcher = Matcher(knowledge)
    expected: dict[str, int] = {}
    for line in mixed:
        for symptom in {match.symptom for match in matcher.scan(line, "log", literal=True)}:
            expected[symptom] = expected.get(symptom, 0) + 1
    assert {tally.symptom: tally.count for tally in scan(knowledge, log).symptoms} == expected


# ---------------------------------------------------------------------------------------------
# Timestamps


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2024-05-01T22:14:03.512Z abc", "2024-05-01T22:14:03.512Z"),
        ("2024-05-01 10:00:00,123 ERROR x", "2024-05-01T10:00:00.123"),
        ("2024-05-01T12:00:00+02:00 x", "2024-05-01T10:00:00Z"),
        ('10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 502', "2024-05-01T10:00:00Z"),
        ("May  1 10:00:00 host app[1]: boom", "2024-05-01T10:00:00"),
        ("no time here, only 2024", None),
    ],
)
def test_find_timestamp(line: str, expected: str | None) -> None:
    found = find_timestamp(line, now=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert (str(found) if found else None) == expected


def test_syslog_dates_ahead_of_now_belong_to_last_year() -> None:
    found = find_timestamp("Dec 31 23:59:59 host x", now=datetime(2025, 1, 1, 0, 5, tzinfo=timezone.utc))
    assert str(found) == "2024-12-31T23:59:59"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1714557600123, "2024-05-01T10:00:00.123Z"),
        (1714557600, "2024-05-01T10:00:00Z"),
        ("1714557600123", "2024-05-01T10:00:00.123Z"),
        (42, None),
        (True, None),
    ],
)
def test_epoch_numbers_in_json(value: object, expected: str | None) -> None:
    found = timestamp_of_value(value)
    assert (str(found) if found else None) == expected


# ---------------------------------------------------------------------------------------------
# What the user knows, and the wizard's way in


def test_answers_file_adds_what_the_user_knows(knowledge: Knowledge, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("scan_recent_deploy: true\n")
    result = scan(knowledge, LOGS / "alb-access.log")
    diagnoser = Diagnoser(knowledge)
    before = {d.cause.id: d.confidence for d in diagnose_scan(result, diagnoser).diagnoses}
    after = {
        d.cause.id: d.confidence
        for d in diagnose_scan(result, diagnoser, read_answers(str(answers))).diagnoses
    }
    assert after["scan_bad_deploy"] > before["scan_bad_deploy"]


def test_a_case_file_works_as_answers(knowledge: Knowledge, tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(
        "id: billing\nanswers: {scan_recent_deploy: false}\ncontext: {function_name: billing-webhook}\n"
    )
    known = read_answers(str(case))
    outcome = diagnose_scan(scan(knowledge, LOGS / "lambda-timeout.log"), Diagnoser(knowledge), known)
    assert outcome.case_id == "billing"
    assert outcome.answers["scan_recent_deploy"] is False
    assert outcome.diagnoses[0].diagnostics[0].command == (
        "aws lambda get-function-configuration --function-name billing-webhook --query Timeout"
    )


def test_answers_of_the_wrong_kind_are_rejected(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("scan_recent_deploy: [1, 2]\n")
    with pytest.raises(CaseFileError) as caught:
        read_answers(str(answers))
    assert caught.value == CaseFileError(
        "answer to 'scan_recent_deploy' must be true, false, null, a choice or a number",
        Place(str(answers), 1, 21),
    )


def test_answers_to_unknown_symptoms_name_the_file(run_triage: Run, tmp_path: Path) -> None:
    answers = tmp_path / "known.yaml"
    answers.write_text("scan_recent_deploi: true\n")
    result = run_triage(
        "scan", str(LOGS / "alb-access.log"), "--answers", str(answers), "--knowledge", str(SCAN_KNOWLEDGE)
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"triage: {answers}:1:1: unknown symptom 'scan_recent_deploi' in answers; did you mean 'scan_recent_deploy'?\n"
    )


def test_memory_stays_flat_on_a_large_log(knowledge: Knowledge, tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    block = b"".join(
        b"2024-05-01T10:00:00.000Z INFO GET /v1/loans/%d 200 12ms trace=%016x\n" % (i, i * 7919)
        for i in range(20000)
    )
    with log.open("wb") as out:
        for _ in range(16):  # about 24 MB
            out.write(block)
            out.write(TIMEOUT_LINE + b"\n")
    tracemalloc.start()
    try:
        result = scan(knowledge, log)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.tallies["scan_lambda_timed_out"].count == 16
    assert log.stat().st_size > 20_000_000
    assert peak < 12 * 1024 * 1024  # a few chunks, not the file


def test_saved_scan_output_becomes_a_case(run_triage: Run, tmp_path: Path) -> None:
    result = run_triage(
        "scan", str(LOGS / "discord-bot.jsonl"), "--format", "json", "--knowledge", str(SCAN_KNOWLEDGE)
    )
    saved = tmp_path / "scan.json"
    saved.write_text(result.stdout)
    case = read_scan_case(saved)
    assert isinstance(case, CaseModel)
    assert case.answers["scan_discord_429"] is True
    assert case.answers["scan_retry_after"] == 4.5


def test_other_json_is_not_taken_for_a_scan(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"cases": []}')
    with pytest.raises(CaseFileError) as caught:
        read_scan_case(other)
    assert str(caught.value) == (
        f"{other}:1:1: not the output of `triage scan --format json` (expected 'files', 'symptoms' and 'cases')"
    )


# ---------------------------------------------------------------------------------------------
# The installed command


def test_json_output_has_the_documented_shape(run_triage: Run) -> None:
    result = run_triage(
        "scan", str(LOGS / "lambda-timeout.log"), "--format", "json", "--knowledge", str(SCAN_KNOWLEDGE)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar without a terminal
    output = json.loads(result.stdout)
    assert set(output) >= {"files", "lines", "symptoms", "cases"}
    assert (output["files"], output["lines"]) == ([str(LOGS / "lambda-timeout.log")], 18)
    timed_out = next(s for s in output["symptoms"] if s["id"] == "scan_lambda_timed_out")
    assert timed_out["count"] == 2
    assert (timed_out["first_seen"], timed_out["last_seen"]) == (
        "2024-05-01T22:14:03.512Z",
        "2024-05-01T22:16:11.037Z",
    )
    assert timed_out["samples"][0] == (
        "2024-05-01T22:14:03.512Z 6f1c9a0e-2b4d-4e8f-9a1b-3c5d7e9f0a12 Task timed out after 30.03 seconds"
    )
    case = output["cases"][0]
    assert {"id", "matched", "diagnoses"} <= set(case)
    assert case["answers"]["scan_lambda_timed_out"] is True
    assert {"id", "title", "confidence", "sources", "evidence", "diagnostics", "solutions"} <= set(
        case["diagnoses"][0]
    )


def test_text_and_markdown_show_counts_times_and_samples(run_triage: Run) -> None:
    args = ("scan", str(LOGS / "dynamodb-throttling.log"), "--knowledge", str(SCAN_KNOWLEDGE))
    text = run_triage(*args)
    assert text.returncode == 0, text.stderr
    assert re.search(
        r"^scan_dynamodb_throttled +3  2024-05-01T10:00:00\.123 +2024-05-01T10:00:07\.902$", text.stdout, re.M
    )
    assert f"{LOGS / 'dynamodb-throttling.log'}:2: 2024-05-01 10:00:00,123 ERROR" in text.stdout
    markdown = run_triage(*args, "--format", "markdown")
    assert (
        "| `scan_dynamodb_throttled` | 3 | 2024-05-01T10:00:00.123 | 2024-05-01T10:00:07.902 |"
        in markdown.stdout
    )
    assert "# Triage report: scan" in markdown.stdout


def test_reads_standard_input_plain_and_gzipped() -> None:
    for data in (TIMEOUT_LINE + b"\n", gzip.compress(TIMEOUT_LINE + b"\n")):
        result = subprocess.run(
            [triage_executable(), "scan", "-", "--format", "json", "--knowledge", str(SCAN_KNOWLEDGE)],
            input=data,
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        output = json.loads(result.stdout)
        assert output["files"] == ["<stdin>"]
        assert next(s for s in output["symptoms"] if s["id"] == "scan_lambda_timed_out")["count"] == 1


def test_answers_option_reaches_the_report(run_triage: Run, tmp_path: Path) -> None:
    answers = tmp_path / "known.json"
    answers.write_text('{"scan_recent_deploy": true}')
    result = run_triage(
        "scan",
        str(LOGS / "alb-access.log"),
        "--answers",
        str(answers),
        "--format",
        "json",
        "--knowledge",
        str(SCAN_KNOWLEDGE),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cases"][0]["answers"]["scan_recent_deploy"] is True


def test_no_symptom_means_exit_1(run_triage: Run, tmp_path: Path) -> None:
    quiet = tmp_path / "quiet.log"
    quiet.write_text("")
    result = run_triage("scan", str(quiet), "--format", "json", "--knowledge", str(SCAN_KNOWLEDGE))
    assert result.returncode == 1, result.stderr
    output = json.loads(result.stdout)
    assert (output["lines"], output["symptoms"], output["cases"][0]["diagnoses"]) == (0, [], [])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.log", "missing.log: file not found"),
        (lambda tmp: tmp, ": is a directory; give the log files in it (e.g. folder/*.log)"),
        (
            lambda tmp: write(tmp, "broken.gz", gzip.compress(b"Task timed out after 3 seconds\n" * 50)[:40]),
            "broken.gz: cannot read: the gzip file is truncated",
        ),
        (
            lambda tmp: write(tmp, "notgzip.gz", b"\x1f\x8bthis is not deflate data at all"),
            "notgzip.gz: cannot read: not a valid gzip file",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    run_triage: Run, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    result = run_triage("scan", str(LOGS / "alb-access.log"), str(path), "--knowledge", str(SCAN_KNOWLEDGE))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"triage: {path}")
    assert message in result.stderr


def test_log_errors_carry_the_file(knowledge: Knowledge, tmp_path: Path) -> None:
    with pytest.raises(LogFileError) as caught:
        scan(knowledge, tmp_path / "nope.log")
    assert caught.value == LogFileError("file not found", Place(str(tmp_path / "nope.log")))


def test_a_progress_bar_shows_on_a_terminal() -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        triage_executable(),
        ["scan", str(LOGS / "alb-access.log"), "--format", "json", "--knowledge", str(SCAN_KNOWLEDGE)],
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 0
    assert "scanning" in output and "/2.2 kB" in output

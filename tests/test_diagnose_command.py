"""`triage diagnose` and `triage export` as a user runs them: the installed command on real files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from triage.batch import diagnose_batch
from triage.cases import parse_cases
from triage.cli import main
from triage.diagnosis import Diagnoser
from triage.knowledge import Knowledge
from triage.ranking import SOMETHING_ELSE

MINI = Path(__file__).parent / "files" / "mini"
# the mini knowledge on its own, so the shipped causes do not compete with its small ones
MINI_ALONE = ("--no-shipped", "--knowledge", str(MINI))

Run = Callable[..., CompletedProcess[str]]

LAMBDA_CASE = """\
id: slow-fn
description: our lambda keeps failing tonight
errors:
  - "2024-05-01T22:14:03.512Z 3f6c2a1e Task timed out after 30.03 seconds"
  - "REPORT RequestId: 3f6c2a1e Duration: 30000.00 ms"
context: {function_name: billing-webhook}
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_json_output_keeps_the_contract_shape(run_triage: Run, tmp_path: Path) -> None:
    case = write(tmp_path, "case.yaml", LAMBDA_CASE)
    result = run_triage("diagnose", str(case), "--format", "json", *MINI_ALONE)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    first_case = output["cases"][0]
    assert first_case["id"] == "slow-fn"
    assert {"symptom", "text"} <= set(first_case["matched"][0])
    top = first_case["diagnoses"][0]
    assert {"id", "title", "confidence", "sources", "evidence", "diagnostics", "solutions"} <= set(top)
    assert top["id"] == "lambda_timeout_too_low"
    assert top["sources"] == [{"guide": "000_9059417cf1f8dcea.txt", "section": "Timeout Issues"}]
    assert {"title", "command"} <= set(top["diagnostics"][0])


def test_placeholders_are_filled_from_the_case_context(run_triage: Run, tmp_path: Path) -> None:
    case = write(tmp_path, "case.yaml", LAMBDA_CASE)
    output = json.loads(run_triage("diagnose", str(case), "--format", "json", *MINI_ALONE).stdout)
    top = output["cases"][0]["diagnoses"][0]
    assert top["diagnostics"][0]["command"] == (
        "aws lambda get-function-configuration --function-name billing-webhook --query 'Timeout'"
    )
    assert top["diagnostics"][0]["changes_system"] is False
    assert top["solutions"][0]["commands"][0]["changes_system"] is True


def test_reads_standard_input_and_json(run_triage: Run) -> None:
    result = run_triage(
        "diagnose",
        "-",
        "--format",
        "json",
        *MINI_ALONE,
        stdin=json.dumps({"errors": ["Task timed out after 3.00 seconds"]}),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cases"][0]["diagnoses"][0]["id"] == "lambda_timeout_too_low"


def test_several_cases_are_diagnosed_in_order_with_top(run_triage: Run, tmp_path: Path) -> None:
    case = write(
        tmp_path,
        "cases.yaml",
        "cases:\n  - {id: one, errors: ['Task timed out after 3 seconds']}\n  - {id: two, description: ecs out of memory}\n",
    )
    output = json.loads(
        run_triage("diagnose", str(case), "--format", "json", "--top", "1", *MINI_ALONE).stdout
    )
    assert [c["id"] for c in output["cases"]] == ["one", "two"]
    assert [len(c["diagnoses"]) for c in output["cases"]] == [1, 1]
    assert output["cases"][1]["diagnoses"][0]["id"] == "container_oom"


def test_exit_status_is_1_when_a_case_gets_no_diagnosis(run_triage: Run, tmp_path: Path) -> None:
    case = write(tmp_path, "case.yaml", "description: the weather is nice today\n")
    result = run_triage("diagnose", str(case), *MINI_ALONE)
    assert result.returncode == 1
    assert "No diagnosis" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("description: [unclosed\n", "case.yaml:2:1: invalid YAML"),
        (
            '{"description": "x",\n "errors": [1]}',
            "case.yaml:2:13: errors[0]: Input should be a valid string",
        ),
        ("- a list\n", "case.yaml:1:1: expected a mapping"),
        ("id: x\n", "case.yaml:1:1: a case needs at least one of description, errors, answers"),
        (
            "description: x\nanswers: {timed_out: maybe}\n",
            "answer to 'timed_out': expected true, false or null, got 'maybe'",
        ),
        (
            "description: x\nanswers: {timed_ot: true}\n",
            "unknown symptom 'timed_ot' in answers; did you mean 'timed_out'?",
        ),
        ("descripton: x\n", "case.yaml:1:1: unknown field descripton; did you mean 'description'?"),
        ("cases: []\n", "case.yaml:1:8: 'cases' must be a non-empty list of cases"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "case.yaml:3: binary data (NUL byte), expected UTF-8 text"),
    ],
)
def test_bad_input_is_one_line_naming_the_file_with_exit_2(
    run_triage: Run, tmp_path: Path, content: str | bytes, expected: str
) -> None:
    case = write(tmp_path, "case.yaml", content)
    result = run_triage("diagnose", str(case), *MINI_ALONE)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("triage: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_named(run_triage: Run) -> None:
    result = run_triage("diagnose", "missing.yaml")
    assert (result.returncode, result.stderr) == (2, "triage: missing.yaml: file not found\n")


def test_a_broken_knowledge_file_is_named_with_its_line(run_triage: Run, tmp_path: Path) -> None:
    knowledge = write(tmp_path, "team.yaml", "symptoms:\n  - id: x\n    question: q\n    kind: boolan\n")
    case = write(tmp_path, "case.yaml", LAMBDA_CASE)
    result = run_triage("diagnose", str(case), "--knowledge", str(knowledge))
    assert result.returncode == 2
    assert result.stderr.startswith("triage: team.yaml:4:11: symptoms[0].kind: Input should be")


def test_markdown_and_text_formats_show_commands_and_sources(run_triage: Run, tmp_path: Path) -> None:
    case = write(tmp_path, "case.yaml", LAMBDA_CASE)
    markdown = run_triage("diagnose", str(case), "--format", "markdown", *MINI_ALONE).stdout
    assert "## 1. Lambda timeout set too low" in markdown
    assert "--function-name billing-webhook --query 'Timeout'" in markdown
    assert "000_9059417cf1f8dcea.txt § Timeout Issues" in markdown
    text = run_triage("diagnose", str(case), *MINI_ALONE).stdout
    assert "Lambda timeout set too low" in text and "read-only" in text and "changes the system" in text


def test_export_lists_every_kind_with_sources(run_triage: Run) -> None:
    result = run_triage("export", "--format", "json", "--knowledge", str(MINI))
    data = json.loads(result.stdout)
    assert set(data) == {"causes", "symptoms", "rules", "procedures"}
    assert all(cause["sources"] for cause in data["causes"])
    assert all(procedure["sources"] for procedure in data["procedures"])
    assert "lambda_health" in {p["id"] for p in data["procedures"]}


def test_export_yaml_is_safe_yaml(run_triage: Run) -> None:
    import yaml

    data = yaml.safe_load(run_triage("export", "--format", "yaml").stdout)
    assert set(data) == {"causes", "symptoms", "rules", "procedures"}


def test_main_runs_in_process_and_returns_the_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = write(tmp_path, "case.yaml", LAMBDA_CASE)
    assert main(["diagnose", str(case), "--format", "json", *MINI_ALONE]) == 0
    assert json.loads(capsys.readouterr().out)["cases"][0]["id"] == "slow-fn"


def test_jobs_gives_the_same_results_as_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = "cases:\n" + "".join(
        f"  - {{id: c{i}, errors: ['Task timed out after {i} seconds'], description: 'lambda'}}\n"
        for i in range(12)
    )
    path = write(tmp_path, "cases.yaml", cases)
    main(["diagnose", str(path), "--format", "json", *MINI_ALONE])
    single = capsys.readouterr().out
    main(["diagnose", str(path), "--format", "json", "--jobs", "2", *MINI_ALONE])
    assert capsys.readouterr().out == single


def test_layered_knowledge_sits_on_the_shipped_one_unless_no_shipped(run_triage: Run) -> None:
    layered = json.loads(run_triage("export", "--format", "json", "--knowledge", str(MINI)).stdout)
    alone = json.loads(run_triage("export", "--format", "json", *MINI_ALONE).stdout)
    mini_causes = {"lambda_timeout_too_low", "lambda_memory_too_low", "container_oom"}
    assert {cause["id"] for cause in alone["causes"]} == mini_causes
    assert {cause["id"] for cause in layered["causes"]} > mini_causes


def test_batch_results_keep_only_the_reported_causes_and_the_same_json(mini_knowledge: Knowledge) -> None:
    cases = parse_cases(LAMBDA_CASE, "case.yaml")
    full = Diagnoser(mini_knowledge).diagnose(cases[0], top=1)
    [compact] = diagnose_batch(cases, mini_knowledge, top=1)
    assert len(full.ranking) == len(mini_knowledge.causes) + 1
    assert [score.cause for score in compact.ranking] == [full.diagnoses[0].cause.id, SOMETHING_ELSE]
    assert compact.to_json() == full.to_json()


def test_the_json_report_is_one_json_dumps_of_every_case_written_case_by_case(
    mini_knowledge: Knowledge,
) -> None:
    import io

    from triage.report import write_json

    cases = parse_cases(
        'cases:\n  - {id: one, description: our lambda times out}\n  - {id: two, errors: ["HTTP 503"]}\n',
        "cases.yaml",
    )
    results = diagnose_batch(cases, mini_knowledge, shipped=False)
    for chosen in (results, results[:1], []):
        written = io.StringIO()
        write_json(chosen, written)
        whole = {"cases": [result.to_json() for result in chosen]}
        assert written.getvalue() == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"

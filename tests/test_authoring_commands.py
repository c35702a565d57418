"""Authoring commands: schema (and the generated docs), show, explain, graph, and knowledge tests.

They run on the tutorial's team knowledge (docs/tutorial), layered on the shipped one; every id it
adds starts with ``tutorial_``, so the assertions hold whatever the shipped knowledge holds.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pytest

from triage.schema import knowledge_schema_text, reference_markdown

Run = Callable[..., subprocess.CompletedProcess[str]]

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
TUTORIAL = DOCS / "tutorial"
CAUSE = "tutorial_redis_maxmemory_noeviction"
SYMPTOM = "tutorial_redis_oom_error"
LAYER = ("--knowledge", str(TUTORIAL))


def test_committed_json_schema_is_current() -> None:
    committed = (DOCS / "knowledge.schema.json").read_text(encoding="utf-8")
    assert committed == knowledge_schema_text(), "run: triage schema > docs/knowledge.schema.json"


def test_committed_field_reference_is_current() -> None:
    committed = (DOCS / "knowledge-reference.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), (
        "run: triage schema --format markdown > docs/knowledge-reference.md"
    )


def test_schema_command_prints_the_schema(run_triage: Run) -> None:
    result = run_triage("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"symptoms", "causes", "rules", "procedures"}
    assert schema["$defs"]["Condition"]["properties"].keys() >= {"not", "is", "all", "any"}


def test_schema_markdown_lists_every_cause_field(run_triage: Run) -> None:
    result = run_triage("schema", "--format", "markdown")
    section = result.stdout.split("## Cause\n", 1)[1].split("\n## ", 1)[0]
    for field in (
        "id",
        "title",
        "summary",
        "evidence",
        "diagnostics",
        "solutions",
        "sources",
        "override",
        "lint",
    ):
        assert f"| `{field}` |" in section


def test_shipped_files_point_editors_at_the_schema() -> None:
    first_lines = {
        p.name: p.read_text(encoding="utf-8").splitlines()[0] for p in (ROOT / "knowledge").glob("*.yaml")
    }
    assert first_lines
    assert set(first_lines.values()) == {"# yaml-language-server: $schema=../docs/knowledge.schema.json"}


def test_show_a_cause_with_its_links(run_triage: Run) -> None:
    result = run_triage("show", CAUSE, *LAYER)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"cause {CAUSE}  (docs/tutorial/redis.yaml:25:5)" or lines[0].startswith(
        f"cause {CAUSE}  ("
    )
    assert f"id: {CAUSE}" in lines
    assert (
        "  evidence from symptoms: problem_area (database: 0.92), failure_mode (error: 0.92), "
        f"{SYMPTOM} (always), tutorial_redis_eviction_policy (noeviction: 0.9)" in lines
    )


def test_show_a_symptom_names_the_causes_it_is_evidence_for(run_triage: Run) -> None:
    result = run_triage("show", SYMPTOM, *LAYER, "--format", "json")
    data = json.loads(result.stdout)
    assert (data["kind"], data["id"]) == ("symptom", SYMPTOM)
    assert data["links"] == {"evidence for causes": [f"{CAUSE} (always)"]}
    assert data["place"].endswith("redis.yaml:4:5")


def test_show_an_unknown_id_suggests_one(run_triage: Run) -> None:
    result = run_triage("show", "tutorial_redis_oom_eror", *LAYER)
    assert result.returncode == 2
    assert result.stderr == (
        "triage: no symptom, cause, rule, procedure or fact 'tutorial_redis_oom_eror'; "
        "did you mean 'tutorial_redis_oom_error'?\n"
    )


def test_graph_around_a_cause_in_mermaid(run_triage: Run) -> None:
    result = run_triage("graph", CAUSE, *LAYER)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "flowchart LR",
        f'  C_{CAUSE}["cause: {CAUSE}"]',
        '  S_failure_mode(["symptom: failure_mode"])',
        '  S_problem_area(["symptom: problem_area"])',
        '  S_tutorial_redis_eviction_policy(["symptom: tutorial_redis_eviction_policy"])',
        f'  S_{SYMPTOM}(["symptom: {SYMPTOM}"])',
        f"  S_problem_area -->|database: 0.92| C_{CAUSE}",
        f"  S_failure_mode -->|error: 0.92| C_{CAUSE}",
        f"  S_{SYMPTOM} -->|always| C_{CAUSE}",
        f"  S_tutorial_redis_eviction_policy -->|noeviction: 0.9| C_{CAUSE}",
        f"  style C_{CAUSE} stroke-width:3px",
    ]


def test_graph_in_dot(run_triage: Run) -> None:
    result = run_triage("graph", SYMPTOM, "--format", "dot", *LAYER)
    assert result.stdout.startswith("digraph triage {\n")
    assert f'  "S_{SYMPTOM}" -> "C_{CAUSE}" [label="always"];' in result.stdout.splitlines()


def test_graph_of_the_mini_rules_follows_facts(mini_knowledge) -> None:  # type: ignore[no-untyped-def]
    from triage.graph import Node, mermaid, neighbourhood

    text = mermaid(neighbourhood(mini_knowledge, Node("rule", "slow_and_timing_out")))
    assert "  F_slow_invocations -->|tests| R_slow_and_timing_out" in text
    assert "  R_slow_lambda -->|derives| F_slow_invocations" in text
    assert "  R_slow_and_timing_out -->|x3| C_lambda_timeout_too_low" in text
    assert "  R_timeout_pressure_asks_memory -.->|asks| S_memory_full" in text


def test_explain_shows_matches_and_contributions(run_triage: Run) -> None:
    result = run_triage("explain", str(TUTORIAL / "tests" / "redis.yaml"), *LAYER, "--format", "json")
    assert result.returncode == 0, result.stderr
    case = json.loads(result.stdout)["cases"][0]
    assert case["id"] == "redis-oom-pasted"
    assert {"symptom": SYMPTOM, "value": True} in [
        {"symptom": m["symptom"], "value": m["value"]} for m in case["matched"]
    ]
    top = case["causes"][0]
    assert top["id"] == CAUSE
    assert {"kind": "answer", "symptom": SYMPTOM, "value": True, "effect": "supports"}.items() <= top[
        "contributions"
    ][0].items()


def test_explain_lists_rule_firings_and_derived_facts() -> None:
    from triage.cases import parse_cases
    from triage.diagnosis import Diagnoser
    from triage.explain import explain
    from triage.loading import load_knowledge

    knowledge = load_knowledge([ROOT / "tests" / "files" / "mini"], shipped=False)
    case = parse_cases(
        "errors: ['Task timed out after 30.0 seconds']\nanswers: {platform: lambda, duration_ms: 20000}\n",
        "c.yaml",
    )[0]
    explained = explain(Diagnoser(knowledge), case)
    assert [f["rule"] for f in explained["rules_fired"]] == [
        "slow_lambda",
        "slow_and_timing_out",
        "timeout_pressure_asks_memory",
    ]
    assert explained["derived"] == {"slow_invocations": True, "timeout_pressure": True}
    assert explained["causes"][0]["id"] == "lambda_timeout_too_low"
    assert {"kind": "rule", "rule": "slow_and_timing_out", "factor": 3.0, "effect": "supports"} in explained[
        "causes"
    ][0]["contributions"]


def test_explain_a_bad_case_file_is_one_line(run_triage: Run, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("description: [unclosed\n")
    result = run_triage("explain", "bad.yaml")
    assert result.returncode == 2
    assert result.stderr.startswith("triage: bad.yaml:2:1: invalid YAML")
    assert "Traceback" not in result.stderr


TESTS_FILE = """\
cases:
  - id: passes
    errors: ["(error) OOM command not allowed when used memory > 'maxmemory'."]
    expect: {first: tutorial_redis_maxmemory_noeviction}
  - id: fails
    errors: ["(error) OOM command not allowed when used memory > 'maxmemory'."]
    expect: {absent: [tutorial_redis_maxmemory_noeviction]}
  - id: known-gap
    description: the graphs look purple today
    todo: true
    expect: {first: tutorial_redis_maxmemory_noeviction}
"""


@pytest.fixture
def knowledge_tests(tmp_path: Path) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(TESTS_FILE)
    return path


def test_knowledge_tests_report_failures_todo_and_rates(run_triage: Run, knowledge_tests: Path) -> None:
    result = run_triage("test", str(knowledge_tests), *LAYER)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"FAIL {knowledge_tests}:5:5 fails"
    assert lines[1].startswith(f"  - expected {CAUSE} not to be diagnosed, ranked 1")
    assert lines[2].startswith(f"  ! 1. {CAUSE} ")
    assert "tutorial_redis_oom_error=true x97" in lines[2]
    assert any(line.startswith(f"todo {knowledge_tests}:8:5 known-gap") for line in lines)
    assert lines[-1].startswith("1 passed, 1 failed, 1 todo; top-1 50.0%")


def test_knowledge_tests_json_has_per_cause_summary(run_triage: Run, knowledge_tests: Path) -> None:
    data = json.loads(run_triage("test", str(knowledge_tests), *LAYER, "--format", "json").stdout)
    assert data["summary"]["per_cause"][CAUSE]["hits"] == 1
    assert data["summary"]["per_cause"][CAUSE]["misses"] == 1
    assert data["cases"][0]["expected_rank"] == 1


def test_knowledge_tests_junit(run_triage: Run, knowledge_tests: Path) -> None:
    result = run_triage("test", str(knowledge_tests), *LAYER, "--format", "junit")
    suite = ElementTree.fromstring(result.stdout)
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    outcomes = {case.get("name"): [child.tag for child in case] for case in suite}
    assert outcomes == {"passes": [], "fails": ["failure"], "known-gap": ["skipped"]}


REVEALS_FILE = """\
cases:
  - id: read-as-oom
    description: our cache says redis out of memory on every write
    expect: {reveals: [tutorial_redis_oom_error], first: tutorial_redis_maxmemory_noeviction}
  - id: read-as-something-else
    description: the cache is full
    expect: {reveals: [tutorial_redis_oom_error=true, data_store=redis]}
"""


def failing_test_run(run_triage: Run, path: Path, text: str) -> list[str]:
    """`triage test` on ``text`` written to ``path``, which must fail: its output lines."""
    path.write_text(text)
    result = run_triage("test", str(path), *LAYER)
    assert result.returncode == 1
    return result.stdout.splitlines()


def test_a_case_can_require_what_its_text_reveals(run_triage: Run, tmp_path: Path) -> None:
    path = tmp_path / "reveals.yaml"
    lines = failing_test_run(run_triage, path, REVEALS_FILE)
    assert lines[0] == f"FAIL {path}:5:5 read-as-something-else"
    assert lines[1] == "  - expected the text to reveal tutorial_redis_oom_error=true, read nothing"
    assert lines[2] == "  - expected the text to reveal data_store=redis, read nothing"
    assert lines[-1].startswith("1 passed, 1 failed")


DOES_NOT_REVEAL_FILE = """\
cases:
  - id: not-read-as-oom
    description: the cache is full
    expect: {does_not_reveal: [tutorial_redis_oom_error]}
  - id: misread-as-oom
    description: our cache says redis out of memory on every write
    expect: {does_not_reveal: [tutorial_redis_oom_error=true]}
"""


def test_a_case_can_forbid_a_reading_of_its_text(run_triage: Run, tmp_path: Path) -> None:
    path = tmp_path / "does-not-reveal.yaml"
    lines = failing_test_run(run_triage, path, DOES_NOT_REVEAL_FILE)
    assert lines[0] == f"FAIL {path}:5:5 misread-as-oom"
    assert lines[1] == (
        "  - expected the text not to reveal tutorial_redis_oom_error=true, read it from 'redis out of memory'"
    )
    assert lines[-1].startswith("1 passed, 1 failed")


def test_a_case_naming_an_unknown_symptom_is_refused(run_triage: Run, tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "cases:\n  - id: typo\n    description: redis is full\n    expect: {reveals: [redis_oom]}\n"
    )
    result = run_triage("test", str(path), *LAYER)
    assert result.returncode == 2
    assert result.stderr == f"triage: {path}:2:5: test case 'typo' names unknown symptom 'redis_oom'\n"


def test_the_tutorial_lints_clean(run_triage: Run) -> None:
    result = run_triage("lint", str(TUTORIAL / "redis.yaml"), "--strict")
    assert (result.returncode, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n"), result.stdout


@pytest.mark.parametrize("command", ["lint", "schema", "show", "explain", "graph", "test"])
def test_every_authoring_command_has_help(run_triage: Run, command: str) -> None:
    result = run_triage(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: triage " + command)

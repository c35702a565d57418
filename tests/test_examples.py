"""Knowledge cases as examples: their descriptions count among the words of the causes they expect."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from triage.diagnosis import Diagnoser
from triage.examples import expected_causes, knowledge_examples, team_case_files
from triage.knowledge import Knowledge
from triage.loading import load_knowledge
from triage.resemblance import Resemblance

Run = Callable[..., subprocess.CompletedProcess[str]]
TUTORIAL = Path(__file__).parent.parent / "docs" / "tutorial"
TIMEOUTS = {"guide": "000_9059417cf1f8dcea.txt", "section": "timeout issues"}


def test_a_case_is_about_the_cause_it_names(mini_knowledge: Knowledge) -> None:
    assert expected_causes(mini_knowledge, {"first": "container_oom"}) == ["container_oom"]
    assert expected_causes(mini_knowledge, {"first": "no_such_cause"}) == []


def test_a_case_naming_a_section_is_about_every_cause_citing_it(mini_knowledge: Knowledge) -> None:
    assert expected_causes(mini_knowledge, {"source": TIMEOUTS}) == ["lambda_timeout_too_low"]
    assert expected_causes(mini_knowledge, {"source": [TIMEOUTS]}) == ["lambda_timeout_too_low"]


def test_a_case_expecting_nothing_of_the_first_diagnosis_is_no_example(mini_knowledge: Knowledge) -> None:
    assert expected_causes(mini_knowledge, {"none": True}) == []
    assert expected_causes(mini_knowledge, {"top": ["container_oom"]}) == []
    assert expected_causes(mini_knowledge, "container_oom") == []


def test_team_cases_sit_in_the_tests_folder_of_each_layer(tmp_path: Path) -> None:
    (tmp_path / "team" / "tests" / "deep").mkdir(parents=True)
    (tmp_path / "team" / "tests" / "a.yaml").write_text("cases: []\n")
    (tmp_path / "team" / "tests" / "deep" / "b.yml").write_text("cases: []\n")
    layer_file = tmp_path / "team" / "redis.yaml"
    layer_file.write_text("causes: []\n")
    expected = [tmp_path / "team" / "tests" / "a.yaml", tmp_path / "team" / "tests" / "deep" / "b.yml"]
    assert team_case_files([tmp_path / "team"]) == expected
    assert team_case_files([layer_file, tmp_path / "team"]) == expected  # each folder once
    assert team_case_files([tmp_path / "elsewhere.yaml"]) == []


def test_a_team_layer_brings_its_own_cases_as_examples() -> None:
    knowledge = load_knowledge([TUTORIAL / "redis.yaml"])
    examples = knowledge_examples(knowledge)
    assert "writes to the cache started failing" in examples["tutorial_redis_maxmemory_noeviction"]
    assert len(examples["lambda_function_timeout"]) > 10  # and the shipped cases stay


def test_without_the_shipped_knowledge_no_shipped_case_is_read(mini_knowledge: Knowledge) -> None:
    assert knowledge_examples(mini_knowledge) == {}


def test_words_only_an_example_uses_make_a_description_resemble_its_cause(mini_knowledge: Knowledge) -> None:
    text = "the quarterly invoicing batch keeps stalling"
    assert Resemblance(mini_knowledge).compare(text) == []
    examples = {"container_oom": ["our quarterly invoicing batch dies halfway"]}
    (likeness,) = Resemblance(mini_knowledge, examples).compare(text)
    assert likeness.cause == "container_oom"
    assert set(likeness.shared) == {"quarterly", "invoic", "batch"}


def test_the_diagnoser_reads_the_examples_only_when_a_description_needs_them(
    mini_knowledge: Knowledge,
) -> None:
    diagnoser = Diagnoser(mini_knowledge)
    assert "resemblance" not in vars(diagnoser)
    diagnoser.likenesses("a lambda that times out")
    assert "resemblance" in vars(diagnoser)


def test_a_broken_team_case_file_is_reported_with_its_place(run_triage: Run, tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "redis.yaml").write_text((TUTORIAL / "redis.yaml").read_text())
    (tmp_path / "tests" / "redis.yaml").write_text("cases:\n  - description: [unclosed\n")
    case = tmp_path / "case.json"
    case.write_text('{"description": "redis writes fail"}')
    result = run_triage("diagnose", str(case), "--knowledge", str(tmp_path / "redis.yaml"))
    assert result.returncode == 2
    assert (
        result.stderr
        == "triage: tests/redis.yaml:3:1: invalid YAML: expected ',' or ']', but got '<stream end>'\n"
    )

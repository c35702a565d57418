"""``triage lint``: one bad fixture per check, each reported at its place with its code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from triage.lint import CHECKS, lint
from triage.lint_checks.regexes import backtracking_risk, boundary_mistake

LINT = Path(__file__).parent / "files" / "lint"
GUIDES = LINT / "guides"
FIXTURES = "tests/files/lint"

# Each fixture is valid.yaml with one thing broken; the line lint must print for it.
EXPECTED = {
    "K001_yaml_syntax.yaml": "4:1: K001 invalid YAML: expected ',' or ']', but got '<stream end>'",
    "K002_unsafe_tag.yaml": "3:15: K002 YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
    "allowed (only plain data; nothing in a file is ever executed)",
    "K003_empty.yaml": "1:1: K003 empty knowledge file; expected symptoms, causes, rules or procedures",
    "K004_libyaml_only.yaml": "15:39: K004 only libyaml reads this; without it PyYAML stops here: expected "
    "',' or '}', but got '?' (quote the value)",
    "K101_unknown_field.yaml": "8:5: K101 unknown field symptoms[1].bse_rate; did you mean 'base_rate'?",
    "K102_missing_field.yaml": "17:5: K102 missing field causes[1].title",
    "K103_invalid_value.yaml": "21:46: K103 causes[1].evidence[0].likelihood: likelihood must be a number or "
    "one of always, usually, often, sometimes, rarely, never",
    "K104_bad_regex.yaml": "5:9: K104 symptoms[0].patterns[0]: regex 'timed out (after' does not compile: "
    "missing ), unterminated subpattern at position 10",
    "K105_missing_sources.yaml": "17:5: K105 missing field causes[1].sources",
    "K201_unknown_symptom.yaml": "17:5: K201 cause 'memory_too_low': unknown symptom 'out_of_mem'; "
    "did you mean 'out_of_memory'?",
    "K202_unknown_fact.yaml": "24:5: K202 no rule derives fact 'slow_invocation'",
    "K203_evidence_value.yaml": "9:5: K203 cause 'function_timeout': boolean symptom 'timed_out' takes true "
    "or false, not 'often'",
    "K204_unknown_procedure.yaml": "9:5: K204 cause 'function_timeout': unknown procedure 'restart_function'",
    "K205_unknown_cause.yaml": "24:5: K205 rule 'timeout_rule': unknown cause 'function_timeot'; "
    "did you mean 'function_timeout'?",
    "K206_duplicate_id.yaml": "23:5: K206 duplicate cause id 'function_timeout': defined at "
    "tests/files/lint/K206_duplicate_id.yaml:9:5 and here (add 'override: true' to replace it on purpose)",
    "K207_override_nothing.yaml": "17:5: K207 cause 'memory_too_low' says 'override: true' but there is "
    "no cause to override",
    "K301_unused_symptom.yaml": "8:5: K301 symptom 'cold_start' is not used by any cause, rule or ask_when; "
    "add it as evidence of a cause or remove it",
    "K302_never_first.yaml": "12:5: K302 cause 'slow_dependency' never ranks first: answering its evidence "
    "in its favour still ranks 'function_timeout' above it (85% against 15%); give it evidence that tells "
    "it apart, or a higher prior",
    "K303_indistinguishable.yaml": "17:5: K303 causes 'function_timeout' "
    "(tests/files/lint/K303_indistinguishable.yaml:9:5) and 'memory_too_low' have identical evidence; no "
    "question can tell them apart: add evidence that differs, or merge them",
    "K304_never_holds.yaml": "25:11: K304 rule 'timed_out_and_not' can never fire: (timed_out is True) and "
    "(timed_out is False) contradict each other",
    "K305_catastrophic_regex.yaml": "5:17: K305 regex '(\\\\w+\\\\s?)+ timed out' can backtrack "
    "catastrophically: a repeated piece inside a repetition (nested quantifiers); make the inner part "
    "exact or possessive",
    "K306_unfillable_placeholder.yaml": "15:44: K306 placeholder {functon_name} in command 'Show the "
    "timeout' is not well known and no question asks for it; did you mean {function_name}? "
    "(see docs/knowledge-reference.md)",
    "K307_unknown_guide.yaml": "16:23: K307 guide 'guides.md' is not in tests/files/lint/guides; "
    "did you mean 'guide.md'?",
    "K308_unknown_section.yaml": "16:42: K308 guide 'guide.md' has no section 'Time-outs and retries'",
    "K309_weakening_word_supports.yaml": "14:46: K309 evidence 'out_of_memory' says 'rarely' (0.08) but the "
    "symptom's base rate is 0.02, so it supports 'function_timeout' instead of weakening it; use a number below 0.02",
    "K310_orienting_question_unanswered.yaml": "23:7: K310 no evidence for 'area', which every cause answers; "
    "without it the wizard's first questions cannot lead to 'query_timeout'",
    "K311_impossible_word_boundary.yaml": "5:17: K311 regex '\\\\btimed out after \\\\d+ seconds\\\\.\\\\b': "
    "\\b after '.' at the end matches only when a letter or digit follows; drop it or write (?!\\w)",
    "K312_choice_likelihoods_over_one.yaml": "15:54: K312 the likelihoods 'function_timeout' gives the answers "
    "to 'area' add up to 1.1 (compute 0.9, database 0.2); one answer excludes the others, so they must add up "
    "to at most 1",
}


def lint_fixture(run_triage, name: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_triage(
        "lint",
        "--no-shipped",
        "--guides",
        str(GUIDES),
        *extra,
        str(LINT / name),
        env={"TRIAGE_KNOWLEDGE": ""},
    )


@pytest.fixture(autouse=True)
def _from_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    # paths in findings are shown relative to the working directory
    monkeypatch.chdir(LINT.parent.parent.parent)


def test_every_check_has_a_fixture() -> None:
    assert sorted(name[:4] for name in EXPECTED) == sorted(check.code for check in CHECKS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_reports_its_problem_at_its_place(name: str) -> None:
    if name.startswith("K004") and not hasattr(yaml, "CSafeLoader"):
        pytest.skip("without libyaml this file is a plain K001 syntax error")
    report = lint([LINT / name], shipped=False, guides=Path(FIXTURES) / "guides")
    assert f"{FIXTURES}/{name}:{EXPECTED[name]}" in [str(finding) for finding in report.findings]


def test_the_valid_fixture_has_no_findings() -> None:
    assert lint([LINT / "valid.yaml"], shipped=False, guides=GUIDES).findings == []


def test_the_command_prints_findings_and_fails_on_errors(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = lint_fixture(run_triage, "K204_unknown_procedure.yaml")
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].endswith(
        "K204_unknown_procedure.yaml:9:5: K204 cause 'function_timeout': unknown procedure 'restart_function'"
    )
    assert result.stdout.splitlines()[-1] == "1 error, 0 warnings in 1 file"
    assert "Traceback" not in result.stderr


def test_warnings_fail_only_with_strict(run_triage) -> None:  # type: ignore[no-untyped-def]
    assert lint_fixture(run_triage, "K301_unused_symptom.yaml").returncode == 0
    assert lint_fixture(run_triage, "K301_unused_symptom.yaml", "--strict").returncode == 1


def test_ignore_silences_a_code(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = lint_fixture(run_triage, "K204_unknown_procedure.yaml", "--ignore", "K204")
    assert (result.returncode, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_ignore_accepts_check_names() -> None:
    report = lint(
        [LINT / "K301_unused_symptom.yaml"], shipped=False, guides=GUIDES, ignore=["unused-symptom"]
    )
    assert report.findings == []


def test_an_unknown_ignore_code_is_a_usage_error(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = lint_fixture(run_triage, "valid.yaml", "--ignore", "K999")
    assert result.returncode == 2
    assert result.stderr == "triage: unknown lint code 'K999'; `triage lint --list-checks` lists them\n"


def test_an_object_can_silence_a_check(tmp_path: Path) -> None:
    text = (LINT / "K301_unused_symptom.yaml").read_text()
    silenced = tmp_path / "silenced.yaml"
    silenced.write_text(
        text.replace("  - id: cold_start\n", "  - id: cold_start\n    lint: {ignore: [K301]}\n")
    )
    assert lint([silenced], shipped=False, guides=GUIDES).findings == []


def test_json_format(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = lint_fixture(run_triage, "K307_unknown_guide.yaml", "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"] == {"files": 1, "errors": 1, "warnings": 0}
    finding = data["findings"][0]
    assert finding["path"].endswith("K307_unknown_guide.yaml")
    assert (finding["line"], finding["column"], finding["code"], finding["severity"]) == (
        16,
        23,
        "K307",
        "error",
    )


def test_list_checks_names_every_code(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = run_triage("lint", "--list-checks")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [c.code for c in CHECKS]


def test_without_guides_sources_are_skipped_with_a_note(tmp_path: Path, run_triage) -> None:  # type: ignore[no-untyped-def]
    result = run_triage(
        "lint",
        "--no-shipped",
        "--guides",
        str(tmp_path / "nowhere"),
        str(LINT / "K307_unknown_guide.yaml"),
        env={"TRIAGE_KNOWLEDGE": ""},
    )
    assert result.returncode == 0
    assert "note: guides not found" in result.stderr


def test_a_missing_path_is_a_usage_error(run_triage) -> None:  # type: ignore[no-untyped-def]
    result = run_triage("lint", "--no-shipped", "missing.yaml", env={"TRIAGE_KNOWLEDGE": ""})
    assert (result.returncode, result.stderr) == (2, "triage: missing.yaml: no such file or folder\n")


def test_the_shipped_knowledge_lints_without_crashing() -> None:
    report = lint()
    assert all(finding.code in {c.code for c in CHECKS} for finding in report.findings)


@pytest.mark.parametrize(
    "regex",
    [
        r"(a+)+",
        r"(a*)*b",
        r"(\w+\s?)+$",
        r"(.*,)+x",
        r"^(\d+)*$",
        r"(?:a|ab|b)*c",
        r"(?:foo|\w+)+",
        r"(?:x|x)+",
    ],
)
def test_catastrophic_regexes_are_rejected(regex: str) -> None:
    assert backtracking_risk(regex) is not None


@pytest.mark.parametrize(
    "regex",
    [
        r"Task timed out after (?:\d+(?:\.\d+)?) seconds",
        r"(?:[a-z]+\.)+com",
        r"(\w+\s)+end",
        r"\b(?:foo|bar)+\b",
        r"(?:\d{1,3}\.){3}\d{1,3}",
        r"(?:keeps? |kept |are |is |constantly )*restarting",
    ],
)
def test_safe_regexes_pass(regex: str) -> None:
    assert backtracking_risk(regex) is None


@pytest.mark.parametrize(
    ("regex", "mistake"),
    [
        (r"\bKeyError: '\w+'\b", '\\b after "\'" at the end matches only when a letter or digit follows'),
        (r"\b/health\b", "\\b before '/' at the start matches only after a letter or digit"),
        (r"status: 500\b|\bdisk (?:is )?full!\b", "\\b after '!' at the end"),
        (r"\btimeout\b:\b\(", "\\b between ':' and '(' never matches"),
        (r"(?:x|y)\b-\b-z", "\\b between '-' and '-' never matches"),
        (r"\b[,;]x", "\\b before '[,;]' at the start"),  # a class of non-word characters
        (r"\b(?:disk|/var) is full", "\\b before '/' at the start"),  # one alternative is dead
        # the parser moves the \b both alternatives start with out in front of the alternation
        (r"\bdisk full|\b\$lookup is slow", "\\b before '$' at the start"),
    ],
)
def test_a_word_boundary_that_cannot_hold_is_reported(regex: str, mistake: str) -> None:
    assert (boundary_mistake(regex) or "").startswith(mistake)


@pytest.mark.parametrize(
    "regex",
    [
        r"\bKeyError: '\w+'(?!\w)",
        r"\btable\.scan\(",  # a method call: a word character comes before the dot
        r"\b(?:GET|POST) /health\b",
        r"(?:/|-)\bv2\b",  # a word character follows the boundary
        r"\b503\b",
        r"\b(?:100|9\d) ?%",
        r"\b(?:disk|volume) is full|\bno space left\b",
        r"(?<!\w)(?:disk|/var) is full",
    ],
)
def test_word_boundaries_that_can_hold_pass(regex: str) -> None:
    assert boundary_mistake(regex) is None


BASE = (LINT / "valid.yaml").read_text()
CHOICE_SYMPTOM = """\
  - id: platform
    question: What runs it?
    kind: choice
    choices: [{value: lambda, label: Lambda}, {value: ecs, label: ECS}]
  - id: duration_ms
    question: How long does it take?
    kind: number
"""


def lint_text(tmp_path: Path, rules: str) -> list[str]:
    text = BASE.replace("causes:\n", CHOICE_SYMPTOM + "causes:\n", 1) + "rules:\n" + rules
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    report = lint([path], shipped=False, guides=GUIDES, ignore=["K301"])
    return [f"{finding.code} {finding.message}" for finding in report.findings]


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ("{symptom: platform}", "no answer to 'platform' satisfies (platform is True)"),
        (
            "{symptom: platform, is: kubernetes}",
            "no answer to 'platform' satisfies (platform is 'kubernetes')",
        ),
        (
            "{all: [{symptom: platform, is: lambda}, {symptom: platform, is: ecs}]}",
            "(platform is 'lambda') and (platform is 'ecs') contradict each other",
        ),
        (
            "{all: [{symptom: duration_ms, gt: 10}, {symptom: duration_ms, lt: 5}]}",
            "(duration_ms gt 10) and (duration_ms lt 5) contradict each other",
        ),
        (
            "{all: [{symptom: timed_out}, {not: {symptom: timed_out}}]}",
            "(timed_out is True) and not (timed_out is True) contradict each other",
        ),
    ],
)
def test_rules_that_can_never_fire(tmp_path: Path, when: str, reason: str) -> None:
    rules = f"  - id: impossible\n    when: {when}\n    then: {{evidence: [{{cause: function_timeout, factor: 2}}]}}\n"
    assert lint_text(tmp_path, rules) == [f"K304 rule 'impossible' can never fire: {reason}"]


def test_a_fact_only_a_dead_rule_derives_makes_its_users_dead(tmp_path: Path) -> None:
    rules = (
        "  - id: dead\n    when: {symptom: platform, is: kubernetes}\n    then: {derive: [{fact: on_k8s}]}\n"
        "  - id: needs_dead\n    when: {fact: on_k8s}\n    then: {evidence: [{cause: function_timeout, factor: 2}]}\n"
    )
    assert lint_text(tmp_path, rules) == [
        "K304 rule 'dead' can never fire: no answer to 'platform' satisfies (platform is 'kubernetes')",
        "K304 rule 'needs_dead' can never fire: fact 'on_k8s' is only derived by rules that never fire",
    ]


def test_satisfiable_rules_pass(tmp_path: Path) -> None:
    rules = (
        "  - id: chain\n    when: {any: [{symptom: platform, is: kubernetes}, {symptom: duration_ms, ge: 100}]}\n"
        "    then: {derive: [{fact: slow}]}\n"
        "  - id: uses_chain\n    when: {all: [{fact: slow}, {not: {symptom: timed_out, is: false}}]}\n"
        "    then: {evidence: [{cause: function_timeout, factor: 2}]}\n"
    )
    assert lint_text(tmp_path, rules) == []


def test_a_cause_whose_rival_has_more_evidence_can_still_rank_first(tmp_path: Path) -> None:
    # 'memory_too_low' is a superset of a narrower cause: answering its extra symptom "no"
    # lets the narrower one win, so neither is reported.
    text = BASE.replace(
        "      - {symptom: out_of_memory, likelihood: usually}\n",
        "      - {symptom: out_of_memory, likelihood: usually}\n      - {symptom: timed_out, likelihood: usually}\n",
    )
    path = tmp_path / "superset.yaml"
    path.write_text(text)
    assert lint([path], shipped=False, guides=GUIDES).findings == []


def test_layered_knowledge_from_the_environment_is_linted(run_triage) -> None:  # type: ignore[no-untyped-def]
    fixture = str(LINT / "K204_unknown_procedure.yaml")
    result = run_triage("lint", "--no-shipped", "--guides", str(GUIDES), env={"TRIAGE_KNOWLEDGE": fixture})
    assert result.returncode == 1
    assert "K204 cause 'function_timeout': unknown procedure 'restart_function'" in result.stdout


def test_guide_headings_skip_code_and_drop_markup() -> None:
    from triage.lint_checks.sources import guide_headings

    assert guide_headings(GUIDES / "guide.md") == {
        "demo guide": "Demo Guide",
        "timeouts": "1. Timeouts ⏱",
        "memory errors": "Memory Errors",
    }


def test_an_empty_mapping_is_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("{}\n")
    assert [f.code for f in lint([path], shipped=False, guides=GUIDES).findings] == ["K003"]


def test_main_runs_lint_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from triage.cli import main

    status = main(["lint", "--no-shipped", "--guides", str(GUIDES), str(LINT / "K205_unknown_cause.yaml")])
    out = capsys.readouterr().out
    assert status == 1
    assert (
        "K205 rule 'timeout_rule': unknown cause 'function_timeot'; did you mean 'function_timeout'?" in out
    )

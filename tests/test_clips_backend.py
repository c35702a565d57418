"""The CLIPS backend draws the same conclusions as the experta engine from the same knowledge."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from triage.clips_backend import ClipsRuleEngine, engine_factory
from triage.diagnosis import Diagnoser
from triage.engine import RuleEngine
from triage.errors import UsageError
from triage.evaluation import AnswerSampler, make_user
from triage.inference import Inference
from triage.intake import answers_from
from triage.knowledge import Knowledge
from triage.knowledge_tests import read_test_cases
from triage.loading import load_knowledge
from triage.models import AnswerValue

FILES = Path(__file__).parent / "files"
Run = Callable[..., subprocess.CompletedProcess[str]]

LOGIC = """\
symptoms:
  - {id: a, question: "A?"}
  - {id: b, question: "B?"}
  - {id: c, question: "C?"}
  - {id: size, question: "Size?", kind: number}
  - {id: kind, question: "Kind?", kind: choice, choices: [{value: x, label: X}, {value: y, label: Y}]}
  - {id: message, question: "Message?", kind: text}
causes:
  - id: cause_x
    title: X
    summary: x
    evidence: [{symptom: a}]
    sources: [{guide: g.txt, section: s}]
rules:
  - id: a_or_b
    when: {any: [{symptom: a}, {symptom: b}]}
    then: {derive: [{fact: a_or_b}]}
  - id: a_without_c
    when: {all: [{symptom: a}, {not: {symptom: c}}]}
    then: {derive: [{fact: a_without_c}]}
  - id: neither_a_nor_b
    when: {not: {any: [{symptom: a}, {symptom: b}]}}
    then: {derive: [{fact: neither}]}
  - id: c_is_no
    when: {symptom: c, is: false}
    then: {derive: [{fact: c_is_no}], evidence: [{cause: cause_x, factor: 0.5}]}
  - id: big
    when: {all: [{symptom: size, ge: 10}, {symptom: size, lt: 100}]}
    then: {derive: [{fact: big, value: medium}]}
  - id: medium_and_x
    when: {all: [{fact: big, is: medium}, {symptom: kind, is: x}]}
    then: {derive: [{fact: chained}], ask: [c]}
  - id: not_chained
    when: {not: {fact: chained}}
    then: {derive: [{fact: unchained}]}
  - id: message_says_timeout
    when: {symptom: message, matches: "time(d)? ?out"}
    then: {evidence: [{cause: cause_x, factor: 3}]}
  - id: message_says_it_will_not_start
    when: {symptom: message, matches: "won.t start"}
    then: {evidence: [{cause: cause_x, factor: 2}]}
  - id: size_known
    when: {known: size}
    then: {derive: [{fact: measured}]}
"""


def conclusions(inference: Inference) -> tuple[list[tuple[str, object]], dict[str, AnswerValue]]:
    """What an inference concluded, independent of the order rules fired in."""
    firings = sorted(
        (f.rule, (sorted(f.derived.items()), [(e.cause, e.factor) for e in f.evidence], f.ask))
        for f in inference.firings
    )
    return firings, dict(inference.derived)


def assert_same(knowledge: Knowledge, answer_sets: list[Mapping[str, AnswerValue | None]]) -> None:
    experta, clips = RuleEngine(knowledge), ClipsRuleEngine(knowledge)
    for answers in answer_sets:
        assert conclusions(clips.infer(answers)) == conclusions(experta.infer(answers)), answers


def sampled_answers(knowledge: Knowledge, users: int, seed: int = 7) -> list[dict[str, AnswerValue | None]]:
    sampler = AnswerSampler(knowledge)
    rng = random.Random(seed)
    found = []
    for index, cause in enumerate(list(knowledge.causes) * users):
        truth = make_user(sampler, cause, seed * 100_000 + index).truth
        # answer a random part of the questions, as a real case does
        found.append({name: value for name, value in truth.items() if rng.random() < 0.6})
    return found


@pytest.fixture
def logic_knowledge(tmp_path: Path) -> Knowledge:
    path = tmp_path / "logic.yaml"
    path.write_text(LOGIC)
    return load_knowledge([path], shipped=False)


LOGIC_CASES: list[dict[str, AnswerValue | None]] = [
    {},
    {"a": True},
    {"a": True, "b": True},
    {"a": True, "c": None},
    {"a": True, "c": True},
    {"b": True, "c": False},
    {"size": 10.0, "kind": "x"},
    {"size": 9.99, "kind": "x"},
    {"size": 100.0, "kind": "x"},
    {"size": 50.0, "kind": "y"},
    {"message": "the request timed out"},
    {"message": "fine"},
    {"message": "it won't start"},
    {"message": "it wont start"},  # a contraction's apostrophe is optional in every pattern
    {"a": False, "b": False, "c": False, "size": 20.0, "kind": "x", "message": "time out"},
    {"big": "medium", "kind": "x"},
]


def test_clips_matches_experta_on_every_logical_form(logic_knowledge: Knowledge) -> None:
    assert_same(logic_knowledge, LOGIC_CASES)


def test_clips_chains_derived_facts_like_experta(logic_knowledge: Knowledge) -> None:
    inference = ClipsRuleEngine(logic_knowledge).infer({"size": 20.0, "kind": "x"})
    assert inference.derived == {"big": "medium", "chained": True, "measured": True, "neither": True}
    assert inference.suggested_questions == ["c"]


@pytest.mark.parametrize("folder", ["mini", "evaluation"])
def test_clips_matches_experta_on_sampled_cases(folder: str) -> None:
    knowledge = load_knowledge([FILES / folder], shipped=False)
    assert_same(knowledge, sampled_answers(knowledge, users=30))


def test_clips_matches_experta_on_the_shipped_knowledge_and_its_test_cases() -> None:
    knowledge = load_knowledge()
    diagnoser = Diagnoser(knowledge)
    from_tests = []
    for case in read_test_cases():
        matched = diagnoser.matcher.read(case.description, case.errors)
        from_tests.append({**answers_from(matched, knowledge), **case.answers})
    assert from_tests, "the shipped knowledge has no test cases"
    assert_same(knowledge, from_tests + sampled_answers(knowledge, users=3))


def test_a_diagnoser_with_the_clips_engine_ranks_like_experta() -> None:
    knowledge = load_knowledge([FILES / "evaluation"], shipped=False)
    experta, clips = Diagnoser(knowledge), Diagnoser(knowledge, engine="clips")
    assert isinstance(clips.engine, ClipsRuleEngine)
    for answers in sampled_answers(knowledge, users=5):
        expected = [(s.cause, round(s.confidence, 12)) for s in experta.evaluate(answers)[1]]
        assert [(s.cause, round(s.confidence, 12)) for s in clips.evaluate(answers)[1]] == expected


def test_engine_factory_names_the_backends() -> None:
    assert engine_factory("clips") is ClipsRuleEngine
    assert engine_factory("experta") is RuleEngine
    with pytest.raises(UsageError) as raised:
        engine_factory("jess")
    assert str(raised.value) == "unknown rule engine 'jess'; choose experta or clips"


EXAMPLE = Path(__file__).parent.parent / "examples" / "lambda-timeout.yaml"


def test_triage_engine_clips_gives_the_same_diagnosis(run_triage: Run) -> None:
    experta = run_triage("diagnose", str(EXAMPLE), "--format", "json")
    clips = run_triage("diagnose", str(EXAMPLE), "--format", "json", env={"TRIAGE_ENGINE": "clips"})
    assert experta.returncode == clips.returncode == 0, experta.stderr + clips.stderr
    assert in_any_order(clips.stdout) == in_any_order(experta.stdout)


def in_any_order(output: str) -> dict[str, Any]:
    """A diagnose report with the fired rules sorted: engines may fire in different orders."""
    report: dict[str, Any] = json.loads(output)
    for case in report["cases"]:
        case["rules_fired"].sort()
    return report


def test_an_unknown_engine_is_a_one_line_error(run_triage: Run) -> None:
    result = run_triage("diagnose", str(EXAMPLE), env={"TRIAGE_ENGINE": "jess"})
    assert (result.returncode, result.stderr) == (
        2,
        "triage: unknown rule engine 'jess'; choose experta or clips\n",
    )

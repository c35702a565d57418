"""The rule engine: rules compiled into experta, forward chaining over answers and derived facts."""

from __future__ import annotations

from pathlib import Path

from triage.engine import RuleEngine
from triage.knowledge import Knowledge
from triage.loading import load_knowledge


def test_rules_chain_through_derived_facts_to_depth_three(mini_knowledge: Knowledge) -> None:
    inference = RuleEngine(mini_knowledge).infer(
        {"platform": "lambda", "duration_ms": 30000.0, "timed_out": True}
    )
    assert [firing.rule for firing in inference.firings] == [
        "slow_lambda",
        "slow_and_timing_out",
        "timeout_pressure_asks_memory",
    ]
    assert inference.derived == {"slow_invocations": True, "timeout_pressure": True}
    assert inference.suggested_questions == ["memory_full"]


def test_a_rule_does_not_fire_when_a_comparison_fails(mini_knowledge: Knowledge) -> None:
    inference = RuleEngine(mini_knowledge).infer(
        {"platform": "lambda", "duration_ms": 900.0, "timed_out": True}
    )
    assert inference.firings == []


def test_unknown_answers_fire_nothing(mini_knowledge: Knowledge) -> None:
    inference = RuleEngine(mini_knowledge).infer({"platform": None, "duration_ms": None, "timed_out": None})
    assert inference.firings == []


def test_rule_evidence_names_the_cause_and_factor(mini_knowledge: Knowledge) -> None:
    inference = RuleEngine(mini_knowledge).infer(
        {"platform": "lambda", "duration_ms": 20000.0, "timed_out": True}
    )
    evidence = [(e.cause, e.factor) for firing in inference.firings for e in firing.evidence]
    assert evidence == [("lambda_timeout_too_low", 3.0)]


RULES_WITH_LOGIC = """\
symptoms:
  - {id: a, question: "A?"}
  - {id: b, question: "B?"}
  - {id: c, question: "C?"}
causes:
  - id: x
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
    then: {derive: [{fact: c_is_no}]}
"""


def engine_for(tmp_path: Path) -> RuleEngine:
    path = tmp_path / "logic.yaml"
    path.write_text(RULES_WITH_LOGIC)
    return RuleEngine(load_knowledge([path], shipped=False))


def test_any_fires_once_even_when_both_branches_hold(tmp_path: Path) -> None:
    inference = engine_for(tmp_path).infer({"a": True, "b": True})
    assert [f.rule for f in inference.firings].count("a_or_b") == 1


def test_not_means_not_established_so_unknown_counts(tmp_path: Path) -> None:
    inference = engine_for(tmp_path).infer({"a": True, "c": None})
    assert "a_without_c" in inference.derived


def test_not_over_any_holds_only_when_no_branch_holds(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    assert "neither" in engine.infer({}).derived
    assert "neither" not in engine.infer({"b": True}).derived


def test_an_explicit_no_is_tested_with_is_false(tmp_path: Path) -> None:
    engine = engine_for(tmp_path)
    assert "c_is_no" in engine.infer({"c": False}).derived
    assert "c_is_no" not in engine.infer({"c": None}).derived


def _negation_knowledge(count: int) -> Knowledge:
    from triage.models import KnowledgeFile

    data = KnowledgeFile.model_validate(
        {
            "symptoms": [{"id": f"s{i}", "question": f"Is s{i} seen?"} for i in range(count)],
            "rules": [
                {"id": f"r{i}", "when": {"not": {"symptom": f"s{i}"}}, "then": {"ask": [f"s{i}"]}}
                for i in range(count)
            ],
        }
    )
    knowledge = Knowledge()
    knowledge.symptoms.update({symptom.id: symptom for symptom in data.symptoms})
    knowledge.rules.update({rule.id: rule for rule in data.rules})
    return knowledge


def test_a_negated_symptom_never_fires_when_the_symptom_is_true_among_many_rules() -> None:
    # experta's own NOT left stale activations once several rules used it; this pins the fix
    engine = RuleEngine(_negation_knowledge(6))
    for answers in ({"s0": True}, {"s0": True, "s3": True}, {"s1": True, "s5": True}):
        fired = {firing.rule for firing in engine.infer(answers).firings}
        assert fired == {f"r{i}" for i in range(6) if not answers.get(f"s{i}")}, answers


def test_a_negated_symptom_fires_when_the_answer_is_unknown_or_false() -> None:
    engine = RuleEngine(_negation_knowledge(2))
    fired = {firing.rule for firing in engine.infer({"s0": None, "s1": False}).firings}
    assert fired == {"r0", "r1"}

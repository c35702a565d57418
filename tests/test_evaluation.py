"""Evaluation with simulated users: sampling, noise, figures, the command and the recorded baseline."""

from __future__ import annotations

import json
import math
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from triage.diagnosis import Diagnoser
from triage.evaluation import (
    AnswerSampler,
    FixedOrderInterview,
    Noise,
    calibration,
    evaluate,
    information_bound,
    make_user,
    percentile,
    run_interview,
    stop_rule,
)
from triage.knowledge import Knowledge
from triage.loading import load_knowledge
from triage.session import StopSettings

Run = Callable[..., subprocess.CompletedProcess[str]]
FILES = Path(__file__).parent / "files"
EVALUATION = FILES / "evaluation"
REPOSITORY = Path(__file__).parent.parent
SHIPPED_BASELINE = REPOSITORY / "evaluation" / "baseline.json"
OWN = ("--knowledge", str(EVALUATION), "--no-shipped")


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_knowledge([EVALUATION], shipped=False)


def share(values: list[object], wanted: object) -> float:
    return sum(value == wanted for value in values) / len(values)


# --------------------------------------------------------------------------- simulated users


def test_a_users_answers_follow_the_causes_evidence(knowledge: Knowledge) -> None:
    sampler = AnswerSampler(knowledge)
    users = [make_user(sampler, "lambda_memory", seed) for seed in range(3000)]
    # memory_full: usually (0.85); timed_out: sometimes (0.3); platform lambda 0.9, rest split evenly
    assert share([u.truth["memory_full"] for u in users], True) == pytest.approx(0.85, abs=0.02)
    assert share([u.truth["timed_out"] for u in users], True) == pytest.approx(0.3, abs=0.03)
    platforms = Counter(u.truth["platform"] for u in users)
    assert platforms["lambda"] / 3000 == pytest.approx(0.9, abs=0.02)
    assert platforms["ecs"] / 3000 == pytest.approx(0.05, abs=0.015)


def test_symptoms_the_cause_does_not_name_show_at_their_base_rate(knowledge: Knowledge) -> None:
    sampler = AnswerSampler(knowledge)
    users = [make_user(sampler, "lambda_memory", seed) for seed in range(3000)]
    assert share([u.truth["recent_deploy"] for u in users], True) == pytest.approx(0.2, abs=0.03)
    assert share([u.truth["disk_full"] for u in users], True) == pytest.approx(0.05, abs=0.015)


def test_number_answers_fall_on_the_side_of_the_threshold_the_evidence_says(knowledge: Knowledge) -> None:
    sampler = AnswerSampler(knowledge)
    latencies = [make_user(sampler, "lambda_timeout", seed).truth["latency_ms"] for seed in range(2000)]
    above = [value for value in latencies if isinstance(value, float) and value > 5000]
    assert len(above) / len(latencies) == pytest.approx(0.85, abs=0.03)


def test_noise_gives_the_stated_shares_of_wrong_and_unknown_answers(knowledge: Knowledge) -> None:
    sampler = AnswerSampler(knowledge)
    noise = Noise(wrong=0.1, unknown=0.2)
    given, wrong, unknown = 0, 0, 0
    for seed in range(1000):
        user = make_user(sampler, "bad_deploy", seed, noise)
        for symptom, truth in user.truth.items():
            given += 1
            answer = user.answer(symptom)
            unknown += answer is None
            wrong += answer is not None and answer != truth
    assert wrong / given == pytest.approx(0.1, abs=0.01)
    assert unknown / given == pytest.approx(0.2, abs=0.01)


def test_a_user_is_the_same_for_the_same_seed(knowledge: Knowledge) -> None:
    sampler = AnswerSampler(knowledge)
    noise = Noise(wrong=0.2)
    assert make_user(sampler, "disk_full_host", 5, noise) == make_user(sampler, "disk_full_host", 5, noise)
    assert make_user(sampler, "disk_full_host", 5) != make_user(sampler, "disk_full_host", 6)


@pytest.mark.parametrize(("wrong", "unknown"), [(-0.1, 0.0), (1.5, 0.0), (0.6, 0.6)])
def test_noise_shares_must_make_sense(wrong: float, unknown: float) -> None:
    with pytest.raises(ValueError):
        Noise(wrong=wrong, unknown=unknown)


# --------------------------------------------------------------------------- interviews and figures


def test_the_fixed_questionnaire_asks_in_file_order_until_the_stop_rule(knowledge: Knowledge) -> None:
    diagnoser = Diagnoser(knowledge)
    asked: list[str] = []

    class Recording(FixedOrderInterview):
        def answer(self, symptom_id: str, value: object) -> None:
            asked.append(symptom_id)
            super().answer(symptom_id, value)  # type: ignore[arg-type]

    user = make_user(AnswerSampler(knowledge), "service_down", 1)
    never_stop = Recording(diagnoser, lambda ranking, count: False)
    trial = run_interview(never_stop, user, limit=100)
    assert asked == list(knowledge.symptoms)
    assert trial.questions == len(knowledge.symptoms)


def test_the_stop_rule_needs_a_confident_clear_leader_that_is_a_cause(knowledge: Knowledge) -> None:
    from triage.ranking import Score

    stop = stop_rule(StopSettings(confidence=0.8, margin=0.3, max_questions=4))
    assert stop([Score("a", 0.85, 0), Score("b", 0.1, 0)], 1)
    assert not stop([Score("a", 0.85, 0), Score("b", 0.6, 0)], 1)
    assert not stop([Score("something_else", 0.9, 0), Score("b", 0.05, 0)], 1)
    assert not stop([Score("a", 0.5, 0), Score("b", 0.1, 0)], 3)
    assert stop([Score("a", 0.5, 0), Score("b", 0.1, 0)], 4)


def test_the_wizard_needs_fewer_questions_than_the_fixed_order(knowledge: Knowledge) -> None:
    result = evaluate(Diagnoser(knowledge), users=10, seed=3)
    assert result.adaptive.mean_questions < result.fixed_order.mean_questions
    assert result.adaptive.top3 >= 0.8
    assert result.adaptive.users == result.fixed_order.users == 10 * len(knowledge.causes)


def test_no_questioning_beats_every_answer_given_without_noise(knowledge: Knowledge) -> None:
    result = evaluate(Diagnoser(knowledge), users=10, seed=5)
    assert result.every_answer.users == result.adaptive.users
    assert result.every_answer.top1 >= result.adaptive.top1
    assert result.every_answer.top1 >= result.fixed_order.top1
    assert result.every_answer.mean_questions > result.adaptive.mean_questions


def test_a_slip_rate_in_the_ranking_is_recorded_with_the_figures(knowledge: Knowledge) -> None:
    result = evaluate(Diagnoser(knowledge, slip=0.1), users=3, seed=1, noise=Noise(wrong=0.1))
    assert result.slip == 0.1
    assert result.to_json()["settings"]["slip"] == 0.1


def test_wrong_answers_cost_accuracy(knowledge: Knowledge) -> None:
    clean = evaluate(Diagnoser(knowledge), users=15, seed=1)
    noisy = evaluate(Diagnoser(knowledge), users=15, seed=1, noise=Noise(wrong=0.3))
    assert noisy.adaptive.top1 < clean.adaptive.top1


def test_calibration_bins_and_expected_calibration_error() -> None:
    pairs = [(0.95, True)] * 9 + [(0.95, False)] + [(0.55, True)] * 2 + [(0.55, False)] * 2
    result = calibration(pairs)
    used = [b for b in result.bins if b.count]
    assert [(b.lower, b.count, b.accuracy) for b in used] == [(0.5, 4, 0.5), (0.9, 10, 0.9)]
    # |0.5 - 0.55| * 4/14 + |0.9 - 0.95| * 10/14
    assert result.ece == pytest.approx(0.05)
    assert len(result.bins) == 10


def test_a_confidence_of_exactly_one_lands_in_the_top_bin() -> None:
    assert calibration([(1.0, True)]).bins[-1].count == 1


def test_information_bound_for_equal_causes_and_yes_no_questions(tmp_path: Path) -> None:
    causes = "\n".join(
        f"  - {{id: c{i}, title: C{i}, summary: s, evidence: [{{symptom: s{i}}}], "
        f"sources: [{{guide: g.txt, section: s}}]}}"
        for i in range(8)
    )
    symptoms = "\n".join(f'  - {{id: s{i}, question: "S{i}?"}}' for i in range(8))
    (tmp_path / "k.yaml").write_text(f"symptoms:\n{symptoms}\ncauses:\n{causes}\n")
    bound = information_bound(load_knowledge([tmp_path / "k.yaml"], shipped=False))
    assert (bound.entropy, bound.bits_per_answer, bound.questions) == (3.0, 1.0, 3.0)


def test_information_bound_counts_a_choice_as_several_bits(knowledge: Knowledge) -> None:
    bound = information_bound(knowledge)
    priors = [c.prior for c in knowledge.causes.values()]
    entropy = -sum(p / sum(priors) * math.log2(p / sum(priors)) for p in priors)
    assert bound.entropy == pytest.approx(entropy)
    # platform has three choices (log2 3 bits), latency_ms three intervals; then yes/no questions
    assert bound.bits_per_answer == pytest.approx(math.log2(3))
    assert bound.questions == pytest.approx(1 + (entropy - math.log2(3)) / math.log2(3))


@pytest.mark.parametrize(("rank", "expected"), [(0, 1.0), (50, 2.5), (95, 3.85), (100, 4.0)])
def test_percentile_interpolates_between_ranks(rank: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], rank) == pytest.approx(expected)


# --------------------------------------------------------------------------- the command


def test_evaluate_json_is_deterministic_for_a_seed(run_triage: Run) -> None:
    first = run_triage("evaluate", *OWN, "--users", "4", "--seed", "9", "--format", "json")
    second = run_triage("evaluate", *OWN, "--users", "4", "--seed", "9", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    report = json.loads(first.stdout)
    assert set(report) == {
        "settings",
        "causes",
        "adaptive",
        "fixed_order",
        "every_answer",
        "bound",
        "ratios",
        "calibration",
        "per_cause",
    }
    assert report["causes"] == 8
    assert report["adaptive"]["users"] == 32
    assert set(report["per_cause"]) == {
        "lambda_timeout",
        "lambda_memory",
        "lambda_throttling",
        "container_oom",
        "bad_deploy",
        "disk_full_host",
        "cpu_saturation",
        "service_down",
    }
    assert report["settings"]["stop"] == {
        "confidence": 0.85,
        "margin": 0.3,
        "max_questions": 15,
        "by_cost": True,
    }


def test_evaluate_text_shows_the_table_and_the_calibration_chart(run_triage: Run) -> None:
    result = run_triage("evaluate", *OWN, "--users", "3", "--wrong", "0.1", "--unknown", "0.1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "8 causes x 3 simulated users, seed 0, 10% wrong, 10% don't know"
    assert lines[2].split() == ["top-1", "top-3", "mean", "q", "p95", "q"]
    assert lines[3].startswith("wizard (adaptive)")
    assert lines[4].startswith("fixed order")
    assert lines[5].startswith("every answer")
    assert lines[6].startswith("information bound")
    assert any(line.startswith("calibration (expected calibration error ") for line in lines)
    assert any("|" in line and "█" in line for line in lines)


def test_evaluate_draws_the_calibration_chart_as_svg(run_triage: Run, tmp_path: Path) -> None:
    result = run_triage("evaluate", *OWN, "--users", "2", "--plot", "chart.svg", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "<svg" in (tmp_path / "chart.svg").read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--no-shipped"], "triage: --no-shipped needs at least one --knowledge PATH to evaluate\n"),
        ([*OWN, "--plot", "chart.txt"], "triage: chart.txt: --plot writes .png or .svg files\n"),
        (
            [*OWN, "--wrong", "0.7", "--unknown", "0.7"],
            "triage: --wrong and --unknown add up to more than 1\n",
        ),
    ],
)
def test_evaluate_rejects_bad_requests_in_one_line(
    run_triage: Run, arguments: list[str], message: str
) -> None:
    result = run_triage("evaluate", *arguments)
    assert (result.returncode, result.stderr) == (2, message)


def test_evaluate_refuses_a_slip_rate_of_a_half_or_more(run_triage: Run) -> None:
    result = run_triage("evaluate", *OWN, "--slip", "0.5")
    assert result.returncode == 2
    assert "--slip: expected a number from 0 to below 0.5, got 0.5" in result.stderr
    assert "Traceback" not in result.stderr


def test_evaluate_rejects_a_share_out_of_range(run_triage: Run) -> None:
    result = run_triage("evaluate", *OWN, "--wrong", "1.5")
    assert result.returncode == 2
    assert "argument --wrong: expected a number between 0 and 1, got 1.5" in result.stderr


# --------------------------------------------------------------------------- recorded figures


def test_update_then_check_baseline_passes(run_triage: Run, tmp_path: Path) -> None:
    updated = run_triage("evaluate", *OWN, "--update-baseline", "--baseline", "figures.json")
    assert (updated.returncode, updated.stdout) == (0, "wrote figures.json: noise_free, wrong_10\n")
    recorded = json.loads((tmp_path / "figures.json").read_text())
    assert recorded["scenarios"]["wrong_10"]["settings"]["wrong"] == 0.1
    checked = run_triage("evaluate", *OWN, "--check-baseline", "--baseline", "figures.json")
    assert (checked.returncode, checked.stdout) == (0, "figures.json: no figure got worse\n")


def test_check_baseline_fails_when_accuracy_fell_or_questions_rose(run_triage: Run, tmp_path: Path) -> None:
    run_triage("evaluate", *OWN, "--update-baseline", "--baseline", "figures.json")
    path = tmp_path / "figures.json"
    recorded = json.loads(path.read_text())
    del recorded["scenarios"]["wrong_10"]
    figures = recorded["scenarios"]["noise_free"]["figures"]
    true_top1, true_mean = figures["top1"], figures["mean_questions"]
    figures["top1"] = 1.0
    figures["mean_questions"] = 0.5
    path.write_text(json.dumps(recorded))
    checked = run_triage("evaluate", *OWN, "--check-baseline", "--baseline", "figures.json")
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [
        "figures.json: 2 figure(s) got worse:",
        f"  noise_free: top1 1 -> {true_top1:g}",
        f"  noise_free: mean_questions 0.5 -> {true_mean:g}",
        "If the change is intended, run `triage evaluate --update-baseline` and commit the file.",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            None,
            "triage: figures.json: no baseline file; record one with `triage evaluate --update-baseline`\n",
        ),
        (
            "{not json",
            "triage: figures.json:1:2: not valid JSON: Expecting property name enclosed in double quotes\n",
        ),
        (
            '{"scenarios": {"x": {}}}',
            "triage: figures.json: scenario 'x' needs settings with users, seed, wrong, unknown\n",
        ),
    ],
)
def test_a_bad_baseline_file_is_one_line(
    run_triage: Run, tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "figures.json").write_text(content)
    result = run_triage("evaluate", *OWN, "--check-baseline", "--baseline", "figures.json")
    assert (result.returncode, result.stderr) == (2, message)


def test_the_shipped_knowledge_is_no_worse_than_its_recorded_figures(run_triage: Run) -> None:
    """The CI check: fails when a knowledge change lowers accuracy or raises the questions asked.

    If the change is intended, run `triage evaluate --update-baseline` and commit evaluation/baseline.json.
    """
    # three scenarios over every cause: about two minutes on a quiet two-core machine, so the hang
    # guard is wider than other commands'
    result = run_triage("evaluate", "--check-baseline", "--baseline", str(SHIPPED_BASELINE), timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_rule_engines_give_the_same_evaluation(run_triage: Run) -> None:
    arguments = ("evaluate", *OWN, "--users", "3", "--wrong", "0.1", "--format", "json")
    experta = run_triage(*arguments, "--engine", "experta")
    clips = run_triage(*arguments, "--engine", "clips")
    assert experta.returncode == clips.returncode == 0, experta.stderr + clips.stderr
    assert clips.stdout == experta.stdout

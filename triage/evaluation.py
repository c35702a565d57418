"""Evaluation with simulated users: how often the right cause wins, and after how many questions.

For every cause, simulated users whose true answers are drawn from that cause's evidence (a symptom
the cause does not name shows at its base rate, a choice it does not name is uniform) answer the
wizard's questions through a :class:`~triage.session.Session`, with an optional share of wrong
answers and of "don't know". The same users also fill in a fixed-order questionnaire (every
question in file order, with the same stopping rule), and the figures are set against the
information-theoretic bound: the entropy of the prior over causes divided by the bits one answer can
carry. The calibration table compares the stated confidence of the top cause with how often it is
right.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .diagnosis import Diagnoser
from .knowledge import Knowledge
from .models import AnswerValue, Symptom
from .questioning import ConditionChecker
from .ranking import SOMETHING_ELSE, Score

CALIBRATION_BINS = 10
TOP_K = 3


@dataclass(frozen=True)
class Noise:
    """How imperfect the simulated users are: shares of wrong answers and of "don't know"."""

    wrong: float = 0.0
    unknown: float = 0.0

    def __post_init__(self) -> None:
        for name, share in (("wrong", self.wrong), ("unknown", self.unknown)):
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, got {share}")
        if self.wrong + self.unknown > 1.0:
            raise ValueError("wrong and unknown shares add up to more than 1")


# --------------------------------------------------------------------------- simulated users


class AnswerSampler:
    """Draws a symptom's true answer for a given cause, following the likelihood model."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._numbers: dict[str, list[float]] = {
            symptom.id: _number_candidates(knowledge, symptom.id)
            for symptom in knowledge.symptoms.values()
            if symptom.kind == "number"
        }

    def true_answer(self, cause_id: str, symptom: Symptom, rng: random.Random) -> AnswerValue | None:
        items = [item for item in self.knowledge.causes[cause_id].evidence if item.symptom == symptom.id]
        if symptom.kind == "boolean":
            if items:
                item = items[0]
                p_true = item.probability if item.value is True else 1 - item.probability
            else:
                p_true = symptom.base_rate
            return rng.random() < p_true
        if symptom.kind == "choice":
            stated = {item.value: item.probability for item in items}
            unstated = [value for value in symptom.choice_values if value not in stated]
            rest = max(1.0 - sum(stated.values()), 0.0)
            weights = [
                stated.get(value, rest / len(unstated) if unstated else 0.0)
                for value in symptom.choice_values
            ]
            if not items:
                weights = [1.0] * len(symptom.choice_values)
            return rng.choices(symptom.choice_values, weights=weights)[0]
        if symptom.kind == "number":
            return self._number_answer(cause_id, symptom, rng)
        return None  # free text cannot be sampled from a regex; the user does not know

    def wrong_answer(self, symptom: Symptom, truth: AnswerValue, rng: random.Random) -> AnswerValue | None:
        """A plausible answer other than the true one."""
        if symptom.kind == "boolean":
            return not truth
        if symptom.kind == "choice":
            choices = [value for value in symptom.choice_values if value != truth]
            return rng.choice(choices)
        if symptom.kind == "number":
            numbers = [value for value in self._numbers.get(symptom.id, []) if value != truth]
            return rng.choice(numbers) if numbers else truth
        return None

    def _number_answer(self, cause_id: str, symptom: Symptom, rng: random.Random) -> float | None:
        """A number on the side of each threshold the evidence says, with the evidence's odds.

        The candidates are grouped by which tests they pass; a group is drawn with the product of
        the tests' probabilities (their base rate for a cause that does not name the symptom), then
        a value within it.
        """
        candidates = self._numbers.get(symptom.id, [])
        if not candidates:
            return None
        own = [item for item in self.knowledge.causes[cause_id].evidence if item.symptom == symptom.id]
        tests = (
            [(item.test(), item.probability) for item in own]
            if own
            else [(test, symptom.base_rate) for test in _distinct_tests(self.knowledge, symptom.id)]
        )
        groups: dict[tuple[bool, ...], list[float]] = {}
        for value in candidates:
            groups.setdefault(tuple(test(value) for test, _ in tests), []).append(value)
        signatures = list(groups)
        weights = [
            math.prod(p if passed else 1 - p for passed, (_, p) in zip(signature, tests, strict=True))
            for signature in signatures
        ]
        return rng.choice(groups[rng.choices(signatures, weights=weights)[0]])


def _distinct_tests(knowledge: Knowledge, symptom_id: str) -> list[Callable[[Any], bool]]:
    seen: dict[tuple[Any, ...], Callable[[Any], bool]] = {}
    for cause in knowledge.causes.values():
        for item in cause.evidence:
            if item.symptom == symptom_id:
                seen.setdefault((item.gt, item.ge, item.lt, item.le), item.test())
    return list(seen.values())


def _number_candidates(knowledge: Knowledge, symptom_id: str) -> list[float]:
    """One value in each interval the evidence thresholds cut the number line into, and each threshold."""
    limits: set[float] = set()
    for cause in knowledge.causes.values():
        for item in cause.evidence:
            if item.symptom == symptom_id:
                limits.update(float(v) for v in (item.gt, item.ge, item.lt, item.le) if v is not None)
    if not limits:
        return []
    ordered = sorted(limits)
    candidates = [ordered[0] - max(1.0, abs(ordered[0]))]
    for low, high in itertools.pairwise(ordered):
        candidates += [low, (low + high) / 2]
    candidates += [ordered[-1], ordered[-1] + max(1.0, abs(ordered[-1]))]
    return candidates


@dataclass
class SimulatedUser:
    """One user whose problem is ``cause``: fixed true answers and fixed slips, drawn up front.

    Everything is drawn before the first question, so the adaptive wizard and the fixed-order
    questionnaire meet exactly the same user.
    """

    cause: str
    truth: dict[str, AnswerValue | None]
    given: dict[str, AnswerValue | None]

    def answer(self, symptom_id: str) -> AnswerValue | None:
        return self.given.get(symptom_id)


def make_user(sampler: AnswerSampler, cause_id: str, seed: int, noise: Noise = Noise()) -> SimulatedUser:
    rng = random.Random(seed)
    truth: dict[str, AnswerValue | None] = {}
    given: dict[str, AnswerValue | None] = {}
    for symptom in sampler.knowledge.symptoms.values():
        value = sampler.true_answer(cause_id, symptom, rng)
        truth[symptom.id] = value
        slip = rng.random()
        if value is None or slip < noise.unknown:
            given[symptom.id] = None
        elif slip < noise.unknown + noise.wrong:
            given[symptom.id] = sampler.wrong_answer(symptom, value, rng)
        else:
            given[symptom.id] = value
    return SimulatedUser(cause_id, truth, given)


# --------------------------------------------------------------------------- interviews


class Interview(Protocol):
    """Something that asks questions and ranks causes: the wizard's session or a fixed questionnaire."""

    def next_symptom(self) -> Symptom | None: ...

    def answer(self, symptom_id: str, value: AnswerValue | None) -> None: ...

    def ranking(self) -> list[Score]: ...


# (diagnoser, what the user said up front) -> interview
InterviewFactory = Callable[[Diagnoser, Mapping[str, AnswerValue | None]], Interview]


class AdaptiveInterview:
    """The wizard's own question choice: a :class:`triage.session.Session`."""

    def __init__(
        self,
        diagnoser: Diagnoser,
        settings: Any = None,
        opening: Mapping[str, AnswerValue | None] | None = None,
    ) -> None:
        from .session import Session

        options: dict[str, Any] = {} if settings is None else {"settings": settings}
        self.session = Session.start(diagnoser, answers=dict(opening or {}), **options)

    def next_symptom(self) -> Symptom | None:
        question = self.session.next_question()
        return None if question is None else question.symptom

    def answer(self, symptom_id: str, value: AnswerValue | None) -> None:
        self.session.answer(symptom_id, value)

    def ranking(self) -> list[Score]:
        return list(self.session.ranking())


class FixedOrderInterview:
    """A paper questionnaire: every question in file order (skipping those whose ``ask_when`` fails),
    stopping by the same rule as the wizard."""

    def __init__(
        self,
        diagnoser: Diagnoser,
        stop: Callable[[list[Score], int], bool],
        opening: Mapping[str, AnswerValue | None] | None = None,
    ) -> None:
        self.diagnoser = diagnoser
        self.stop = stop
        self.answers: dict[str, AnswerValue | None] = dict(opening or {})
        self.asked = 0
        knowledge = diagnoser.knowledge
        used = set(knowledge.causes_by_symptom) | {
            name for rule in knowledge.rules.values() for _, name in rule.when.references()
        }
        # the questionnaire holds the questions some cause or rule uses, in file order
        self._order = [symptom for symptom in knowledge.symptoms.values() if symptom.id in used]
        self._derived: dict[str, AnswerValue] = {}
        self._ranking: list[Score] = []
        self._holds = ConditionChecker().holds  # ask_when with the wizard's meaning
        self._update()

    def _update(self) -> None:
        inference, self._ranking = self.diagnoser.evaluate(self.answers)
        self._derived = dict(inference.derived)

    def next_symptom(self) -> Symptom | None:
        if self.stop(self._ranking, self.asked):
            return None
        for symptom in self._order:
            if symptom.id in self.answers:
                continue
            if symptom.ask_when is None or self._holds(symptom.ask_when, self.answers, self._derived):
                return symptom
        return None

    def answer(self, symptom_id: str, value: AnswerValue | None) -> None:
        self.answers[symptom_id] = value
        self.asked += 1
        self._update()

    def ranking(self) -> list[Score]:
        return self._ranking


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Trial:
    """One simulated user's interview: the true cause, the final ranking, the questions asked."""

    cause: str
    ranked: tuple[str, ...]  # causes best first, "something else" left out
    confidence: float  # stated confidence of the first cause
    questions: int

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.cause

    @property
    def top3(self) -> bool:
        return self.cause in self.ranked[:TOP_K]


@dataclass(frozen=True)
class Summary:
    """Accuracy and question counts over many trials."""

    users: int
    top1: float
    top3: float
    mean_questions: float
    p95_questions: float

    def to_json(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "mean_questions": round(self.mean_questions, 3),
            "p95_questions": round(self.p95_questions, 3),
        }


def summarise(trials: Sequence[Trial]) -> Summary:
    count = len(trials)
    if not count:
        return Summary(0, 0.0, 0.0, 0.0, 0.0)
    questions = sorted(trial.questions for trial in trials)
    return Summary(
        users=count,
        top1=sum(trial.top1 for trial in trials) / count,
        top3=sum(trial.top3 for trial in trials) / count,
        mean_questions=sum(questions) / count,
        p95_questions=percentile(questions, 95),
    )


def percentile(values: Sequence[float], rank: float) -> float:
    """The ``rank``-th percentile by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * rank / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    confidence: float  # mean stated confidence in the bin
    accuracy: float  # share of those whose first cause was right

    def to_json(self) -> dict[str, Any]:
        return {
            "lower": round(self.lower, 2),
            "upper": round(self.upper, 2),
            "count": self.count,
            "confidence": round(self.confidence, 4),
            "accuracy": round(self.accuracy, 4),
        }


@dataclass(frozen=True)
class Calibration:
    """Stated confidence against accuracy; ECE is the count-weighted mean gap between the two."""

    bins: tuple[CalibrationBin, ...]
    ece: float

    def to_json(self) -> dict[str, Any]:
        return {"ece": round(self.ece, 4), "bins": [b.to_json() for b in self.bins]}


def calibration(pairs: Iterable[tuple[float, bool]], bins: int = CALIBRATION_BINS) -> Calibration:
    """Bin (confidence, correct) pairs into equal-width confidence bins."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, correct in pairs:
        grouped[min(int(confidence * bins), bins - 1)].append((confidence, correct))
    total = sum(len(group) for group in grouped)
    result: list[CalibrationBin] = []
    ece = 0.0
    for index, group in enumerate(grouped):
        if not group:
            result.append(CalibrationBin(index / bins, (index + 1) / bins, 0, 0.0, 0.0))
            continue
        confidence = sum(c for c, _ in group) / len(group)
        accuracy = sum(ok for _, ok in group) / len(group)
        ece += len(group) / total * abs(accuracy - confidence)
        result.append(CalibrationBin(index / bins, (index + 1) / bins, len(group), confidence, accuracy))
    return Calibration(tuple(result), ece)


@dataclass(frozen=True)
class InformationBound:
    """The fewest questions any strategy could need on average, from information theory.

    ``entropy`` is the entropy (bits) of the prior over causes. A question with ``k`` possible
    answers carries at most log2(k) bits, and each can be asked once, so at least ``questions``
    answers are needed: the most informative questions first, until their capacity covers the
    entropy (fractionally for the last one).
    """

    entropy: float
    bits_per_answer: float  # capacity of the most informative question
    questions: float

    @property
    def yes_no_questions(self) -> float:
        """The bound if every answer were a yes or no (one bit)."""
        return self.entropy

    def to_json(self) -> dict[str, Any]:
        return {
            "entropy_bits": round(self.entropy, 4),
            "bits_per_answer": round(self.bits_per_answer, 4),
            "questions": round(self.questions, 3),
            "yes_no_questions": round(self.yes_no_questions, 3),
        }


def information_bound(knowledge: Knowledge) -> InformationBound:
    total = sum(cause.prior for cause in knowledge.causes.values())
    entropy = -sum(
        (cause.prior / total) * math.log2(cause.prior / total) for cause in knowledge.causes.values()
    )
    capacities = sorted((answer_capacity(knowledge, s) for s in knowledge.symptoms.values()), reverse=True)
    capacities = [bits for bits in capacities if bits > 0]
    needed, remaining = 0.0, entropy
    for bits in capacities:
        if remaining <= 1e-12:
            break
        step = min(1.0, remaining / bits)
        needed += step
        remaining -= bits * step
    if remaining > 1e-12:
        needed = math.inf
    return InformationBound(entropy, capacities[0] if capacities else 0.0, needed)


def answer_capacity(knowledge: Knowledge, symptom: Symptom) -> float:
    """log2 of the number of answers that can tell causes apart (0 when the symptom is never evidence)."""
    if symptom.id not in knowledge.causes_by_symptom:
        return 0.0
    if symptom.kind == "boolean":
        return 1.0
    if symptom.kind == "choice":
        return math.log2(len(symptom.choices))
    if symptom.kind == "number":
        tests = _distinct_tests(knowledge, symptom.id)
        outcomes = {
            tuple(test(value) for test in tests) for value in _number_candidates(knowledge, symptom.id)
        }
        return math.log2(max(len(outcomes), 1))
    return 0.0


@dataclass
class Evaluation:
    """Everything ``triage evaluate`` reports."""

    causes: int
    users_per_cause: int
    seed: int
    noise: Noise
    adaptive: Summary
    fixed_order: Summary
    every_answer: Summary  # every question answered: without noise, what no questioning beats
    bound: InformationBound
    calibration: Calibration
    per_cause: dict[str, Summary] = field(default_factory=dict)
    temperature: float = 1.0
    slip: float = 0.0  # the share of mistaken answers the ranking allows for
    stop: dict[str, Any] = field(default_factory=dict)  # the wizard's StopSettings used
    opening: int = 0  # answers each user gave before the first question

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": {
                "users_per_cause": self.users_per_cause,
                "seed": self.seed,
                "wrong": self.noise.wrong,
                "unknown": self.noise.unknown,
                "temperature": self.temperature,
                "slip": self.slip,
                "stop": dict(self.stop),
                "opening": self.opening,
            },
            "causes": self.causes,
            "adaptive": self.adaptive.to_json(),
            "fixed_order": self.fixed_order.to_json(),
            "every_answer": self.every_answer.to_json(),
            "bound": self.bound.to_json(),
            "ratios": self.ratios(),
            "calibration": self.calibration.to_json(),
            "per_cause": {cause: summary.to_json() for cause, summary in self.per_cause.items()},
        }

    def ratios(self) -> dict[str, float | None]:
        mean = self.adaptive.mean_questions
        bound = self.bound.questions
        fixed = self.fixed_order.mean_questions
        return {
            "questions_to_bound": round(mean / bound, 3) if bound and math.isfinite(bound) else None,
            "questions_to_fixed_order": round(mean / fixed, 3) if fixed else None,
        }


def opening_answers(diagnoser: Diagnoser, user: SimulatedUser, count: int) -> dict[str, AnswerValue | None]:
    """What the user says before any question: the ``count`` answers that most point at their cause.

    Real users open with the error they see; this is the simulated equivalent.
    """
    if count <= 0:
        return {}
    knowledge = diagnoser.knowledge
    telling: list[tuple[float, str]] = []
    for symptom_id in diagnoser.model.items.get(user.cause, {}):
        value = user.answer(symptom_id)
        if value is None:
            continue
        factor, _ = diagnoser.model.factor(user.cause, knowledge.symptoms[symptom_id], value)
        if factor > 1.0:
            telling.append((factor, symptom_id))
    telling.sort(key=lambda item: (-item[0], item[1]))
    return {symptom_id: user.answer(symptom_id) for _, symptom_id in telling[:count]}


def run_interview(interview: Interview, user: SimulatedUser, limit: int) -> Trial:
    asked = 0
    while asked < limit:
        symptom = interview.next_symptom()
        if symptom is None:
            break
        interview.answer(symptom.id, user.answer(symptom.id))
        asked += 1
    return trial_from(user.cause, interview.ranking(), asked)


def every_answer(diagnoser: Diagnoser, user: SimulatedUser) -> Trial:
    """The ranking once the user has answered every question they can. Without wrong answers this
    is the most any questioning strategy could get out of the knowledge (its ceiling); with them,
    every extra answer is another chance of a slip, so asking less can do better."""
    answers = {symptom_id: value for symptom_id, value in user.given.items() if value is not None}
    _, ranking = diagnoser.evaluate(answers)
    return trial_from(user.cause, ranking, len(answers))


def trial_from(cause: str, ranking: Sequence[Score], questions: int) -> Trial:
    ranked = [score for score in ranking if score.cause != SOMETHING_ELSE]
    return Trial(
        cause=cause,
        ranked=tuple(score.cause for score in ranked),
        confidence=ranked[0].confidence if ranked else 0.0,
        questions=questions,
    )


def user_seed(seed: int, cause_index: int, user_index: int) -> int:
    """Each user's own seed, so a user does not change when others are added or removed."""
    return (seed * 1_000_003 + cause_index) * 10_007 + user_index


def evaluate(
    diagnoser: Diagnoser,
    *,
    users: int = 20,
    seed: int = 0,
    noise: Noise = Noise(),
    settings: Any = None,
    opening: int = 0,
    with_fixed_order: bool = True,
    adaptive: InterviewFactory | None = None,
    fixed_order: InterviewFactory | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Interview ``users`` simulated users per cause with the wizard and the fixed questionnaire.

    ``settings`` is the wizard's ``StopSettings`` (its defaults when None); both interviews stop by it.
    """
    from .session import StopSettings

    knowledge = diagnoser.knowledge
    sampler = AnswerSampler(knowledge)
    stop_settings = settings if settings is not None else StopSettings()
    make_adaptive = adaptive or (lambda d, said: AdaptiveInterview(d, stop_settings, said))
    make_fixed = fixed_order or (lambda d, said: FixedOrderInterview(d, stop_rule(stop_settings), said))
    limit = len(knowledge.symptoms)
    adaptive_trials: list[Trial] = []
    fixed_trials: list[Trial] = []
    every_answer_trials: list[Trial] = []
    per_cause: dict[str, Summary] = {}
    total = len(knowledge.causes) * users
    done = 0
    for cause_index, cause_id in enumerate(knowledge.causes):
        own: list[Trial] = []
        for user_index in range(users):
            user = make_user(sampler, cause_id, user_seed(seed, cause_index, user_index), noise)
            said = opening_answers(diagnoser, user, opening)
            own.append(run_interview(make_adaptive(diagnoser, said), user, limit))
            every_answer_trials.append(every_answer(diagnoser, user))
            if with_fixed_order:
                fixed_trials.append(run_interview(make_fixed(diagnoser, said), user, limit))
            done += 1
            if progress is not None:
                progress(done, total)
        adaptive_trials.extend(own)
        per_cause[cause_id] = summarise(own)
    return Evaluation(
        causes=len(knowledge.causes),
        users_per_cause=users,
        seed=seed,
        noise=noise,
        adaptive=summarise(adaptive_trials),
        fixed_order=summarise(fixed_trials),
        every_answer=summarise(every_answer_trials),
        bound=information_bound(knowledge),
        calibration=calibration((trial.confidence, trial.top1) for trial in adaptive_trials),
        per_cause=per_cause,
        temperature=diagnoser.model.temperature,
        slip=diagnoser.model.slip,
        stop=dataclasses.asdict(stop_settings),
        opening=opening,
    )


def stop_rule(settings: Any) -> Callable[[list[Score], int], bool]:
    """The wizard's stopping rule (a confident, clear leader, or the question cap) as a function."""

    def stop(ranking: list[Score], asked: int) -> bool:
        if asked >= settings.max_questions:
            return True
        if not ranking or ranking[0].cause == SOMETHING_ELSE:
            return False
        second = ranking[1].confidence if len(ranking) > 1 else 0.0
        leader = ranking[0].confidence
        return bool(leader >= settings.confidence and leader - second >= settings.margin)

    return stop


# --------------------------------------------------------------------------- recorded figures

# The scenarios a fresh baseline records: noise-free, and one answer in ten wrong; each user first
# states the one answer that most points at their cause (as a pasted error would).
DEFAULT_SCENARIOS: dict[str, dict[str, Any]] = {
    "noise_free": {"users": 3, "seed": 0, "wrong": 0.0, "unknown": 0.0, "opening": 1},
    "wrong_10": {"users": 3, "seed": 0, "wrong": 0.1, "unknown": 0.0, "opening": 1},
}
# figure -> True when higher is better
CHECKED_FIGURES = {"top1": True, "top3": True, "mean_questions": False}
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Regression:
    """A recorded figure that got worse."""

    scenario: str
    figure: str
    recorded: float
    current: float

    def __str__(self) -> str:
        return f"{self.scenario}: {self.figure} {self.recorded:g} -> {self.current:g}"

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "figure": self.figure,
            "recorded": self.recorded,
            "current": self.current,
        }


def read_baseline(path: Path, *, missing_ok: bool = False) -> dict[str, Any]:
    """The recorded baseline document; with ``missing_ok`` a missing file gives the default scenarios."""
    from .errors import Place, UsageError

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return {"scenarios": {name: {"settings": dict(s)} for name, s in DEFAULT_SCENARIOS.items()}}
        raise UsageError(
            f"{path}: no baseline file; record one with `triage evaluate --update-baseline`"
        ) from None
    except json.JSONDecodeError as error:
        raise UsageError(
            f"not valid JSON: {error.msg}", Place(str(path), error.lineno, error.colno)
        ) from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read the baseline: {error.strerror}") from None
    scenarios = document.get("scenarios") if isinstance(document, dict) else None
    if not isinstance(scenarios, dict) or not scenarios:
        raise UsageError(f'{path}: expected {{"scenarios": {{name: {{settings, figures}}}}}}')
    for name, scenario in scenarios.items():
        settings = scenario.get("settings") if isinstance(scenario, dict) else None
        if not isinstance(settings, dict) or not {"users", "seed", "wrong", "unknown"} <= set(settings):
            raise UsageError(f"{path}: scenario {name!r} needs settings with users, seed, wrong, unknown")
    return dict(document)


def fastest_engine() -> str:
    """The rule engine backend evaluations use by default: CLIPS when installed, else experta.

    Both draw the same conclusions (tests/test_clips_backend.py); CLIPS runs the rules about a
    hundred times faster, and an evaluation runs them after every simulated answer.
    """
    import os

    from .diagnosis import ENGINE_VARIABLE

    chosen = os.environ.get(ENGINE_VARIABLE)
    if chosen:
        return chosen
    try:
        import clips  # noqa: F401
    except ImportError:
        return "experta"
    return "clips"


def run_scenario(knowledge: Knowledge, settings: Mapping[str, Any]) -> Evaluation:
    from .session import StopSettings

    stop = StopSettings(**settings.get("stop", {}))
    return evaluate(
        Diagnoser(
            knowledge,
            temperature=float(settings.get("temperature", 1.0)),
            slip=float(settings.get("slip", 0.0)),
            engine=fastest_engine(),
        ),
        users=int(settings["users"]),
        seed=int(settings["seed"]),
        noise=Noise(wrong=float(settings["wrong"]), unknown=float(settings["unknown"])),
        settings=stop,
        opening=int(settings.get("opening", 0)),
        with_fixed_order=False,
    )


def record_baseline(knowledge: Knowledge, document: Mapping[str, Any]) -> dict[str, Any]:
    """Rerun every scenario of ``document`` and return the document with today's figures."""
    scenarios: dict[str, Any] = {}
    for name, scenario in document["scenarios"].items():
        result = run_scenario(knowledge, scenario["settings"])
        scenarios[name] = {"settings": dict(scenario["settings"]), "figures": result.adaptive.to_json()}
    return {
        "about": "Figures `triage evaluate --check-baseline` defends; rewrite with --update-baseline.",
        "knowledge": {"causes": len(knowledge.causes), "symptoms": len(knowledge.symptoms)},
        "scenarios": scenarios,
    }


def check_baseline(
    knowledge: Knowledge, document: Mapping[str, Any]
) -> tuple[list[Regression], dict[str, Any]]:
    """Rerun the recorded scenarios; every checked figure that got worse, and today's figures."""
    regressions: list[Regression] = []
    current: dict[str, Any] = {}
    for name, scenario in document["scenarios"].items():
        figures = run_scenario(knowledge, scenario["settings"]).adaptive.to_json()
        current[name] = figures
        recorded = scenario.get("figures", {})
        for figure, higher_is_better in CHECKED_FIGURES.items():
            if figure not in recorded:
                continue
            before, now = float(recorded[figure]), float(figures[figure])
            worse = now < before - TOLERANCE if higher_is_better else now > before + TOLERANCE
            if worse:
                regressions.append(Regression(name, figure, before, now))
    return regressions, current


def write_baseline(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

"""Knowledge test cases: cases with expectations about the ranking, run against a knowledge base."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cases import Case, Expectation, read_cases
from .diagnosis import CaseResult, Diagnoser
from .errors import CaseFileError, Place
from .loading import shipped_knowledge_root
from .models import Cause


@dataclass
class Outcome:
    """How one test case fared."""

    case: Case
    result: CaseResult
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def ranked(self) -> list[str]:
        return [diagnosis.cause.id for diagnosis in self.result.diagnoses]

    @property
    def expected_first(self) -> str | None:
        return self.case.expect.first if self.case.expect else None

    @property
    def expected_rank(self) -> int | None:
        """Where the expected first cause (or first cause citing the expected section) ranked."""
        for rank, diagnosis in enumerate(self.result.diagnoses, 1):
            if self.case.expect and satisfies_first(self.case.expect, diagnosis.cause):
                return rank
        return None


def test_files(paths: Iterable[str | Path] = ()) -> list[Path]:
    """The test files under the given paths, or the shipped ``knowledge/tests``."""
    chosen = [Path(p) for p in paths] or [shipped_knowledge_root() / "tests"]
    files: list[Path] = []
    for path in chosen:
        files.extend(sorted(path.rglob("*.y*ml")) if path.is_dir() else [path])
    return files


def read_test_cases(paths: Iterable[str | Path] = ()) -> list[Case]:
    """Every case of the test files; each must say what it expects."""
    cases: list[Case] = []
    for path in test_files(paths):
        for case in read_cases(str(path)):
            if case.expect is None:
                raise CaseFileError(f"test case {case.id!r} has no 'expect'", case.place or Place(str(path)))
            cases.append(case)
    return cases


def satisfies_first(expect: Expectation, cause: Cause) -> bool:
    if expect.first is not None:
        return cause.id == expect.first
    if expect.source is not None:
        return any(cause.cites(wanted.guide, wanted.section) for wanted in expect.source)
    return False


def check(case: Case, result: CaseResult) -> list[str]:
    """What the ranking got wrong for this case, as sentences (empty when it passed)."""
    assert case.expect is not None
    expect = case.expect
    ranked = [diagnosis.cause.id for diagnosis in result.diagnoses]
    failures: list[str] = []
    if expect.first is not None and (not ranked or ranked[0] != expect.first):
        failures.append(f"expected {expect.first} first, got {ranked[0] if ranked else 'no diagnosis'}")
    within = ranked[: expect.top_n]
    for cause in expect.top:
        if cause not in within:
            position = f"ranked {ranked.index(cause) + 1}" if cause in ranked else "not diagnosed"
            failures.append(f"expected {cause} in the top {expect.top_n}, {position}")
    for cause in expect.absent:
        if cause in ranked:
            failures.append(f"expected {cause} not to be diagnosed, ranked {ranked.index(cause) + 1}")
    if expect.source is not None:
        top = result.diagnoses[0].cause if result.diagnoses else None
        if top is None or not satisfies_first(expect, top):
            got = f"{top.id} (cites {'; '.join(s.section for s in top.sources)})" if top else "no diagnosis"
            wanted = " or ".join(f"{item.guide} § {item.section}" for item in expect.source)
            failures.append(f"expected a cause citing {wanted} first, got {got}")
    if expect.none and ranked:
        failures.append(f"expected no diagnosis, got {', '.join(ranked)}")
    failures.extend(_misread(expect, result))
    return failures


def _misread(expect: Expectation, result: CaseResult) -> list[str]:
    """The expected readings the text did not give, and the readings it gave that it must not."""
    read = {(match.symptom, str(match.value).lower()) for match in result.matched}

    def reads(symptom: str, value: str | None) -> bool:
        return any(s == symptom and (value is None or v == value.lower()) for s, v in read)

    failures = []
    for item, (symptom, value) in zip(expect.reveals, expect.revealed_readings(), strict=True):
        if not reads(symptom, value):
            got = ", ".join(sorted(f"{s}={v}" for s, v in read)) or "nothing"
            failures.append(f"expected the text to reveal {item}, read {got}")
    for item, (symptom, value) in zip(expect.does_not_reveal, expect.unrevealed_readings(), strict=True):
        if reads(symptom, value):
            texts = sorted({repr(m.text) for m in result.matched if m.symptom == symptom})
            failures.append(f"expected the text not to reveal {item}, read it from {', '.join(texts)}")
    return failures


def run_tests(cases: Sequence[Case], diagnoser: Diagnoser) -> list[Outcome]:
    outcomes = []
    for case in cases:
        top = max(10, case.expect.top_n if case.expect else 0)
        result = diagnoser.diagnose(case, top=top)
        outcomes.append(Outcome(case, result, check(case, result)))
    return outcomes


def unknown_names(cases: Sequence[Case], diagnoser: Diagnoser) -> list[tuple[Case, str]]:
    """What expectations name that the knowledge does not have, as "cause 'x'" or "symptom 'y'"."""
    knowledge = diagnoser.knowledge
    missing = []
    for case in cases:
        assert case.expect is not None
        named = [case.expect.first] if case.expect.first else []
        for cause in named + case.expect.top + case.expect.absent:
            if cause not in knowledge.causes:
                missing.append((case, f"cause {cause!r}"))
        for symptom, _ in case.expect.revealed_readings() + case.expect.unrevealed_readings():
            if symptom not in knowledge.symptoms:
                missing.append((case, f"symptom {symptom!r}"))
    return missing

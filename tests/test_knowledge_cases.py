"""Every knowledge test case under knowledge/tests ranks its expected cause as it says."""

from __future__ import annotations

import pytest

from triage.diagnosis import Diagnoser
from triage.knowledge_tests import check, read_test_cases
from triage.loading import load_knowledge

CASES = read_test_cases()


@pytest.fixture(scope="module")
def diagnoser() -> Diagnoser:
    return Diagnoser(load_knowledge())


@pytest.mark.parametrize("case", CASES, ids=[case.id or "case" for case in CASES])
def test_knowledge_case(case, diagnoser: Diagnoser) -> None:  # type: ignore[no-untyped-def]
    result = diagnoser.diagnose(case, top=10)
    failures = check(case, result)
    if case.todo:
        pytest.xfail("known gap (todo): " + "; ".join(failures) if failures else "todo case now passes")
    ranking = ", ".join(f"{d.cause.id} {d.confidence:.0%}" for d in result.diagnoses[:5])
    assert not failures, f"{case.place}: {'; '.join(failures)} (ranking: {ranking or 'none'})"


def test_there_are_knowledge_cases() -> None:
    assert CASES, "knowledge/tests holds no test cases"

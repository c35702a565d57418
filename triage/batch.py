"""Batch diagnosis: many cases, optionally spread over worker processes."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cases import Case
from .diagnosis import DEFAULT_TOP, CaseResult, Diagnoser
from .knowledge import Knowledge

_worker_diagnoser: Diagnoser | None = None


def diagnose_batch(
    cases: Sequence[Case],
    knowledge: Knowledge,
    knowledge_paths: Sequence[str | Path] = (),
    *,
    shipped: bool = True,
    top: int = DEFAULT_TOP,
    jobs: int = 1,
) -> list[CaseResult]:
    """Diagnose every case, in order; with ``jobs`` > 1 the cases are split across processes.

    The results are compact (see ``CaseResult.compact``): enough for every report and the JSON.
    """
    if jobs <= 1 or len(cases) < 2 * jobs:
        diagnoser = Diagnoser(knowledge)
        # compact: a result keeps the reported causes, not every cause's score and evidence
        return [diagnoser.diagnose(case, top=top).compact() for case in cases]
    chunk = max(1, len(cases) // (jobs * 4))
    batches = [list(cases[start : start + chunk]) for start in range(0, len(cases), chunk)]
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_start_worker, initargs=(list(knowledge_paths), shipped)
    ) as pool:
        results: list[CaseResult] = []
        for part in pool.map(_diagnose_part, batches, [top] * len(batches)):
            results.extend(part)
    return results


def _start_worker(knowledge_paths: list[str | Path], shipped: bool) -> None:
    from .loading import load_knowledge

    global _worker_diagnoser
    _worker_diagnoser = Diagnoser(load_knowledge(knowledge_paths, shipped=shipped))


def _diagnose_part(cases: list[Case], top: int) -> list[CaseResult]:
    assert _worker_diagnoser is not None
    return [_worker_diagnoser.diagnose(case, top=top).compact() for case in cases]

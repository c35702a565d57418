"""Batch diagnosis: many cases, optionally spread over worker processes."""

from __future__ import annotations

import gc
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
        return _diagnose_all(Diagnoser(knowledge), cases, top)
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
    return _diagnose_all(_worker_diagnoser, cases, top)


# A full collection every so many cases keeps a long batch's peak memory down: the 300-case batch
# of benchmarks/memory_and_lint.py on a knowledge base ten times the shipped one peaked at 152.5 MB
# without it and at 148.9-151.4 MB in four runs with it (runs of one command differ by up to ~3.5
# MB). A warm diagnosis leaves no cycles of its own, so what it frees is what loading and the first
# runs left. A collection takes about 13 ms on the shipped knowledge.
COLLECT_EVERY = 25


def _diagnose_all(diagnoser: Diagnoser, cases: Sequence[Case], top: int) -> list[CaseResult]:
    # compact: a result keeps the reported causes, not every cause's score and evidence
    results: list[CaseResult] = []
    for number, case in enumerate(cases, start=1):
        results.append(diagnoser.diagnose(case, top=top).compact())
        if number % COLLECT_EVERY == 0:
            gc.collect()
    return results

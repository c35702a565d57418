"""Batch diagnosis throughput (cases/s) on the shipped knowledge and 10x/100x synthetic knowledge.

The reference is the same rules run by CLIPS (clipspy), measured in the same run: the whole
diagnosis with the CLIPS engine in place of experta, and the rule engines alone. Then
``triage diagnose --jobs N`` on a case file, as a user runs it.

    python benchmarks/batch_throughput.py [--cases 400] [--scales 1,10,100] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from synthetic import cases, describe, scaled, scaled_files

from triage.cases import read_cases
from triage.diagnosis import Diagnoser
from triage.loading import load_knowledge

BUDGET_SECONDS = 30.0  # per measurement; slow configurations are measured on fewer cases


def rate(function: Callable[[Any], object], items: Sequence[Any]) -> float:
    start = time.perf_counter()
    done = 0
    for item in items:
        function(item)
        done += 1
        if time.perf_counter() - start > BUDGET_SECONDS:
            break
    return done / (time.perf_counter() - start)


def in_process(factor: int, count: int) -> None:
    knowledge = scaled(factor)
    print(f"\n{factor}x: {describe(knowledge)}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.json"
        path.write_text(json.dumps({"cases": cases(knowledge, count)}))
        batch = read_cases(str(path))
    experta = Diagnoser(knowledge, engine="experta")
    clips = Diagnoser(knowledge, engine="clips")
    for diagnoser in (experta, clips):  # warm up
        for case in batch[:3]:
            diagnoser.diagnose(case)
    whole_experta = rate(experta.diagnose, batch)
    whole_clips = rate(clips.diagnose, batch)
    answers = [clips.diagnose(case).answers for case in batch]
    engine_experta = rate(experta.engine.infer, answers)
    engine_clips = rate(clips.engine.infer, answers)
    print(f"  diagnose, experta engine : {whole_experta:9.1f} cases/s")
    print(
        f"  diagnose, CLIPS engine   : {whole_clips:9.1f} cases/s   experta/CLIPS = {whole_experta / whole_clips:.2f}"
    )
    print(f"  rules alone, experta     : {engine_experta:9.1f} cases/s")
    print(
        f"  rules alone, CLIPS       : {engine_clips:9.1f} cases/s   experta/CLIPS = {engine_experta / engine_clips:.2f}"
    )


def with_jobs(factor: int, count: int, jobs: int) -> None:
    knowledge = scaled(factor)
    with scaled_files(factor) as paths, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.json"
        path.write_text(json.dumps({"cases": cases(knowledge, count)}))
        extra = [argument for p in paths for argument in ("--knowledge", p)]
        command = [sys.executable, "-m", "triage.cli", "diagnose", str(path), "--format", "json", *extra]
        timings = {}
        for n in sorted({1, jobs}):
            start = time.perf_counter()
            subprocess.run([*command, "--jobs", str(n)], check=False, capture_output=True)
            timings[n] = time.perf_counter() - start
        line = ", ".join(
            f"--jobs {n}: {count / seconds:7.1f} cases/s ({seconds:.1f} s)" for n, seconds in timings.items()
        )
        print(f"  triage diagnose ({count} cases, {factor}x, start-up and loading included): {line}")
        if jobs in timings and 1 in timings and jobs != 1:
            print(
                f"  speed-up with --jobs {jobs}: {timings[1] / timings[jobs]:.2f}x on {os.cpu_count()} CPUs"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--jobs", type=int, default=2)
    options = parser.parse_args()
    print(f"shipped knowledge: {describe(load_knowledge())}")
    scales = [int(s) for s in options.scales.split(",")]
    for factor in scales:
        in_process(factor, options.cases)
    print("\nbatch command:")
    for factor in (s for s in scales if s <= 10):
        with_jobs(factor, max(options.cases, 2000), options.jobs)


if __name__ == "__main__":
    main()

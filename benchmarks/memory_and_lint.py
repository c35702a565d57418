"""Peak memory at 10x knowledge (target <= 150 MB), and lint time, each in a fresh ``triage`` process.

Peak memory is the largest resident set of a child process (``getrusage(RUSAGE_CHILDREN)``): a
batch ``triage diagnose`` and a ``triage ask --jsonl`` session answering ten questions, on the
shipped knowledge and on 10x synthetic knowledge (loaded from YAML with ``--knowledge``). Lint
time is ``triage lint`` on the shipped knowledge, and on the 10x clones. Each memory figure is the
median of ``--repeat`` fresh processes (the range is printed beside it): on a shared machine one
command's peak moves by a few MB from run to run.

    python benchmarks/memory_and_lint.py [--scales 1,10] [--cases 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from cold_start import triage_command
from synthetic import cases, scaled, scaled_files

MEMORY_TARGET_MB = 150


def child_peak_mb(command: list[str], stdin: str | None = None) -> tuple[float, float]:
    """Run a command in a fresh process; its peak resident memory (MB) and wall time (s)."""
    script = (
        "import resource, subprocess, sys, json\n"
        "stdin = sys.stdin.read() if len(sys.argv) > 1 and sys.argv[1] == '--stdin' else None\n"
        f"result = subprocess.run({command!r}, input=stdin, text=True, capture_output=True)\n"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, result.returncode]))\n"
    )
    # a separate python per measurement, so RUSAGE_CHILDREN holds this command alone
    start = time.perf_counter()
    result = subprocess.run(
        ["python3", "-c", script, *(["--stdin"] if stdin is not None else [])],
        input=stdin,
        text=True,
        capture_output=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    peak_kb, status = json.loads(result.stdout)
    if status not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {status}")
    return peak_kb / 1024, elapsed


def median_peak_mb(
    command: list[str], repeat: int, stdin: str | None = None
) -> tuple[float, float, float, float]:
    """The median, lowest and highest peak (MB) of ``repeat`` fresh runs, and the median wall time (s)."""
    runs = [child_peak_mb(command, stdin) for _ in range(repeat)]
    peaks = [peak for peak, _ in runs]
    return statistics.median(peaks), min(peaks), max(peaks), statistics.median(s for _, s in runs)


def spread(low: float, high: float) -> str:
    return f" [{low:.1f}-{high:.1f}]" if high > low else ""


def session_input(knowledge_paths: list[str]) -> str:
    lines = [
        json.dumps({"description": "Our Lambda function times out on most invocations since this morning."})
    ]
    lines += [json.dumps({"answer": None})] * 10
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="fresh runs per memory figure (median shown)")
    options = parser.parse_args()
    triage = triage_command()
    for factor in (int(s) for s in options.scales.split(",")):
        knowledge = scaled(factor)
        with scaled_files(factor) as paths, tempfile.TemporaryDirectory() as folder:
            extra = [argument for p in paths for argument in ("--knowledge", p)]
            case_file = Path(folder) / "cases.json"
            case_file.write_text(json.dumps({"cases": cases(knowledge, options.cases)}))
            batch_mb, batch_low, batch_high, batch_s = median_peak_mb(
                [triage, "diagnose", str(case_file), "--format", "json", *extra], options.repeat
            )
            ask_mb, ask_low, ask_high, ask_s = median_peak_mb(
                [triage, "ask", "--jsonl", *extra], options.repeat, session_input(paths)
            )
            lint_command = [triage, "lint", *paths] if paths else [triage, "lint"]
            _, lint_s = child_peak_mb(lint_command)
        verdict = ""
        if factor == 10:
            worst = max(batch_mb, ask_mb)
            verdict = (
                f"   target <= {MEMORY_TARGET_MB} MB: {'met' if worst <= MEMORY_TARGET_MB else 'NOT met'}"
            )
        print(f"{factor}x ({len(knowledge.causes)} causes, {len(knowledge.symptoms)} symptoms):")
        runs = f"median of {options.repeat}" if options.repeat > 1 else "one run"
        print(
            f"  peak memory, diagnose {options.cases} cases : {batch_mb:7.1f} MB{spread(batch_low, batch_high)} "
            f"({runs}, {batch_s:.1f} s){verdict}"
        )
        print(
            f"  peak memory, ask session, 10 answers  : {ask_mb:7.1f} MB{spread(ask_low, ask_high)} "
            f"({runs}, {ask_s:.1f} s)"
        )
        what = "the 10x clones (on top of the shipped)" if paths else "the shipped knowledge"
        print(f"  triage lint {what}: {lint_s:.2f} s")


if __name__ == "__main__":
    main()

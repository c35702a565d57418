"""Cold start: ``triage --help``, and a new session to its first question (``triage ask --jsonl``).

"first question" opens with a one-sentence description, so it includes compiling the symptom
patterns and reading the text; "first question, no text" opens with nothing, as the wizard does
until the user has typed (it compiles the patterns in the background meanwhile).

Each is a fresh process of the installed command, as a user starts it; the median and the worst of
``--runs`` runs are printed, with ``python -c pass`` as the interpreter's own floor.

    python benchmarks/cold_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"triage --help": 0.25, "first question": 0.6}
OPENING = {"description": "Our checkout API got slow since this morning."}  # vague enough to ask


def triage_command() -> str:
    beside = Path(sys.executable).parent / "triage"
    return str(beside) if beside.exists() else shutil.which("triage") or "triage"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def first_question(opening: dict[str, str] = OPENING) -> float:
    """From starting the process to reading the first question line."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [triage_command(), "ask", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps(opening) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.stdin.close()
    process.wait(timeout=30)
    kind = json.loads(line)["type"] if line else "nothing"
    if kind != "question":
        print(f"  (the first line was a {kind!r}, not a question)")
    return elapsed


def report(name: str, samples: list[float]) -> None:
    median = statistics.median(samples)
    target = TARGETS.get(name)
    verdict = f"   target <= {target:.2f} s: {'met' if median <= target else 'NOT met'}" if target else ""
    print(f"{name:24} median {median:6.3f} s   worst {max(samples):6.3f} s{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    triage = triage_command()
    timed([triage, "--help"])  # warm the file cache
    report("python -c pass", [timed([sys.executable, "-c", "pass"]) for _ in range(options.runs)])
    report("triage --help", [timed([triage, "--help"]) for _ in range(options.runs)])
    report("first question", [first_question() for _ in range(options.runs)])
    report("first question, no text", [first_question({}) for _ in range(options.runs)])


if __name__ == "__main__":
    main()

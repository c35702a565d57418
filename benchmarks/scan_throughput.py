"""Throughput of the `triage scan` core against `grep -E` with the same patterns on the same file.

    python benchmarks/scan_throughput.py [--megabytes 64] [--knowledge PATH] [--check]

Generates a log of the five systems (Lambda, DynamoDB, ECS/ALB, MongoDB, Discord; about 1% problem
lines, the rest the usual traffic), writes every symptom pattern of the knowledge as a POSIX
extended regex, and times, in the same run and on the same file:

- the scan core (`LogScanner.scan`, which also parses timestamps and keeps the tallies);
- `grep -E -i -c -f PATTERNS FILE` in the current locale (what a user types);
- the same grep under `LC_ALL=C` (byte matching, for reference).

It prints MB/s (wall clock and CPU time) and the ratio of the scan to grep; the target is at least
0.5 of grep in the current locale. `--check` exits 1 when the CPU-time ratio misses it.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from triage.loading import load_knowledge
from triage.scan import LogScanner

TARGET_RATIO = 0.5

_TRAFFIC = [
    "{iso} INFO  [api] GET /v1/loans/{n} 200 {ms}ms ua=okhttp/4.12.0 trace={hex}",
    "{iso} DEBUG [worker] processed message {hex} from queue payments-{n} in {ms} ms",
    "{iso} INFO  [db] query ok collection=accounts docs={n} elapsed={ms}ms",
    "START RequestId: {uuid} Version: $LATEST",
    "END RequestId: {uuid}",
    "REPORT RequestId: {uuid}\tDuration: {ms}.27 ms\tBilled Duration: {ms} ms\tMemory Size: 512 MB\t"
    "Max Memory Used: 91 MB\t",
    "{iso}\t{uuid}\tINFO\tHandled update {n} for chat -100{n} in {ms} ms",
    "{iso} INFO  [bot] Reply sent to #general ({n} guilds, heartbeat {ms} ms)",
    '{syslog} web-1 nginx[812]: 10.0.{octet}.{octet} - - "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
    "{date} {time},{milli} INFO [orders.api] POST /orders 201 in {ms} ms (order {n})",
]
_PROBLEMS = [
    "{iso} {uuid} Task timed out after 30.03 seconds",
    "{date} {time},{milli} ERROR [orders.repository] An error occurred (ProvisionedThroughputExceededException) "
    "when calling the PutItem operation: The level of configured provisioned throughput for the table was exceeded.",
    "http {iso} app/lendpeak-alb/50dc6c495c0c9188 203.0.113.17:52188 10.0.12.44:8080 0.000 0.001 -1 502 - 198 277 "
    '"POST https://api.example.com:443/v1/payments HTTP/1.1" "okhttp/4.12.0"',
    "{iso} Task stopped: Essential container in task exited (task {hex}, exit code 1)",
    "{syslog} api-1 node[2143]: MongoServerSelectionError: connect ECONNREFUSED 10.0.3.17:27017",
    '{{"level":40,"time":{epoch},"msg":"DiscordAPIError[429]: You are being rate limited.","retry_after":1.2}}',
]


def generate(path: Path, megabytes: int, seed: int = 8) -> None:
    """A log of about ``megabytes`` MB: mostly everyday traffic, about 1% problem lines."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written = 0
    second = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            lines = []
            for _ in range(2000):
                second += 1
                minute, sec = divmod(second % 3600, 60)
                template = rng.choice(_PROBLEMS) if rng.random() < 0.01 else rng.choice(_TRAFFIC)
                lines.append(
                    template.format(
                        iso=f"2024-05-01T10:{minute:02d}:{sec:02d}.{rng.randrange(1000):03d}Z",
                        date="2024-05-01",
                        time=f"10:{minute:02d}:{sec:02d}",
                        milli=f"{rng.randrange(1000):03d}",
                        syslog=f"May  1 10:{minute:02d}:{sec:02d}",
                        epoch=1714557600000 + second * 1000,
                        uuid=f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
                        f"a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
                        hex=f"{rng.getrandbits(64):016x}",
                        n=rng.randrange(100000),
                        ms=rng.randrange(2, 900),
                        octet=rng.randrange(256),
                    )
                )
            text = "\n".join(lines) + "\n"
            out.write(text)
            written += len(text)


def to_extended_regex(pattern: str) -> str:
    """A Python pattern as a POSIX extended regex for GNU grep (lookarounds dropped, \\d spelled out)."""
    pattern = re.sub(r"\(\?<?[=!](?:[^()]|\([^()]*\))*\)", "", pattern)
    pattern = re.sub(r"\(\?P<\w+>", "(", pattern).replace("(?:", "(")
    pattern = re.sub(r"^\(\?[aiLmsux]+\)", "", pattern)
    pattern = re.sub(r"([*+?}])\?", r"\1", pattern)  # lazy quantifiers: same matches for a yes/no test
    out: list[str] = []
    index, in_class = 0, False
    classes = {"d": "0-9", "s": "[:space:]", "w": "[:alnum:]_"}
    while index < len(pattern):
        character = pattern[index]
        if character == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            if escaped in classes:
                out.append(classes[escaped] if in_class else f"[{classes[escaped]}]")
            elif escaped == "t":
                out.append("\t")
            else:
                out.append(character + escaped)
            index += 2
            continue
        if character == "[" and not in_class:
            in_class = True
        elif character == "]" and in_class and out and out[-1] not in ("[", "[^"):
            in_class = False
        out.append(character)
        index += 1
    return "".join(out)


def grep_patterns(patterns: list[str], folder: Path) -> tuple[Path, int]:
    """The patterns grep accepts, one per line; returns the file and how many were left out."""
    accepted: list[str] = []
    for pattern in patterns:
        candidate = to_extended_regex(pattern)
        check = subprocess.run(
            ["grep", "-E", "-i", "-q", "-e", candidate, "/dev/null"], capture_output=True, check=False
        )
        if check.returncode == 1 and "\n" not in candidate:  # 1 = no match, 2 = invalid pattern
            accepted.append(candidate)
    path = folder / "patterns.ere"
    path.write_text("\n".join(accepted) + "\n", encoding="utf-8")
    return path, len(patterns) - len(accepted)


def time_grep(patterns: Path, log: Path, environment: dict[str, str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        ["grep", "-E", "-i", "-c", "-f", str(patterns), str(log)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, int(result.stdout.strip() or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=64)
    parser.add_argument("--knowledge", action="append", default=[], help="extra knowledge, as for triage")
    parser.add_argument("--no-shipped", action="store_true", help="only the --knowledge given")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {TARGET_RATIO} of grep")
    options = parser.parse_args(argv)

    knowledge = load_knowledge(options.knowledge, shipped=not options.no_shipped)
    scanner = LogScanner(knowledge)
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        log = folder / "generated.log"
        generate(log, options.megabytes)
        size = log.stat().st_size / 1e6
        patterns, left_out = grep_patterns([compiled.regex.pattern for compiled in scanner.patterns], folder)

        start_wall, start_cpu = time.perf_counter(), time.process_time()
        result = scanner.scan([str(log)])
        scan_wall, scan_cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
        matched_lines = sum(tally.count for tally in result.symptoms)

        locale_wall, locale_cpu, grep_lines = time_grep(patterns, log, dict(os.environ))
        bytes_wall, bytes_cpu, _ = time_grep(patterns, log, {**os.environ, "LC_ALL": "C"})

    locale_name = os.environ.get("LC_ALL") or os.environ.get("LANG") or "C"
    print(f"file: {size:.1f} MB, {result.lines:,} lines; {len(scanner.patterns)} patterns", end="")
    print(f" ({left_out} not expressible for grep -E, left out of grep's list)")
    print(
        f"triage scan core      : {size / scan_wall:7.1f} MB/s wall  {size / scan_cpu:7.1f} MB/s CPU"
        f"  ({len(result.tallies)} symptoms, {matched_lines:,} symptom lines)"
    )
    print(
        f"grep -E -i ({locale_name:9}): {size / locale_wall:7.1f} MB/s wall  {size / locale_cpu:7.1f} MB/s CPU"
        f"  ({grep_lines:,} matching lines)"
    )
    print(f"grep -E -i (LC_ALL=C) : {size / bytes_wall:7.1f} MB/s wall  {size / bytes_cpu:7.1f} MB/s CPU")
    ratio = locale_cpu / scan_cpu
    print(
        f"ratio scan/grep ({locale_name}): {ratio:.2f} by CPU time, {locale_wall / scan_wall:.2f} by wall clock"
        f" (target >= {TARGET_RATIO}); against LC_ALL=C grep: {bytes_cpu / scan_cpu:.2f}"
    )
    return 1 if options.check and ratio < TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())

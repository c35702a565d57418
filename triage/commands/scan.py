"""``triage scan FILE...|-``: diagnose from logs (plain text, JSON lines, CloudWatch exports, .gz)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode
from .common import add_format_option, add_knowledge_option, knowledge_from, positive_int

if TYPE_CHECKING:
    from rich.console import Console

    from ..scan import ProgressCallback, ScanResult


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="diagnose from log files (text, JSON lines, CloudWatch exports, .gz; - for standard input)",
        description=(
            "Stream log files, count every symptom the knowledge recognises (first and last time "
            "seen, sample lines) and rank the causes those symptoms point at. Reads plain text, JSON "
            "lines (the message/msg/log field), CloudWatch Logs exports ({events: [...]}) and gzip "
            "files. Exit status: 0 a diagnosis was found, 1 none, 2 bad input."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="log file, or - for standard input")
    add_format_option(parser)
    parser.add_argument("--top", type=positive_int, default=5, help="how many causes to report (default 5)")
    parser.add_argument(
        "--answers",
        metavar="FILE",
        help="what you know besides the logs: a YAML/JSON mapping {symptom: value} or a case file",
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..diagnosis import Diagnoser
    from ..report import print_case, to_markdown
    from ..scan import diagnose_scan, read_answers, scan_logs, scan_to_json
    from .common import console

    known = read_answers(options.answers) if options.answers else None
    knowledge = knowledge_from(options)
    diagnoser = Diagnoser(knowledge)
    with _progress(options.files) as progress:
        scan = scan_logs(options.files, knowledge, stdin=sys.stdin.buffer, progress=progress)
    result = diagnose_scan(scan, diagnoser, known, top=options.top)
    for warning in scan.warnings:
        print(f"triage: warning: {warning}", file=sys.stderr)
    if options.format == "json":
        sys.stdout.write(json.dumps(scan_to_json(scan, result), indent=2, ensure_ascii=False) + "\n")
    elif options.format == "markdown":
        sys.stdout.write(symptoms_markdown(scan) + "\n" + to_markdown([result], knowledge))
    else:
        out: Console = console()  # type: ignore[assignment]
        print_symptoms(scan, out)
        out.print()
        print_case(result, knowledge, out)
    return int(ExitCode.OK if result.diagnoses else ExitCode.NO_DIAGNOSIS)


@contextmanager
def _progress(files: list[str]) -> Iterator[ProgressCallback | None]:
    """A progress bar on standard error, only when it is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    total = 0
    for name in files:
        with suppress(OSError):
            total += Path(name).stat().st_size if name != "-" else 0
    columns = (TextColumn("scanning"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total or None)
        yield lambda advance: bar.advance(task, advance)


def _summary(scan: ScanResult) -> str:
    files = f"{len(scan.files)} file" + ("" if len(scan.files) == 1 else "s")
    found = f"{len(scan.tallies)} symptom" + ("" if len(scan.tallies) == 1 else "s")
    return f"Scanned {files}, {scan.lines:,} lines: {found} found"


def print_symptoms(scan: ScanResult, console: Console) -> None:
    from rich.text import Text

    console.print(Text(_summary(scan), style="bold"))
    if not scan.tallies:
        return
    # plain aligned columns: a rich table would squeeze timestamps on narrow terminals and in pipes
    width = max(len("symptom"), *(len(tally.symptom) for tally in scan.symptoms))
    header = f"{'symptom':<{width}}  {'count':>7}  {'first seen':<24}  last seen"
    console.print(Text(header, style="bold"), soft_wrap=True)
    for tally in scan.symptoms:
        first, last = str(tally.first_seen or "-"), str(tally.last_seen or "-")
        console.print(f"{tally.symptom:<{width}}  {tally.count:>7,}  {first:<24}  {last}", soft_wrap=True)
    for tally in scan.symptoms:
        console.print(Text(f"{tally.symptom}:", style="bold"))
        for sample in tally.samples:
            console.print(Text(f"  {sample.source}: ", style="dim") + Text(sample.text), soft_wrap=True)


def symptoms_markdown(scan: ScanResult) -> str:
    lines = ["# Log scan", "", _summary(scan) + ".", ""]
    if scan.tallies:
        lines += ["| Symptom | Count | First seen | Last seen |", "|---|---:|---|---|"]
        lines += [
            f"| `{t.symptom}` | {t.count:,} | {t.first_seen or '-'} | {t.last_seen or '-'} |"
            for t in scan.symptoms
        ]
        lines.append("")
        for tally in scan.symptoms:
            lines += [f"**{tally.symptom}**", "", "```text"]
            lines += [f"{sample.source}: {sample.text}" for sample in tally.samples]
            lines += ["```", ""]
    return "\n".join(lines)

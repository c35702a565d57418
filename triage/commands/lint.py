"""``triage lint [PATH...]``: check knowledge files and report every problem with its place."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import ExitCode
from .common import add_knowledge_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check knowledge files: schema, references, rankings, rules, regexes, sources",
        description=(
            "Check knowledge files and print every finding as `path:line:col: CODE message`. "
            "Without PATH, lint the shipped knowledge plus layered knowledge (--knowledge, TRIAGE_KNOWLEDGE); "
            "with PATHs, lint those files on top of it and report findings in them only. "
            "Exit status 1 when there are errors (or warnings, with --strict)."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="knowledge files or folders to lint")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODE",
        help="silence a check by code or name (repeatable, or comma-separated)",
    )
    parser.add_argument("--list-checks", action="store_true", help="list every check and exit")
    parser.add_argument(
        "--guides",
        type=Path,
        metavar="DIR",
        help="folder of the guides that sources cite (default: TRIAGE_GUIDES, or ../shared/seeds beside "
        "the source checkout); without one the source sections are not checked",
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..lint import CHECKS, lint

    if options.list_checks:
        if options.format == "json":
            checks = [
                {"code": c.code, "name": c.name, "severity": c.severity, "summary": c.summary} for c in CHECKS
            ]
            sys.stdout.write(json.dumps({"checks": checks}, indent=2) + "\n")
        else:
            for check in CHECKS:
                sys.stdout.write(f"{check.code}  {check.name:<24} {check.severity:<8} {check.summary}\n")
        return int(ExitCode.OK)
    report = lint(
        options.paths,
        extra=options.knowledge,
        shipped=not options.no_shipped,
        guides=options.guides,
        ignore=options.ignore,
    )
    if options.format == "json":
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        for finding in report.findings:
            sys.stdout.write(f"{finding}\n")
        errors, warnings = len(report.errors), len(report.warnings)
        summary = (
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"in {len(report.files)} file{'s' * (len(report.files) != 1)}"
        )
        sys.stdout.write(("\n" if report.findings else "") + summary + "\n")
    for note in report.notes:
        sys.stderr.write(f"triage lint: note: {note}\n")
    return int(ExitCode.NO_DIAGNOSIS if report.failed(strict=options.strict) else ExitCode.OK)

"""``triage test [PATH...]``: run knowledge test cases and report what ranked wrong."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from ..errors import ExitCode
from .common import add_knowledge_option, knowledge_from

if TYPE_CHECKING:
    from ..knowledge_tests import Outcome


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run knowledge test cases (default: the shipped knowledge/tests)",
        description=(
            "Run knowledge test cases: case files whose cases carry `expect: {first, top, top_n, absent, none}`. "
            "Cases marked `todo: true` are reported but do not fail. Exit status 1 when a case fails."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="test files or folders")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text", help="output format")
    parser.add_argument("--verbose", "-v", action="store_true", help="list passing cases too")
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..diagnosis import Diagnoser
    from ..errors import CaseFileError
    from ..knowledge_tests import read_test_cases, run_tests, unknown_causes

    knowledge = knowledge_from(options)
    diagnoser = Diagnoser(knowledge)
    cases = read_test_cases(options.paths)
    missing = unknown_causes(cases, diagnoser)
    if missing:
        case, cause = missing[0]
        raise CaseFileError(f"test case {case.id!r} names unknown cause {cause!r}", case.place)
    outcomes = run_tests(cases, diagnoser)
    if options.format == "json":
        sys.stdout.write(json.dumps(_json(outcomes), indent=2) + "\n")
    elif options.format == "junit":
        sys.stdout.write(_junit(outcomes))
    else:
        _print_text(outcomes, options.verbose)
    failed = [o for o in outcomes if not o.passed and not o.case.todo]
    return int(ExitCode.NO_DIAGNOSIS if failed else ExitCode.OK)


def _json(outcomes: list[Outcome]) -> dict[str, Any]:
    return {
        "summary": _summary(outcomes),
        "cases": [
            {
                "id": o.case.id,
                "place": str(o.case.place) if o.case.place else None,
                "passed": o.passed,
                "todo": o.case.todo,
                "failures": o.failures,
                "ranking": [
                    {"id": d.cause.id, "confidence": round(d.confidence, 4)} for d in o.result.diagnoses
                ],
            }
            for o in outcomes
        ],
    }


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    with_first = [o for o in outcomes if o.expected_first]
    top1 = sum(1 for o in with_first if o.ranked[:1] == [o.expected_first])
    top3 = sum(1 for o in with_first if o.expected_first in o.ranked[:3])
    return {
        "cases": len(outcomes),
        "passed": sum(o.passed for o in outcomes),
        "failed": sum(not o.passed and not o.case.todo for o in outcomes),
        "todo": sum(o.case.todo for o in outcomes),
        "top1": round(top1 / len(with_first), 4) if with_first else None,
        "top3": round(top3 / len(with_first), 4) if with_first else None,
    }


def _print_text(outcomes: list[Outcome], verbose: bool) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    for outcome in outcomes:
        if outcome.passed and not verbose:
            continue
        status = "ok" if outcome.passed else ("todo" if outcome.case.todo else "FAIL")
        style = {"ok": "green", "todo": "yellow", "FAIL": "bold red"}[status]
        console.print(f"[{style}]{status}[/{style}] {outcome.case.place or ''} {outcome.case.id}")
        for failure in outcome.failures:
            console.print(f"     - {failure}")
        if not outcome.passed:
            for rank, diagnosis in enumerate(outcome.result.diagnoses[:5], 1):
                marker = "+" if diagnosis.cause.id == outcome.expected_first else " "
                console.print(
                    f"    {marker}{rank}. {diagnosis.cause.id} {diagnosis.confidence:.0%}", style="dim"
                )
            matched = sorted({f"{m.symptom}={m.value}" for m in outcome.result.matched})
            console.print(f"     matched: {', '.join(matched) or 'nothing'}", style="dim")
    steals = Counter(
        (o.expected_first, o.ranked[0] if o.ranked else "no diagnosis")
        for o in outcomes
        if o.expected_first and o.ranked[:1] != [o.expected_first]
    )
    if steals:
        console.print("\n[bold]Who took whose cases[/bold] (expected -> ranked first instead)")
        for (expected, winner), count in steals.most_common():
            console.print(f"  {expected} -> {winner}: {count}")
    summary = _summary(outcomes)
    rates = ""
    if summary["top1"] is not None:
        rates = f"; top-1 {summary['top1']:.1%}, top-3 {summary['top3']:.1%}"
    console.print(
        f"\n{summary['passed']} passed, {summary['failed']} failed"
        + (f", {summary['todo']} todo" if summary["todo"] else "")
        + rates
    )


def _junit(outcomes: list[Outcome]) -> str:
    failed = sum(not o.passed and not o.case.todo for o in outcomes)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuite name="triage-knowledge" tests="{len(outcomes)}" failures="{failed}">',
    ]
    for outcome in outcomes:
        name = quoteattr(outcome.case.id or "case")
        classname = quoteattr(str(outcome.case.place.path) if outcome.case.place else "knowledge")
        lines.append(f"  <testcase classname={classname} name={name}>")
        if outcome.case.todo and not outcome.passed:
            lines.append('    <skipped message="todo"/>')
        elif not outcome.passed:
            message = quoteattr("; ".join(outcome.failures))
            ranking = ", ".join(outcome.ranked[:5])
            lines.append(f"    <failure message={message}>{escape('ranking: ' + ranking)}</failure>")
        lines.append("  </testcase>")
    lines.append("</testsuite>")
    return "\n".join(lines) + "\n"

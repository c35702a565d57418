"""``triage test [PATH...]``: run knowledge test cases and report what ranked wrong."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode
from .common import add_knowledge_option, knowledge_from

if TYPE_CHECKING:
    from ..knowledge_tests import Outcome


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run knowledge test cases (default: the shipped knowledge/tests)",
        description=(
            "Run knowledge test cases: case files whose cases carry "
            "`expect: {first, source, top, top_n, absent, none, reveals}`. "
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
    from ..knowledge_tests import read_test_cases, run_tests, unknown_names

    knowledge = knowledge_from(options)
    diagnoser = Diagnoser(knowledge)
    cases = read_test_cases(options.paths)
    missing = unknown_names(cases, diagnoser)
    if missing:
        case, name = missing[0]
        raise CaseFileError(f"test case {case.id!r} names unknown {name}", case.place)
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
                "expected_rank": o.expected_rank,
                "failures": o.failures,
                "ranking": [
                    {"id": d.cause.id, "confidence": round(d.confidence, 4)} for d in o.result.diagnoses
                ],
            }
            for o in outcomes
        ],
    }


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    ranked = [o for o in outcomes if o.case.expect and (o.case.expect.first or o.case.expect.source)]
    top1 = sum(1 for o in ranked if o.expected_rank == 1)
    top3 = sum(1 for o in ranked if o.expected_rank is not None and o.expected_rank <= 3)
    return {
        "cases": len(outcomes),
        "passed": sum(o.passed for o in outcomes),
        "failed": sum(not o.passed and not o.case.todo for o in outcomes),
        "todo": sum(o.case.todo for o in outcomes),
        "top1": round(top1 / len(ranked), 4) if ranked else None,
        "top3": round(top3 / len(ranked), 4) if ranked else None,
        "per_cause": _per_cause(outcomes),
    }


def _per_cause(outcomes: list[Outcome]) -> dict[str, dict[str, Any]]:
    """For each cause expected first: cases it ranked first in, cases it missed, and who took them."""
    table: dict[str, dict[str, Any]] = {}
    for outcome in outcomes:
        expected = outcome.expected_first
        if not expected:
            continue
        row = table.setdefault(expected, {"hits": 0, "misses": 0, "taken_by": {}})
        if outcome.ranked[:1] == [expected]:
            row["hits"] += 1
        else:
            row["misses"] += 1
            winner = outcome.ranked[0] if outcome.ranked else "no diagnosis"
            row["taken_by"][winner] = row["taken_by"].get(winner, 0) + 1
    return dict(sorted(table.items()))


def _why(outcome: Outcome, cause_id: str) -> str:
    """The strongest things that moved ``cause_id`` in this case, for a failure report."""
    score = next((s for s in outcome.result.ranking if s.cause == cause_id), None)
    if score is None or not score.contributions:
        return "nothing in the case bears on it"
    strongest = sorted(score.contributions, key=lambda c: -abs(math.log(c.factor)))[:4]
    return ", ".join(
        f"{c.name}{'=' + json.dumps(c.value) if c.value is not None else ''} x{c.factor:.3g}"
        for c in strongest
    )


def _print_text(outcomes: list[Outcome], verbose: bool) -> None:
    from rich.console import Console
    from rich.markup import escape as markup

    console = Console(highlight=False, soft_wrap=True)
    for outcome in outcomes:
        if outcome.passed and not verbose:
            continue
        status = "ok" if outcome.passed else ("todo" if outcome.case.todo else "FAIL")
        style = {"ok": "green", "todo": "yellow", "FAIL": "bold red"}[status]
        console.print(
            f"[{style}]{status}[/{style}] {outcome.case.place or ''} {markup(outcome.case.id or '')}"
        )
        if outcome.passed:
            continue
        for failure in outcome.failures:
            console.print(f"  [red]- {markup(failure)}[/red]")
        expected = outcome.expected_first
        for rank, diagnosis in enumerate(outcome.result.diagnoses[:5], 1):
            cause = diagnosis.cause.id
            line = f"{rank}. {cause} {diagnosis.confidence:.0%}: {_why(outcome, cause)}"
            if cause == expected:
                console.print(f"  [green]+ {markup(line)}[/green]")
            elif rank == 1:
                console.print(f"  [red]! {markup(line)}[/red]")
            else:
                console.print(f"    {markup(line)}", style="dim")
        if expected and expected not in outcome.ranked[:5]:
            console.print(
                f"  [green]+ {markup(expected)} (expected): {markup(_why(outcome, expected))}[/green]"
            )
        matched = sorted({f"{m.symptom}={m.value}" for m in outcome.result.matched})
        console.print(f"    matched: {markup(', '.join(matched) or 'nothing')}", style="dim")
    summary = _summary(outcomes)
    missed = {cause: row for cause, row in summary["per_cause"].items() if row["misses"]}
    if missed or (verbose and summary["per_cause"]):
        console.print("\n[bold]Per cause[/bold] (hits / misses, and who took the missed cases)")
        for cause, row in (summary["per_cause"] if verbose else missed).items():
            takers = ", ".join(f"{winner} {count}" for winner, count in row["taken_by"].items())
            console.print(
                f"  {cause}: {row['hits']} / {row['misses']}" + (f"  taken by {takers}" if takers else "")
            )
    rates = ""
    if summary["top1"] is not None:
        rates = f"; top-1 {summary['top1']:.1%}, top-3 {summary['top3']:.1%}"
    console.print(
        f"\n{summary['passed']} passed, {summary['failed']} failed"
        + (f", {summary['todo']} todo" if summary["todo"] else "")
        + rates
    )


def _junit(outcomes: list[Outcome]) -> str:
    from xml.sax.saxutils import escape, quoteattr  # imported here: it pulls in urllib (cold start)

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

"""``triage explain CASEFILE``: the rule firings and evidence behind a case's ranking."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import add_knowledge_option, knowledge_from, positive_int


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="show the matches, rule firings, derived facts and evidence behind a case's ranking",
        description=(
            "For each case of CASEFILE (as for `triage diagnose`): what the text matched, the answers, "
            "the rules that fired and what they derived, and what moved each of the top causes."
        ),
    )
    parser.add_argument("casefile", metavar="CASEFILE", help="a case file, or - for standard input")
    parser.add_argument("--top", type=positive_int, default=5, help="causes to explain (default 5)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..cases import read_cases
    from ..diagnosis import Diagnoser
    from ..explain import explain

    cases = read_cases(options.casefile)
    diagnoser = Diagnoser(knowledge_from(options))
    explained = [explain(diagnoser, case, top=options.top) for case in cases]
    if options.format == "json":
        sys.stdout.write(json.dumps({"cases": explained}, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write("\n".join(_text(item) for item in explained))
    return 0


def _text(item: dict[str, Any]) -> str:
    lines = [f"Case {item['id']}", ""]
    lines.append("Matched in the text:" if item["matched"] else "Matched in the text: nothing")
    for match in item["matched"]:
        lines.append(
            f"  {match['symptom']} = {json.dumps(match['value'])}  <- {match['text']!r} ({match['source']})"
        )
    answers = {k: v for k, v in item["answers"].items() if v is not None}
    lines.append("Answers: " + (", ".join(f"{k}={json.dumps(v)}" for k, v in answers.items()) or "none"))
    lines.append("")
    lines.append("Rules fired:" if item["rules_fired"] else "Rules fired: none")
    for firing in item["rules_fired"]:
        parts = []
        if firing["derived"]:
            parts.append("derives " + ", ".join(f"{k}={json.dumps(v)}" for k, v in firing["derived"].items()))
        if firing["evidence"]:
            parts.append("weighs " + ", ".join(f"{e['cause']} x{e['factor']:g}" for e in firing["evidence"]))
        if firing["ask"]:
            parts.append("asks " + ", ".join(firing["ask"]))
        lines.append(f"  {firing['rule']}: {'; '.join(parts)}")
    if item["derived"]:
        lines.append(
            "Derived facts: " + ", ".join(f"{k}={json.dumps(v)}" for k, v in item["derived"].items())
        )
    lines.append("")
    lines.append(f"Causes (something else: {item['something_else']:.0%}):")
    for rank, cause in enumerate(item["causes"], 1):
        mark = "" if cause["diagnosed"] else "  (not reported: no supporting evidence)"
        lines.append(f"  {rank}. {cause['id']} {cause['confidence']:.0%}  prior {cause['prior']:.3f}{mark}")
        for contribution in cause["contributions"]:
            name = contribution.get("symptom") or contribution.get("rule") or contribution.get("source")
            value = f"={json.dumps(contribution['value'])}" if "value" in contribution else ""
            note = f"  ({contribution['note']})" if contribution.get("note") else ""
            lines.append(
                f"       x{contribution['factor']:<7g} {contribution['kind']} {name}{value} "
                f"{contribution['effect']}{note}"
            )
    return "\n".join(lines) + "\n"

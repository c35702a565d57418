"""``triage graph [ID]``: draw how symptoms, rules and causes connect, as Mermaid or Graphviz."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import add_knowledge_option, knowledge_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw how symptoms, facts, rules, causes and procedures connect (Mermaid or DOT)",
        description=(
            "Print a diagram of the knowledge: the whole of it, or the neighbourhood of one symptom, cause, "
            "rule, procedure or fact. Dashed edges weaken a cause or suggest a question."
        ),
    )
    parser.add_argument("id", nargs="?", metavar="ID", help="draw only what connects to this id")
    parser.add_argument(
        "--format", choices=("mermaid", "dot"), default="mermaid", help="diagram language (default mermaid)"
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..graph import dot, edges, find_node, mermaid, neighbourhood

    knowledge = knowledge_from(options)
    centre = None
    if options.id:
        centre = find_node(knowledge, options.id)
        if centre is None:
            raise UsageError(
                f"no symptom, cause, rule, procedure or fact {options.id!r}; `triage export` lists them"
            )
        chosen = neighbourhood(knowledge, centre)
    else:
        chosen = edges(knowledge)
    render = dot if options.format == "dot" else mermaid
    sys.stdout.write(render(chosen, centre))
    return 0

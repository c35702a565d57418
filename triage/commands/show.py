"""``triage show ID``: one symptom, cause, rule, procedure or fact with everything linked to it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import add_knowledge_option, knowledge_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show",
        help="show a symptom, cause, rule, procedure or fact with everything linked to it",
        description=(
            "Print one object of the knowledge (as YAML), where it is defined, and what links to it: "
            "the causes a symptom is evidence for, the rules that test it, the rules that weigh a cause..."
        ),
    )
    parser.add_argument(
        "id", metavar="ID", help="the id of a symptom, cause, rule, procedure or derived fact"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default text)"
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    import difflib

    import yaml

    from ..errors import UsageError
    from ..graph import find_node, links

    knowledge = knowledge_from(options)
    node = find_node(knowledge, options.id)
    if node is None:
        pool = [i for kind in ("symptoms", "causes", "rules", "procedures") for i in getattr(knowledge, kind)]
        close = difflib.get_close_matches(options.id, pool + sorted(knowledge.derived_facts), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "`triage export` lists them"
        raise UsageError(f"no symptom, cause, rule, procedure or fact {options.id!r}; {hint}")
    definition: dict[str, Any] | None = None
    place = None
    if node.kind != "fact":
        obj = getattr(knowledge, node.kind + "s")[node.id]
        definition = obj.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        place = knowledge.place_of(node.kind + "s", node.id)
    linked = links(knowledge, node)
    if options.format == "json":
        data = {
            "kind": node.kind,
            "id": node.id,
            "place": str(place) if place else None,
            "definition": definition,
            "links": linked,
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(f"{node.kind} {node.id}" + (f"  ({place})" if place else "") + "\n\n")
    if definition is not None:
        sys.stdout.write(yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100) + "\n")
    sys.stdout.write("Linked:\n" if linked else "Nothing links to it.\n")
    for heading, items in linked.items():
        sys.stdout.write(f"  {heading}: {', '.join(items)}\n")
    return 0

"""``triage schema``: print the JSON Schema of knowledge files, or their field reference."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of knowledge files (or the field reference as Markdown)",
        description=(
            "Print the JSON Schema of knowledge files, generated from the models (docs/knowledge.schema.json), "
            "or with --format markdown the field reference (docs/knowledge-reference.md)."
        ),
    )
    parser.add_argument(
        "--format", choices=("json", "markdown"), default="json", help="output format (default json)"
    )
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..schema import knowledge_schema_text, reference_markdown

    sys.stdout.write(reference_markdown() if options.format == "markdown" else knowledge_schema_text())
    return 0

"""``triage export``: print the loaded knowledge as data."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import add_knowledge_option, knowledge_from


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="print the loaded knowledge (causes, symptoms, rules, procedures) as JSON or YAML",
        description="Print every cause, symptom, rule and procedure of the loaded knowledge, with sources.",
    )
    parser.add_argument(
        "--format", choices=("json", "yaml"), default="json", help="output format (default json)"
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    data = knowledge_from(options).export()
    if options.format == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    else:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0

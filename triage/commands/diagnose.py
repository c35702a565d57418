"""``triage diagnose FILE|-``: rank the causes of the cases in a YAML or JSON file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import ExitCode
from .common import add_format_option, add_knowledge_option, knowledge_from, positive_int


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diagnose",
        help="diagnose the cases in a file (YAML or JSON; - for standard input)",
        description=(
            "Diagnose one case or {cases: [...]} from a YAML or JSON file. A case is "
            "{id, description, errors: [...], answers: {symptom: value}, context: {placeholder: value}}. "
            "Exit status: 0 every case got a diagnosis, 1 some case got none, 2 bad input."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="case file, or - for standard input")
    add_format_option(parser)
    parser.add_argument(
        "--top", type=positive_int, default=5, help="how many causes to report per case (default 5)"
    )
    parser.add_argument("--jobs", type=positive_int, default=1, help="spread a large batch over N processes")
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..batch import diagnose_batch
    from ..cases import read_cases
    from ..report import print_text, to_markdown, write_json
    from .common import console

    cases = read_cases(options.file)
    knowledge = knowledge_from(options)
    results = diagnose_batch(
        cases,
        knowledge,
        options.knowledge,
        shipped=not options.no_shipped,
        top=options.top,
        jobs=options.jobs,
    )
    if options.format == "json":
        write_json(results, sys.stdout)
    elif options.format == "markdown":
        sys.stdout.write(to_markdown(results, knowledge))
    else:
        print_text(results, knowledge, console())  # type: ignore[arg-type]
    return int(ExitCode.OK if all(result.diagnoses for result in results) else ExitCode.NO_DIAGNOSIS)

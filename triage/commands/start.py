"""``triage`` with no command: the interactive wizard, which needs a terminal."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError


def run(options: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the interactive wizard needs a terminal; use `triage diagnose FILE` for a case file "
            "or `triage ask --jsonl` for the line protocol"
        )
    from ..cli import build_parser

    build_parser().print_help()
    return 2

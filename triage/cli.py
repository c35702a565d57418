"""The ``triage`` command: parses arguments, calls the core, renders results and errors once."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import ExitCode, TriageError

# Each subcommand is a module of triage.commands with ``register(subparsers)``; heavy imports
# happen inside the handlers so that ``triage --help`` stays fast.
COMMAND_MODULES = [
    "diagnose",
    "export",
    "test",
    "evaluate",
    "ask",
    "resume",
    "sessions",
    "lint",
    "scan",
    "schema",
    "show",
    "explain",
    "graph",
]

DEBUG_VARIABLE = "TRIAGE_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triage",
        description=(
            "Troubleshoot a production problem: describe it or paste the error, answer a few questions, "
            "get ranked causes with the commands that confirm them and the fix. "
            "Run without a command in a terminal to start the interactive wizard."
        ),
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    parser.add_argument("--debug", action="store_true", help=f"show tracebacks (or set {DEBUG_VARIABLE}=1)")
    importlib.import_module("triage.commands.start").add_top_level_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"triage.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    options = parser.parse_args(arguments)
    debug = options.debug or os.environ.get(DEBUG_VARIABLE) not in (None, "", "0")
    try:
        if options.command is None:
            from .commands import start

            return int(start.run(options))
        return int(options.handler(options))
    except TriageError as error:
        if debug:
            raise
        print(f"triage: {error}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        if debug:
            raise
        print("\ntriage: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # the reader went away (e.g. `triage export | head`); nothing more to say
        sys.stderr.close()
        return int(ExitCode.OK)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()

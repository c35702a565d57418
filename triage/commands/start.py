"""``triage`` with no command: the interactive wizard, which needs a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ExitCode, UsageError
from .common import share

if TYPE_CHECKING:
    from ..diagnosis import Diagnoser
    from ..session import Session, StopSettings
    from ..session_store import SessionStore

NO_TERMINAL = (
    "the interactive wizard needs a terminal; use `triage diagnose FILE` for a case file "
    "or `triage ask --jsonl` for the JSON-lines protocol"
)


def add_options(
    parser: argparse.ArgumentParser, *, title: str | None = "wizard (triage without a command)"
) -> None:
    """The wizard's options, on the top-level parser and on ``triage resume``."""
    group = parser.add_argument_group(title) if title else parser
    group.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="wizard_set",
        help="a placeholder value for the commands, e.g. --set function_name=my-fn; repeatable",
    )
    group.add_argument(
        "--report",
        type=Path,
        metavar="FILE.md",
        dest="wizard_report",
        help="also write the report as Markdown",
    )
    group.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        dest="wizard_format",
        help="how to show the final report (default text; json is the diagnose case object)",
    )
    group.add_argument(
        "--knowledge",
        action="append",
        default=[],
        metavar="PATH",
        dest="wizard_knowledge",
        help="extra knowledge (file or folder) layered on the shipped one; repeatable",
    )
    group.add_argument(
        "--confidence",
        type=share,
        default=None,
        help="stop when the top cause reaches this (default 0.85)",
    )
    group.add_argument(
        "--margin",
        type=share,
        default=None,
        metavar="P",
        help="...and leads the second by this much (default 0.3); a lead that rests on the last answer "
        "alone is checked with one more question first",
    )
    group.add_argument(
        "--max-questions", type=int, default=None, metavar="N", help="ask at most N questions (default 15)"
    )


def add_top_level_options(parser: argparse.ArgumentParser) -> None:
    add_options(parser)
    parser.add_argument(
        "--from-scan",
        type=Path,
        metavar="FILE.json",
        dest="wizard_from_scan",
        default=None,
        help="start from what `triage scan --format json` found in logs",
    )


def run(options: argparse.Namespace) -> int:
    require_terminal()
    from ..session import Session

    diagnoser = load_diagnoser(options.wizard_knowledge)
    context = placeholder_values(options.wizard_set)
    scan = getattr(options, "wizard_from_scan", None)
    if scan is not None:
        from ..scan import read_scan_case

        case = read_scan_case(scan)
        session = Session.start(
            diagnoser,
            description=case.description,
            errors=case.errors,
            answers=case.answers,
            context={**case.context, **context},
            settings=stop_settings(options),
        )
    else:
        session = Session.start(diagnoser, context=context, settings=stop_settings(options))
        session.opened = False
    session.knowledge_paths = [str(Path(path).resolve()) for path in options.wizard_knowledge]
    return run_wizard(session, options)


def require_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(NO_TERMINAL)


def load_diagnoser(paths: list[str]) -> Diagnoser:
    from ..diagnosis import Diagnoser
    from ..loading import load_knowledge

    return Diagnoser(load_knowledge(paths))


def placeholder_values(assignments: list[str]) -> dict[str, str]:
    """``--set NAME=VALUE`` options as a dictionary."""
    from ..models import PLACEHOLDER

    values: dict[str, str] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        name = name.strip()
        if not equals or not PLACEHOLDER.fullmatch("{" + name + "}"):
            raise UsageError(f"--set {assignment!r}: expected NAME=VALUE with a lower_snake_case name")
        values[name] = value
    return values


def stop_settings(options: argparse.Namespace, base: StopSettings | None = None) -> StopSettings:
    from ..session import StopSettings

    settings = base or StopSettings()
    if options.confidence is not None:
        settings.confidence = options.confidence
    if options.margin is not None:
        settings.margin = options.margin
    if options.max_questions is not None:
        if options.max_questions < 0:
            raise UsageError("--max-questions must be 0 or more")
        settings.max_questions = options.max_questions
    return settings


def run_wizard(session: Session, options: argparse.Namespace, store: SessionStore | None = None) -> int:
    from rich.console import Console

    from ..session_store import SessionStore
    from ..wizard import Wizard

    sessions = store or SessionStore()
    wizard = Wizard(
        session,
        Console(highlight=False),
        save=lambda current: sessions.save(current.to_json()),
        report_path=options.wizard_report,
        output_format=options.wizard_format,
    )
    try:
        wizard.run()
    except KeyboardInterrupt:
        print(f"\nSession saved. Continue with:\n  triage resume {session.id}", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    return int(ExitCode.OK if session.result().diagnoses else ExitCode.NO_DIAGNOSIS)

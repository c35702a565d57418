"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..knowledge import Knowledge

OUTPUT_FORMATS = ("text", "markdown", "json")


def add_knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        action="append",
        default=[],
        metavar="PATH",
        help="extra knowledge (file or folder) layered on the shipped one; repeatable. "
        "TRIAGE_KNOWLEDGE adds more, separated by ':'",
    )
    parser.add_argument(
        "--no-shipped",
        action="store_true",
        help="leave the shipped knowledge out: use only --knowledge PATHs and TRIAGE_KNOWLEDGE",
    )


def add_format_option(parser: argparse.ArgumentParser, formats: tuple[str, ...] = OUTPUT_FORMATS) -> None:
    parser.add_argument(
        "--format", choices=formats, default=formats[0], help=f"output format (default {formats[0]})"
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def share(text: str) -> float:
    """An argparse type: a number from 0 to 1 (a share or a probability)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def knowledge_from(options: argparse.Namespace) -> Knowledge:
    from ..loading import load_knowledge

    return load_knowledge(options.knowledge, shipped=not options.no_shipped)


def console(stream: object = None) -> object:
    """A rich console on stdout; plain text when stdout is not a terminal."""
    from rich.console import Console

    return Console(file=stream, soft_wrap=False, highlight=False)  # type: ignore[arg-type]

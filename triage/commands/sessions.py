"""``triage sessions``: list the saved wizard sessions."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sessions",
        help="list saved wizard sessions (newest first)",
        description="List the saved wizard sessions, newest first; continue one with `triage resume ID`.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--delete", metavar="ID", help="delete one saved session")
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ..session_store import SessionStore

    store = SessionStore()
    if options.delete:
        store.delete(options.delete)
        print(f"deleted session {options.delete}")
        return 0
    summaries = store.summaries()
    if options.format == "json":
        sys.stdout.write(json.dumps({"sessions": [s.to_json() for s in summaries]}, indent=2) + "\n")
        return 0
    console = Console(highlight=False)
    if not summaries:
        console.print(f"No saved sessions in {store.root}; start one with `triage`.")
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "updated", "status", "questions", "leading cause", "description"):
        table.add_column(column, overflow="fold" if column == "description" else "ellipsis")
    for summary in summaries:
        status = "unreadable" if summary.problem else ("finished" if summary.finished else "open")
        leading = f"{summary.top} {summary.confidence:.0%}" if summary.top and summary.confidence else "-"
        table.add_row(
            summary.id,
            summary.updated.replace("T", " ").replace("+00:00", "Z"),
            status,
            str(summary.questions),
            leading,
            summary.problem or _shorten(summary.description),
        )
    console.print(table)
    console.print("Continue one with: triage resume ID")
    return 0


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

"""``triage resume [ID]``: continue a saved wizard session where it stopped."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import SessionError
from .start import (
    add_options,
    load_diagnoser,
    placeholder_values,
    require_terminal,
    run_wizard,
    stop_settings,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "resume",
        help="continue a saved wizard session (default: the latest unfinished one)",
        description="Continue a saved wizard session exactly where it stopped. `triage sessions` lists them.",
    )
    parser.add_argument("session_id", nargs="?", metavar="ID", help="the session to continue")
    add_options(parser, title=None)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..errors import Place
    from ..session import Session
    from ..session_store import SessionStore

    store = SessionStore()
    session_id = options.session_id or store.latest()
    if session_id is None:
        raise SessionError("no unfinished session to resume; start one with `triage`")
    data = store.load(session_id)  # a missing or corrupt file is reported even without a terminal
    require_terminal()
    saved = data.get("knowledge")
    saved_paths = [str(path) for path in saved] if isinstance(saved, list) else []
    diagnoser = load_diagnoser(options.wizard_knowledge or saved_paths)
    try:
        session = Session.from_json(data, diagnoser)
    except SessionError as error:
        raise SessionError(error.message, Place(str(store.path(session_id)))) from None
    session.settings = stop_settings(options, session.settings)
    for name, value in placeholder_values(options.wizard_set).items():
        session.set_context(name, value)
    if options.wizard_knowledge:
        session.knowledge_paths = list(options.wizard_knowledge)
    session.finished = False
    return run_wizard(session, options, store)

"""Saved sessions: one JSON file per session under the user's state directory, written atomically.

The directory is ``platformdirs.user_state_dir("triage")/sessions`` (``~/.local/state/triage`` on
Linux), or ``$TRIAGE_STATE_DIR/sessions`` when that is set.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Place, SessionError

STATE_VARIABLE = "TRIAGE_STATE_DIR"
SESSION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def state_dir() -> Path:
    """Where triage keeps its state."""
    override = os.environ.get(STATE_VARIABLE)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("triage"))


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``triage sessions``: enough to pick a session without loading the knowledge."""

    id: str
    updated: str
    finished: bool
    questions: int
    top: str | None
    confidence: float | None
    description: str
    problem: str | None = None  # why the file cannot be resumed, if it cannot

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "updated": self.updated,
            "finished": self.finished,
            "questions": self.questions,
            "top": self.top,
            "confidence": self.confidence,
            "description": self.description,
            "problem": self.problem,
        }


class SessionStore:
    """The folder of saved sessions."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or state_dir()) / "sessions"

    def path(self, session_id: str) -> Path:
        if not SESSION_ID.match(session_id):
            raise SessionError(f"{session_id!r} is not a session id; `triage sessions` lists them")
        return self.root / f"{session_id}.json"

    def save(self, data: dict[str, Any]) -> Path:
        """Write one session's data atomically (a crash leaves the old file or the new, never half)."""
        target = self.path(str(data["id"]))
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1, ensure_ascii=False)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target

    def load(self, session_id: str) -> dict[str, Any]:
        """The saved data of a session; SessionError when it is missing or not a session file."""
        path = self.path(session_id)
        if not path.exists():
            raise SessionError(f"no saved session {session_id!r}; `triage sessions` lists them")
        return read_session_file(path)

    def latest(self) -> str | None:
        """The most recently updated session that is not finished."""
        open_sessions = [s for s in self.summaries() if not s.finished and s.problem is None]
        return open_sessions[0].id if open_sessions else None

    def summaries(self) -> list[SessionSummary]:
        """Every saved session, most recently updated first; unreadable files say why."""
        if not self.root.is_dir():
            return []
        found: list[SessionSummary] = []
        for path in self.root.glob("*.json"):
            try:
                data = read_session_file(path)
            except SessionError as error:
                found.append(SessionSummary(path.stem, "", False, 0, None, None, "", error.message))
                continue
            raw_summary = data.get("summary")
            summary: dict[str, Any] = raw_summary if isinstance(raw_summary, dict) else {}
            description = data.get("description") if isinstance(data.get("description"), str) else ""
            found.append(
                SessionSummary(
                    id=str(data.get("id", path.stem)),
                    updated=str(data.get("updated", "")),
                    finished=bool(data.get("finished")),
                    questions=int(summary.get("questions") or 0),
                    top=summary.get("top"),
                    confidence=summary.get("confidence"),
                    description=" ".join((description or "").split()),
                )
            )
        found.sort(key=lambda summary: (summary.updated, summary.id), reverse=True)
        return found

    def delete(self, session_id: str) -> None:
        path = self.path(session_id)
        if not path.exists():
            raise SessionError(f"no saved session {session_id!r}; `triage sessions` lists them")
        path.unlink()


def read_session_file(path: Path) -> dict[str, Any]:
    """Parse a session file; a corrupt or foreign file is a one-line SessionError naming it."""
    from .session import FORMAT

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SessionError(f"cannot read the session file: {error}", Place(str(path))) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SessionError(
            f"corrupt session file ({error.msg}); delete it or start a new session with `triage`",
            Place(str(path), error.lineno, error.colno),
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError("not a triage session file", Place(str(path)))
    return data

"""The project's error types and exit codes.

Every error the core raises is a ``TriageError``; the CLI renders it once, as one line, and turns
it into an exit code. An error that has a place in a file carries it and prints as
``path:line:col: message``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Exit statuses of the ``triage`` command; scripts rely on them."""

    OK = 0
    NO_DIAGNOSIS = 1  # a case got no diagnosis; also lint/test failures
    USAGE = 2  # bad arguments or bad input
    INTERRUPTED = 130  # Ctrl-C


@dataclass(frozen=True)
class Place:
    """Where in a file something is: 1-based line and column, either may be unknown."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class TriageError(Exception):
    """Root of every error the core raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, place: Place | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.place = place

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, TriageError)
            and (self.message, self.place) == (other.message, other.place)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.message, self.place))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.place!r})"


class KnowledgeError(TriageError):
    """A knowledge file cannot be read or breaks the schema or its references."""


class CaseFileError(TriageError):
    """A case file (input of ``triage diagnose``) cannot be read or is malformed."""


class LogFileError(TriageError):
    """A log file given to ``triage scan`` is missing, a directory, or cannot be read or unpacked."""


class SessionError(TriageError):
    """A saved wizard session is missing, corrupt or from an incompatible version."""


class UsageError(TriageError):
    """The command line asks for something that cannot be done."""

"""triage: an expert system for troubleshooting production systems."""

from .errors import CaseFileError, ExitCode, KnowledgeError, Place, SessionError, TriageError, UsageError
from .knowledge import Knowledge
from .loading import load_knowledge

__version__ = "0.1.0"

__all__ = [
    "CaseFileError",
    "ExitCode",
    "Knowledge",
    "KnowledgeError",
    "Place",
    "SessionError",
    "TriageError",
    "UsageError",
    "__version__",
    "load_knowledge",
]

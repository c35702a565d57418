"""triage: an expert system for troubleshooting production systems."""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import CaseFileError, ExitCode, KnowledgeError, Place, SessionError, TriageError, UsageError

if TYPE_CHECKING:
    from .cases import CaseModel
    from .diagnosis import Diagnoser, diagnose
    from .knowledge import Knowledge
    from .loading import load_knowledge
    from .session import Session, StopSettings

__version__ = "0.1.0"

# The API below pulls in pydantic, the models and the rule engine (experta), most of the start-up
# time; it is imported on first use so that `import triage` and `triage --help` stay fast.
_LAZY = {
    "Knowledge": "triage.knowledge",
    "load_knowledge": "triage.loading",
    "CaseModel": "triage.cases",
    "Diagnoser": "triage.diagnosis",
    "diagnose": "triage.diagnosis",
    "Session": "triage.session",
    "StopSettings": "triage.session",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'triage' has no attribute {name!r}")


__all__ = [
    "CaseFileError",
    "CaseModel",
    "Diagnoser",
    "ExitCode",
    "Knowledge",
    "KnowledgeError",
    "Place",
    "Session",
    "SessionError",
    "StopSettings",
    "TriageError",
    "UsageError",
    "__version__",
    "diagnose",
    "load_knowledge",
]

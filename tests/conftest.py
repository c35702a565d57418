"""Shared fixtures: small knowledge bases and the installed ``triage`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from triage.knowledge import Knowledge
from triage.loading import load_knowledge

FILES = Path(__file__).parent / "files"
MINI = FILES / "mini"


@pytest.fixture(scope="session")
def mini_knowledge() -> Knowledge:
    """The small knowledge base of tests/files/mini, without the shipped knowledge."""
    return load_knowledge([MINI], shipped=False)


@pytest.fixture(scope="session")
def shipped_knowledge() -> Knowledge:
    return load_knowledge()


def triage_executable() -> str:
    """The installed ``triage`` console script of the interpreter running the tests."""
    beside_python = Path(sys.executable).parent / "triage"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("triage")
    assert found, "the triage command is not installed; run `pip install -e '.[test]'`"
    return found


@pytest.fixture
def run_triage(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``triage`` command as a user would, in a scratch directory."""

    def run(
        *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "TRIAGE_STATE_DIR": str(tmp_path / "state"), **(env or {})}
        environment.pop("TRIAGE_KNOWLEDGE", None) if env is None or "TRIAGE_KNOWLEDGE" not in env else None
        return subprocess.run(
            [triage_executable(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=timeout,
        )

    return run


WIZARD = FILES / "wizard"


@pytest.fixture(scope="session")
def wizard_knowledge() -> Knowledge:
    """The wz_ knowledge of tests/files/wizard (sessions, wizard, protocol), without the shipped one."""
    return load_knowledge([WIZARD], shipped=False)

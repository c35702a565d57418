"""The shipped knowledge's index: what every process would otherwise work out from the files again.

Two things the first question after a description needs depend only on the shipped files: each
pattern's required literals (``literals.quick_required_literals``, which parses every regular
expression, about 0.1 s for 2,300 patterns) and the descriptions of the knowledge cases with what
they expect (``examples``, which parses the 30 case files). They are worked out once, written to
``knowledge/index.json`` and shipped in the package.

The index records a fingerprint of the files it was built from. When the files differ (a shipped
file edited after installation, or an author who has not rebuilt it yet), the index is ignored and
everything is worked out from the files as before: a stale index costs time, never a wrong answer.
A test fails while the committed index is stale; rebuild it with ``python -m triage.index``.
The index is JSON, read with ``json.loads``: like the knowledge, nothing in it is ever executed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import KnowledgeError
from .loading import TESTS_FOLDER, shipped_knowledge_root

INDEX_FILE = "index.json"


@dataclass(frozen=True)
class ShippedIndex:
    """What the shipped files amount to, for the parts that are slow to work out."""

    literals: dict[str, frozenset[str] | None]  # a pattern's source -> its required literals
    cases: list[tuple[str, Any]]  # each knowledge case's description and its ``expect``


def fingerprint(root: Path) -> str:
    """A digest of the knowledge files and case files under ``root``, names and contents.

    Line endings are read as YAML reads them: a checkout that turned every LF into CRLF (git's
    ``core.autocrlf`` on Windows) holds the same knowledge, so it keeps the same fingerprint.
    """
    digest = hashlib.sha256()
    for path in sorted([*root.glob("*.yaml"), *(root / TESTS_FOLDER).glob("*.yaml")]):
        content = path.read_bytes().replace(b"\r\n", b"\n")
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


@functools.cache
def shipped_index() -> ShippedIndex | None:
    """The shipped index, if it was built from the files installed beside it."""
    root = shipped_knowledge_root()
    try:
        data = json.loads((root / INDEX_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint(root):
        return None
    return ShippedIndex(
        literals={
            source: None if found is None else frozenset(found) for source, found in data["literals"].items()
        },
        cases=[(description, expect) for description, expect in data["cases"]],
    )


def build() -> dict[str, Any]:
    """The index of the shipped knowledge."""
    from .examples import shipped_cases  # examples reads the index, so it is imported here
    from .literals import quick_required_literals
    from .loading import load_knowledge

    root = shipped_knowledge_root()
    knowledge = load_knowledge()
    if knowledge.layers:
        raise KnowledgeError("the index is of the shipped knowledge alone: unset TRIAGE_KNOWLEDGE")
    literals: dict[str, list[str] | None] = {}
    for symptom in knowledge.symptoms.values():
        for pattern in symptom.patterns:
            source = pattern.to_regex()
            found = quick_required_literals(source)
            literals[source] = None if found is None else sorted(found)
    return {"fingerprint": fingerprint(root), "literals": literals, "cases": shipped_cases()}


def main() -> None:
    """Rebuild ``knowledge/index.json`` from the knowledge files beside it."""
    index = build()
    root = shipped_knowledge_root()
    (root / INDEX_FILE).write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{root / INDEX_FILE}: {len(index['literals'])} patterns, {len(index['cases'])} knowledge cases")


if __name__ == "__main__":
    main()

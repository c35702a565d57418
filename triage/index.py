"""The shipped knowledge's index: what every process would otherwise work out from the files again.

Three things the first question after a description needs depend only on the shipped files: the
data of each knowledge file with the lines where its symptoms, causes, rules and procedures start
(parsing the 30 files' YAML takes about 0.25 s even with libyaml; reading the same data as JSON,
0.01 s), each pattern's required literals (``literals.quick_required_literals``, which parses
every regular expression, about 0.1 s for 2,700 patterns) and the descriptions of the knowledge
cases with what they expect (``examples``, which parses the 30 case files). They are worked out
once and shipped in the package: the files' data in ``knowledge/index-files.json``, read once
while the knowledge is loaded and then let go, the rest in ``knowledge/index.json``, kept for the
life of the process. The data is validated against the schema on every load like the files'
(``loading.read_shipped``); only the YAML parsing is saved.

Each index file records its format and a fingerprint of the files it was built from. When the
files differ (a shipped file edited after installation, or an author who has not rebuilt it yet),
the index is ignored and everything is worked out from the files as before, and so is an index
that cannot be read: a stale or damaged index costs time, never a wrong answer.
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

from .errors import KnowledgeError, Place
from .loading import (
    TESTS_FOLDER,
    display_name,
    read_document,
    shipped_knowledge_files,
    shipped_knowledge_root,
)
from .yamlfile import Document, PathKey

INDEX_FILE = "index.json"
FILES_INDEX_FILE = "index-files.json"  # the files' data, read only while loading the knowledge
FORMAT = 2  # raised whenever what the index holds changes: an index of another format is ignored


@dataclass(frozen=True)
class ShippedIndex:
    """What the shipped files amount to, for the parts that are slow to work out."""

    literals: dict[str, frozenset[str] | None]  # a pattern's source -> its required literals
    cases: list[tuple[str, Any]]  # each knowledge case's description and its ``expect``


@dataclass(frozen=True)
class ShippedFile:
    """One shipped knowledge file as the careful parser read it, without its YAML: its data as JSON
    text (decoded when the file is loaded) and where each listed item starts."""

    data_json: str
    item_places: dict[tuple[str, int], tuple[int, int]]  # ("causes", 3) -> line, column

    def document(self, name: str) -> Document:
        """The file as a parsed document: its data, and the places of the file and of its items."""
        places: dict[PathKey, Place] = {(): Place(name, 1, 1)}
        places.update({item: Place(name, line, column) for item, (line, column) in self.item_places.items()})
        return Document(name, json.loads(self.data_json), places)


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
def installed_fingerprint(root: Path) -> str:
    """The fingerprint of the files installed at ``root``, worked out once per process: both index
    files are checked against it, and the installed files do not change while triage runs."""
    return fingerprint(root)


def _read_fresh(name: str) -> dict[str, Any] | None:
    """One of the index files, if it is of this format and was built from the files beside it."""
    root = shipped_knowledge_root()
    try:
        data = json.loads((root / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or data.get("fingerprint") != installed_fingerprint(root)
    ):
        return None
    return data


@functools.cache
def shipped_index() -> ShippedIndex | None:
    """The shipped index of literals and cases, kept for the life of the process once read."""
    data = _read_fresh(INDEX_FILE)
    if data is None:
        return None
    return ShippedIndex(
        literals={
            source: None if found is None else frozenset(found) for source, found in data["literals"].items()
        },
        cases=[(description, expect) for description, expect in data["cases"]],
    )


def shipped_files() -> dict[str, ShippedFile] | None:
    """Each shipped knowledge file's data by file name, when the index of them is fresh.

    Not kept: the data is needed once, while the knowledge is loaded, and a process that held on to
    it would carry a second copy of the knowledge for as long as it runs.
    """
    data = _read_fresh(FILES_INDEX_FILE)
    if data is None:
        return None
    try:
        return {
            name: ShippedFile(
                entry["data"],
                {(section, index): (line, column) for section, index, line, column in entry["items"]},
            )
            for name, entry in data["files"].items()
        }
    except (AttributeError, KeyError, TypeError, ValueError):  # damaged by hand: read the files
        return None


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    """The two index files of the shipped knowledge: literals and cases, and the files' data."""
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
    stamp = {"format": FORMAT, "fingerprint": fingerprint(root)}
    return (
        {**stamp, "literals": literals, "cases": shipped_cases()},
        {**stamp, "files": {path.name: _file_entry(path) for path in shipped_knowledge_files()}},
    )


def _file_entry(path: Path) -> dict[str, Any]:
    """A knowledge file's data as the careful parser reads it, and where each listed item starts."""
    document = read_document(path, display=display_name(path))
    items = [
        [*location, place.line, place.column]
        for location, place in document.places.items()
        if len(location) == 2 and isinstance(location[1], int)  # ("causes", 3)
    ]
    return {"data": json.dumps(document.data, ensure_ascii=False, separators=(",", ":")), "items": items}


def main() -> None:
    """Rebuild the index files from the knowledge files beside them (never from themselves)."""
    root = shipped_knowledge_root()
    for name in (INDEX_FILE, FILES_INDEX_FILE):
        (root / name).unlink(missing_ok=True)
    shipped_index.cache_clear()
    installed_fingerprint.cache_clear()
    index, files = build()
    for name, content in ((INDEX_FILE, index), (FILES_INDEX_FILE, files)):
        (root / name).write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(
        f"{root / INDEX_FILE}: {len(index['literals'])} patterns, {len(index['cases'])} knowledge cases; "
        f"{root / FILES_INDEX_FILE}: {len(files['files'])} knowledge files"
    )


if __name__ == "__main__":
    main()

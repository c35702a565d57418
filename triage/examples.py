"""Examples: how people describe each cause, taken from the knowledge cases.

Every knowledge case pairs a description in someone's own words with the cause it must lead to
(``expect.first``) or the guide section the first diagnosis must cite (``expect.source``, which
names every cause citing that section). Those descriptions are the best record there is of the
words users actually use, so ``Resemblance`` counts them among each cause's own words.

The cases come from the shipped ``knowledge/tests`` when the shipped knowledge is loaded (from the
shipped index when it is fresh, see ``index``; else from the files, validated in CI, so read the
fast way) and from the ``tests`` folder of each team knowledge layer
(beside a layer file, or inside a layer folder), so that a team's causes are described as richly as
the shipped ones. Cases that expect nothing of the first diagnosis, or name causes this knowledge
lacks, are passed over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import CaseFileError, KnowledgeError
from .index import shipped_index
from .knowledge import Knowledge
from .loading import TESTS_FOLDER, display_name, shipped_knowledge_root
from .yamlfile import Document, parse, parse_trusted, read_text


def knowledge_examples(knowledge: Knowledge) -> dict[str, list[str]]:
    """The descriptions of the shipped and team knowledge cases, by the cause each one is about."""
    reader = _ExampleReader(knowledge)
    if knowledge.shipped:
        index = shipped_index()
        for description, expect in index.cases if index is not None else shipped_cases():
            reader.add_case(description, expect)
    for path in team_case_files(knowledge.layers):
        name = display_name(path)
        for description, expect in described_cases(
            parse(read_text(path, CaseFileError, name), name, CaseFileError)
        ):
            reader.add_case(description, expect)
    return dict(reader.examples)


def shipped_cases() -> list[tuple[str, Any]]:
    """Each shipped knowledge case with a description, and its ``expect``, read from the files."""
    cases: list[tuple[str, Any]] = []
    for path in sorted((shipped_knowledge_root() / TESTS_FOLDER).glob("*.yaml")):
        name = display_name(path)
        cases.extend(described_cases(parse_trusted(path.read_text(encoding="utf-8"), name, KnowledgeError)))
    return cases


def described_cases(document: Document) -> list[tuple[str, Any]]:
    """The cases of a case file that have a description, with their ``expect``."""
    listed = document.data.get("cases") if isinstance(document.data, dict) else None
    return [
        (case["description"], case.get("expect"))
        for case in (listed if isinstance(listed, list) else [])
        if isinstance(case, dict) and isinstance(case.get("description"), str)
    ]


def team_case_files(layers: Iterable[Path]) -> list[Path]:
    """The case files in the ``tests`` folder of each team layer (a folder, or a file's folder)."""
    folders = dict.fromkeys((layer if layer.is_dir() else layer.parent) / TESTS_FOLDER for layer in layers)
    return [path for folder in folders if folder.is_dir() for path in sorted(folder.rglob("*.y*ml"))]


def expected_causes(knowledge: Knowledge, expect: Any) -> list[str]:
    """The causes a case's expectation is about: the one it names, or those citing its section."""
    return _ExampleReader(knowledge).expected_causes(expect)


class _ExampleReader:
    """Collects examples; remembers which causes cite a section, since many cases name the same one."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.examples: defaultdict[str, list[str]] = defaultdict(list)
        self.citing: dict[tuple[str, str], list[str]] = {}

    def add_case(self, description: str, expect: Any) -> None:
        for cause in self.expected_causes(expect):
            self.examples[cause].append(description)

    def expected_causes(self, expect: Any) -> list[str]:
        if not isinstance(expect, Mapping):
            return []
        first = expect.get("first")
        if isinstance(first, str):
            return [first] if first in self.knowledge.causes else []
        sections = expect.get("source")
        sections = [sections] if isinstance(sections, Mapping) else sections
        if not isinstance(sections, list):
            return []
        found: dict[str, None] = {}
        for wanted in sections:
            if not isinstance(wanted, Mapping):
                continue
            guide, section = wanted.get("guide"), wanted.get("section")
            if isinstance(guide, str) and isinstance(section, str):
                found.update(dict.fromkeys(self.causes_citing(guide, section)))
        return list(found)

    def causes_citing(self, guide: str, section: str) -> list[str]:
        key = (guide, section)
        if key not in self.citing:
            self.citing[key] = [c.id for c in self.knowledge.causes.values() if c.cites(guide, section)]
        return self.citing[key]

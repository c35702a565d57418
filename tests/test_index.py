"""The shipped index: fresh in the repository, equal to what it saves working out, ignored when stale."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from triage import index as index_module
from triage.examples import knowledge_examples
from triage.index import INDEX_FILE, build, fingerprint, shipped_index
from triage.knowledge import Knowledge
from triage.literals import quick_required_literals
from triage.loading import shipped_knowledge_root


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    shipped_index.cache_clear()
    yield
    shipped_index.cache_clear()


def test_the_committed_index_was_built_from_the_knowledge_beside_it(fresh_cache: None) -> None:
    assert shipped_index() is not None, "knowledge/index.json is stale: run `python -m triage.index`"


def test_the_index_knows_every_patterns_literals_as_worked_out(
    shipped_knowledge: Knowledge, fresh_cache: None
) -> None:
    index = shipped_index()
    assert index is not None
    sources = {pattern.to_regex() for s in shipped_knowledge.symptoms.values() for pattern in s.patterns}
    assert set(index.literals) == sources
    assert all(index.literals[source] == quick_required_literals(source) for source in sources)


def test_the_examples_from_the_index_are_those_from_the_files(
    shipped_knowledge: Knowledge, fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_index = knowledge_examples(shipped_knowledge)
    monkeypatch.setattr("triage.examples.shipped_index", lambda: None)
    assert knowledge_examples(shipped_knowledge) == from_index


@pytest.fixture
def copied_knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(shipped_knowledge_root(), root)
    monkeypatch.setattr(index_module, "shipped_knowledge_root", lambda: root)
    return root


def test_an_edited_knowledge_file_makes_the_index_stale(copied_knowledge: Path) -> None:
    assert shipped_index() is not None
    edited = copied_knowledge / "signals.yaml"
    edited.write_text(edited.read_text() + "\n# an author's edit\n")
    shipped_index.cache_clear()
    assert shipped_index() is None


def test_an_edited_knowledge_case_makes_the_index_stale(copied_knowledge: Path) -> None:
    case_file = copied_knowledge / "tests" / "variants.yaml"
    before = fingerprint(copied_knowledge)
    case_file.write_text(case_file.read_text() + "\n# an author's edit\n")
    assert fingerprint(copied_knowledge) != before
    assert shipped_index() is None


def test_a_checkout_with_windows_line_endings_keeps_the_index(copied_knowledge: Path) -> None:
    before = fingerprint(copied_knowledge)
    converted = [*copied_knowledge.glob("*.yaml"), *(copied_knowledge / "tests").glob("*.yaml")]
    for path in converted:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert fingerprint(copied_knowledge) == before
    assert shipped_index() is not None
    for path in converted:  # the index stands for what YAML reads, and YAML reads CRLF as LF
        original = shipped_knowledge_root() / path.relative_to(copied_knowledge)
        assert yaml.safe_load(path.read_bytes()) == yaml.safe_load(original.read_bytes())


def test_a_broken_index_file_is_ignored(copied_knowledge: Path) -> None:
    (copied_knowledge / INDEX_FILE).write_text("{not json")
    assert shipped_index() is None


def test_the_index_records_every_knowledge_case_with_a_description(copied_knowledge: Path) -> None:
    built = build()
    assert built["fingerprint"] == fingerprint(copied_knowledge)
    described = [
        (case["description"], case.get("expect"))
        for path in sorted((copied_knowledge / "tests").glob("*.yaml"))
        for case in yaml.safe_load(path.read_text())["cases"]
        if isinstance(case.get("description"), str)
    ]
    assert [tuple(case) for case in built["cases"]] == described

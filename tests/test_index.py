"""The shipped index: fresh in the repository, equal to what it saves working out, ignored when stale."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from triage import index as index_module
from triage.examples import knowledge_examples
from triage.index import (
    FILES_INDEX_FILE,
    INDEX_FILE,
    build,
    fingerprint,
    installed_fingerprint,
    shipped_files,
    shipped_index,
)
from triage.knowledge import Knowledge
from triage.literals import quick_required_literals
from triage.loading import load_knowledge, shipped_knowledge_root


def forget_what_was_read() -> None:
    """What a new process would know: nothing read from the index or the installed files yet."""
    shipped_index.cache_clear()
    installed_fingerprint.cache_clear()


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    forget_what_was_read()
    yield
    forget_what_was_read()


def test_the_committed_index_was_built_from_the_knowledge_beside_it(fresh_cache: None) -> None:
    assert shipped_index() is not None, "knowledge/index.json is stale: run `python -m triage.index`"
    assert shipped_files() is not None, "knowledge/index-files.json is stale: run `python -m triage.index`"


def test_the_index_knows_every_patterns_literals_as_worked_out(
    shipped_knowledge: Knowledge, fresh_cache: None
) -> None:
    index = shipped_index()
    assert index is not None
    sources = {pattern.to_regex() for s in shipped_knowledge.symptoms.values() for pattern in s.patterns}
    assert set(index.literals) == sources
    assert all(index.literals[source] == quick_required_literals(source) for source in sources)


def test_the_knowledge_read_from_the_index_is_the_knowledge_in_the_files(
    fresh_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_index = load_knowledge()
    assert shipped_files() is not None
    monkeypatch.setattr(index_module, "shipped_files", lambda: None)
    from_files = load_knowledge()
    for kind in ("symptoms", "causes", "rules", "procedures"):
        assert getattr(from_index, kind) == getattr(from_files, kind), kind
    assert from_index.places == from_files.places  # `triage show` and messages name the same lines
    assert from_index.files == from_files.files


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


def add_an_authors_edit(path: Path) -> None:
    """Edit a copied knowledge or case file the way an author would, as far as its fingerprint goes."""
    path.write_text(path.read_text() + "\n# an author's edit\n")


def test_an_edited_knowledge_file_makes_the_index_stale(copied_knowledge: Path) -> None:
    assert shipped_index() is not None
    add_an_authors_edit(copied_knowledge / "signals.yaml")
    forget_what_was_read()
    assert shipped_index() is None


def test_an_edited_knowledge_case_makes_the_index_stale(copied_knowledge: Path) -> None:
    case_file = copied_knowledge / "tests" / "variants.yaml"
    before = fingerprint(copied_knowledge)
    add_an_authors_edit(case_file)
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


def test_an_index_of_another_format_is_ignored(copied_knowledge: Path) -> None:
    for name in (INDEX_FILE, FILES_INDEX_FILE):
        index_file = copied_knowledge / name
        older = json.loads(index_file.read_text())
        older["format"] -= 1
        index_file.write_text(json.dumps(older))
    assert shipped_index() is None
    assert shipped_files() is None
    assert load_knowledge().causes  # read from the files instead


def test_the_files_index_is_stale_when_the_index_is(copied_knowledge: Path) -> None:
    assert shipped_files() is not None
    add_an_authors_edit(copied_knowledge / "signals.yaml")
    forget_what_was_read()
    assert shipped_files() is None


def test_indexed_data_that_does_not_validate_is_read_again_from_the_file(copied_knowledge: Path) -> None:
    index_file = copied_knowledge / FILES_INDEX_FILE
    index = json.loads(index_file.read_text())
    data = json.loads(index["files"]["signals.yaml"]["data"])
    symptom = data["symptoms"][0]
    question, symptom["question"] = symptom["question"], ["not", "a", "question"]
    index["files"]["signals.yaml"]["data"] = json.dumps(data)
    index_file.write_text(json.dumps(index))
    assert shipped_files() is not None
    assert load_knowledge().symptoms[symptom["id"]].question == question


def test_the_index_records_every_knowledge_case_with_a_description(copied_knowledge: Path) -> None:
    index, files = build()
    assert index["fingerprint"] == files["fingerprint"] == fingerprint(copied_knowledge)
    described = [
        (case["description"], case.get("expect"))
        for path in sorted((copied_knowledge / "tests").glob("*.yaml"))
        for case in yaml.safe_load(path.read_text())["cases"]
        if isinstance(case.get("description"), str)
    ]
    assert [tuple(case) for case in index["cases"]] == described
    assert set(files["files"]) == {path.name for path in copied_knowledge.glob("*.yaml")}


def test_a_damaged_files_index_is_read_from_the_files_instead(copied_knowledge: Path) -> None:
    index_file = copied_knowledge / FILES_INDEX_FILE
    index = json.loads(index_file.read_text())
    index["files"]["signals.yaml"]["data"] = "{not json"
    index_file.write_text(json.dumps(index))
    assert shipped_files() is not None
    assert "memory_keeps_growing" in load_knowledge().symptoms  # a symptom of signals.yaml
    del index["files"]["signals.yaml"]["items"]
    index_file.write_text(json.dumps(index))
    assert shipped_files() is None
    assert "memory_keeps_growing" in load_knowledge().symptoms

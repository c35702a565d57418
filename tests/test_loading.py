"""Loading knowledge: safe YAML, schema errors at their place, layering, references."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from triage.errors import KnowledgeError, Place
from triage.intake import Matcher
from triage.loading import load_knowledge, shipped_knowledge_files, shipped_knowledge_root
from triage.yamlfile import parse, parse_trusted

VALID_CAUSE = """\
causes:
  - id: disk_full
    title: Disk full
    summary: The disk has no space left.
    evidence:
      - {symptom: no_space}
    sources: [{guide: 004_6b5b99eefdec0c37.txt, section: 6.3 System Error Codes}]
symptoms:
  - id: no_space
    question: Does anything say "No space left on device"?
    patterns: [{keyword: no space left on device}]
"""


def write(tmp_path: Path, text: str, name: str = "k.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_only(path: Path) -> None:
    load_knowledge([path], shipped=False)


def test_a_valid_file_loads_and_remembers_where_each_object_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    knowledge = load_knowledge([write(tmp_path, VALID_CAUSE)], shipped=False)
    assert list(knowledge.causes) == ["disk_full"]
    assert knowledge.place_of("causes", "disk_full") == Place("k.yaml", 2, 5)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("causes: [\n  {id: x,\n", "invalid YAML", 3),
        (
            "symptoms:\n  - id: a\n    question: q\n    qeustion: typo\n",
            "unknown field symptoms[0].qeustion; did you mean 'question'?",
            4,
        ),
        ("symptoms:\n  - id: a\n", "missing field symptoms[0].question", 2),
        ("symptoms:\n  - id: a\n    question: q\n    kind: colour\n", "symptoms[0].kind", 4),
        (
            "symptoms:\n  - id: a\n    question: q\n    question: r\n",
            "duplicate key 'question' (first at line 3)",
            4,
        ),
        ("symptoms: !!python/object/apply:os.system ['echo hi']\n", "YAML tag", 1),
        ("- just\n- a list\n", "a knowledge file is a mapping", 1),
        ("", "empty knowledge file", 1),
        ("symptoms:\n  - id: Bad-Id\n    question: q\n", "symptoms[0].id", 2),
        (
            "symptoms:\n  - id: a\n    question: q\n    patterns: [{regex: '(unclosed'}]\n",
            "does not compile",
            4,
        ),
    ],
)
def test_bad_knowledge_is_reported_at_its_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(KnowledgeError) as caught:
        load_only(path)
    assert message in caught.value.message
    assert caught.value.place is not None
    assert caught.value.place.line == line


def test_unsafe_tags_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = write(tmp_path, f"symptoms: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(KnowledgeError):
        load_only(path)
    assert not marker.exists()


def test_binary_garbage_is_a_knowledge_error(tmp_path: Path) -> None:
    path = tmp_path / "k.yaml"
    path.write_bytes(b"symptoms:\n\x00\xff\xfe")
    with pytest.raises(KnowledgeError, match="binary data"):
        load_only(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError) as caught:
        load_only(tmp_path / "nope.yaml")
    assert str(caught.value).endswith("nope.yaml: file not found")


def test_a_reference_to_an_unknown_symptom_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, VALID_CAUSE.replace("{symptom: no_space}", "{symptom: no_spcae}"))
    with pytest.raises(KnowledgeError, match="unknown symptom 'no_spcae'; did you mean 'no_space'"):
        load_only(path)


def test_a_duplicate_id_names_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, VALID_CAUSE, "a.yaml")
    second = write(tmp_path, VALID_CAUSE.split("symptoms:")[0], "b.yaml")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge([first, second], shipped=False)
    assert "duplicate cause id 'disk_full', first defined at" in caught.value.message
    assert "a.yaml:2" in caught.value.message
    assert caught.value.place is not None and caught.value.place.path.endswith("b.yaml")


def test_a_layered_file_replaces_a_shipped_object_only_with_override(tmp_path: Path) -> None:
    base = write(tmp_path, VALID_CAUSE, "a.yaml")
    replacement = VALID_CAUSE.split("symptoms:")[0].replace("title: Disk full", "title: Disk really full")
    silent = write(tmp_path, replacement, "b.yaml")
    with pytest.raises(KnowledgeError, match="add 'override: true'"):
        load_knowledge([base, silent], shipped=False)
    explicit = write(
        tmp_path,
        replacement.replace("  - id: disk_full\n", "  - id: disk_full\n    override: true\n"),
        "c.yaml",
    )
    knowledge = load_knowledge([base, explicit], shipped=False)
    assert knowledge.causes["disk_full"].title == "Disk really full"


def test_the_environment_variable_layers_knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_KNOWLEDGE", str(write(tmp_path, VALID_CAUSE)))
    assert "disk_full" in load_knowledge(shipped=False).causes


def test_the_shipped_knowledge_loads() -> None:
    knowledge = load_knowledge()
    assert "compute_platform" in knowledge.symptoms
    assert all(place.path.startswith("knowledge/") for place in knowledge.places.values())


# The shipped knowledge is read the fast way (libyaml builds the data, object places come from a
# line scan); CI reads it the careful way too. Both must agree on every shipped file.
@pytest.mark.parametrize("path", shipped_knowledge_files(), ids=lambda path: path.name)
def test_the_fast_read_of_a_shipped_file_equals_the_careful_one(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    careful = parse(text, path.name, KnowledgeError)
    fast = parse_trusted(text, path.name, KnowledgeError)
    assert fast.data == careful.data
    object_places = {
        key: place for key, place in careful.places.items() if len(key) == 2 and isinstance(key[1], int)
    }
    assert {key: fast.places[key] for key in object_places} == object_places


# PyYAML falls back to its pure-Python parser where libyaml is missing, and the two do not accept
# exactly the same texts (libyaml takes `{title: Ready?, command: x}`, the pure parser does not).
YAML_IN_THE_REPOSITORY = sorted(
    [*shipped_knowledge_root().glob("**/*.yaml"), *Path(__file__).parent.parent.glob("evaluation/*.yaml")]
)


@pytest.mark.parametrize("path", YAML_IN_THE_REPOSITORY, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_yaml_file_reads_the_same_without_libyaml(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    with_libyaml = parse(text, path.name, KnowledgeError)
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert parse(text, path.name, KnowledgeError).data == with_libyaml.data


def test_shipped_objects_remember_their_lines() -> None:
    knowledge = load_knowledge()
    place = knowledge.place_of("causes", "lambda_function_timeout")
    assert place is not None and place.path.endswith("lambda.yaml")
    lines = Path(shipped_knowledge_root(), "lambda.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[place.line - 1] == "  - id: lambda_function_timeout"


def test_a_shipped_file_that_does_not_validate_is_reported_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = write(
        tmp_path,
        VALID_CAUSE.replace(
            "    summary: The disk has no space left.\n", "    summary: 12\n    colour: red\n"
        ),
    )
    monkeypatch.setattr("triage.loading.shipped_knowledge_files", lambda: [broken])
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge()
    assert caught.value.place is not None and caught.value.place.line is not None


def test_a_broken_regex_in_an_edited_shipped_file_is_reported_when_first_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # shipped regexes are compiled by CI's lint, not at load; one broken after installation is
    # still a one-line error naming the symptom, raised by the first text that needs it
    broken = write(tmp_path, "symptoms:\n  - id: a\n    question: q\n    patterns: [{regex: '(unclosed'}]\n")
    monkeypatch.setattr("triage.loading.shipped_knowledge_files", lambda: [broken])
    matcher = Matcher(load_knowledge())
    with pytest.raises(KnowledgeError, match=r"symptom 'a': regex '\(unclosed' does not compile"):
        matcher.read("anything", [])

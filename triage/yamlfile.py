"""Safe reading of YAML and JSON documents that remembers where every value stood.

Nothing here constructs Python objects from tags: the document is composed into nodes and only the
plain YAML types (maps, lists, strings, numbers, booleans, null) are built from them. Duplicate keys
are rejected. Every value's path (``("causes", 3, "diagnostics", 0)``) is mapped to its line and
column, so schema errors can point at the place an author has to fix.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Place, TriageError

PathKey = tuple[int | str, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAX_NODES = 2_000_000  # guards against alias bombs


@dataclass
class Document:
    """A parsed document: its data and where each part of it stood."""

    path: str
    data: Any
    places: dict[PathKey, Place] = field(default_factory=dict)
    key_places: dict[PathKey, Place] = field(default_factory=dict)

    def key_place_of(self, location: Sequence[int | str]) -> Place:
        """Where the key of a mapping entry stands (its value's place when unknown)."""
        return self.key_places.get(tuple(location)) or self.place_of(location)

    def place_of(self, location: Sequence[int | str]) -> Place:
        """The place of the deepest known part of ``location``."""
        key = tuple(location)
        while key:
            if key in self.places:
                return self.places[key]
            key = key[:-1]
        return self.places.get((), Place(self.path))


def read_text(path: Path, error_type: type[TriageError], display: str | None = None) -> str:
    """Read a UTF-8 text file, turning every failure into ``error_type`` with the file's name."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error_type("file not found", Place(name)) from None
    except IsADirectoryError:
        raise error_type("is a directory, expected a file", Place(name)) from None
    except OSError as error:
        raise error_type(f"cannot read: {error.strerror}", Place(name)) from None
    return decode_text(raw, name, error_type)


def decode_text(raw: bytes, name: str, error_type: type[TriageError]) -> str:
    """Decode bytes as UTF-8 text, rejecting binary data with the line where it starts."""
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise error_type("binary data (NUL byte), expected UTF-8 text", Place(name, line))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise error_type("not valid UTF-8 text", Place(name, line)) from None


def parse(text: str, name: str, error_type: type[TriageError]) -> Document:
    """Parse YAML (or JSON, which is read as JSON to get its own error positions)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")) or name.endswith(".json"):
        return _parse_json(text, name, error_type)
    return _parse_yaml(text, name, error_type)


def _parse_json(text: str, name: str, error_type: type[TriageError]) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if not name.endswith(".json"):
            # "{a: 1}" is YAML flow style, not JSON: let YAML have a go before giving up.
            return _parse_yaml(text, name, error_type)
        raise error_type(f"invalid JSON: {error.msg}", Place(name, error.lineno, error.colno)) from None
    except RecursionError:
        raise error_type("invalid JSON: nested too deeply", Place(name)) from None
    document = Document(name, data, {(): Place(name, 1, 1)})
    try:
        # JSON is (nearly) YAML: composing it again gives every value's line and column.
        composed = _parse_yaml(text, name, error_type)
        document.places, document.key_places = composed.places, composed.key_places
    except TriageError:
        pass
    return document


def parse_trusted(text: str, name: str, error_type: type[TriageError]) -> Document:
    """The fast way in for the knowledge shipped inside the package, which CI reads the careful way.

    libyaml builds the data in C (safe types only) and the places of the top-level list items are
    found by scanning for "  - " lines; the careful ``parse`` (duplicate keys, tags, every value's
    place) is used when libyaml is missing or the text does not load. Callers re-read a document with
    ``parse`` when it fails validation, so that errors still point at their line.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return parse(text, name, error_type)
    try:
        data = yaml.load(text, Loader=loader)  # CSafeLoader constructs plain data only
    except (yaml.YAMLError, RecursionError):
        return parse(text, name, error_type)
    document = Document(name, _plain(data), {(): Place(name, 1, 1)})
    document.places.update(_item_places(text, name))
    return document


def _plain(value: Any) -> Any:
    """The data as the careful builder makes it: timestamps as text, keys as strings."""
    if isinstance(value, dict):
        return {_plain_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _plain_scalar(value)


def _plain_scalar(value: Any) -> Any:
    """Plain YAML scalars as they are; anything else (timestamps) as text."""
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def _plain_key(key: Any) -> Any:
    """Mapping keys as the schema reads them: booleans and floats as text."""
    if isinstance(key, bool):
        return str(key).lower()
    if isinstance(key, float):
        return str(key)
    return key


def _item_places(text: str, name: str) -> dict[PathKey, Place]:
    """Where each item of each top-level list starts: ``("causes", 3)`` -> line, column of its key."""
    places: dict[PathKey, Place] = {}
    section: str | None = None
    index = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1].isalpha():
            section, index = line.split(":", 1)[0].strip(), -1
        elif section is not None and line.startswith("  - ") and line[4:5] not in ("", " ", "#"):
            index += 1
            places[(section, index)] = Place(name, number, 5)
    return places


def _compose(text: str) -> yaml.Node | None:
    """Compose with libyaml when present (15x faster); PyYAML's own parser words the errors."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass  # parse again below for PyYAML's messages and marks
    return yaml.compose(text, Loader=yaml.SafeLoader)


def yaml_problem(error: yaml.MarkedYAMLError, name: str) -> tuple[str, Place]:
    """What a YAML parser objected to, and where in file ``name``."""
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "syntax error"
    return problem, Place(name, mark.line + 1, mark.column + 1) if mark else Place(name)


def _parse_yaml(text: str, name: str, error_type: type[TriageError]) -> Document:
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as error:
        problem, place = yaml_problem(error, name)
        raise error_type(f"invalid YAML: {problem}", place) from None
    except yaml.YAMLError as error:
        raise error_type(f"invalid YAML: {error}", Place(name)) from None
    except RecursionError:
        raise error_type("invalid YAML: nested too deeply", Place(name)) from None
    document = Document(name, None)
    if node is None:
        return document
    builder = _Builder(name, error_type, document.places, document.key_places)
    try:
        document.data = builder.build(node, ())
    except RecursionError:
        raise error_type("invalid YAML: nested too deeply", Place(name)) from None
    return document


class _Builder:
    """Turns composed YAML nodes into plain data, recording each node's place."""

    def __init__(
        self,
        name: str,
        error_type: type[TriageError],
        places: dict[PathKey, Place],
        key_places: dict[PathKey, Place],
    ) -> None:
        self.name = name
        self.error_type = error_type
        self.places = places
        self.key_places = key_places
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0

    def place(self, node: yaml.Node) -> Place:
        return Place(self.name, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise self.error_type("document too large (alias expansion?)", self.place(node))
        self.places[path] = self.place(node)
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self._bad_tag(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str | int | float | bool):
                    raise self.error_type("mapping keys must be plain strings", self.place(key_node))
                key = _plain_key(key)
                if key == "<<":
                    raise self.error_type("merge keys (<<) are not supported", self.place(key_node))
                if key in result:
                    first = self.places[(*path, key)]
                    raise self.error_type(
                        f"duplicate key {key!r} (first at line {first.line})", self.place(key_node)
                    )
                self.key_places[(*path, key)] = self.place(key_node)
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self._bad_tag(node)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise self._bad_tag(node)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise self.error_type(f"invalid value: {error}", self.place(node)) from None
        except (ValueError, OverflowError) as error:
            raise self.error_type(f"invalid value: {error}", self.place(node)) from None
        return _plain_scalar(value)  # timestamps stay text

    def _bad_tag(self, node: yaml.Node) -> TriageError:
        return self.error_type(
            f"YAML tag {node.tag!r} is not allowed (only plain data; nothing in a file is ever executed)",
            self.place(node),
        )

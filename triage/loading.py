"""Loading knowledge files: safe YAML, schema validation with places, layering and references."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from .errors import KnowledgeError, Place, TriageError
from .knowledge import KINDS, Knowledge
from .models import SHIPPED, Cause, Condition, KnowledgeFile, Procedure, Rule, Symptom
from .yamlfile import Document, parse, parse_trusted, read_text

if TYPE_CHECKING:
    from .index import ShippedFile

ENVIRONMENT_VARIABLE = "TRIAGE_KNOWLEDGE"
TESTS_FOLDER = "tests"


def shipped_knowledge_files() -> list[Path]:
    """The knowledge files that come inside the package, in a stable order."""
    root = resources.files("triage.builtin_knowledge")
    return sorted(Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".yaml"))


def shipped_knowledge_root() -> Path:
    return Path(str(resources.files("triage.builtin_knowledge")))


def layered_paths(extra: Sequence[str | Path] = ()) -> list[Path]:
    """Team knowledge from ``TRIAGE_KNOWLEDGE`` (os.pathsep-separated) followed by ``extra``."""
    from_environment = [Path(p) for p in os.environ.get(ENVIRONMENT_VARIABLE, "").split(os.pathsep) if p]
    return from_environment + [Path(p) for p in extra]


def knowledge_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the YAML files below them (test folders left out)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    candidate
                    for candidate in path.rglob("*.y*ml")
                    if TESTS_FOLDER not in candidate.relative_to(path).parts[:-1]
                )
            )
        else:
            files.append(path)
    return files


def load_knowledge(extra: Sequence[str | Path] = (), *, shipped: bool = True) -> Knowledge:
    """Load the shipped knowledge, then layer ``TRIAGE_KNOWLEDGE`` and ``extra`` files on top.

    Raises ``KnowledgeError`` at the first problem, with the file and line.
    """
    from .index import shipped_files  # the index is built by loading knowledge, so imported here

    knowledge = Knowledge(shipped=shipped)
    if shipped:
        indexed = shipped_files() or {}
        for path in shipped_knowledge_files():
            document, content = read_shipped(path, indexed.get(path.name))
            merge(knowledge, content, document, allow_override=False)
    knowledge.layers = layered_paths(extra)
    for path in knowledge_files(knowledge.layers):
        document = read_document(path, display=display_name(path))
        merge(knowledge, validate_document(document), document, allow_override=True)
    check_references(knowledge)
    return knowledge


def read_shipped(path: Path, indexed: ShippedFile | None = None) -> tuple[Document, KnowledgeFile]:
    """A shipped file the fast way (CI reads it the careful way); should it not validate, it is read
    again carefully so that the error names its line.

    The fastest way is the file's data from the shipped index (``index``), when the index was built
    from the files installed beside it; the data is validated all the same.
    """
    name = display_name(path)
    try:
        document = indexed.document(name) if indexed is not None else None
    except ValueError:  # an entry damaged by hand: the file itself is read instead
        document = None
    if document is None:
        document = parse_trusted(read_text(path, KnowledgeError, name), name, KnowledgeError)
    if isinstance(document.data, dict):
        try:
            return document, KnowledgeFile.model_validate(document.data, context={SHIPPED: True})
        except ValidationError:
            pass
    document = read_document(path, display=name)
    return document, validate_document(document)


def display_name(path: Path) -> str:
    """A short name for messages: relative to the shipped root or the working directory."""
    try:
        return str(Path("knowledge") / path.resolve().relative_to(shipped_knowledge_root().resolve()))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_document(path: Path, display: str | None = None) -> Document:
    name = display or str(path)
    document = parse(read_text(path, KnowledgeError, name), name, KnowledgeError)
    if document.data is None:
        raise KnowledgeError("empty knowledge file", Place(name, 1, 1))
    if not isinstance(document.data, dict):
        raise KnowledgeError(
            f"a knowledge file is a mapping with {', '.join(KINDS)}; found {type(document.data).__name__}",
            document.place_of(()),
        )
    return document


def validate_document(document: Document) -> KnowledgeFile:
    content: KnowledgeFile = validate_model(KnowledgeFile, document.data, document, KnowledgeError)
    return content


def validate_model(
    model: type[BaseModel],
    data: Any,
    document: Document,
    error_type: type[TriageError],
    prefix: tuple[int | str, ...] = (),
) -> Any:
    """Validate ``data`` against ``model``; the first error is raised at its place in the file."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = describe_validation_error(error, document, prefix)
        message, place = errors[0]
        raise error_type(message, place) from None


def describe_validation_error(
    error: ValidationError, document: Document, prefix: tuple[int | str, ...] = ()
) -> list[tuple[str, Place]]:
    """Every problem in a pydantic error as (message, place), with hints for misspelt keys."""
    described: list[tuple[str, Place]] = []
    for detail in error.errors(include_url=False):
        location = _trim_location(detail["loc"])
        where = document.place_of(prefix + location)
        dotted = _dotted(location)
        if detail["type"] == "extra_forbidden":
            key = str(location[-1])
            allowed = _allowed_keys(error.title, location[:-1], document.data, prefix)
            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = (
                f"; did you mean {hint[0]!r}?"
                if hint
                else (f"; allowed: {', '.join(sorted(allowed))}" if allowed else "")
            )
            described.append(
                (f"unknown field {dotted}{suggestion}", document.key_place_of(prefix + location))
            )
        elif detail["type"] == "missing":
            described.append((f"missing field {dotted}", where))
        else:
            message = detail["msg"].removeprefix("Value error, ")
            described.append((f"{dotted}: {message}" if dotted else message, where))
    return described


def _trim_location(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # pydantic adds the names of union members (``bool``, ``function-after[...]``) to locations.
    return tuple(
        part for part in location if not (isinstance(part, str) and (part in _TYPE_NAMES or "[" in part))
    )


_TYPE_NAMES = {"bool", "float", "int", "str", "list", "dict", "none"}


def _dotted(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_MODELS_BY_SECTION: dict[str, type[BaseModel]] = {
    "symptoms": Symptom,
    "causes": Cause,
    "rules": Rule,
    "procedures": Procedure,
}


def _allowed_keys(
    title: str, parent: tuple[int | str, ...], data: Any, prefix: tuple[int | str, ...]
) -> list[str]:
    """The field names allowed at ``parent``, found by walking the models along the path."""
    model: Any = KnowledgeFile if title == "KnowledgeFile" else None
    if model is None:
        from .cases import CaseModel  # a case file; imported late to avoid a cycle

        model = CaseModel if title == "CaseModel" else None
    if model is None:
        return []
    for part in parent:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = _model_inside(field.annotation)
        if model is None:
            return []
    return (
        [(info.alias or name) for name, info in model.model_fields.items()]
        if hasattr(model, "model_fields")
        else []
    )


def _model_inside(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as ``list[Cause] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_inside(argument)
        if found is not None:
            return found
    return None


def merge(knowledge: Knowledge, content: KnowledgeFile, document: Document, *, allow_override: bool) -> None:
    """Add one file's objects; a duplicate id is an error unless a layered object says ``override``."""
    knowledge.files.append(document.path)
    for kind in KINDS:
        table = getattr(knowledge, kind)
        for index, obj in enumerate(getattr(content, kind)):
            place = document.place_of((kind, index))
            key = (kind, obj.id)
            if obj.id in table:
                if not (allow_override and obj.override):
                    first = knowledge.places[key]
                    hint = " (add 'override: true' to replace it on purpose)" if allow_override else ""
                    raise KnowledgeError(
                        f"duplicate {kind[:-1]} id {obj.id!r}, first defined at {first}{hint}", place
                    )
            elif obj.override:
                raise KnowledgeError(
                    f"{kind[:-1]} {obj.id!r} says 'override: true' but there is no {kind[:-1]} to override",
                    place,
                )
            table[obj.id] = obj
            knowledge.places[key] = place


def reference_problems(knowledge: Knowledge) -> list[tuple[str, str, Place | None, str]]:
    """Every dangling or ill-typed reference as (code, kind, place, message)."""
    problems: list[tuple[str, str, Place | None, str]] = []
    symptoms, facts = knowledge.symptoms, knowledge.derived_facts

    def suggest(name: str, pool: Iterable[str]) -> str:
        match = difflib.get_close_matches(name, list(pool), n=1)
        return f"; did you mean {match[0]!r}?" if match else ""

    def check_condition(condition: Condition, where: Place | None, owner: str) -> None:
        for kind, name in condition.references():
            if kind == "symptom" and name not in symptoms:
                problems.append(("K201", owner, where, f"unknown symptom {name!r}{suggest(name, symptoms)}"))
            if kind == "fact" and name not in facts and name not in symptoms:
                problems.append(
                    ("K202", owner, where, f"no rule derives fact {name!r}{suggest(name, facts)}")
                )

    for cause in knowledge.causes.values():
        where = knowledge.place_of("causes", cause.id)
        for item in cause.evidence:
            symptom = symptoms.get(item.symptom)
            if symptom is None:
                problems.append(
                    (
                        "K201",
                        cause.id,
                        where,
                        f"cause {cause.id!r}: unknown symptom {item.symptom!r}"
                        f"{suggest(item.symptom, symptoms)}",
                    )
                )
                continue
            problem = evidence_value_problem(
                symptom, item.value, item.gt, item.ge, item.lt, item.le, item.matches
            )
            if problem:
                problems.append(("K203", cause.id, where, f"cause {cause.id!r}: {problem}"))
        for procedure in cause.procedures:
            if procedure not in knowledge.procedures:
                problems.append(
                    (
                        "K204",
                        cause.id,
                        where,
                        f"cause {cause.id!r}: unknown procedure {procedure!r}"
                        f"{suggest(procedure, knowledge.procedures)}",
                    )
                )
    for symptom in knowledge.symptoms.values():
        if symptom.ask_when is not None:
            check_condition(symptom.ask_when, knowledge.place_of("symptoms", symptom.id), symptom.id)
    for rule in knowledge.rules.values():
        where = knowledge.place_of("rules", rule.id)
        check_condition(rule.when, where, rule.id)
        for weight in rule.then.evidence:
            if weight.cause not in knowledge.causes:
                problems.append(
                    (
                        "K205",
                        rule.id,
                        where,
                        f"rule {rule.id!r}: unknown cause {weight.cause!r}"
                        f"{suggest(weight.cause, knowledge.causes)}",
                    )
                )
        for name in rule.then.ask:
            if name not in symptoms:
                problems.append(
                    (
                        "K201",
                        rule.id,
                        where,
                        f"rule {rule.id!r}: unknown symptom {name!r}{suggest(name, symptoms)}",
                    )
                )
    return problems


def evidence_value_problem(
    symptom: Symptom,
    value: Any,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    matches: str | None = None,
) -> str | None:
    """Why ``value`` (or a comparison) does not fit ``symptom``'s kind, or None when it does."""
    compares = any(v is not None for v in (gt, ge, lt, le))
    if symptom.kind == "number":
        if not compares:
            return f"number symptom {symptom.id!r} needs gt/ge/lt/le"
    elif compares:
        return f"gt/ge/lt/le only apply to number symptoms; {symptom.id!r} is {symptom.kind}"
    if symptom.kind == "text" and matches is None:
        return f"text symptom {symptom.id!r} needs 'matches'"
    if symptom.kind == "boolean" and not isinstance(value, bool):
        return f"boolean symptom {symptom.id!r} takes true or false, not {value!r}"
    if symptom.kind == "choice" and value not in symptom.choice_values:
        return f"{value!r} is not a choice of {symptom.id!r} ({', '.join(symptom.choice_values)})"
    return None


def check_references(knowledge: Knowledge) -> None:
    problems = reference_problems(knowledge)
    if problems:
        _code, _owner, place, message = problems[0]
        raise KnowledgeError(message, place)

"""Linting knowledge: every problem in a set of knowledge files, as findings with a code and a place.

Normal loading (``triage.loading``) stops at the first error; lint reads leniently, keeps every
object that validates, and runs each registered check over the result. A finding is data: code,
severity, message and place. Every code, including the ones the loader reports, is registered once
in ``CHECKS``; adding a check is adding one decorated function in ``triage/lint_checks/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError

from .errors import KnowledgeError, Place, UsageError
from .knowledge import KINDS, Knowledge
from .loading import (
    describe_validation_error,
    display_name,
    knowledge_files,
    layered_paths,
    reference_problems,
    shipped_knowledge_files,
)
from .models import Cause, KnowledgeFile, Procedure, Rule, Symptom
from .yamlfile import Document, parse, read_text, yaml_problem

Severity = Literal["error", "warning"]
GUIDES_VARIABLE = "TRIAGE_GUIDES"

# Placeholders the wizard, ``--set NAME=VALUE`` and a case's ``context`` are expected to fill. A
# command may use any of these; any other placeholder must be the id of a question that asks for it.
WELL_KNOWN_PLACEHOLDERS: tuple[str, ...] = (
    "account_id",
    "alarm_name",
    "analytics_table",
    "api_host",
    "api_id",
    "bot_token",
    "bucket",
    "cluster",
    "cluster_identifier",
    "container",
    "container_name",
    "container_port",
    "conversations_table",
    "dashboard_name",
    "database",
    "db_uri",
    "db_user",
    "device",
    "distribution_id",
    "domain",
    "end_time",
    "endpoint_url",
    "environment",
    "function_name",
    "host",
    "hostname",
    "instance_id",
    "load_balancer",
    "log_file",
    "log_group",
    "metric_name",
    "model_id",
    "namespace",
    "path",
    "pid",
    "pod",
    "port",
    "queue_url",
    "region",
    "rest_api_id",
    "restored_table",
    "revision",
    "role_name",
    "secret_id",
    "security_group_id",
    "service",
    "sessions_table",
    "snapshot_id",
    "stack_name",
    "stage",
    "start_time",
    "state_machine_arn",
    "table_name",
    "target_group_arn",
    "task_arn",
    "task_definition",
    "task_id",
    "url",
    "user",
    "user_pool_id",
    "webhook_url",
)

ObjectKey = tuple[str, str]  # (kind, id), kind as in KINDS


@dataclass(frozen=True)
class Finding:
    """One problem lint found: what (code, message), how bad (severity) and where (place)."""

    code: str
    severity: Severity
    message: str
    place: Place
    owner: ObjectKey | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.place.path, self.place.line or 0, self.place.column or 0, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.place.path,
            "line": self.place.line,
            "column": self.place.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True)
class Problem:
    """What a check reports: the object it concerns, where inside it, and what is wrong."""

    owner: ObjectKey
    message: str
    location: tuple[int | str, ...] = ()


CheckFunction = Callable[["LintContext"], Iterable[Problem]]


@dataclass(frozen=True)
class Check:
    """A registered lint check; ``run`` is None for problems the reading stage reports itself."""

    code: str
    name: str
    severity: Severity
    summary: str
    run: CheckFunction | None = None


CHECKS: list[Check] = []


def register(
    code: str, name: str, severity: Severity, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator adding a check function to ``CHECKS``."""

    def decorate(function: CheckFunction) -> CheckFunction:
        _add(Check(code, name, severity, summary, function))
        return function

    return decorate


def _add(check: Check) -> None:
    if any(existing.code == check.code for existing in CHECKS):
        raise ValueError(f"lint code {check.code} registered twice")
    CHECKS.append(check)


# Problems found while reading and merging files; the loader's reference codes are the same ones.
for _code, _name, _severity, _summary in (
    (
        "K001",
        "yaml-syntax",
        "error",
        "the file is not valid YAML (or JSON), not UTF-8 text, or cannot be read",
    ),
    ("K002", "unsafe-tag", "error", "a YAML tag such as !!python/object: reported, never executed"),
    ("K003", "empty-file", "error", "the file holds no knowledge"),
    (
        "K004",
        "libyaml-only",
        "error",
        "the file loads with libyaml but not with PyYAML's own parser, so it fails where libyaml is missing",
    ),
    (
        "K101",
        "unknown-field",
        "error",
        "a key the schema does not have (a typo would silently drop evidence)",
    ),
    ("K102", "missing-field", "error", "a required key is missing"),
    ("K103", "invalid-value", "error", "a value the schema does not allow"),
    ("K104", "bad-regex", "error", "a regular expression that does not compile"),
    ("K105", "missing-sources", "error", "a cause or procedure without sources"),
    ("K201", "unknown-symptom", "error", "a reference to a symptom that does not exist"),
    ("K202", "unknown-fact", "error", "a condition on a fact no rule derives"),
    ("K203", "evidence-value", "error", "evidence whose value or test does not fit its symptom's kind"),
    ("K204", "unknown-procedure", "error", "a cause naming a procedure that does not exist"),
    ("K205", "unknown-cause", "error", "a rule weighing a cause that does not exist"),
    ("K206", "duplicate-id", "error", "two objects of a kind share an id (both places named)"),
    ("K207", "override-nothing", "error", "'override: true' on an object that replaces nothing"),
):
    _add(Check(_code, _name, _severity, _summary))  # type: ignore[arg-type]


@dataclass
class Located:
    """Where an object was read from: its document and its index in its section."""

    document: Document
    kind: str
    index: int


@dataclass
class LintContext:
    """What the checks look at: the merged knowledge and where each object came from."""

    knowledge: Knowledge
    locations: dict[ObjectKey, Located] = field(default_factory=dict)
    guides: Path | None = None

    def place(self, owner: ObjectKey, location: Sequence[int | str] = ()) -> Place:
        located = self.locations.get(owner)
        if located is None:
            return self.knowledge.place_of(*owner) or Place("<knowledge>")
        return located.document.place_of((located.kind, located.index, *location))

    def raw(self, owner: ObjectKey) -> Any:
        located = self.locations.get(owner)
        if located is None:
            return None
        return located.document.data[located.kind][located.index]

    @cached_property
    def likelihood_model(self) -> Any:
        from .ranking import LikelihoodModel

        return LikelihoodModel(self.knowledge)

    @cached_property
    def rule_engine(self) -> Any:
        from .engine import RuleEngine

        return RuleEngine(self.knowledge)


@dataclass
class LintReport:
    """Everything lint found, and notes about checks it could not run."""

    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [finding.to_json() for finding in self.findings],
            "summary": {
                "files": len(self.files),
                "errors": len(self.errors),
                "warnings": len(self.warnings),
            },
            "notes": list(self.notes),
        }


def check_by_code(code: str) -> Check:
    for check in CHECKS:
        if check.code == code:
            return check
    raise KeyError(code)


def resolve_codes(codes: Iterable[str]) -> set[str]:
    """Codes (or check names) given by a user, as codes; unknown ones are a usage error."""
    resolved: set[str] = set()
    for text in codes:
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            match = next((c.code for c in CHECKS if item.upper() == c.code or item == c.name), None)
            if match is None:
                raise UsageError(f"unknown lint code {item!r}; `triage lint --list-checks` lists them")
            resolved.add(match)
    return resolved


def default_guides_dir() -> Path | None:
    """``TRIAGE_GUIDES``, else ``../shared/seeds`` beside the source checkout when it exists."""
    configured = os.environ.get(GUIDES_VARIABLE)
    if configured:
        return Path(configured)
    beside_repository = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
    return beside_repository if beside_repository.is_dir() else None


def lint(
    paths: Sequence[str | Path] = (),
    *,
    extra: Sequence[str | Path] = (),
    shipped: bool = True,
    guides: Path | None = None,
    ignore: Iterable[str] = (),
) -> LintReport:
    """Lint knowledge: the shipped files and layered ``extra`` ones, plus ``paths``.

    With ``paths``, only findings inside those files are reported (they are still checked against
    the rest of the knowledge they are layered on).
    """
    ignored = resolve_codes(ignore)
    report = LintReport()
    shipped_files = shipped_knowledge_files() if shipped else []
    chosen = knowledge_files([Path(p) for p in paths])
    for path in chosen:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
    chosen_resolved = {path.resolve() for path in chosen}
    base = [
        p for p in shipped_files + knowledge_files(layered_paths(extra)) if p.resolve() not in chosen_resolved
    ]
    files = base + chosen
    reported_files = {display_name(p) for p in (chosen if paths else files)}
    report.files = sorted(reported_files)
    context = LintContext(Knowledge(), guides=guides)
    findings: list[Finding] = []
    shipped_resolved = {p.resolve() for p in shipped_files}
    for path in files:
        name = display_name(path)
        layered = path.resolve() not in shipped_resolved
        document, problems = _read(path, name, portable=layered)
        findings.extend(problems)
        if document is not None:
            findings.extend(_merge(context, document, allow_override=layered))
    findings.extend(_reference_findings(context))
    if context.guides is None:
        context.guides = default_guides_dir()
    if context.guides is None or not context.guides.is_dir():
        where = f" ({context.guides} is not a folder)" if context.guides is not None else ""
        report.notes.append(
            f"guides not found{where}: sources were not checked against guide sections; "
            f"pass --guides DIR or set {GUIDES_VARIABLE}"
        )
        context.guides = None
    for check in CHECKS:
        if check.run is None or check.code in ignored:
            continue
        for problem in check.run(context):
            findings.append(
                Finding(
                    check.code,
                    check.severity,
                    problem.message,
                    context.place(problem.owner, problem.location),
                    problem.owner,
                )
            )
    report.findings = sorted(
        (
            finding
            for finding in set(findings)
            if finding.code not in ignored
            and finding.place.path in reported_files
            and not _silenced(context, finding)
        ),
        key=Finding.sort_key,
    )
    return report


def _silenced(context: LintContext, finding: Finding) -> bool:
    """Whether the object the finding is about says ``lint: {ignore: [CODE]}``."""
    if finding.owner is None:
        return False
    raw = context.raw(finding.owner)
    settings = raw.get("lint") if isinstance(raw, dict) else None
    codes = settings.get("ignore") if isinstance(settings, dict) else None
    return isinstance(codes, list) and finding.code in codes


def _finding(code: str, message: str, place: Place, owner: ObjectKey | None = None) -> Finding:
    return Finding(code, check_by_code(code).severity, message, place, owner)


def _read(path: Path, name: str, *, portable: bool = False) -> tuple[Document | None, list[Finding]]:
    """Parse one file; problems that stop it from being read at all come back as findings.

    With ``portable``, a file libyaml reads is also read with PyYAML's own parser, which is what
    loads it on a machine without libyaml. The shipped files are checked that way by the tests.
    """
    try:
        text = read_text(path, KnowledgeError, name)
        document = parse(text, name, KnowledgeError)
    except KnowledgeError as error:
        code = "K002" if "tag" in error.message and "not allowed" in error.message else "K001"
        return None, [_finding(code, error.message, error.place or Place(name))]
    portability = [problem] if portable and (problem := libyaml_only_problem(text, name)) else []
    if document.data is None or document.data == {}:
        return None, [
            *portability,
            _finding(
                "K003",
                "empty knowledge file; expected symptoms, causes, rules or procedures",
                Place(name, 1, 1),
            ),
        ]
    if not isinstance(document.data, dict):
        message = (
            f"a knowledge file is a mapping with {', '.join(KINDS)}; found {type(document.data).__name__}"
        )
        return None, [*portability, _finding("K103", message, document.place_of(()))]
    return document, portability


def libyaml_only_problem(text: str, name: str) -> Finding | None:
    """Where PyYAML's own parser stops on a text libyaml has already read, if it does."""
    if getattr(yaml, "CSafeLoader", None) is None:
        return None  # parse() already used PyYAML's own parser
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        problem, place = yaml_problem(error, name)
        message = f"only libyaml reads this; without it PyYAML stops here: {problem} (quote the value)"
        return _finding("K004", message, place)
    except (yaml.YAMLError, RecursionError):
        return None
    return None


_MODELS: dict[str, type[BaseModel]] = {
    "symptoms": Symptom,
    "causes": Cause,
    "rules": Rule,
    "procedures": Procedure,
}


def _schema_code(message: str, location: tuple[int | str, ...]) -> str:
    if message.startswith("unknown field"):
        return "K101"
    if "does not compile" in message:
        return "K104"
    if location[-1:] == ("sources",) and location[:1] in (("causes",), ("procedures",)):
        return "K105"
    if message.startswith("missing field"):
        return "K102"
    return "K103"


def _merge(context: LintContext, document: Document, *, allow_override: bool) -> list[Finding]:
    """Validate a document object by object and add the valid objects to the knowledge."""
    findings: list[Finding] = []
    content: KnowledgeFile | None = None
    try:
        content = KnowledgeFile.model_validate(document.data)
    except ValidationError as error:
        seen: set[Place] = set()
        for detail, (message, place) in zip(
            error.errors(include_url=False), describe_validation_error(error, document), strict=True
        ):
            if place in seen:
                continue  # a union reports one error per member; the first says enough
            seen.add(place)
            location = tuple(p for p in detail["loc"] if isinstance(p, int) or "[" not in p)
            owner = _owner_at(document, location)
            findings.append(_finding(_schema_code(message, location), message, place, owner))
    knowledge = context.knowledge
    knowledge.files.append(document.path)
    for kind in KINDS:
        items = document.data.get(kind)
        if not isinstance(items, list):
            continue
        table: dict[str, Any] = getattr(knowledge, kind)
        for index, raw in enumerate(items):
            obj: Any
            if content is not None:
                obj = getattr(content, kind)[index]
            else:
                try:
                    obj = _MODELS[kind].model_validate(raw)
                except ValidationError:
                    continue  # reported above
            place = document.place_of((kind, index))
            key = (kind, obj.id)
            if obj.id in table:
                first = knowledge.places[key]
                if not (allow_override and obj.override):
                    hint = " (add 'override: true' to replace it on purpose)" if allow_override else ""
                    findings.append(
                        _finding(
                            "K206",
                            f"duplicate {kind[:-1]} id {obj.id!r}: defined at {first} and here{hint}",
                            place,
                        )
                    )
                    continue
            elif obj.override:
                findings.append(
                    _finding(
                        "K207",
                        f"{kind[:-1]} {obj.id!r} says 'override: true' but there is no {kind[:-1]} to override",
                        place,
                        key,
                    )
                )
            table[obj.id] = obj
            knowledge.places[key] = place
            context.locations[key] = Located(document, kind, index)
    return findings


def _owner_at(document: Document, location: tuple[int | str, ...]) -> ObjectKey | None:
    if len(location) >= 2 and location[0] in KINDS and isinstance(location[1], int):
        items = document.data.get(location[0])
        raw = items[location[1]] if isinstance(items, list) and location[1] < len(items) else None
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            return (str(location[0]), raw["id"])
    return None


def _reference_findings(context: LintContext) -> Iterator[Finding]:
    owners = {place: key for key, place in context.knowledge.places.items()}
    for code, _owner, place, message in reference_problems(context.knowledge):
        where = place or Place("<knowledge>")
        yield _finding(code, message, where, owners.get(where))


from . import lint_checks  # noqa: E402,F401  (registers the semantic checks)

CHECKS.sort(key=lambda check: check.code)

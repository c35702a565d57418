"""Cases: what a user tells triage about one problem, and how case files are read."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import CaseFileError, Place
from .knowledge import Knowledge
from .loading import describe_validation_error
from .models import AnswerValue
from .yamlfile import Document, decode_text, parse, read_text


class SectionExpectation(BaseModel):
    """A guide section the top diagnosis must cite (the section text is matched loosely)."""

    model_config = ConfigDict(extra="forbid")

    guide: str
    section: str


class Expectation(BaseModel):
    """What a knowledge test case requires of the ranking."""

    model_config = ConfigDict(extra="forbid")

    first: str | None = Field(default=None, description="the cause that must rank first")
    source: list[SectionExpectation] | None = Field(
        default=None,
        description="the guide section the first diagnosis must cite (one, or a list of acceptable ones)",
    )
    top: list[str] = Field(default_factory=list, description="causes that must rank within the top `top_n`")
    top_n: int = Field(default=3, ge=1)
    absent: list[str] = Field(default_factory=list, description="causes that must not be diagnosed")
    reveals: list[str] = Field(
        default_factory=list,
        description="symptoms the description and errors must be read as revealing: a symptom id, "
        "or id=value for a choice (guards the pattern that reads a wording)",
    )
    does_not_reveal: list[str] = Field(
        default_factory=list,
        description="symptoms the description and errors must not be read as revealing, in the same form "
        "as `reveals` (guards against a false reading)",
    )

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    none: bool = Field(default=False, description="true when no cause at all may be diagnosed")

    def revealed_readings(self) -> list[tuple[str, str | None]]:
        """Each ``reveals`` item as (symptom, value): the value is None when any reading will do."""
        return _readings(self.reveals)

    def unrevealed_readings(self) -> list[tuple[str, str | None]]:
        """Each ``does_not_reveal`` item as (symptom, value): the value is None when no reading may be."""
        return _readings(self.does_not_reveal)


def _readings(items: list[str]) -> list[tuple[str, str | None]]:
    return [(symptom, value or None) for symptom, _, value in (item.partition("=") for item in items)]


class CaseModel(BaseModel):
    """One problem: a description, pasted errors, answers to symptom questions, placeholder values."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    description: str | None = None
    errors: list[str] = Field(default_factory=list)
    answers: dict[str, AnswerValue | None] = Field(default_factory=dict)
    context: dict[str, str] = Field(
        default_factory=dict, description="placeholder values, e.g. function_name"
    )
    expect: Expectation | None = None
    todo: bool = Field(default=False, description="a known gap: reported, not failed")

    @model_validator(mode="after")
    def _says_something(self) -> CaseModel:
        if not (self.description and self.description.strip()) and not self.errors and not self.answers:
            raise ValueError("a case needs at least one of description, errors, answers")
        return self


class Case(CaseModel):
    """A case read from a file, remembering where it stood."""

    place: Place | None = Field(default=None, exclude=True)


def read_cases(source: str, *, stdin_text: str | None = None) -> list[Case]:
    """Read the cases in a YAML/JSON file, or standard input when ``source`` is ``-``."""
    if source == "-":
        name = "<stdin>"
        text = (
            stdin_text
            if stdin_text is not None
            else decode_text(sys.stdin.buffer.read(), name, CaseFileError)
        )
    else:
        name = source
        text = read_text(Path(source), CaseFileError, name)
    return parse_cases(text, name)


def parse_cases(text: str, name: str) -> list[Case]:
    """Cases from the text of a case file: one case, or ``{cases: [...]}``."""
    document = parse(text, name, CaseFileError)
    data = document.data
    if data is None:
        raise CaseFileError("empty case file; expected a case or {cases: [...]}", Place(name, 1, 1))
    if not isinstance(data, dict):
        raise CaseFileError(
            f"expected a mapping (a case or {{cases: [...]}}), found {type(data).__name__}",
            document.place_of(()),
        )
    if "cases" in data:
        extra = sorted(set(data) - {"cases"})
        if extra:
            raise CaseFileError(f"unknown key {extra[0]!r} beside 'cases'", document.place_of((extra[0],)))
        raw_cases = data["cases"]
        if not isinstance(raw_cases, list) or not raw_cases:
            raise CaseFileError("'cases' must be a non-empty list of cases", document.place_of(("cases",)))
        return [_case(item, document, ("cases", index), index) for index, item in enumerate(raw_cases)]
    return [_case(data, document, (), 0)]


def _case(data: Any, document: Document, location: tuple[int | str, ...], index: int) -> Case:
    if not isinstance(data, dict):
        raise CaseFileError(
            f"a case must be a mapping, found {type(data).__name__}", document.place_of(location)
        )
    try:
        model = CaseModel.model_validate(data)
    except ValidationError as error:
        message, place = describe_validation_error(error, document, location)[0]
        raise CaseFileError(message, place) from None
    fields = model.model_dump()
    if not fields.get("id"):
        fields["id"] = f"case-{index + 1}"
    return Case(**fields, place=document.place_of(location))


def check_answers(case: CaseModel, knowledge: Knowledge, place: Place | None = None) -> None:
    """Reject answers to unknown symptoms or of the wrong kind, naming the case."""
    for symptom_id, value in case.answers.items():
        symptom = knowledge.symptoms.get(symptom_id)
        where = f"case {case.id!r}: " if case.id else ""
        if symptom is None:
            close = difflib.get_close_matches(symptom_id, list(knowledge.symptoms), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; `triage export` lists the symptoms"
            raise CaseFileError(f"{where}unknown symptom {symptom_id!r} in answers{hint}", place)
        if value is None:
            continue
        problem = answer_problem(symptom.kind, symptom.choice_values, value)
        if problem:
            raise CaseFileError(f"{where}answer to {symptom_id!r}: {problem}", place)


def answer_problem(kind: str, choices: list[str], value: AnswerValue) -> str | None:
    """Why ``value`` is not a valid answer of a symptom of this kind, or None."""
    if kind == "boolean" and not isinstance(value, bool):
        return f"expected true, false or null, got {value!r}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {value!r}"
    if kind == "choice" and value not in choices:
        return f"expected one of {', '.join(choices)}, got {value!r}"
    if kind == "text" and not isinstance(value, str):
        return f"expected text, got {value!r}"
    return None

"""The knowledge schema: symptoms, causes, rules and procedures, as pure pydantic data models.

These models are the single source of truth for the YAML files under ``knowledge/``; the JSON
Schema that editors use and the field reference in ``docs/`` are generated from them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="lower_snake_case id")]
AnswerValue = bool | float | str

# Named likelihoods, so authors can write "usually" instead of a number. Each is the probability
# that the symptom shows the stated value when the cause is the real one.
LIKELIHOOD_WORDS: dict[str, float] = {
    "always": 0.97,
    "usually": 0.85,
    "often": 0.6,
    "sometimes": 0.3,
    "rarely": 0.08,
    "never": 0.02,
}

# Validation context key: the document is one of the shipped files, which CI validates in full.
SHIPPED = "shipped"

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


# Patterns write a contraction's apostrophe as any character ("doesn.t", so that ’ and ' both match);
# reports typed in a hurry leave it out ("doesnt work", "cant connect"), so it is optional.
_CONTRACTION = re.compile(
    r"(?:(?<![A-Za-z])|(?<=\\b))(don|doesn|didn|can|won|isn|aren|wasn|weren|haven|hasn|hadn|couldn|wouldn|shouldn)\.t\b"
)


def matching_source(pattern: str) -> str:
    """The regex a pattern is matched with: its contractions' apostrophes made optional."""
    return _CONTRACTION.sub(r"\1.?t", pattern)


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A regex compiled case-insensitively, once per process: validation and matching share it."""
    return re.compile(matching_source(pattern), re.IGNORECASE)


def answer_test(
    expected: AnswerValue | None,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    matches: str | None = None,
) -> Callable[[Any], bool]:
    """A predicate over an answer: equality, numeric bounds or a regex search; bare means "is true"."""
    if matches is not None:
        pattern = compile_pattern(matches)
        return lambda value: isinstance(value, str) and pattern.search(value) is not None
    bounds = [(gt, float.__gt__), (ge, float.__ge__), (lt, float.__lt__), (le, float.__le__)]
    active = [(float(limit), compare) for limit, compare in bounds if limit is not None]
    if active:
        return lambda value: (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and all(compare(float(value), limit) for limit, compare in active)
        )
    wanted = True if expected is None else expected
    if isinstance(wanted, bool):
        return lambda value: value is wanted
    return lambda value: not isinstance(value, bool) and value == wanted


class Model(BaseModel):
    """Base of every knowledge model: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Model):
    """Where a piece of knowledge comes from: a guide file and one of its section headings."""

    guide: str = Field(description="the guide's file name, as in seeds/")
    section: str = Field(description="the section heading it was taken from")


class Command(Model):
    """An exact command to run by hand; triage never runs it."""

    title: str
    command: str
    changes_system: bool = Field(
        default=False,
        description="true when running it changes the system (fixes, rollbacks); false for read-only checks",
    )

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER.findall(self.command)


class Pattern(Model):
    """Text that reveals a symptom in a description, a pasted error or a log line."""

    regex: str | None = Field(
        default=None, description="a Python regular expression, matched case-insensitively"
    )
    keyword: str | None = Field(
        default=None, description="a literal word or phrase, matched case-insensitively on word boundaries"
    )
    value: AnswerValue | None = Field(
        default=None,
        description=(
            "the answer the match implies: true for boolean symptoms (the default), a choice for choice "
            "symptoms; number symptoms take the regex group named 'value'"
        ),
    )

    @model_validator(mode="after")
    def _exactly_one_matcher(self, info: ValidationInfo) -> Pattern:
        if (self.regex is None) == (self.keyword is None):
            raise ValueError("a pattern needs exactly one of 'regex' or 'keyword'")
        # the shipped files' regexes are compiled by CI's lint; at run time they are compiled when a
        # text is first scanned, so that the first question does not wait for 1,700 of them
        if self.regex is not None and not (info.context or {}).get(SHIPPED):
            try:
                compile_pattern(self.regex)
            except re.error as error:
                raise ValueError(f"regex {self.regex!r} does not compile: {error}") from error
        return self

    def to_regex(self) -> str:
        if self.regex is not None:
            return self.regex
        assert self.keyword is not None
        words = [re.escape(word) for word in self.keyword.split()]
        return r"(?<![\w-])" + r"[\s_-]+".join(words) + r"(?![\w-])"


class Condition(Model):
    """A test over answered symptoms and derived facts; exactly one form per condition.

    Forms: ``all``/``any`` (lists), ``not`` (one condition), ``symptom`` or ``fact`` with an optional
    test (``is``, ``gt``, ``ge``, ``lt``, ``le``, ``matches``), or ``known`` (answered at all).
    A bare ``symptom``/``fact`` means "is true". ``not`` means "not established", which includes
    "unknown"; to test for an explicit "no", write ``is: false``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    symptom: str | None = None
    fact: str | None = None
    known: str | None = None
    is_: AnswerValue | None = Field(default=None, alias="is")
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    matches: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [
            name
            for name, value in (
                ("all", self.all),
                ("any", self.any),
                ("not", self.not_),
                ("symptom", self.symptom),
                ("fact", self.fact),
                ("known", self.known),
            )
            if value is not None
        ]
        if len(forms) != 1:
            raise ValueError(
                "a condition needs exactly one of all, any, not, symptom, fact, known; got "
                + (", ".join(forms) or "none")
            )
        tests = [t for t in ("is_", "gt", "ge", "lt", "le", "matches") if getattr(self, t) is not None]
        if tests and forms[0] not in ("symptom", "fact"):
            raise ValueError("is/gt/ge/lt/le/matches only go with symptom or fact")
        if len(tests) > 1 and not set(tests) <= {"gt", "ge", "lt", "le"}:
            raise ValueError("a condition takes one of is or matches, or a numeric range")
        if self.matches is not None:
            try:
                compile_pattern(self.matches)
            except re.error as error:
                raise ValueError(f"regex {self.matches!r} does not compile: {error}") from error
        return self

    def references(self) -> list[tuple[str, str]]:
        """Every (kind, id) this condition mentions, kind being 'symptom' or 'fact'."""
        found: list[tuple[str, str]] = []
        for child in (self.all or []) + (self.any or []) + ([self.not_] if self.not_ else []):
            found.extend(child.references())
        if self.symptom:
            found.append(("symptom", self.symptom))
        if self.known:
            found.append(("symptom", self.known))
        if self.fact:
            found.append(("fact", self.fact))
        return found


class Choice(Model):
    """One allowed answer of a choice symptom."""

    value: Identifier
    label: str


class Symptom(Model):
    """Something that can be observed or asked: an error, a metric, a context question."""

    id: Identifier
    question: str = Field(description="the question the wizard asks")
    kind: Literal["boolean", "choice", "number", "text"] = "boolean"
    choices: list[Choice] = Field(default_factory=list, description="allowed answers of a choice symptom")
    unit: str | None = Field(default=None, description="unit of a number symptom")
    context: bool = Field(
        default=False,
        description="true for questions about the environment (platform, data store) rather than the failure",
    )
    every_cause: bool = Field(
        default=False,
        description="an orienting question every cause must answer in its evidence (lint K310 otherwise)",
    )
    cost: float = Field(
        default=1.0, gt=0, description="effort to find out: 1 a glance, 3 a command, 5 a long look"
    )
    base_rate: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="how often a boolean symptom is present when the cause is none that names it",
    )
    check: list[Command] = Field(default_factory=list, description="how to find out (read-only commands)")
    patterns: list[Pattern] = Field(default_factory=list, description="text that reveals the symptom")
    ask_when: Condition | None = Field(default=None, description="ask only when this holds")
    sources: list[Source] = Field(default_factory=list)
    override: bool = Field(default=False, description="replace a shipped symptom with the same id")
    lint: LintSettings | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> Symptom:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("a choice symptom needs at least two choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"only choice symptoms take choices, this one is {self.kind}")
        if self.kind == "choice":
            allowed = {choice.value for choice in self.choices}
            for pattern in self.patterns:
                if pattern.value not in allowed:
                    raise ValueError(
                        f"pattern {pattern.regex or pattern.keyword!r} needs a value among {sorted(allowed)}"
                    )
        return self

    @property
    def choice_values(self) -> list[str]:
        return [choice.value for choice in self.choices]


class Evidence(Model):
    """How a symptom bears on a cause: the chance it shows ``value`` when the cause is real.

    Above the symptom's base rate the observation supports the cause; below it, it weakens it.
    Number symptoms are tested with ``gt``/``ge``/``lt``/``le``, text symptoms with ``matches``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    symptom: str
    value: AnswerValue = True
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    matches: str | None = None
    likelihood: float | str = Field(
        default="usually",
        description="P(symptom shows this | cause): a number in (0, 1) or one of "
        + ", ".join(LIKELIHOOD_WORDS),
    )
    note: str | None = Field(default=None, description="why this evidence matters, shown in reports")

    @field_validator("likelihood")
    @classmethod
    def _known_likelihood(cls, value: float | str) -> float | str:
        if isinstance(value, str) and value not in LIKELIHOOD_WORDS:
            raise ValueError(f"likelihood must be a number or one of {', '.join(LIKELIHOOD_WORDS)}")
        if isinstance(value, float | int) and not 0 < value < 1:
            raise ValueError("likelihood must be strictly between 0 and 1")
        return value

    @property
    def probability(self) -> float:
        return (
            LIKELIHOOD_WORDS[self.likelihood] if isinstance(self.likelihood, str) else float(self.likelihood)
        )

    def test(self) -> Callable[[Any], bool]:
        """The predicate this evidence applies to an answer."""
        value = (
            None
            if any(v is not None for v in (self.gt, self.ge, self.lt, self.le, self.matches))
            else self.value
        )
        return answer_test(value, self.gt, self.ge, self.lt, self.le, self.matches)

    def as_condition(self) -> Condition:
        tests: dict[str, Any] = {
            key: getattr(self, key)
            for key in ("gt", "ge", "lt", "le", "matches")
            if getattr(self, key) is not None
        }
        if not tests:
            tests["is"] = self.value
        return Condition.model_validate({"symptom": self.symptom, **tests})


class Solution(Model):
    """One way to fix the cause: what to do, in order, and the commands that do it."""

    title: str
    steps: list[str] = Field(default_factory=list)
    commands: list[Command] = Field(default_factory=list)


class Cause(Model):
    """A root cause the tool can diagnose, with its evidence, checks and fixes."""

    id: Identifier
    title: str
    summary: str = Field(description="what goes wrong and why, in a sentence or two")
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    prior: float = Field(default=1.0, gt=0, description="relative prior weight against the other causes")
    system: str | None = Field(default=None, description="the system or area it belongs to, e.g. lambda, ecs")
    keywords: list[str] = Field(
        default_factory=list,
        description="words and synonyms people use for this problem; descriptions that use them resemble it",
    )
    evidence: list[Evidence] = Field(min_length=1)
    diagnostics: list[Command] = Field(default_factory=list, description="read-only checks that confirm it")
    solutions: list[Solution] = Field(default_factory=list)
    procedures: list[str] = Field(default_factory=list, description="ids of related procedures")
    sources: list[Source] = Field(min_length=1)
    override: bool = Field(default=False, description="replace a shipped cause with the same id")
    lint: LintSettings | None = None

    def cites(self, guide: str, section: str) -> bool:
        """Whether it cites this guide and a section whose heading contains ``section`` (case and
        punctuation ignored)."""
        wanted = _plain_heading(section)
        return any(
            source.guide == guide and wanted in _plain_heading(source.section) for source in self.sources
        )


@functools.cache  # a few hundred headings, compared with each other thousands of times
def _plain_heading(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


class LintSettings(Model):
    """Per-object lint settings."""

    ignore: list[str] = Field(default_factory=list, description="lint codes silenced for this object")


class Derivation(Model):
    """A fact a rule derives; other rules may test it with ``fact:``."""

    fact: Identifier
    value: AnswerValue = True


class CauseWeight(Model):
    """Evidence a rule adds to a cause: a likelihood ratio (>1 supports, <1 weakens)."""

    cause: str
    factor: float = Field(gt=0)
    note: str | None = None


class RuleAction(Model):
    """What a rule does when it fires."""

    derive: list[Derivation] = Field(default_factory=list)
    evidence: list[CauseWeight] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list, description="symptom ids worth asking next")

    @model_validator(mode="after")
    def _does_something(self) -> RuleAction:
        if not (self.derive or self.evidence or self.ask):
            raise ValueError("a rule's 'then' needs at least one of derive, evidence, ask")
        return self


class Rule(Model):
    """A forward-chaining rule: when the condition holds, derive facts, weigh causes, suggest questions."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Identifier
    description: str | None = None
    when: Condition
    then: RuleAction
    sources: list[Source] = Field(default_factory=list)
    override: bool = False
    lint: LintSettings | None = None


class Step(Model):
    """One step of a procedure."""

    text: str
    commands: list[Command] = Field(default_factory=list)


class Procedure(Model):
    """A playbook: health check, log analysis, recovery, rollback, escalation, debugging, template."""

    id: Identifier
    title: str
    kind: Literal[
        "health_check",
        "log_analysis",
        "diagnostics",
        "recovery",
        "rollback",
        "escalation",
        "debugging",
        "maintenance",
        "monitoring",
        "incident_template",
        "contacts",
    ]
    summary: str | None = None
    steps: list[Step] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    override: bool = False
    lint: LintSettings | None = None


class KnowledgeFile(Model):
    """One YAML file of knowledge; every section is optional."""

    symptoms: list[Symptom] = Field(default_factory=list)
    causes: list[Cause] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    procedures: list[Procedure] = Field(default_factory=list)


Condition.model_rebuild()
Symptom.model_rebuild()
Cause.model_rebuild()

"""Intake: what a free-text description and pasted errors reveal, matched against symptom patterns."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .errors import KnowledgeError
from .index import shipped_index
from .knowledge import Knowledge
from .literals import quick_required_literals
from .models import AnswerValue, Pattern, Symptom, compile_pattern

# A negation shortly before a match in a description ("it is not timing out") means the text does
# not assert the symptom; so do "zero throttled requests" and "nobody is getting 429s". "nothing" and
# "none" are not in the list: "nothing comes back" states the failure. Errors and logs are taken literally.
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no one|nobody|zero|neither|no|not|never|without|nor|isn'?t|aren'?t|wasn'?t|weren'?t|doesn'?t|didn'?t|don'?t|"
    r"haven'?t|hasn'?t|rather than|instead of)\b)(?:\W+\w+){0,2}\W*$",
    re.IGNORECASE,
)
# ... and a denial right after it ("timeouts are not the issue", "a cold start isn't it").
_DENIAL_AFTER = re.compile(
    r"\W{0,3}(?:(?:is|are|was|were|seems?|seemed)(?: to be)? )?"
    r"(?:not|never|isn.?t|aren.?t|wasn.?t|weren.?t|doesn.?t|don.?t|didn.?t|does not|do not|did not)"
    r"(?: seem to be)? (?:the (?:issue|problem|cause|culprit|reason)|an? (?:issue|problem|factor)|it|involved)\b"
    r"|\W{0,3}(?:(?:is|are|was|were|has been|have been) )?ruled out\b",
    re.IGNORECASE,
)
# ... and a count of failures read off as zero ("Throttles 0", "OOM kills: 0", "evicted_keys:0",
# "packet loss 0%"), as dashboards are transcribed. Only counts of failures: "healthy hosts 0" and
# "invocations flat at 0" state a failure, and "0 -> 450" or "0 of 4" are not a zero.
_FAILURE_COUNT = re.compile(
    r"(?:throttl|error|errs?\b|[45]xx|fail|timeout|timed out|reject|drop|loss|lost|unhealthy|dlq|dead.letter"
    r"|retr|lag|exception|crash|restart|evict|kill|oom|denied|refused)\w*(?:\W+\w+)?\W*$",
    re.IGNORECASE,
)
_READ_AS_ZERO = re.compile(
    r"(?: (?:errors?|events?|requests?|kills?|counts?|messages?|hosts?|targets?|tasks?|pods?))?"
    r"\W{0,3}(?:(?:is|are|was|were|stays?|stayed|remains?|remained|at|=)\s*)?(?:0|zero)"
    r"(?![\d.,/]*\d| ?(?:/|of|out of)\b|\s*(?:->|=>|→|to \d))(?!\w)",
    re.IGNORECASE,
)
_NOT_A_NEGATION = re.compile(r"\b(?:don'?t|do not|doesn'?t|no) (?:know|idea|clue|sure)\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.;!?\n]")
_LOOKBEHIND_CHARS = 40


@dataclass(frozen=True)
class Match:
    """One piece of text that revealed a symptom."""

    symptom: str
    value: AnswerValue
    text: str
    source: str  # "description" or "errors[N]"
    pattern: str
    offset: int = 0  # where in its text the match starts
    mentions: int = 1  # how often the pattern names this choice in the text

    @property
    def from_description(self) -> bool:
        """Read from the description, not from a pasted error or a log line."""
        return self.source == "description"

    def to_json(self) -> dict[str, object]:
        return {"symptom": self.symptom, "value": self.value, "text": self.text, "source": self.source}


class CompiledPattern:
    """A symptom's pattern, compiled the first time a text is scanned with it.

    Slotted, with its two lazy attributes kept in slots rather than an instance dictionary: a
    knowledge base ten times the shipped one holds some 29,000 of these.
    """

    __slots__ = ("_literals", "_literals_known", "_regex", "pattern", "source", "symptom")

    def __init__(self, symptom: Symptom, pattern: Pattern, source: str) -> None:
        self.symptom = symptom
        self.pattern = pattern
        self.source = source  # the regular expression, keywords spelled out
        self._literals: frozenset[str] | None = None
        self._literals_known = False
        self._regex: re.Pattern[str] | None = None

    @property
    def literals(self) -> frozenset[str] | None:
        """Lower-case text one of which every match contains (None: unknown); a text without any
        of them is skipped without compiling or running the pattern."""
        if not self._literals_known:
            index = shipped_index()
            if index is not None and self.source in index.literals:
                self._literals = index.literals[self.source]
            else:
                self._literals = quick_required_literals(self.source)
            self._literals_known = True
        return self._literals

    @property
    def compiled(self) -> bool:
        """Whether the regex has been compiled yet."""
        return self._regex is not None

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            try:
                self._regex = compile_pattern(self.source)
            except re.error as error:  # only a shipped file edited after installation gets here
                raise KnowledgeError(
                    f"symptom {self.symptom.id!r}: regex {self.source!r} does not compile: {error}"
                ) from error
        return self._regex

    def value_of(self, hit: re.Match[str]) -> AnswerValue | None:
        """The answer a hit gives its symptom: a number read from the ``value`` group, the matched
        text, the pattern's choice, or True; None when a number cannot be read."""
        symptom, pattern = self.symptom, self.pattern
        if symptom.kind == "number":
            if "value" not in self.regex.groupindex or hit.group("value") is None:
                return pattern.value if isinstance(pattern.value, int | float) else None
            try:
                return float(hit.group("value").replace(",", ""))
            except ValueError:
                return None
        if symptom.kind == "text":
            return hit.group(0)
        if pattern.value is not None:
            return pattern.value
        return True


class Matcher:
    """Every symptom pattern of a knowledge base, each compiled once, when first needed."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.patterns = [
            CompiledPattern(symptom, pattern, pattern.to_regex())
            for symptom in knowledge.symptoms.values()
            for pattern in symptom.patterns
        ]

    def compile_all(self) -> None:
        """Compile every pattern now rather than at the first scan."""
        for compiled in self.patterns:
            _ = compiled.regex

    def scan(self, text: str, source: str, *, literal: bool) -> list[Match]:
        """Every pattern match in ``text``; ``literal`` texts (errors, logs) ignore negations."""
        found: list[Match] = []
        # the literals are lower-case ASCII; re's case folding of other scripts is left to re itself
        folded = text.lower() if text.isascii() else None
        for compiled in self.patterns:
            literals = compiled.literals
            if folded is not None and literals is not None and not any(lit in folded for lit in literals):
                continue
            # "not delivered on whatsapp" still names the platform: choices of context symptoms
            # say what the system is made of, which a negated verb nearby does not change
            naming_context = compiled.symptom.context and compiled.symptom.kind == "choice"
            first: re.Match[str] | None = None
            first_value: AnswerValue | None = None
            mentions = 0
            for hit in compiled.regex.finditer(text):
                if (
                    not literal
                    and not naming_context
                    and (_negated(text, hit.start()) or _denied_after(text, hit))
                ):
                    continue
                value = compiled.value_of(hit)
                if value is None:
                    continue
                if first is None:
                    first, first_value, mentions = hit, value, 1
                    if compiled.symptom.kind != "choice":
                        break  # one match per pattern and text is enough evidence of a symptom
                elif value == first_value:
                    mentions += 1  # a choice named again counts again
            if first is not None and first_value is not None:
                found.append(
                    Match(
                        compiled.symptom.id,
                        first_value,
                        first.group(0).strip(),
                        source,
                        compiled.source,
                        first.start(),
                        mentions,
                    )
                )
        return found

    def read(self, description: str | None, errors: list[str]) -> list[Match]:
        """Matches in a description and in each pasted error, in that order."""
        matches: list[Match] = []
        if description:
            matches.extend(self.scan(description, "description", literal=False))
        for index, error in enumerate(errors):
            matches.extend(self.scan(error, f"errors[{index}]", literal=True))
        return matches


def answers_from(matches: list[Match], knowledge: Knowledge) -> dict[str, AnswerValue]:
    """The answer each matched symptom gets; for a choice, the value the texts name most often, and
    on a tie the one named first ("on WhatsApp ... but Discord is fine" is about WhatsApp). A value
    a pasted error names outvotes the description's: "I assumed S3 is slow" above a DynamoDB
    throttling error is a guess, the error is a fact."""
    sources = {source: rank for rank, source in enumerate(dict.fromkeys(match.source for match in matches))}
    from_errors = {match.symptom for match in matches if not match.from_description}
    votes: dict[str, Counter[AnswerValue]] = {}
    for match in sorted(matches, key=lambda match: (sources[match.source], match.offset)):
        if match.from_description and match.symptom in from_errors:
            continue
        votes.setdefault(match.symptom, Counter())[match.value] += match.mentions
    answers: dict[str, AnswerValue] = {}
    for symptom_id, counter in votes.items():
        symptom = knowledge.symptoms[symptom_id]
        if symptom.kind == "boolean":
            # a literal error beats a description's words; presence is what text can assert
            answers[symptom_id] = True if counter[True] else next(iter(counter))
        else:
            answers[symptom_id] = counter.most_common(1)[0][0]
    return answers


def _denied_after(text: str, hit: re.Match[str]) -> bool:
    if _DENIAL_AFTER.match(text, hit.end()):
        return True
    return bool(_READ_AS_ZERO.match(text, hit.end()) and _FAILURE_COUNT.search(hit.group(0)[-30:]))


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - _LOOKBEHIND_CHARS) : start]
    breaks = list(_SENTENCE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    if _NOT_A_NEGATION.search(before):
        return False
    return _NEGATION_BEFORE.search(before) is not None

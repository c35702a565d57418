"""Log scanning: stream log files, match every symptom pattern, and diagnose what the logs show.

Logs are read in chunks of bytes and never held whole (one JSON document, such as a CloudWatch
``events`` export, is the exception: it is parsed at once, up to ``MAX_DOCUMENT_BYTES``). One
combined prefilter, the alternation of every pattern's required literals, runs over each chunk in C;
only the lines it hits are decoded and given to the patterns that could match them. For each
symptom only counts, the first and last timestamps and a few sample lines are kept, so memory stays
flat whatever the size of the logs.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import signal
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any, Protocol

from pydantic import ValidationError

from .cases import Case, CaseModel, check_answers, parse_cases
from .diagnosis import DEFAULT_TOP, CaseResult, Diagnoser
from .errors import CaseFileError, LogFileError, Place
from .intake import CompiledPattern, Match, Matcher, answers_from
from .knowledge import Knowledge
from .literals import required_literals, trie_pattern
from .models import AnswerValue, matching_source
from .timestamps import Timestamp, find_timestamp, timestamp_of_event
from .yamlfile import parse, read_text

MAX_LINE_BYTES = 64 * 1024  # the rest of a longer line is not looked at
CHUNK_BYTES = 1 << 20
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_SAMPLES = 3
MAX_SAMPLE_CHARS = 500
MAX_TEXT_VALUES = 20  # distinct values a text symptom keeps counting
PATTERN_TIME_LIMIT = 1.0  # seconds one pattern may spend on one line before it is given up
MESSAGE_KEYS = ("message", "msg", "log", "MESSAGE")
EVENT_LIST_KEYS = ("events", "logEvents")
GZIP_MAGIC = b"\x1f\x8b"
STDIN_NAME = "<stdin>"
SCAN_CASE_ID = "scan"

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class Sample:
    """One log line that showed a symptom, and where it stood."""

    text: str
    source: str  # "file:line"


@dataclass
class SymptomTally:
    """What the logs showed of one symptom: how often, when, a few examples, and its values."""

    symptom: str
    kind: str
    count: int = 0
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    samples: list[Sample] = field(default_factory=list)
    values: Counter[AnswerValue] = field(default_factory=Counter)
    largest: float | None = None  # number symptoms keep only their largest value
    first_match: Match | None = None

    def add(self, value: AnswerValue, timestamp: Timestamp | None) -> None:
        self.count += 1
        if timestamp is not None:
            if self.first_seen is None or timestamp < self.first_seen:
                self.first_seen = timestamp
            if self.last_seen is None or timestamp > self.last_seen:
                self.last_seen = timestamp
        if self.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            self.largest = value if self.largest is None else max(self.largest, value)
        elif value in self.values or len(self.values) < MAX_TEXT_VALUES:
            self.values[value] += 1

    @property
    def value(self) -> AnswerValue:
        """The answer the logs give: yes, the most frequent choice, or the largest number seen."""
        if self.kind == "number" and self.largest is not None:
            return self.largest
        if self.kind == "boolean":
            return True if self.values[True] or not self.values else next(iter(self.values))
        return self.values.most_common(1)[0][0]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.symptom,
            "count": self.count,
            "first_seen": str(self.first_seen) if self.first_seen else None,
            "last_seen": str(self.last_seen) if self.last_seen else None,
            "samples": [sample.text for sample in self.samples],
            "sample_sources": [sample.source for sample in self.samples],
            "value": self.value,
        }


@dataclass
class ScanResult:
    """Everything a scan found: the files, how many lines, and one tally per matched symptom."""

    files: list[str] = field(default_factory=list)
    lines: int = 0
    tallies: dict[str, SymptomTally] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def symptoms(self) -> list[SymptomTally]:
        """The matched symptoms, most frequent first."""
        return sorted(self.tallies.values(), key=lambda tally: -tally.count)

    def answers(self) -> dict[str, AnswerValue]:
        return {tally.symptom: tally.value for tally in self.symptoms}

    def matches(self) -> list[Match]:
        return [tally.first_match for tally in self.symptoms if tally.first_match is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "lines": self.lines,
            "symptoms": [tally.to_json() for tally in self.symptoms],
        }


class _PatternTimeout(Exception):
    """A pattern ran past its time limit on one line."""


class _Watchdog:
    """Interrupts a pattern that runs too long (POSIX, main thread; the regex engine checks signals)."""

    TICK = 0.25

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.started: float | None = None
        self._previous: Any = None
        self._active = False

    def __enter__(self) -> _Watchdog:
        if (
            hasattr(signal, "setitimer")
            and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
        ):
            self._previous = signal.signal(signal.SIGALRM, self._tick)
            signal.setitimer(signal.ITIMER_REAL, self.TICK, self.TICK)
            self._active = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self._active = False

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        started = self.started
        if started is not None and time.monotonic() - started > self.limit:
            self.started = None
            raise _PatternTimeout


class LogScanner:
    """Every symptom pattern of a knowledge base, compiled once behind one combined prefilter.

    Each pattern's required literals (``triage.literals``) are cut to the part that starts on a
    rare character; the alternation of those parts is the prefilter. On a line the prefilter hits,
    the whole literals behind the parts it found are checked, and only the patterns one of whose
    literals is really there are run. Patterns without a required literal join the prefilter as
    they are and run on every line it hits.
    """

    def __init__(self, knowledge: Knowledge, *, pattern_time_limit: float = PATTERN_TIME_LIMIT) -> None:
        self.knowledge = knowledge
        self.patterns: list[CompiledPattern] = Matcher(knowledge).patterns
        self.pattern_time_limit = pattern_time_limit
        self._literals = [required_literals(compiled.source) for compiled in self.patterns]
        self._unfiltered = tuple(index for index, literals in enumerate(self._literals) if literals is None)
        patterns_of_literal: dict[bytes, set[int]] = {}
        for index, literals in enumerate(self._literals):
            for literal in literals or ():
                patterns_of_literal.setdefault(literal.encode("ascii"), set()).add(index)
        self._patterns_of_literal = {
            literal: frozenset(found) for literal, found in patterns_of_literal.items()
        }
        self._prefilter: re.Pattern[bytes] | None = None
        self._literals_behind: dict[bytes, tuple[bytes, ...]] = {}  # prefilter part -> whole literals
        self._selection_cache: dict[frozenset[bytes], tuple[int, ...]] = {}
        self._disabled: set[int] = set()
        self._prepared = False

    @property
    def prefilter(self) -> re.Pattern[bytes]:
        """The combined prefilter, over lower-cased bytes (built for typical logs until a scan starts)."""
        if self._prefilter is None:
            self.prepare(b"")
        assert self._prefilter is not None
        return self._prefilter

    def prepare(self, sample: bytes) -> None:
        """Build the prefilter, starting each literal's part on a character rare in ``sample``.

        The regex engine skips quickly over characters that cannot start any part and tries the
        alternation only where one can, so parts that start on few, rare characters keep it fast.
        """
        frequency = _character_frequency(sample.lower())
        anchors = _anchor_characters(
            {literal.decode("ascii") for literal in self._patterns_of_literal}, frequency
        )
        part_of = {
            literal: _anchored_part(literal.decode("ascii"), anchors, frequency).encode("ascii")
            for literal in self._patterns_of_literal
        }
        literals_of_part: dict[bytes, list[bytes]] = {}
        for literal, part in part_of.items():
            literals_of_part.setdefault(part, []).append(literal)
        # At each position the prefilter reports the longest part that starts there; the parts
        # that are its prefixes are there too, so their literals are worth checking as well.
        self._literals_behind = {
            part: tuple(
                literal
                for length in range(1, len(part) + 1)
                for literal in literals_of_part.get(part[:length], ())
            )
            for part in literals_of_part
        }
        self._selection_cache.clear()
        self._prefilter = self._combined_prefilter(sorted(part.decode("ascii") for part in literals_of_part))

    def _combined_prefilter(self, parts: list[str]) -> re.Pattern[bytes]:
        alternatives = [trie_pattern(parts)] if parts else []
        for index in self._unfiltered:
            # a pattern without a required literal joins the alternation itself, case-insensitively
            source = re.sub(r"\(\?P<\w+>", "(?:", matching_source(self.patterns[index].source))
            flags = re.match(r"\(\?([aiLmsux]+)\)", source)
            if flags:  # global flags cannot stand inside the alternation: scope them
                scoped = "".join(flag for flag in flags.group(1) if flag in "imsx")
                source = f"(?{scoped}:{source[flags.end() :]})" if scoped else source[flags.end() :]
            try:
                re.compile(f"(?i:{source})".encode())
            except (re.error, UnicodeEncodeError):
                return re.compile(rb"^", re.MULTILINE)  # cannot be prefiltered: every line is a candidate
            alternatives.append(f"(?i:{source})")
        if not alternatives:
            return re.compile(rb"(?!)")
        return re.compile("|".join(alternatives).encode())

    def _selection(self, lowered: bytes, parts: list[bytes]) -> tuple[int, ...]:
        """The patterns worth running on a line, given the prefilter parts found in it."""
        found: set[bytes] = set()
        behind = self._literals_behind
        for part in set(parts):
            for literal in behind.get(part, ()):
                if literal in lowered:
                    found.add(literal)
        present = frozenset(found)
        selected = self._selection_cache.get(present)
        if selected is None:
            indices = set(self._unfiltered)
            for literal in present:
                indices.update(self._patterns_of_literal[literal])
            selected = tuple(sorted(indices))
            if len(self._selection_cache) > 4096:
                self._selection_cache.clear()
            self._selection_cache[present] = selected
        return selected

    def _parts_in(self, lowered: bytes) -> list[bytes]:
        """The longest prefilter part starting at each position of a text where one starts."""
        found: list[bytes] = []
        search = self.prefilter.search
        hit = search(lowered)
        while hit is not None:
            found.append(hit.group())
            hit = search(lowered, hit.start() + 1)
        return found

    # -----------------------------------------------------------------------------------------
    # Reading

    def scan(
        self,
        paths: Sequence[str],
        *,
        stdin: IO[bytes] | None = None,
        progress: ProgressCallback | None = None,
    ) -> ScanResult:
        """Scan log files in order (``-`` reads ``stdin``); raises ``LogFileError`` for unreadable ones."""
        for name in paths:
            if name != "-":
                _check_readable(Path(name))
        result = ScanResult()
        self._prepared = False
        with _Watchdog(self.pattern_time_limit) as watchdog:
            for name in paths:
                if name == "-":
                    if stdin is None:
                        raise LogFileError("standard input is not available", Place(STDIN_NAME))
                    result.files.append(STDIN_NAME)
                    self._scan_stream(stdin, STDIN_NAME, result, watchdog, progress)
                    continue
                result.files.append(name)
                try:
                    with open(name, "rb") as raw:
                        self._scan_stream(raw, name, result, watchdog, progress)
                except OSError as error:
                    raise LogFileError(f"cannot read: {error.strerror or error}", Place(name)) from None
        return result

    def _scan_stream(
        self,
        raw: IO[bytes],
        name: str,
        result: ScanResult,
        watchdog: _Watchdog,
        progress: ProgressCallback | None,
    ) -> None:
        head = raw.read(len(GZIP_MAGIC))
        stream: _Readable = raw
        if head == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=_Prepended(head, raw), mode="rb")
            head = b""
        chunks = _chunks(stream, raw, head, name, progress)
        first = next(chunks, b"")
        if not self._prepared and first:
            self.prepare(first[:CHUNK_BYTES])
            self._prepared = True
        if _looks_like_json_document(first):
            rest = b"".join(_bounded(chunks, name, len(first)))
            self._scan_document(first + rest, name, result, watchdog)
            return
        self._scan_lines(first, chunks, name, result, watchdog)

    def _scan_lines(
        self, first: bytes, chunks: Iterator[bytes], name: str, result: ScanResult, watchdog: _Watchdog
    ) -> None:
        carry = b""
        skipping = False  # inside an over-long line: its rest is dropped up to the next newline
        line_number = 0
        chunk: bytes | None = first
        while chunk is not None:
            if skipping:
                newline = chunk.find(b"\n")
                if newline >= 0:
                    chunk = chunk[newline + 1 :]
                    line_number = self._scan_body(carry + b"\n", name, line_number, result, watchdog)
                    carry, skipping = b"", False
            if not skipping and chunk:
                data = carry + chunk if carry else chunk
                cut = data.rfind(b"\n")
                body, carry = (data[: cut + 1], data[cut + 1 :]) if cut >= 0 else (b"", data)
                if len(carry) > MAX_LINE_BYTES:
                    carry, skipping = carry[:MAX_LINE_BYTES], True
                if body:
                    line_number = self._scan_body(body, name, line_number, result, watchdog)
            chunk = next(chunks, None)
        if carry:
            self._scan_body(carry + b"\n", name, line_number, result, watchdog)

    def _scan_body(
        self, body: bytes, name: str, line_number: int, result: ScanResult, watchdog: _Watchdog
    ) -> int:
        """Scan whole lines (``body`` ends with a newline); returns the number of the last line."""
        lowered = body.lower()  # ASCII only, so positions stay the same
        search = self.prefilter.search
        newlines_seen = counted_to = 0
        hit = search(lowered)
        while hit is not None:
            first = hit.start()
            start = body.rfind(b"\n", 0, first) + 1
            end = body.find(b"\n", first)
            parts = [hit.group()]
            hit = search(lowered, first + 1)
            while hit is not None and hit.start() < end:
                parts.append(hit.group())
                hit = search(lowered, hit.start() + 1)
            if first - start >= MAX_LINE_BYTES:
                continue  # in the cut-off part of an over-long line
            stop = min(end, start + MAX_LINE_BYTES)
            candidates = self._selection(lowered[start:stop], parts)
            if candidates:
                newlines_seen += body.count(b"\n", counted_to, start)
                counted_to = start
                where = (name, line_number + newlines_seen + 1)
                self._match_line(body[start:stop], candidates, where, result, watchdog)
        lines = body.count(b"\n")
        result.lines += lines
        return line_number + lines

    def _scan_document(self, data: bytes, name: str, result: ScanResult, watchdog: _Watchdog) -> None:
        """A JSON document (or several back to back) holding log events, e.g. a CloudWatch export."""
        text = data.decode("utf-8", "replace")
        decoder = json.JSONDecoder()
        values: list[tuple[int, Any]] = []
        position = _skip_space(text, 0)
        try:
            while position < len(text):
                value, end = decoder.raw_decode(text, position)
                values.append((position, value))
                position = _skip_space(text, end)
        except (ValueError, RecursionError):
            # not JSON after all: read it as lines of text
            self._scan_lines(data, iter(()), name, result, watchdog)
            return
        counted_to, line = 0, 1
        for position, value in values:
            for message, event in _events_of(value) or [(None, {})]:
                result.lines += 1
                if message is not None:
                    # the line of the event is where its message stands, when it can be found
                    found = text.find(json.dumps(message, ensure_ascii=False), counted_to)
                    if found < 0:
                        found = text.find(json.dumps(message), counted_to)
                    position = max(position, found)
                line += text.count("\n", counted_to, position)
                counted_to = position
                shown = message if message is not None else json.dumps(event or value, ensure_ascii=False)
                self._match_event(shown, event, (name, line), result, watchdog)

    # -----------------------------------------------------------------------------------------
    # Matching

    def _match_line(
        self,
        line: bytes,
        candidates: tuple[int, ...],
        where: tuple[str, int],
        result: ScanResult,
        watchdog: _Watchdog,
    ) -> None:
        text = line.decode("utf-8", "replace").rstrip("\r")
        stripped = text.lstrip()
        if stripped.startswith(("{", "[")):
            events = _json_events(stripped)
            if events is not None:
                for message, event in events:
                    self._match_text(message or text, candidates, where, result, watchdog, event)
                return
        self._match_text(text, candidates, where, result, watchdog, None)

    def _match_event(
        self,
        message: str,
        event: Mapping[str, Any],
        where: tuple[str, int],
        result: ScanResult,
        watchdog: _Watchdog,
    ) -> None:
        lowered = message.encode("utf-8", "replace").lower()
        candidates = self._selection(lowered, self._parts_in(lowered))
        if candidates:
            self._match_text(message, candidates, where, result, watchdog, event)

    def _match_text(
        self,
        text: str,
        candidates: tuple[int, ...],
        where: tuple[str, int],
        result: ScanResult,
        watchdog: _Watchdog,
        event: Mapping[str, Any] | None,
    ) -> None:
        seen: dict[str, tuple[AnswerValue, int, re.Match[str]]] = {}
        for index in candidates:
            symptom_id = self.patterns[index].symptom.id
            if symptom_id in seen or (self._disabled and index in self._disabled):
                continue
            found = self._search(index, text, where, result, watchdog)
            if found is not None:
                seen[symptom_id] = (found[0], index, found[1])
        if not seen:
            return
        timestamp = (timestamp_of_event(event) if event else None) or find_timestamp(text)
        sample: Sample | None = None
        for symptom_id, (value, index, hit) in seen.items():
            tally = result.tallies.get(symptom_id)
            if tally is None:
                kind = self.knowledge.symptoms[symptom_id].kind
                tally = result.tallies[symptom_id] = SymptomTally(symptom_id, kind)
            tally.add(value, timestamp)
            if len(tally.samples) < MAX_SAMPLES:
                sample = sample or Sample(_shorten(text.strip()), _source(where))
                tally.samples.append(sample)
            if tally.first_match is None:
                pattern = self.patterns[index].source
                tally.first_match = Match(
                    symptom_id, value, hit.group(0).strip(), _source(where), pattern, hit.start()
                )

    def _search(
        self, index: int, text: str, where: tuple[str, int], result: ScanResult, watchdog: _Watchdog
    ) -> tuple[AnswerValue, re.Match[str]] | None:
        compiled = self.patterns[index]
        try:
            watchdog.started = time.monotonic()
            for hit in compiled.regex.finditer(text):
                value = compiled.value_of(hit)
                if value is not None:
                    watchdog.started = None
                    return value, hit
            watchdog.started = None
        except _PatternTimeout:
            watchdog.started = None
            self._disabled.add(index)
            result.warnings.append(
                f"{_source(where)}: a pattern of symptom {compiled.symptom.id!r} ran over "
                f"{self.pattern_time_limit:g} s and was skipped for the rest of the scan; "
                f"simplify it: {compiled.source}"
            )
        return None


def _source(where: tuple[str, int]) -> str:
    return f"{where[0]}:{where[1]}"


# ---------------------------------------------------------------------------------------------
# Diagnosis of a scan


def scan_logs(
    paths: Sequence[str],
    knowledge: Knowledge,
    *,
    stdin: IO[bytes] | None = None,
    progress: ProgressCallback | None = None,
) -> ScanResult:
    """Scan log files (``-`` for ``stdin``) for every symptom pattern of the knowledge."""
    return LogScanner(knowledge).scan(paths, stdin=stdin, progress=progress)


def diagnose_scan(
    scan: ScanResult, diagnoser: Diagnoser, case: CaseModel | None = None, *, top: int = DEFAULT_TOP
) -> CaseResult:
    """Rank the causes of what the logs showed, with what the user knows (``case``) on top."""
    known = case or CaseModel.model_construct(answers={}, errors=[], context={})
    check_answers(known, diagnoser.knowledge, getattr(known, "place", None))
    text_matches = diagnoser.matcher.read(known.description, known.errors)
    answers: dict[str, AnswerValue | None] = {
        **answers_from(text_matches, diagnoser.knowledge),
        **scan.answers(),  # log lines are literal, and outweigh a description's words
        **known.answers,
    }
    matched = scan.matches() + text_matches
    inference, ranking = diagnoser.evaluate(answers, diagnoser.likenesses(known.description, matched))
    return diagnoser.result(
        known.id or SCAN_CASE_ID,
        matched,
        answers,
        inference,
        ranking,
        known.context,
        top,
    )


def scan_to_json(scan: ScanResult, result: CaseResult) -> dict[str, Any]:
    """The ``triage scan --format json`` document."""
    return {**scan.to_json(), "cases": [result.to_json()], "warnings": list(scan.warnings)}


def read_answers(path: str) -> CaseModel:
    """What the user knows: a mapping ``{symptom: value}`` or a case file (YAML or JSON)."""
    text = read_text(Path(path), CaseFileError, path)
    document = parse(text, path, CaseFileError)
    data = document.data
    if not isinstance(data, dict) or not data:
        raise CaseFileError(
            "expected a mapping of symptom ids to answers, or a case {description, errors, answers, context}",
            document.place_of(()),
        )
    if set(data) <= set(CaseModel.model_fields):
        return parse_cases(text, path)[0]
    try:
        return Case(answers=data, place=document.place_of(()))
    except ValidationError as error:
        location = error.errors()[0]["loc"]
        key = str(location[1]) if len(location) > 1 else ""
        raise CaseFileError(
            f"answer to {key!r} must be true, false, null, a choice or a number", document.place_of((key,))
        ) from None


def read_scan_case(path: Path) -> CaseModel:
    """A case from saved ``triage scan --format json`` output: its answers and context."""
    name = str(path)
    document = parse(read_text(path, CaseFileError, name), name, CaseFileError)
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("symptoms"), list) or "cases" not in data:
        raise CaseFileError(
            "not the output of `triage scan --format json` (expected 'files', 'symptoms' and 'cases')",
            document.place_of(()),
        )
    cases = data["cases"]
    case = cases[0] if isinstance(cases, list) and cases and isinstance(cases[0], dict) else {}
    answers = case.get("answers")
    if not isinstance(answers, dict):
        answers = {
            symptom["id"]: symptom.get("value", True)
            for symptom in data["symptoms"]
            if isinstance(symptom, dict) and isinstance(symptom.get("id"), str)
        }
    if not answers:
        raise CaseFileError(
            "the scan found no symptoms, so there is nothing to start from; describe the problem instead",
            document.place_of(("symptoms",)),
        )
    try:
        return CaseModel(
            id=case.get("id") if isinstance(case.get("id"), str) else SCAN_CASE_ID,
            answers=answers,
            context=case.get("context") or {},
        )
    except ValidationError as error:
        raise CaseFileError(
            f"malformed scan case: {error.errors()[0]['msg']}", document.place_of(("cases",))
        ) from None


# ---------------------------------------------------------------------------------------------
# Helpers

# Rough share of each character in log text, for when there is no sample yet.
_TYPICAL_FREQUENCY = {
    character: rank for rank, character in enumerate(reversed(" e0t1a2o:i-n3s45r6l.c7d8u9mpg/fhb=_ywkv,xqjz"))
}


def _character_frequency(sample: bytes) -> dict[str, float]:
    if len(sample) < 4096:
        total = len(_TYPICAL_FREQUENCY)
        return {character: (rank + 1) / total for character, rank in _TYPICAL_FREQUENCY.items()}
    counts = Counter(sample[: 256 * 1024])
    size = sum(counts.values())
    return {chr(byte): count / size for byte, count in counts.items()}


def _anchor_positions(literal: str) -> range:
    """Where a literal's prefilter part may start: at least 3 characters (or all of it) must follow."""
    return range(max(1, len(literal) - min(3, len(literal)) + 1))


def _anchor_characters(literals: set[str], frequency: Mapping[str, float]) -> set[str]:
    """Few, rare characters such that every literal has one where its prefilter part can start.

    A greedy weighted set cover: the fewer and rarer the characters that can start a part, the
    more of the text the regex engine skips without trying the alternation.
    """
    starts: dict[str, set[str]] = {}
    for literal in literals:
        for position in _anchor_positions(literal):
            starts.setdefault(literal[position], set()).add(literal)
    anchors: set[str] = set()
    while any(starts.values()):
        character = min(
            (c for c in starts if starts[c]),
            key=lambda c: ((frequency.get(c, 0.0) + 1e-6) / len(starts[c]), c),
        )
        anchors.add(character)
        for literal in list(starts[character]):
            for position in _anchor_positions(literal):
                starts[literal[position]].discard(literal)
    return anchors


def _anchored_part(literal: str, anchors: set[str], frequency: Mapping[str, float]) -> str:
    """The tail of ``literal`` from its rarest anchor character."""
    positions = [p for p in _anchor_positions(literal) if literal[p] in anchors] or [0]
    best = min(positions, key=lambda p: (frequency.get(literal[p], 0.0), p))
    return literal[best:]


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Prepended:
    """A binary stream with bytes already read put back in front (for gzip after the magic check)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            if size < 0:
                data, self._head = self._head + self._stream.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            if len(data) < size:
                data += self._stream.read(size - len(data))
            return data
        return self._stream.read(size)

    def seek(self, offset: int, /) -> int:
        raise io.UnsupportedOperation("a log stream is read once, from the start")


def _chunks(
    stream: _Readable, raw: IO[bytes], head: bytes, name: str, progress: ProgressCallback | None
) -> Iterator[bytes]:
    """The stream's bytes in chunks, reporting progress in bytes of the file as stored."""
    position = len(head)
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (OSError, EOFError, zlib.error) as error:
            raise LogFileError(f"cannot read: {_describe_read_error(error)}", Place(name)) from None
        if head:
            chunk, head = head + chunk, b""
        if not chunk:
            return
        if progress is not None:
            stored = _tell(raw, position + len(chunk))
            progress(max(0, stored - position))
            position = stored
        yield chunk


def _tell(raw: IO[bytes], fallback: int) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):  # pipes cannot tell
        return fallback


def _describe_read_error(error: BaseException) -> str:
    if isinstance(error, gzip.BadGzipFile | zlib.error):
        return f"not a valid gzip file ({error})"
    if isinstance(error, EOFError):
        return "the gzip file is truncated"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


def _bounded(chunks: Iterator[bytes], name: str, already: int) -> Iterator[bytes]:
    total = already
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_DOCUMENT_BYTES:
            raise LogFileError(
                f"one JSON document over {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB; convert it to JSON lines "
                "first, e.g. jq -c '.events[]'",
                Place(name),
            )
        yield chunk


def _check_readable(path: Path) -> None:
    name = str(path)
    if path.is_dir():
        raise LogFileError("is a directory; give the log files in it (e.g. folder/*.log)", Place(name))
    if not path.exists():
        raise LogFileError("file not found", Place(name))


def _looks_like_json_document(chunk: bytes) -> bool:
    """A JSON value that does not end on its first line, or an event list (not JSON lines)."""
    stripped = chunk.lstrip(b" \t\r\n\xef\xbb\xbf")
    if not stripped.startswith((b"{", b"[")):
        return False
    first_line = stripped.split(b"\n", 1)[0]
    try:
        value = json.loads(first_line)
    except (ValueError, RecursionError):
        return True
    return isinstance(value, list) or (
        isinstance(value, dict) and any(isinstance(value.get(key), list) for key in EVENT_LIST_KEYS)
    )


def _json_events(text: str) -> list[tuple[str | None, Mapping[str, Any]]] | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return _events_of(value)


def _events_of(value: Any) -> list[tuple[str | None, Mapping[str, Any]]] | None:
    """The (message, event) pairs of a JSON log value; None when it holds no events."""
    if isinstance(value, list):
        events: list[tuple[str | None, Mapping[str, Any]]] = []
        for item in value:
            events.extend(_events_of(item) or [])
        return events or None
    if not isinstance(value, dict):
        return None
    for key in EVENT_LIST_KEYS:
        if isinstance(value.get(key), list):
            return _events_of(value[key])
    for key in MESSAGE_KEYS:
        message = value.get(key)
        if isinstance(message, str):
            return [(message, value)]
        if isinstance(message, dict | list):
            return [(json.dumps(message, ensure_ascii=False), value)]
    return [(None, value)]


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SAMPLE_CHARS else text[: MAX_SAMPLE_CHARS - 1] + "…"

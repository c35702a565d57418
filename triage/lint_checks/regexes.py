"""Regular expressions that can backtrack catastrophically, or that have a word boundary that cannot hold.

Patterns run on whatever users paste, so a pattern with exponential backtracking can hang the
tool. The check reads the parsed pattern (``sre_parse``) and rejects, under a repetition, a body that
is one repeated piece with nothing but optional or overlapping characters around it (``(a+)+``,
``(\\w+\\s?)*``, ``(.*,)+``), and alternatives that can start with the same character
(``(a|ab)+``, ``(\\w|\\d)*``). Possessive repeats and atomic groups cannot backtrack and pass.

A ``\\b`` holds only between a word and a non-word character, so one written between two non-word
characters (``"\\b:``) never matches, and one after a closing quote at the end of a pattern
(``KeyError: '\\w+'\\b``) matches only when a letter follows the quote: the pattern is dead where
it was meant to fire. The same holds at the start of an alternative (``\\b(?:disk|/var) is full``:
"/var" never matches after a space), which the parser hides when every alternative starts with
``\\b`` by moving that ``\\b`` in front of the alternation; the check looks inside.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from ..lint import LintContext, ObjectKey, Problem, register
from ..models import Condition

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    _parser: Any = importlib.import_module("re._parser" if hasattr(re, "_parser") else "sre_parse")

# The characters a piece can consume are computed over this sample: ASCII plus a few others.
_ALPHABET = [chr(code) for code in range(128)] + ["é", "ß", "\u00a0", "中", "\u2028"]
_CASES = [(ch, ch.swapcase() if len(ch.swapcase()) == 1 else ch) for ch in _ALPHABET]
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}


@register("K305", "catastrophic-regex", "error", "a regex that can backtrack catastrophically")
def catastrophic_regexes(context: LintContext) -> Iterator[Problem]:
    for owner, location, regex in _knowledge_regexes(context):
        reason = backtracking_risk(regex)
        if reason:
            yield Problem(owner, f"regex {regex!r} can backtrack catastrophically: {reason}", location)


@register(
    "K311",
    "impossible-word-boundary",
    "warning",
    "a \\b between two non-word characters, or next to one at either end of the pattern or of an alternative",
)
def impossible_word_boundaries(context: LintContext) -> Iterator[Problem]:
    for owner, location, regex in _knowledge_regexes(context):
        mistake = boundary_mistake(regex)
        if mistake:
            yield Problem(owner, f"regex {regex!r}: {mistake}", location)


def _knowledge_regexes(context: LintContext) -> Iterator[tuple[ObjectKey, tuple[int | str, ...], str]]:
    """Every regex in the knowledge: symptom patterns, ask_when, evidence and rule conditions."""
    knowledge = context.knowledge
    for symptom in knowledge.symptoms.values():
        for index, pattern in enumerate(symptom.patterns):
            if pattern.regex is not None:
                yield ("symptoms", symptom.id), ("patterns", index, "regex"), pattern.regex
        if symptom.ask_when is not None:
            for regex in _condition_regexes(symptom.ask_when):
                yield ("symptoms", symptom.id), ("ask_when",), regex
    for cause in knowledge.causes.values():
        for index, item in enumerate(cause.evidence):
            if item.matches is not None:
                yield ("causes", cause.id), ("evidence", index, "matches"), item.matches
    for rule in knowledge.rules.values():
        for regex in _condition_regexes(rule.when):
            yield ("rules", rule.id), ("when",), regex


def _condition_regexes(condition: Condition) -> Iterator[str]:
    if condition.matches is not None:
        yield condition.matches
    for child in (condition.all or []) + (condition.any or []) + ([condition.not_] if condition.not_ else []):
        yield from _condition_regexes(child)


@lru_cache(maxsize=4096)
def boundary_mistake(regex: str) -> str | None:
    """Where ``regex`` has a ``\\b`` that cannot hold at the place written, or None."""
    if "\\b" not in regex:
        return None
    parsed = _parse(regex)
    return None if parsed is None else _boundary_scan(parsed, at_edges=True)


def _boundary_scan(sequence: list[tuple[Any, Any]], *, at_edges: bool) -> str | None:
    """``at_edges``: the sequence starts and ends where the whole pattern does (a top-level branch)."""
    for position, item in enumerate(sequence):
        op, argument = _op(item), item[1]
        if op == "AT" and str(argument) == "AT_BOUNDARY":
            before = _non_word_literal(sequence[position - 1]) if position > 0 else None
            after = _leading_non_word(sequence[position + 1]) if position + 1 < len(sequence) else None
            if before and after:
                return f"\\b between {before!r} and {after!r} never matches (both are non-word characters)"
            if at_edges and before and position + 1 == len(sequence):
                return (
                    f"\\b after {before!r} at the end matches only when a letter or digit follows; "
                    "drop it or write (?!\\w)"
                )
            if at_edges and after and position == 0:
                return (
                    f"\\b before {after!r} at the start matches only after a letter or digit; "
                    "drop it or write (?<!\\w)"
                )
        children = [list(argument[2])] if op in _REPEATS else _children(op, argument)
        for child in children:
            found = _boundary_scan(child, at_edges=at_edges and op == "BRANCH" and len(sequence) == 1)
            if found:
                return found
    return None


def _leading_non_word(item: tuple[Any, Any]) -> str | None:
    """A non-word character that a match of the item must start with, on some path: the item itself,
    or the first item of a group or of one of the alternatives (the parser moves a prefix that
    every alternative shares, such as a leading \\b, out in front of them)."""
    op, argument = _op(item), item[1]
    if op not in ("SUBPATTERN", "BRANCH"):
        return _non_word_literal(item)
    for items in _children(op, argument):
        found = _leading_non_word(items[0]) if items else None
        if found:
            return found
    return None


def _non_word_literal(item: tuple[Any, Any]) -> str | None:
    """The character, or the characters of a class (over the sampled alphabet), when the item can
    only match a non-word character."""
    if _op(item) == "LITERAL":
        char = chr(item[1])
        return None if _is_word_char(char) else char
    if _op(item) == "IN":
        chars = _chars([item])
        if chars and not any(_is_word_char(char) for char in chars):
            return "[" + "".join(sorted(chars)) + "]"
    return None


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# Only a repeated group can hold a risky body; patterns without one are not parsed at all.
_REPEATED_GROUP = re.compile(r"\)(?:[*+]|\{\d*,)")


@lru_cache(maxsize=4096)
def backtracking_risk(regex: str) -> str | None:
    """Why ``regex`` can take exponential time on some input, or None when it looks safe."""
    if not _REPEATED_GROUP.search(regex):
        return None
    parsed = _parse(regex)
    return None if parsed is None else _scan(parsed)


@lru_cache(maxsize=4096)
def _parse(regex: str) -> list[tuple[Any, Any]] | None:
    """The parsed pattern, case-insensitive as the knowledge's patterns run, shared by K305 and K311;
    None when it does not compile (reported as K104)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(_parser.parse(regex, re.IGNORECASE))
    except (re.error, RecursionError, OverflowError):
        return None


def _op(item: tuple[Any, Any]) -> str:
    return str(item[0])


def _scan(sequence: list[tuple[Any, Any]]) -> str | None:
    for item in sequence:
        op, argument = _op(item), item[1]
        if op in _REPEATS:
            _low, high, body = argument
            body_items = list(body)
            if high > 1:
                reason = _risky_body(body_items)
                if reason:
                    return reason
            found = _scan(body_items)
            if found:
                return found
        for child in _children(op, argument):
            found = _scan(child)
            if found:
                return found
    return None


def _children(op: str, argument: Any) -> list[list[tuple[Any, Any]]]:
    """The sub-sequences of a non-repeat item (groups, branches, lookarounds)."""
    if op == "SUBPATTERN":
        return [list(argument[-1])]
    if op == "BRANCH":
        return [list(branch) for branch in argument[1]]
    if op in ("ASSERT", "ASSERT_NOT"):
        return [list(argument[1])]
    if op == "GROUPREF_EXISTS":
        return [list(part) for part in argument[1:] if part is not None]
    return []  # ATOMIC_GROUP and POSSESSIVE_REPEAT never backtrack into themselves


def _flatten(sequence: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The items of a sequence with plain groups opened up."""
    flat: list[tuple[Any, Any]] = []
    for item in sequence:
        if _op(item) == "SUBPATTERN":
            flat.extend(_flatten(list(item[1][-1])))
        else:
            flat.append(item)
    return flat


def _risky_body(body: list[tuple[Any, Any]]) -> str | None:
    items = _flatten(body)
    for position, item in enumerate(items):
        if _op(item) in _REPEATS and item[1][1] > 1:
            inner = _chars(list(item[1][2]))
            others = items[:position] + items[position + 1 :]
            if all(_nullable([other]) or _chars([other]) <= inner for other in others):
                return "a repeated piece inside a repetition (nested quantifiers); make the inner part exact or possessive"
    words = _expand(body)
    if words is not None:
        if _ambiguous(words):
            return "alternatives that can match the same text under a repetition"
        return None
    for item in items:
        if _op(item) == "BRANCH":
            # Alternatives with open-ended repeats: overlapping first characters are reason enough.
            firsts = [_first_chars(list(branch)) for branch in item[1][1]]
            for i, first in enumerate(firsts):
                for other in firsts[i + 1 :]:
                    if first & other:
                        return "alternatives that can start with the same character under a repetition"
    return None


Word = tuple[frozenset[str], ...]
_MAX_WORDS = 256


def _expand(sequence: list[tuple[Any, Any]]) -> list[Word] | None:
    """The sequence as every string shape it matches (one character set per position).

    None when that is open-ended (an unbounded repeat) or too many shapes to list.
    """
    words: list[Word] = [()]
    for item in sequence:
        op, argument = _op(item), item[1]
        options: list[Word] | None
        if op in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if op in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            options = [(_chars([item]),)]
        elif op in ("SUBPATTERN", "ATOMIC_GROUP"):
            options = _expand(list(argument[-1]))
        elif op == "BRANCH":
            options = []
            for branch in argument[1]:
                expanded = _expand(list(branch))
                if expanded is None:
                    return None
                options.extend(expanded)
        elif op in _REPEATS and argument[1] <= 4:
            inner = _expand(list(argument[2]))
            if inner is None:
                return None
            options = []
            for count in range(argument[0], argument[1] + 1):
                repeated: list[Word] = [()]
                for _ in range(count):
                    repeated = [a + b for a in repeated for b in inner]
                    if len(repeated) > _MAX_WORDS:
                        return None
                options.extend(repeated)
        else:
            return None
        if options is None:
            return None
        words = [word + option for word in words for option in options]
        if len(words) > _MAX_WORDS:
            return None
    return words


def _prefix_of(short: Word, long: Word) -> bool:
    return len(short) <= len(long) and all(a & b for a, b in zip(short, long, strict=False))


def _ambiguous(words: list[Word]) -> bool:
    """Whether a repetition of these words can match one text in two ways (Sardinas-Patterson)."""
    if any(not word for word in words):
        return len(words) > 1  # an empty alternative beside others: every text splits two ways
    dangling: set[Word] = set()
    for i, first in enumerate(words):
        for j, second in enumerate(words):
            if i != j and _prefix_of(first, second):
                if len(first) == len(second):
                    return True  # two alternatives match the same text
                dangling.add(second[len(first) :])
    seen: set[Word] = set()
    for _ in range(100):
        fresh: set[Word] = set()
        for suffix in dangling - seen:
            for word in words:
                if _prefix_of(suffix, word):
                    fresh.add(word[len(suffix) :])
                elif _prefix_of(word, suffix):
                    fresh.add(suffix[len(word) :])
        if () in fresh:
            return True
        seen |= dangling
        dangling = fresh - seen
        if not dangling:
            return False
    return False


def _nullable(sequence: list[tuple[Any, Any]]) -> bool:
    """Whether the sequence can match the empty string."""
    for item in sequence:
        op, argument = _op(item), item[1]
        if op in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if op in _REPEATS or op == "POSSESSIVE_REPEAT":
            if argument[0] == 0 or _nullable(list(argument[2])):
                continue
            return False
        if op in ("SUBPATTERN", "ATOMIC_GROUP"):
            if _nullable(list(argument[-1])):
                continue
            return False
        if op == "BRANCH":
            if any(_nullable(list(branch)) for branch in argument[1]):
                continue
            return False
        if op == "GROUPREF_EXISTS":
            continue
        return False
    return True


def _first_chars(sequence: list[tuple[Any, Any]]) -> frozenset[str]:
    """The characters a match of the sequence can start with."""
    first: set[str] = set()
    for item in sequence:
        op, argument = _op(item), item[1]
        if op in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if op in _REPEATS or op == "POSSESSIVE_REPEAT":
            first |= _first_chars(list(argument[2]))
        elif op in ("SUBPATTERN", "ATOMIC_GROUP"):
            first |= _first_chars(list(argument[-1]))
        elif op == "BRANCH":
            for branch in argument[1]:
                first |= _first_chars(list(branch))
        else:
            first |= _chars([item])
        if not _nullable([item]):
            break
    return frozenset(first)


def _chars(sequence: list[tuple[Any, Any]]) -> frozenset[str]:
    """Every character a match of the sequence can consume."""
    found: set[str] = set()
    for item in sequence:
        op, argument = _op(item), item[1]
        if op in _REPEATS or op == "POSSESSIVE_REPEAT":
            found |= _chars(list(argument[2]))
        elif op in ("SUBPATTERN", "ATOMIC_GROUP"):
            found |= _chars(list(argument[-1]))
        elif op == "BRANCH":
            for branch in argument[1]:
                found |= _chars(list(branch))
        elif op == "GROUPREF_EXISTS":
            for part in argument[1:]:
                if part is not None:
                    found |= _chars(list(part))
        elif op in ("LITERAL", "NOT_LITERAL", "ANY", "IN"):
            matcher = _char_matcher(op, argument)
            found.update(ch for ch, other in _CASES if matcher(ch) or matcher(other))
        elif op == "GROUPREF":
            found.update(_ALPHABET)
    return frozenset(found)


_CATEGORIES: dict[str, str] = {"DIGIT": r"\d", "SPACE": r"\s", "WORD": r"\w", "LINEBREAK": r"\n"}


def _char_matcher(op: str, argument: Any) -> Callable[[str], bool]:
    if op == "LITERAL":
        return lambda ch: ord(ch) == argument
    if op == "NOT_LITERAL":
        return lambda ch: ord(ch) != argument
    if op == "ANY":
        return lambda ch: ch != "\n"
    # IN: a set of literals, ranges and categories, perhaps negated
    codes: set[int] = set()
    spans: list[tuple[int, int]] = []
    categories: list[tuple[re.Pattern[str], bool]] = []
    negate = False
    for kind, value in argument:
        name = str(kind)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            codes.add(value)
        elif name == "RANGE":
            spans.append((value[0], value[1]))
        elif name == "CATEGORY":
            category = str(value)
            pattern = next((p for key, p in _CATEGORIES.items() if key in category), r"[\s\S]")
            categories.append((re.compile(pattern), "NOT" in category))
        else:
            spans.append((0, 0x10FFFF))

    def member(ch: str) -> bool:
        code = ord(ch)
        found = (
            code in codes
            or any(low <= code <= high for low, high in spans)
            or any((compiled.fullmatch(ch) is None) == inverted for compiled, inverted in categories)
        )
        return found != negate

    return member

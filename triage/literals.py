"""Required literals of a regular expression: text every match must contain, for fast prefiltering.

``required_literals(pattern)`` returns a set of lower-case ASCII strings such that every match of the
pattern (case-insensitively) contains at least one of them, or None when no such set is known. A log
line that contains none of them can be rejected without running the pattern. The analysis walks
Python's own parse tree of the pattern and errs on the safe side: anything it does not understand
counts as "could be anything".
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

try:  # Python 3.11+
    _parser: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - Python 3.10
    _parser = importlib.import_module("sre_parse")

_SET_LIMIT = 64  # beyond this many alternatives a set is not worth keeping exact
_CLASS_LIMIT = 16  # a character class with more members than this counts as "any character"
# Literals are cut at characters that JSON may escape (quotes, backslashes, slashes, control and
# non-ASCII characters), so they can be looked for in a raw JSON log line as well as in its message.
_SAFE_RUN = re.compile(r'[^\x00-\x1f"/\\\x7f-\U0010ffff]+')


@dataclass(frozen=True)
class _Info:
    exact: frozenset[str] | None  # every string the node can match, when few and known
    required: frozenset[str] | None  # one of these is inside every match, when known


_ANYTHING = _Info(None, None)
_EMPTY = _Info(frozenset({""}), None)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case ASCII strings one of which every match contains; None when unknown."""
    try:
        tree = _parser.parse(pattern, 0)
    except (re.error, RecursionError, ValueError):  # pragma: no cover - patterns are validated on load
        return None
    try:
        info = _sequence(list(tree))
    except (RecursionError, TypeError, ValueError):  # pragma: no cover - an unknown parser shape
        return None
    return _best([info.exact, info.required])


def _sequence(items: Iterable[tuple[Any, Any]]) -> _Info:
    candidates: list[frozenset[str] | None] = []
    run: frozenset[str] = frozenset({""})
    broken = False
    for item in items:
        info = _item(*item)
        if info.exact is not None and len(run) * len(info.exact) <= _SET_LIMIT:
            run = frozenset(a + b for a in run for b in info.exact)
            continue
        candidates.append(run)
        if info.exact is not None:
            run = info.exact
            broken = True  # the run restarts: the whole is no longer one exact set
            continue
        broken = True
        run = frozenset({""})
        candidates.append(info.required)
    candidates.append(run)
    exact = None if broken else run
    return _Info(exact, _best(candidates))


def _item(op: Any, value: Any) -> _Info:
    name = str(op)
    if name == "LITERAL":
        return _Info(frozenset({chr(value).lower()}), None)
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return _EMPTY  # zero-width: adds nothing to the text of a match
    if name == "IN":
        return _character_class(value)
    if name == "SUBPATTERN":
        return _sequence(value[-1])
    if name == "ATOMIC_GROUP":
        return _sequence(value)
    if name == "BRANCH":
        return _branch([_sequence(alternative) for alternative in value[1]])
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = value
        return _repeat(low, high, _sequence(sub))
    return _ANYTHING


def _character_class(members: list[tuple[Any, Any]]) -> _Info:
    characters: set[str] = set()
    for op, value in members:
        name = str(op)
        if name == "LITERAL":
            characters.add(chr(value).lower())
        elif name == "RANGE" and value[1] - value[0] < _CLASS_LIMIT:
            characters.update(chr(code).lower() for code in range(value[0], value[1] + 1))
        else:  # NEGATE, CATEGORY (\d, \s, \w), wide ranges
            return _ANYTHING
        if len(characters) > _CLASS_LIMIT:
            return _ANYTHING
    return _Info(frozenset(characters), None)


def _branch(alternatives: list[_Info]) -> _Info:
    exact: frozenset[str] | None = None
    if all(alternative.exact is not None for alternative in alternatives):
        union = frozenset().union(*(alternative.exact or () for alternative in alternatives))
        exact = union if len(union) <= _SET_LIMIT else None
    required: set[str] = set()
    for alternative in alternatives:
        best = _best([alternative.exact, alternative.required])
        if best is None:
            return _Info(exact, None)
        required |= best
    return _Info(exact, frozenset(required))


def _repeat(low: int, high: int, sub: _Info) -> _Info:
    if low == 0:
        if high == 1 and sub.exact is not None:
            return _Info(sub.exact | {""}, None)
        return _ANYTHING
    if low == high and sub.exact is not None and len(sub.exact) ** low <= _SET_LIMIT:
        product = frozenset({""})
        for _ in range(low):
            product = frozenset(a + b for a in product for b in sub.exact)
        return _Info(product, None)
    return _Info(None, _best([sub.exact, sub.required]))


def _best(candidates: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """The most selective usable set: longest shortest literal, then fewest literals."""
    best: frozenset[str] | None = None
    best_score: tuple[int, int] = (0, 0)
    for candidate in candidates:
        usable = _ascii_literals(candidate)
        if usable is None:
            continue
        score = (min(min(len(literal) for literal in usable), 12), -len(usable))
        if best is None or score > best_score:
            best, best_score = usable, score
    return best


def _ascii_literals(candidate: frozenset[str] | None) -> frozenset[str] | None:
    """Each literal cut to its longest safe stretch (the prefilter folds ASCII case only)."""
    if not candidate:
        return None
    literals: set[str] = set()
    for literal in candidate:
        runs = _SAFE_RUN.findall(literal)
        longest = max(runs, key=len) if runs else ""
        if not longest:
            return None
        literals.add(longest)
    return frozenset(literals)


def trie_pattern(literals: Iterable[str]) -> str:
    """One regular expression matching any of the literals, factored by common prefixes."""
    trie: dict[str, Any] = {}
    for literal in literals:
        node = trie
        for character in literal:
            node = node.setdefault(character, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    branches = [
        re.escape(character) + _trie_regex(child) for character, child in sorted(node.items()) if character
    ]
    optional = "" in node
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if optional else body


_VERBOSE_FLAG = re.compile(r"\(\?[a-zA-Z]*x")
_PLAIN = re.compile(r"[^\\\[\]()|?*+{}.^$]+")  # characters that stand for themselves
_GROUP_FLAGS = re.compile(r"\?(?:[aiLmsu-]*:|P<\w+>)")  # groups every match goes through

# A pattern read as text: alternatives, each a list of items. An item is a str (characters every
# match of the item contains, in order), None (something of unknown content: a class, an anchor, an
# optional or repeated part), or a tuple holding the alternatives of a group that cannot be skipped.
_Item = str | None | tuple[Any, ...]
_Alternatives = list[list[_Item]]


class _Unsure(Exception):
    """The pattern uses something this reading does not follow."""


def quick_required_literals(pattern: str) -> frozenset[str] | None:
    """A fast stand-in for ``required_literals``, for deciding which patterns a short text needs.

    It reads the pattern's text instead of parsing it (a tenth of the cost). Each top-level
    alternative must contain either a stretch of three or more plain characters outside any class,
    skippable group or optional quantifier, or a group that cannot be skipped and whose own
    alternatives each have such literals (``(?:timed out|timeout) after``). The choice whose shortest
    literal is the longest wins, and the literals are returned lower-cased: every match contains one
    of them. Anything it is not sure of (verbose patterns, an alternative with neither) gives None.
    """
    if _VERBOSE_FLAG.search(pattern):
        return None
    try:
        alternatives, end = _read_alternatives(pattern, 0)
    except _Unsure:
        return None
    if end != len(pattern):
        return None
    literals = _alternatives_literals(alternatives)
    return frozenset(literal.lower() for literal in literals) if literals is not None else None


def _alternatives_literals(alternatives: _Alternatives) -> frozenset[str] | None:
    literals: set[str] = set()
    for items in alternatives:
        choices: list[frozenset[str]] = []
        run = ""
        for item in [*items, None]:
            if isinstance(item, str):
                run += item
                continue
            if len(run) >= 3 and run.isascii():
                choices.append(frozenset({run}))
            run = ""
            if isinstance(item, tuple) and (group := _alternatives_literals(list(item))) is not None:
                choices.append(group)
        if not choices:
            return None
        literals |= max(choices, key=lambda choice: (min(map(len, choice)), -len(choice)))
    return frozenset(literals)


def _read_alternatives(pattern: str, index: int) -> tuple[_Alternatives, int]:
    """The alternatives from ``index`` up to the ``)`` that closes this level (or the end), and the
    index of that ``)``."""
    alternatives: _Alternatives = [[]]
    items = alternatives[-1]
    while index < len(pattern):
        plain = _PLAIN.match(pattern, index)
        if plain:
            items.append(plain.group())
            index = plain.end()
            continue
        character = pattern[index]
        if character == ")":
            break
        if character == "|":
            items = []
            alternatives.append(items)
            index += 1
        elif character == "\\":
            escaped = pattern[index + 1 : index + 2]
            if escaped in ("x", "u", "U", "N", "0"):
                raise _Unsure  # a character given by its code (\x41, \u00e9, \N{...}, \012)
            # an escaped punctuation mark stands for itself; \b, \d, \w, \s, back-references do not
            items.append(escaped if escaped and not escaped.isalnum() else None)
            index += 2
        elif character == "[":
            items.append(None)
            index = _class_end(pattern, index)
        elif character == "(":
            index = _read_group(pattern, index, items)
        elif character in "?*{":
            _make_optional(items)
            if character == "{":
                closing = pattern.find("}", index)
                if closing < 0:
                    raise _Unsure
                index = closing + 1
            else:
                index += 1
        else:  # "+" (a repeat breaks a stretch: "ab+c" matches "abbc"), ".", "^", "$", a stray "]" or "}"
            items.append(None)
            index += 1
    return alternatives, index


def _read_group(pattern: str, index: int, items: list[_Item]) -> int:
    """Read the group that starts at ``index`` into ``items``; the index just past it."""
    if pattern.startswith("(?#", index):
        closing = pattern.find(")", index)
        if closing < 0:
            raise _Unsure
        items.append(None)
        return closing + 1
    flags = _GROUP_FLAGS.match(pattern, index + 1)
    content = flags.end() if flags else index + 1
    required = flags is not None or pattern[index + 1 : index + 2] != "?"  # not a lookaround or flag
    alternatives, closing = _read_alternatives(pattern, content)
    if closing >= len(pattern):
        raise _Unsure
    items.append(tuple(alternatives) if required else None)
    return closing + 1


def _make_optional(items: list[_Item]) -> None:
    """What an optional quantifier does to the item before it: the last character of a stretch, or
    the whole group, may be absent."""
    if not items:
        return
    last = items.pop()
    if isinstance(last, str) and len(last) > 1:
        items.append(last[:-1])
    items.append(None)


def _class_end(pattern: str, index: int) -> int:
    """The index just past the character class that starts at ``index``."""
    index += 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1

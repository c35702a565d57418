"""Sources that name a guide or a section that does not exist."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ..lint import LintContext, ObjectKey, Problem, register
from ..models import Source


@register("K307", "unknown-guide", "error", "a source naming a guide file that is not in the guides folder")
def unknown_guides(context: LintContext) -> Iterator[Problem]:
    if context.guides is None:
        return
    available = sorted(path.name for path in context.guides.iterdir() if path.is_file())
    for owner, index, source in _sources(context):
        if source.guide not in available:
            close = difflib.get_close_matches(source.guide, available, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            yield Problem(
                owner,
                f"guide {source.guide!r} is not in {context.guides}{hint}",
                ("sources", index, "guide"),
            )


@register("K308", "unknown-section", "error", "a source naming a section heading its guide does not have")
def unknown_sections(context: LintContext) -> Iterator[Problem]:
    if context.guides is None:
        return
    for owner, index, source in _sources(context):
        path = context.guides / source.guide
        if not path.is_file():
            continue
        headings = guide_headings(path)
        if normalise_heading(source.section) in headings:
            continue
        hint = _section_hint(source.section, headings)
        yield Problem(
            owner,
            f"guide {source.guide!r} has no section {source.section!r}{hint}",
            ("sources", index, "section"),
        )


def _sources(context: LintContext) -> Iterator[tuple[ObjectKey, int, Source]]:
    knowledge = context.knowledge
    for kind in ("symptoms", "causes", "rules", "procedures"):
        for object_id, obj in getattr(knowledge, kind).items():
            for index, source in enumerate(obj.sources):
                yield (kind, object_id), index, source


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,})\s*$")
_NUMBERING = re.compile(r"^(?:\d+[.)]?\s+)+")


def normalise_heading(text: str) -> str:
    """A heading without markup, emoji, numbering or case: ``### 1. **Auth Failures** 🔐`` -> ``auth failures``."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    return _NUMBERING.sub("", words)


@lru_cache(maxsize=64)
def _headings(path: Path, modified: float) -> dict[str, str]:
    headings: dict[str, str] = {}
    in_code = False
    previous = ""
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            continue
        match = _HEADING.match(line)
        title = match.group(2) if match else None
        if title is None and _UNDERLINE.match(line) and previous.strip():
            title = previous.strip()  # a heading underlined with === or ---
        if title is not None:
            title = re.sub(r"[*_`]+", "", title).strip()
            headings.setdefault(normalise_heading(title), title)
        previous = line
    return headings


def guide_headings(path: Path) -> dict[str, str]:
    """The section headings of a guide (outside code blocks), normalised -> as written."""
    return _headings(path, path.stat().st_mtime)


def _section_hint(section: str, headings: dict[str, str]) -> str:
    """A heading the author may have meant: a close spelling, else the one sharing most words."""
    close = difflib.get_close_matches(normalise_heading(section), list(headings), n=1, cutoff=0.6)
    if not close:
        words = set(normalise_heading(section).split())
        shared = max(headings, key=lambda heading: len(words & set(heading.split())), default=None)
        close = [shared] if shared and words & set(shared.split()) else []
    return f"; did you mean {headings[close[0]]!r}?" if close else ""

"""Resemblance: how much a free-text description reads like each cause, as weak evidence.

Patterns catch the error texts and phrasings an author foresaw; people describe problems in words
nobody foresaw. This module scores the words of a description against each cause's own words (its
title, summary, the questions and keywords of the symptoms it expects, its ``keywords``, and the
descriptions of the knowledge cases about it, see ``examples``) with BM25, and turns the scores
near the best into likelihood factors: the best earns the strongest factor, a cause scoring
``MIN_SHARE_OF_BEST`` of it earns nothing, and those between earn a share on a log scale. The
strongest factor is ``MAX_FACTOR`` when the description is all there is, and
``MAX_FACTOR_BESIDE_ERRORS`` when a pasted error or a log line was read as well: a literal error
is better evidence than the words around it, and a matched error's defining symptom (x15 and
more) then outweighs any description. docs/decisions.md gives the measurements behind the numbers.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .knowledge import Knowledge

MAX_FACTOR = 16.0  # measured on blind sets before their tuning: docs/decisions.md
MAX_FACTOR_BESIDE_ERRORS = 8.0  # when pasted errors or log lines were read too
MIN_SHARE_OF_BEST = 0.5  # causes scoring this share of the best score or less earn no factor
MIN_BEST_SCORE = 2.5  # below this, the words say nothing specific enough
WORDS_FOR_FULL_FACTOR = 2  # one shared word earns at most the square root of MAX_FACTOR
K1, B = 1.2, 0.75

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can cannot could did do does doing down during each few for from
    further get gets getting got had has have having he her here hers him his how i if in into is it
    its itself just keep keeps kept let like me more most my no nor not now of off on once only or
    other our ours out over own same she should so some still such than that the their them then
    there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours since every many much even new one two three
    users user system app application service services issue issues problem problems error errors
    fails failed failing failure works working work seems seem today yesterday tonight morning
    suddenly started start again something anything nothing please help thanks hi hello team use
    using used won don didn doesn isn wasn aren weren couldn wouldn shouldn haven hasn hadn
    """.split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """Lower-case, stemmed content words; CamelCase identifiers are split into their parts too."""
    found: list[str] = []
    for token in re.findall(r"[A-Za-z][A-Za-z0-9]+", text):
        parts = [token.lower()]
        if not (token.isalpha() and token.islower()):  # a plain lower-case word has no parts
            pieces = _CAMEL.findall(token)
            if len(pieces) > 1:
                parts += [piece.lower() for piece in pieces]
        for part in parts:
            if part not in _STOPWORDS and len(part) > 2:
                # interned: every cause's word counts share one string per word (a knowledge base
                # ten times the shipped one would otherwise hold ~100,000 copies of a few thousand)
                found.append(sys.intern(_stem(part)))
    return [word for word in found if word not in _STOPWORDS]


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: len(word) - len(suffix)] + keep
    return word


@dataclass(frozen=True)
class Likeness:
    """How much a text resembles one cause, and the shared words that show it."""

    cause: str
    factor: float
    shared: tuple[str, ...]


class Resemblance:
    """The words of every cause, indexed for BM25 scoring of descriptions."""

    def __init__(self, knowledge: Knowledge, examples: Mapping[str, Sequence[str]] | None = None) -> None:
        self.documents: dict[str, Counter[str]] = {}
        for cause in knowledge.causes.values():
            text = [
                cause.title,
                cause.title,
                cause.summary,
                *cause.keywords,
                *(examples or {}).get(cause.id, ()),
            ]
            for item in cause.evidence:
                symptom = knowledge.symptoms.get(item.symptom)
                if symptom is None or symptom.context or item.probability <= symptom.base_rate:
                    continue
                text.append(symptom.question)
                text += [pattern.keyword for pattern in symptom.patterns if pattern.keyword]
            self.documents[cause.id] = Counter(words(" ".join(text)))
        count = len(self.documents) or 1
        frequency: Counter[str] = Counter()
        for document in self.documents.values():
            frequency.update(set(document))
        self.idf = {word: math.log(1 + (count - n + 0.5) / (n + 0.5)) for word, n in frequency.items()}
        lengths = [sum(document.values()) for document in self.documents.values()]
        self.average_length = (sum(lengths) / len(lengths)) if lengths else 1.0

    def score(self, cause_id: str, query: AbstractSet[str]) -> float:
        """The BM25 score of a set of words against one cause's words."""
        document = self.documents[cause_id]
        length = sum(document.values()) or 1
        normaliser = K1 * (1 - B + B * length / self.average_length)
        return sum(
            self.idf[word] * document[word] * (K1 + 1) / (document[word] + normaliser)
            for word in query
            if document.get(word)
        )

    def compare(self, text: str, *, strongest: float = MAX_FACTOR) -> list[Likeness]:
        """The causes the text resembles enough to count, most alike first; the most alike earns
        the ``strongest`` factor."""
        query = set(words(text))
        if not query:
            return []
        scores = {
            cause_id: (score, tuple(sorted(query.intersection(self.documents[cause_id]))))
            for cause_id in self.documents
            if (score := self.score(cause_id, query))
        }
        if not scores:
            return []
        best = max(score for score, _ in scores.values())
        if best < MIN_BEST_SCORE:
            return []
        likenesses = [
            Likeness(cause_id, strongest ** (_closeness(score / best) * _breadth(shared)), shared)
            for cause_id, (score, shared) in scores.items()
            if score > MIN_SHARE_OF_BEST * best
        ]
        likenesses.sort(key=lambda likeness: (-likeness.factor, likeness.cause))
        return likenesses


def _closeness(share_of_best: float) -> float:
    """0 at ``MIN_SHARE_OF_BEST`` of the best score, 1 at the best, linear between."""
    return (share_of_best - MIN_SHARE_OF_BEST) / (1 - MIN_SHARE_OF_BEST)


def _breadth(shared: Sequence[str]) -> float:
    """1 for ``WORDS_FOR_FULL_FACTOR`` shared words or more; one word alone earns a share."""
    return min(1.0, len(shared) / WORDS_FOR_FULL_FACTOR)

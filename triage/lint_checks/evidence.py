"""Evidence whose likelihood word says one thing and whose number does the other."""

from __future__ import annotations

from collections.abc import Iterator

from ..lint import LintContext, Problem, register

# Words an author writes to argue *against* a cause.
WEAKENING_WORDS = ("rarely", "never")


@register(
    "K309",
    "weakening-word-supports",
    "warning",
    "evidence written as 'rarely'/'never' whose probability is above the symptom's base rate, so it supports",
)
def weakening_words_that_support(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    for cause in knowledge.causes.values():
        for index, item in enumerate(cause.evidence):
            symptom = knowledge.symptoms.get(item.symptom)
            if symptom is None or symptom.kind != "boolean" or item.value is not True:
                continue
            if item.likelihood in WEAKENING_WORDS and item.probability > symptom.base_rate:
                yield Problem(
                    ("causes", cause.id),
                    f"evidence {item.symptom!r} says {item.likelihood!r} ({item.probability}) but the symptom's "
                    f"base rate is {symptom.base_rate}, so it supports {cause.id!r} instead of weakening it; "
                    f"use a number below {symptom.base_rate}",
                    ("evidence", index, "likelihood"),
                )

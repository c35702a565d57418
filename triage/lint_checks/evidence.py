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


@register(
    "K310",
    "orienting-question-unanswered",
    "warning",
    "a cause that gives no evidence for a question marked every_cause (problem_area, failure_mode)",
)
def orienting_questions_every_cause_answers(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    orienting = [symptom.id for symptom in knowledge.symptoms.values() if symptom.every_cause]
    for cause in knowledge.causes.values():
        named = {item.symptom for item in cause.evidence}
        for symptom_id in orienting:
            if symptom_id not in named:
                yield Problem(
                    ("causes", cause.id),
                    f"no evidence for {symptom_id!r}, which every cause answers; without it the wizard's "
                    f"first questions cannot lead to {cause.id!r}",
                    ("evidence",),
                )


@register(
    "K312",
    "choice-likelihoods-over-one",
    "error",
    "a cause whose likelihoods for the values of one choice question add up to more than 1",
)
def choice_likelihoods_that_exceed_one(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    for cause in knowledge.causes.values():
        by_question: dict[str, list[tuple[int, str, float]]] = {}
        for index, item in enumerate(cause.evidence):
            symptom = knowledge.symptoms.get(item.symptom)
            if symptom is None or symptom.kind != "choice" or not isinstance(item.value, str):
                continue
            by_question.setdefault(item.symptom, []).append((index, item.value, item.probability))
        for symptom_id, items in by_question.items():
            total = sum(probability for _, _, probability in items)
            if total <= 1 + 1e-9:
                continue
            values = ", ".join(f"{value} {probability:g}" for _, value, probability in items)
            yield Problem(
                ("causes", cause.id),
                f"the likelihoods {cause.id!r} gives the answers to {symptom_id!r} add up to {total:g} "
                f"({values}); one answer excludes the others, so they must add up to at most 1",
                ("evidence", items[-1][0], "likelihood"),
            )

"""Symptoms nothing uses."""

from __future__ import annotations

from collections.abc import Iterator

from ..lint import LintContext, Problem, register


@register("K301", "unused-symptom", "warning", "a symptom no cause, rule or ask_when uses")
def unused_symptoms(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    used: set[str] = set()
    for cause in knowledge.causes.values():
        used.update(item.symptom for item in cause.evidence)
    for rule in knowledge.rules.values():
        used.update(name for _kind, name in rule.when.references())
        used.update(rule.then.ask)
    for symptom in knowledge.symptoms.values():
        if symptom.ask_when is not None:
            used.update(name for _kind, name in symptom.ask_when.references() if name != symptom.id)
    for symptom_id in knowledge.symptoms:
        if symptom_id not in used:
            yield Problem(
                ("symptoms", symptom_id),
                f"symptom {symptom_id!r} is not used by any cause, rule or ask_when; "
                "add it as evidence of a cause or remove it",
            )

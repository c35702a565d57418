"""Why a case ranked as it did: what the text matched, which rules fired, what moved each cause."""

from __future__ import annotations

import math
from typing import Any

from .cases import CaseModel
from .diagnosis import Diagnoser
from .ranking import SOMETHING_ELSE


def explain(diagnoser: Diagnoser, case: CaseModel, *, top: int = 5) -> dict[str, Any]:
    """The reasoning behind one case's ranking, as plain data (the shape of ``triage explain --format json``)."""
    result = diagnoser.diagnose(case, top=top)
    model = diagnoser.model
    causes = []
    for score in result.ranking:
        if score.cause == SOMETHING_ELSE:
            continue
        prior = math.exp(model.log_prior[score.cause])
        causes.append(
            {
                "id": score.cause,
                "confidence": round(score.confidence, 4),
                "prior": round(prior, 4),
                "diagnosed": any(d.cause.id == score.cause for d in result.diagnoses),
                "contributions": [contribution.to_json() for contribution in score.contributions],
            }
        )
    return {
        "id": result.case_id,
        "matched": [{**match.to_json(), "pattern": match.pattern} for match in result.matched],
        "answers": dict(result.answers),
        "rules_fired": [
            {
                "rule": firing.rule,
                "derived": dict(firing.derived),
                "evidence": [
                    {"cause": e.cause, "factor": e.factor, **({"note": e.note} if e.note else {})}
                    for e in firing.evidence
                ],
                "ask": list(firing.ask),
            }
            for firing in result.inference.firings
        ],
        "derived": dict(result.inference.derived),
        "something_else": round(result.something_else, 4),
        "causes": causes[:top],
    }

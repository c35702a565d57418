"""Shared pieces of the benchmarks: knowledge scaled up by cloning, and generated cases.

Synthetic knowledge N times the shipped size is the shipped knowledge plus N-1 clones of every
symptom, cause, rule and procedure with renamed ids (``<id>_x<k>``), references renamed alike. The
clones are written as YAML files, so the installed ``triage`` (and ``--jobs`` workers) load them
with ``--knowledge``.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage.evaluation import AnswerSampler, make_user, percentile
from triage.knowledge import Knowledge
from triage.loading import load_knowledge
from triage.models import KnowledgeFile


def _rename_condition(condition: Any, suffix: str, facts: set[str]) -> Any:
    if isinstance(condition, list):
        return [_rename_condition(item, suffix, facts) for item in condition]
    if not isinstance(condition, dict):
        return condition
    renamed: dict[str, Any] = {}
    for key, value in condition.items():
        if key in ("all", "any", "not") and value is not None:
            renamed[key] = _rename_condition(value, suffix, facts)
        elif key in ("symptom", "known", "fact") and value is not None:
            renamed[key] = value + suffix
        else:
            renamed[key] = value
    return renamed


def clone(knowledge: Knowledge, copy: int) -> dict[str, list[dict[str, Any]]]:
    """One copy of the whole knowledge with every id renamed ``<id>_x<copy>``."""
    suffix = f"_x{copy}"
    exported = knowledge.export()
    facts = knowledge.derived_facts
    for symptom in exported["symptoms"]:
        symptom["id"] += suffix
        if symptom.get("ask_when") is not None:
            symptom["ask_when"] = _rename_condition(symptom["ask_when"], suffix, facts)
    for cause in exported["causes"]:
        cause["id"] += suffix
        for item in cause["evidence"]:
            item["symptom"] += suffix
        cause["procedures"] = [name + suffix for name in cause.get("procedures", [])]
    for rule in exported["rules"]:
        rule["id"] += suffix
        rule["when"] = _rename_condition(rule["when"], suffix, facts)
        then = rule["then"]
        for derivation in then.get("derive", []):
            derivation["fact"] += suffix
        for weight in then.get("evidence", []):
            weight["cause"] += suffix
        then["ask"] = [name + suffix for name in then.get("ask", [])]
    for procedure in exported["procedures"]:
        procedure["id"] += suffix
    return {kind: [_drop_nulls(item) for item in items] for kind, items in exported.items()}


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _drop_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_drop_nulls(item) for item in value]
    return value


def scaled(factor: int, base: Knowledge | None = None) -> Knowledge:
    """The shipped knowledge times ``factor``, built in memory (no YAML parsing)."""
    base = base if base is not None else load_knowledge()
    knowledge = Knowledge(
        symptoms=dict(base.symptoms),
        causes=dict(base.causes),
        rules=dict(base.rules),
        procedures=dict(base.procedures),
        files=list(base.files),
    )
    for copy in range(1, factor):
        content = KnowledgeFile.model_validate(clone(base, copy))
        for kind in ("symptoms", "causes", "rules", "procedures"):
            table = getattr(knowledge, kind)
            for item in getattr(content, kind):
                table[item.id] = item
    return knowledge


@contextmanager
def scaled_files(factor: int) -> Iterator[list[str]]:
    """``--knowledge`` paths that make the installed ``triage`` load the shipped knowledge times ``factor``."""
    if factor <= 1:
        yield []
        return
    base = load_knowledge()
    with tempfile.TemporaryDirectory(prefix="triage-synthetic-") as folder:
        for copy in range(1, factor):
            # JSON is YAML, and much faster to write
            (Path(folder) / f"clone_{copy:03}.yaml").write_text(json.dumps(clone(base, copy)))
        yield [folder]


def cases(knowledge: Knowledge, count: int, seed: int = 0) -> list[dict[str, Any]]:
    """Case objects as ``triage diagnose`` reads them: a cause's summary and part of a user's answers."""
    sampler = AnswerSampler(knowledge)
    rng = random.Random(seed)
    causes = list(knowledge.causes)
    found = []
    for index in range(count):
        cause = knowledge.causes[rng.choice(causes)]
        user = make_user(sampler, cause.id, seed * 1_000_000 + index)
        named = [item.symptom for item in cause.evidence]
        answers = {name: user.truth[name] for name in named if rng.random() < 0.6}
        answers = {name: value for name, value in answers.items() if value is not None}
        found.append({"id": f"case-{index}", "description": cause.summary, "answers": answers})
    return found


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of timings."""
    return percentile(samples, 50), percentile(samples, 95)


def describe(knowledge: Knowledge) -> str:
    return (
        f"{len(knowledge.causes)} causes, {len(knowledge.symptoms)} symptoms, "
        f"{len(knowledge.rules)} rules, {len(knowledge.procedures)} procedures"
    )

"""The loaded knowledge base: every symptom, cause, rule and procedure, indexed by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import Place
from .models import Cause, Procedure, Rule, Symptom

KINDS = ("symptoms", "causes", "rules", "procedures")


@dataclass
class Knowledge:
    """A merged, validated knowledge base and where each object was defined."""

    symptoms: dict[str, Symptom] = field(default_factory=dict)
    causes: dict[str, Cause] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    procedures: dict[str, Procedure] = field(default_factory=dict)
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    layers: list[Path] = field(default_factory=list)  # team knowledge folders and files, as given
    shipped: bool = False  # whether the knowledge shipped in the package is part of it

    def place_of(self, kind: str, object_id: str) -> Place | None:
        return self.places.get((kind, object_id))

    def find(self, object_id: str) -> tuple[str, Any] | None:
        """The kind and object with this id, looking in every kind."""
        for kind in KINDS:
            table: dict[str, Any] = getattr(self, kind)
            if object_id in table:
                return kind, table[object_id]
        return None

    @cached_property
    def derived_facts(self) -> set[str]:
        """Ids of the facts some rule derives."""
        return {derivation.fact for rule in self.rules.values() for derivation in rule.then.derive}

    @cached_property
    def causes_by_symptom(self) -> dict[str, list[str]]:
        """For each symptom, the causes whose evidence names it."""
        index: dict[str, list[str]] = {}
        for cause in self.causes.values():
            for item in cause.evidence:
                index.setdefault(item.symptom, [])
                if cause.id not in index[item.symptom]:
                    index[item.symptom].append(cause.id)
        return index

    def export(self) -> dict[str, list[dict[str, Any]]]:
        """The knowledge as plain data, in the shape of ``triage export``."""
        return {
            kind: [
                obj.model_dump(mode="json", by_alias=True, exclude_defaults=False)
                for obj in getattr(self, kind).values()
            ]
            for kind in KINDS
        }

"""Placeholders in commands that nothing can fill."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from ..lint import WELL_KNOWN_PLACEHOLDERS, LintContext, ObjectKey, Problem, register
from ..models import Command

# ``{Name}`` or ``{name-x}``: meant as a placeholder but not lower_snake_case, so never filled.
# ``${shell}`` variables and curl's ``%{time_total}`` write-out variables are left alone.
_MISSPELT = re.compile(r"(?<![$%])\{([A-Za-z][A-Za-z0-9_-]*)\}")
_PLACEHOLDER = re.compile(r"(?<![$%])\{([a-z][a-z0-9_]*)\}")


@register(
    "K306",
    "unfillable-placeholder",
    "warning",
    "a {placeholder} in a command that is not well known and that no question asks for",
)
def unfillable_placeholders(context: LintContext) -> Iterator[Problem]:
    knowledge = context.knowledge
    asked = {s.id for s in knowledge.symptoms.values() if s.kind in ("text", "number", "choice")}
    fillable = set(WELL_KNOWN_PLACEHOLDERS) | asked
    for owner, location, command in _commands(context):
        for name in dict.fromkeys(_MISSPELT.findall(command.command)):
            if _PLACEHOLDER.fullmatch("{" + name + "}") is None:
                yield Problem(
                    owner,
                    f"{{{name}}} in command {command.title!r} is never filled: placeholders are "
                    "lower_snake_case",
                    location,
                )
            elif name not in fillable:
                close = difflib.get_close_matches(name, sorted(fillable), n=1)
                hint = f"did you mean {{{close[0]}}}? " if close else ""
                yield Problem(
                    owner,
                    f"placeholder {{{name}}} in command {command.title!r} is not well known and no "
                    f"question asks for it; {hint}(see docs/knowledge-reference.md)",
                    location,
                )


def _commands(context: LintContext) -> Iterator[tuple[ObjectKey, tuple[int | str, ...], Command]]:
    knowledge = context.knowledge
    for symptom in knowledge.symptoms.values():
        for index, command in enumerate(symptom.check):
            yield ("symptoms", symptom.id), ("check", index, "command"), command
    for cause in knowledge.causes.values():
        for index, command in enumerate(cause.diagnostics):
            yield ("causes", cause.id), ("diagnostics", index, "command"), command
        for s_index, solution in enumerate(cause.solutions):
            for index, command in enumerate(solution.commands):
                yield ("causes", cause.id), ("solutions", s_index, "commands", index, "command"), command
    for procedure in knowledge.procedures.values():
        for s_index, step in enumerate(procedure.steps):
            for index, command in enumerate(step.commands):
                yield ("procedures", procedure.id), ("steps", s_index, "commands", index, "command"), command

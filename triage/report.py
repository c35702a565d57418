"""Reports of diagnosed cases: JSON data, Markdown and terminal text (rich)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .diagnosis import CaseResult, Diagnosis
from .knowledge import Knowledge
from .models import Command
from .ranking import Contribution

READ_ONLY = "read-only"
CHANGES = "changes the system"


def to_json(results: Sequence[CaseResult]) -> str:
    return json.dumps({"cases": [result.to_json() for result in results]}, indent=2, ensure_ascii=False)


def describe_contribution(contribution: Contribution, knowledge: Knowledge) -> str:
    """One line saying what moved a cause, e.g. ``HTTP 429 = yes (x12.0)``."""
    if contribution.kind == "text":
        label = "the description reads like this cause"
    elif contribution.kind == "rule":
        rule = knowledge.rules.get(contribution.name)
        label = f"rule {contribution.name}" + (f": {rule.description}" if rule and rule.description else "")
    else:
        symptom = knowledge.symptoms.get(contribution.name)
        label = f"{symptom.question if symptom else contribution.name} {_answer_text(contribution.value)}"
    arrow = "supports" if contribution.supports else "weakens"
    note = f" ({contribution.note})" if contribution.note else ""
    return f"{label}: {arrow} x{_factor_text(contribution.factor)}{note}"


def _answer_text(value: Any) -> str:
    if value is True:
        return "→ yes"
    if value is False:
        return "→ no"
    return f"→ {value}"


def _factor_text(factor: float) -> str:
    return f"{factor:.1f}" if factor >= 1 else f"{factor:.2f}"


def command_mode(command: Command) -> str:
    return CHANGES if command.changes_system else READ_ONLY


# ---------------------------------------------------------------------------------------------
# Markdown


def to_markdown(results: Sequence[CaseResult], knowledge: Knowledge) -> str:
    parts = [_case_markdown(result, knowledge) for result in results]
    return "\n\n---\n\n".join(parts) + "\n"


def _case_markdown(result: CaseResult, knowledge: Knowledge) -> str:
    lines = [f"# Triage report: {result.case_id}", ""]
    if result.matched:
        lines += ["## What the text revealed", ""]
        lines += [f"- `{m.symptom}` = {m.value} from {m.source}: `{m.text}`" for m in result.matched]
        lines.append("")
    if not result.diagnoses:
        lines += ["**No diagnosis.** Nothing in the case matched a known cause; add errors or answers.", ""]
        return "\n".join(lines)
    lines += ["## Ranked diagnoses", "", "| # | Cause | Confidence |", "|---|---|---|"]
    lines += [
        f"| {rank} | {d.cause.title} (`{d.cause.id}`) | {d.confidence:.0%} |"
        for rank, d in enumerate(result.diagnoses, 1)
    ]
    lines.append("")
    for rank, diagnosis in enumerate(result.diagnoses, 1):
        lines += _diagnosis_markdown(rank, diagnosis, knowledge)
    return "\n".join(lines)


def _diagnosis_markdown(rank: int, diagnosis: Diagnosis, knowledge: Knowledge) -> list[str]:
    cause = diagnosis.cause
    lines = [f"## {rank}. {cause.title} ({diagnosis.confidence:.0%})", "", cause.summary, ""]
    lines += [f"Severity: {cause.severity}", ""]
    if diagnosis.score.contributions:
        lines += ["**Evidence**", ""]
        lines += [f"- {describe_contribution(c, knowledge)}" for c in diagnosis.score.contributions]
        lines.append("")
    if diagnosis.diagnostics:
        lines += ["**Confirm it**", ""]
        for command in diagnosis.diagnostics:
            lines += [
                f"- {command.title} ({command_mode(command)}):",
                "",
                "  ```bash",
                *_indent(command.command),
                "  ```",
            ]
        lines.append("")
    if diagnosis.solutions:
        lines += ["**Fix it**", ""]
        for solution in diagnosis.solutions:
            lines.append(f"- {solution.title}")
            lines += [f"  {index}. {step}" for index, step in enumerate(solution.steps, 1)]
            for command in solution.commands:
                lines += [
                    f"  - {command.title} ({command_mode(command)}):",
                    "",
                    "    ```bash",
                    *_indent(command.command, 4),
                    "    ```",
                ]
        lines.append("")
    if cause.procedures:
        titles = [
            f"{knowledge.procedures[p].title} (`{p}`)" if p in knowledge.procedures else p
            for p in cause.procedures
        ]
        lines += ["**Related procedures**: " + ", ".join(titles), ""]
    lines += ["**Sources**: " + "; ".join(f"{s.guide} § {s.section}" for s in cause.sources), ""]
    return lines


def _indent(text: str, spaces: int = 2) -> list[str]:
    return [" " * spaces + line for line in text.splitlines()]


# ---------------------------------------------------------------------------------------------
# Terminal text


def print_text(results: Sequence[CaseResult], knowledge: Knowledge, console: Console) -> None:
    for index, result in enumerate(results):
        if index:
            console.rule()
        print_case(result, knowledge, console)


def print_case(result: CaseResult, knowledge: Knowledge, console: Console, *, details: int = 3) -> None:
    console.print(Text(f"Case {result.case_id}", style="bold"))
    if result.matched:
        revealed = ", ".join(f"{m.symptom}={_plain(m.value)} ({m.text!r})" for m in result.matched[:12])
        more = f" and {len(result.matched) - 12} more" if len(result.matched) > 12 else ""
        console.print(Text(f"Recognised: {revealed}{more}", style="dim"))
    if not result.diagnoses:
        console.print(
            "No diagnosis: nothing in this case matched a known cause. Add the error text or answers."
        )
        return
    console.print(ranking_table(result.diagnoses))
    for rank, diagnosis in enumerate(result.diagnoses[:details], 1):
        console.print(diagnosis_panel(rank, diagnosis, knowledge))


def ranking_table(diagnoses: Sequence[Diagnosis]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("confidence", justify="right")
    table.add_column("cause")
    table.add_column("id", style="dim")
    for rank, diagnosis in enumerate(diagnoses, 1):
        table.add_row(str(rank), f"{diagnosis.confidence:.0%}", diagnosis.cause.title, diagnosis.cause.id)
    return table


def diagnosis_panel(rank: int, diagnosis: Diagnosis, knowledge: Knowledge) -> Panel:
    cause = diagnosis.cause
    body: list[Any] = [Text(cause.summary)]
    if diagnosis.score.contributions:
        body.append(Text("\nWhy", style="bold"))
        body += [Text(f"  • {describe_contribution(c, knowledge)}") for c in diagnosis.score.contributions]
    if diagnosis.diagnostics:
        body.append(Text("\nConfirm it", style="bold"))
        for command in diagnosis.diagnostics:
            body.append(Text(f"  {command.title} [{command_mode(command)}]"))
            body.append(Text("    " + command.command.replace("\n", "\n    "), style="cyan"))
    if diagnosis.solutions:
        body.append(Text("\nFix it", style="bold"))
        for solution in diagnosis.solutions:
            body.append(Text(f"  {solution.title}"))
            body += [Text(f"    {index}. {step}") for index, step in enumerate(solution.steps, 1)]
            for command in solution.commands:
                style = "yellow" if command.changes_system else "cyan"
                body.append(Text(f"    {command.title} [{command_mode(command)}]"))
                body.append(Text("      " + command.command.replace("\n", "\n      "), style=style))
    if cause.procedures:
        body.append(Text("\nSee also: " + ", ".join(cause.procedures), style="dim"))
    body.append(Text("Sources: " + "; ".join(f"{s.guide} § {s.section}" for s in cause.sources), style="dim"))
    title = f"{rank}. {escape(cause.title)} — {diagnosis.confidence:.0%} ({cause.severity})"
    return Panel(Group(*body), title=title, title_align="left")


def _plain(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)

"""Reports of diagnosed cases: JSON data, Markdown and terminal text (rich)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .diagnosis import CaseResult, Diagnosis, fill_command
from .knowledge import Knowledge
from .models import Command
from .ranking import Contribution

if TYPE_CHECKING:
    from .session import Handoff

READ_ONLY = "read-only"
CHANGES = "changes the system"


def write_json(results: Sequence[CaseResult], stream: TextIO) -> None:
    """``{"cases": [...]}`` indented by 2, written to ``stream`` case by case: the same text as one
    ``json.dumps`` of the whole (and a newline), without ever holding every case's data, the
    encoder's pieces or the whole document at once."""
    if not results:
        stream.write(json.dumps({"cases": []}, indent=2) + "\n")
        return
    stream.write('{\n  "cases": [\n    ')
    for number, result in enumerate(results):
        if number:
            stream.write(",\n    ")
        stream.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False).replace("\n", "\n    "))
    stream.write("\n  ]\n}\n")


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
        console.print(Text(f"Recognised: {recognised(result)}", style="dim"))
    if not result.diagnoses:
        console.print(
            "No diagnosis: nothing in this case matched a known cause. Add the error text or answers."
        )
        return
    console.print(ranking_table(result.diagnoses))
    for rank, diagnosis in enumerate(result.diagnoses[:details], 1):
        console.print(diagnosis_panel(rank, diagnosis, knowledge))


def recognised(result: CaseResult, *, texts_per_answer: int = 2) -> str:
    """What the text revealed, one entry per symptom and value with the first texts that showed it."""
    texts: dict[tuple[str, str], list[str]] = {}
    for match in result.matched:
        shown = texts.setdefault((match.symptom, _plain(match.value)), [])
        if match.text not in shown:
            shown.append(match.text)
    return ", ".join(
        f"{symptom}={value} ({', '.join(repr(text) for text in found[:texts_per_answer])})"
        for (symptom, value), found in texts.items()
    )


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
    body: list[Any] = [Text(cause.summary.strip())]
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
        related = [
            knowledge.procedures[name].title if name in knowledge.procedures else name
            for name in cause.procedures
        ]
        body.append(Text("\nSee also: " + "; ".join(related), style="dim"))
    body.append(Text("Sources: " + "; ".join(f"{s.guide} § {s.section}" for s in cause.sources), style="dim"))
    title = f"{rank}. {escape(cause.title)} — {diagnosis.confidence:.0%} (severity {cause.severity})"
    return Panel(Group(*body), title=title, title_align="left")


def _plain(value: Any) -> str:
    return {True: "yes", False: "no"}.get(value, str(value)) if isinstance(value, bool) else str(value)


# ---------------------------------------------------------------------------------------------
# Session reports (the wizard and `triage ask`): the case plus a hand-off note


def handoff_json(handoff: Handoff, knowledge: Knowledge) -> dict[str, Any]:
    """What was answered, unknown and skipped, why not the runners-up, and what to ask next."""
    following = handoff.next_question
    return {
        "answered": dict(handoff.answered),
        "unknown": list(handoff.unknown),
        "skipped": list(handoff.skipped),
        "revealed": dict(handoff.revealed),
        "placeholders_not_given": list(handoff.missing_placeholders),
        "next_question": (
            {
                "id": following.symptom.id,
                "text": following.symptom.question,
                "separates": list(following.separates),
                "how_to_check": [{"title": c.title, "command": c.command} for c in following.symptom.check],
            }
            if following
            else None
        ),
        "why_not": [
            {
                "id": runner.cause,
                "title": knowledge.causes[runner.cause].title,
                "confidence": round(runner.confidence, 4),
                "reasons": list(runner.reasons),
                "would_separate": runner.question,
            }
            for runner in handoff.runners_up
        ],
    }


def session_case_json(
    result: CaseResult, handoff: Handoff, knowledge: Knowledge, session_id: str
) -> dict[str, Any]:
    """The diagnose JSON case object of a session, with its hand-off note under ``session``."""
    return {**result.to_json(), "session": {"id": session_id, **handoff_json(handoff, knowledge)}}


def session_markdown(result: CaseResult, handoff: Handoff, knowledge: Knowledge) -> str:
    """The Markdown report of a wizard session: the case, then the hand-off note."""
    lines = [_case_markdown(result, knowledge), ""]
    if handoff.runners_up:
        lines += ["## Why not the runners-up", ""]
        for runner in handoff.runners_up:
            title = knowledge.causes[runner.cause].title
            reasons = "; ".join(runner.reasons) or "less evidence points at it"
            lines.append(f"- **{title}** (`{runner.cause}`, {runner.confidence:.0%}): {reasons}.")
            if runner.question and runner.question in knowledge.symptoms:
                lines.append(f"  To tell them apart, ask: {knowledge.symptoms[runner.question].question}")
        lines.append("")
    lines += _next_question_markdown(handoff, result.context)
    if result.diagnoses:
        lines += _procedures_markdown(result.diagnoses[0], knowledge, result.context)
    lines += ["## Hand-off", ""]
    lines += _answers_markdown("Answered", [(s, v) for s, v in handoff.answered], knowledge)
    lines += _answers_markdown("Revealed by the description and errors", handoff.revealed, knowledge)
    lines += _answers_markdown("Unknown (don't know)", [(s, None) for s in handoff.unknown], knowledge)
    lines += _answers_markdown("Skipped", [(s, None) for s in handoff.skipped], knowledge)
    if handoff.missing_placeholders:
        lines += [
            "**Placeholders not given**: " + ", ".join(f"`{{{n}}}`" for n in handoff.missing_placeholders),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _next_question_markdown(handoff: Handoff, context: dict[str, str]) -> list[str]:
    following = handoff.next_question
    if following is None:
        return []
    lines = ["## Next best question", "", f"{following.symptom.question} (`{following.symptom.id}`)", ""]
    for command in following.symptom.check:
        filled = fill_command(command, context)
        lines += [
            f"- {filled.title} ({command_mode(filled)}):",
            "",
            "  ```bash",
            *_indent(filled.command),
            "  ```",
        ]
    if following.symptom.check:
        lines.append("")
    return lines


def _procedures_markdown(diagnosis: Diagnosis, knowledge: Knowledge, context: dict[str, str]) -> list[str]:
    procedures = [knowledge.procedures[p] for p in diagnosis.cause.procedures if p in knowledge.procedures]
    if not procedures:
        return []
    lines = ["## Related procedures", ""]
    for procedure in procedures:
        lines += [f"### {procedure.title} ({procedure.kind.replace('_', ' ')})", ""]
        for index, step in enumerate(procedure.steps, 1):
            lines.append(f"{index}. {step.text}")
            for command in step.commands:
                filled = fill_command(command, context)
                lines += [
                    f"   - {filled.title} ({command_mode(filled)}):",
                    "",
                    "     ```bash",
                    *_indent(filled.command, 5),
                    "     ```",
                ]
        sources = "; ".join(f"{s.guide} § {s.section}" for s in procedure.sources)
        lines += ["", f"Sources: {sources}", ""]
    return lines


def _answers_markdown(title: str, items: Sequence[tuple[str, Any]], knowledge: Knowledge) -> list[str]:
    if not items:
        return []
    lines = [f"**{title}**", ""]
    for symptom_id, value in items:
        symptom = knowledge.symptoms.get(symptom_id)
        question = symptom.question if symptom else symptom_id
        lines.append(f"- {question} (`{symptom_id}`)" + ("" if value is None else f": {_plain(value)}"))
    return [*lines, ""]


def print_session(result: CaseResult, handoff: Handoff, knowledge: Knowledge, console: Console) -> None:
    """The terminal report of a wizard session."""
    print_case(result, knowledge, console)
    if handoff.runners_up:
        console.print(Text("Why not the others?", style="bold"))
        for runner in handoff.runners_up[:3]:
            title = knowledge.causes[runner.cause].title
            reasons = "; ".join(runner.reasons) or "less evidence points at it"
            console.print(Text(f"  • {title} ({runner.confidence:.0%}): {reasons}"))
    if result.diagnoses:
        for procedure_id in result.diagnoses[0].cause.procedures:
            procedure = knowledge.procedures.get(procedure_id)
            if procedure is None:
                continue
            console.print(Text(f"\n{procedure.title} ({procedure.kind.replace('_', ' ')})", style="bold"))
            for index, step in enumerate(procedure.steps, 1):
                console.print(Text(f"  {index}. {step.text}"))
                for command in step.commands:
                    filled = fill_command(command, result.context)
                    style = "yellow" if filled.changes_system else "cyan"
                    console.print(Text(f"     {filled.title} [{command_mode(filled)}]"))
                    console.print(Text("       " + filled.command.replace("\n", "\n       "), style=style))
    following = handoff.next_question
    if following is not None:
        console.print(Text("\nNext best question: ", style="bold") + Text(following.symptom.question))
        for command in following.symptom.check:
            filled = fill_command(command, result.context)
            console.print(Text(f"  {filled.title} [{command_mode(filled)}]"))
            console.print(Text("    " + filled.command.replace("\n", "\n    "), style="cyan"))
    console.print(Text("\nHand-off", style="bold"))
    for label, items in (
        ("answered", [f"{s}={_plain(v)}" for s, v in handoff.answered]),
        ("from the text", [f"{s}={_plain(v)}" for s, v in handoff.revealed]),
        ("don't know", list(handoff.unknown)),
        ("skipped", list(handoff.skipped)),
    ):
        console.print(Text(f"  {label}: {', '.join(items) or '-'}"))

"""``triage evaluate``: simulated users against the wizard; accuracy, questions, calibration."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode, UsageError
from .common import add_knowledge_option, knowledge_from, positive_int, share

if TYPE_CHECKING:
    from ..evaluation import Calibration, Evaluation, Regression

DEFAULT_BASELINE = Path("evaluation") / "baseline.json"
BAR_WIDTH = 30


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value}")
    return value


def slip_share(text: str) -> float:
    """A share of mistaken answers: at least 0 and below 0.5 (at a half, answers would say nothing)."""
    value = share(text)
    if value >= 0.5:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to below 0.5, got {value}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="measure accuracy, questions asked and calibration with simulated users",
        description=(
            "For every cause, simulated users whose answers follow that cause's evidence answer the "
            "wizard's questions. Reports top-1/top-3 accuracy, mean and 95th percentile questions, the "
            "same for a fixed-order questionnaire, the ranking once every question is answered (the "
            "ceiling no questioning can beat without noise), the information-theoretic bound, and "
            "calibration. "
            "With --check-baseline (or --update-baseline) it runs the scenarios recorded in the "
            "baseline file instead and exits 1 when accuracy fell or questions rose."
        ),
    )
    parser.add_argument(
        "--users", type=positive_int, default=20, help="simulated users per cause (default 20)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--wrong", type=share, default=0.0, help="share of wrong answers, e.g. 0.1")
    parser.add_argument("--unknown", type=share, default=0.0, help='share of "don\'t know" answers')
    parser.add_argument(
        "--opening",
        type=int,
        default=0,
        metavar="N",
        help="each user first states the N answers that most point at their cause, as a pasted error "
        "would (default 0: every answer is asked)",
    )
    parser.add_argument(
        "--temperature",
        type=positive_float,
        default=1.0,
        help="divide the evidence's log-likelihood by this before ranking (calibration experiments)",
    )
    parser.add_argument(
        "--slip",
        type=slip_share,
        default=0.0,
        help="share of mistaken answers the ranking allows for, below 0.5 (default 0: answers are "
        "taken as meant); try it with --wrong",
    )
    parser.add_argument(
        "--confidence", type=share, help="stop asking once the leader reaches this confidence (wizard: 0.85)"
    )
    parser.add_argument("--margin", type=share, help="... and leads the second by this much (wizard: 0.3)")
    parser.add_argument("--max-questions", type=positive_int, help="question cap (wizard: 15)")
    parser.add_argument(
        "--engine",
        choices=("experta", "clips"),
        help="rule engine backend (default: clips when installed, it is faster and concludes the same)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--plot", metavar="FILE", help="draw the calibration chart to FILE.png or FILE.svg")
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        default=str(DEFAULT_BASELINE),
        help=f"recorded figures for --check-baseline/--update-baseline (default {DEFAULT_BASELINE})",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check-baseline", action="store_true", help="exit 1 when a recorded figure got worse"
    )
    group.add_argument(
        "--update-baseline", action="store_true", help="rerun the recorded scenarios and rewrite the file"
    )
    add_knowledge_option(parser)
    parser.set_defaults(handler=run)


def run(options: argparse.Namespace) -> int:
    from ..diagnosis import Diagnoser

    if options.no_shipped and not options.knowledge:
        raise UsageError("--no-shipped needs at least one --knowledge PATH to evaluate")
    knowledge = knowledge_from(options)
    if not knowledge.causes:
        raise UsageError("the knowledge has no causes to evaluate; add some or pass --knowledge PATH")
    if options.check_baseline or options.update_baseline:
        return _baseline(options, knowledge)

    from ..evaluation import Noise, evaluate, fastest_engine
    from ..session import StopSettings

    stop = StopSettings()
    for name in ("confidence", "margin", "max_questions"):
        if getattr(options, name) is not None:
            setattr(stop, name, getattr(options, name))
    if options.wrong + options.unknown > 1:
        raise UsageError("--wrong and --unknown add up to more than 1")
    diagnoser = Diagnoser(
        knowledge,
        temperature=options.temperature,
        slip=options.slip,
        engine=options.engine or fastest_engine(),
    )
    result = evaluate(
        diagnoser,
        users=options.users,
        seed=options.seed,
        noise=Noise(wrong=options.wrong, unknown=options.unknown),
        settings=stop,
        opening=options.opening,
    )
    if options.plot:
        _plot(result.calibration, Path(options.plot))
    if options.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(result))
    return int(ExitCode.OK)


def _baseline(options: argparse.Namespace, knowledge: Any) -> int:
    from ..evaluation import check_baseline, read_baseline, record_baseline, write_baseline

    path = Path(options.baseline)
    if options.update_baseline:
        scenarios = read_baseline(path, missing_ok=True)
        updated = record_baseline(knowledge, scenarios)
        write_baseline(path, updated)
        if options.format == "json":
            sys.stdout.write(json.dumps(updated, indent=2) + "\n")
        else:
            sys.stdout.write(f"wrote {path}: {', '.join(updated['scenarios'])}\n")
        return int(ExitCode.OK)
    recorded = read_baseline(path)
    regressions, current = check_baseline(knowledge, recorded)
    if options.format == "json":
        document = {"regressions": [r.to_json() for r in regressions], "current": current}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(_render_regressions(path, regressions))
    return int(ExitCode.NO_DIAGNOSIS if regressions else ExitCode.OK)


def _render_regressions(path: Path, regressions: list[Regression]) -> str:
    if not regressions:
        return f"{path}: no figure got worse\n"
    lines = [f"{path}: {len(regressions)} figure(s) got worse:"]
    lines += [f"  {regression}" for regression in regressions]
    lines.append("If the change is intended, run `triage evaluate --update-baseline` and commit the file.")
    return "\n".join(lines) + "\n"


def render_text(result: Evaluation) -> str:
    """The evaluation as a plain-text report with a terminal calibration chart."""
    noise = result.noise
    ratios = result.ratios()
    lines = [
        f"{result.causes} causes x {result.users_per_cause} simulated users, seed {result.seed}, "
        f"{noise.wrong:.0%} wrong, {noise.unknown:.0%} don't know"
        + (f", {result.opening} answer(s) stated up front" if result.opening else "")
        + (f", temperature {result.temperature:g}" if result.temperature != 1.0 else "")
        + (f", ranking allows {result.slip:.0%} slips" if result.slip else ""),
        "",
        f"{'':22}{'top-1':>8}{'top-3':>8}{'mean q':>9}{'p95 q':>8}",
    ]
    for name, summary in (
        ("wizard (adaptive)", result.adaptive),
        ("fixed order", result.fixed_order),
        ("every answer", result.every_answer),
    ):
        lines.append(
            f"{name:22}{summary.top1:>8.1%}{summary.top3:>8.1%}"
            f"{summary.mean_questions:>9.2f}{summary.p95_questions:>8.1f}"
        )
    bound = result.bound
    lines += [
        f"{'information bound':22}{'':16}{bound.questions:>9.2f}"
        f"   ({bound.entropy:.2f} bits of prior entropy, up to {bound.bits_per_answer:.2f} bits per answer)",
        "",
        "questions: "
        + ", ".join(
            f"{value:.2f}x {label}"
            for label, value in (
                ("the bound", ratios["questions_to_bound"]),
                ("the fixed order", ratios["questions_to_fixed_order"]),
            )
            if value is not None
        ),
        "",
        *calibration_chart(result.calibration),
    ]
    weakest = sorted(result.per_cause.items(), key=lambda item: (item[1].top1, -item[1].mean_questions))[:5]
    if weakest and weakest[0][1].top1 < 1.0:
        lines += ["", "weakest causes (top-1, mean questions):"]
        lines += [
            f"  {cause:40} {summary.top1:>7.1%} {summary.mean_questions:>6.2f}"
            for cause, summary in weakest
            if summary.top1 < 1.0
        ]
    return "\n".join(lines) + "\n"


def calibration_chart(calibration: Calibration) -> list[str]:
    """A reliability diagram in text: per confidence bin, accuracy as a bar, stated confidence as '|'."""
    lines = [f"calibration (expected calibration error {calibration.ece:.3f}):"]
    lines.append(f"  {'confidence':11}{'users':>6}  {'accuracy':<{BAR_WIDTH + 2}}{'stated':>7}{'right':>7}")
    for item in calibration.bins:
        if not item.count:
            continue
        filled = round(item.accuracy * BAR_WIDTH)
        bar = list("█" * filled + "·" * (BAR_WIDTH - filled))
        mark = min(round(item.confidence * BAR_WIDTH), BAR_WIDTH - 1)
        bar[mark] = "|"
        lines.append(
            f"  {item.lower:.1f}-{item.upper:.1f}    {item.count:>6}  {''.join(bar)}  "
            f"{item.confidence:>6.1%}{item.accuracy:>7.1%}"
        )
    lines.append(f"  {'':19}bar = share right, | = stated confidence")
    return lines


def _plot(calibration: Calibration, path: Path) -> None:
    if path.suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"{path}: --plot writes .png or .svg files")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'triage[plot]'") from None
    used = [item for item in calibration.bins if item.count]
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    axes.bar(
        [(item.lower + item.upper) / 2 for item in used],
        [item.accuracy for item in used],
        width=[item.upper - item.lower for item in used],
        edgecolor="black",
        alpha=0.7,
        label="share right",
    )
    axes.plot([item.confidence for item in used], [item.accuracy for item in used], "o-", color="black")
    axes.set_xlabel("stated confidence of the first cause")
    axes.set_ylabel("share of users whose first cause was right")
    axes.set_title(f"Calibration (ECE {calibration.ece:.3f})")
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.legend(loc="upper left")
    try:
        figure.savefig(path)
    except OSError as error:
        raise UsageError(f"{path}: cannot write the chart: {error.strerror}") from None
    finally:
        plt.close(figure)

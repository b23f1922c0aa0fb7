"""`warmplan verify`: did the run follow the plan? Its logged LRs against the plan's."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan.cli.common import EXIT_INVALID, State, err, load_with_flags, reporting
from warmplan.cli.flags import plan_flags
from warmplan.limits import MAX_STEPS


class VerifyFormat(str, Enum):
    text = "text"
    json = "json"


LogsArg = Annotated[
    list[Path],
    typer.Argument(
        metavar="LOG",
        help="The run's logs: a trainer_state.json or output folder, TensorBoard event "
        "files or folders (merged in order), a Lightning metrics.csv, MLflow metric "
        "files, a W&B history export (CSV or JSONL), or a step,lr CSV",
        show_default=False,
    ),
]


@plan_flags
def verify(
    config: Annotated[
        Path,
        typer.Argument(
            metavar="PLAN",
            help="The plan the run meant to follow (what show reads)",
            show_default=False,
        ),
    ],
    logs: LogsArg,
    output_format: Annotated[
        VerifyFormat,
        typer.Option("--format", "-f", help="text lines, or one json object"),
    ] = VerifyFormat.text,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag",
            help="The logged series holding the LR (default: found by name: learning_rate, "
            "lr, lr-AdamW, ...)",
            show_default=False,
        ),
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = MAX_STEPS,
    flags: Any = None,
) -> None:
    """Compare a run's logged LRs with the plan: exit 0 equal, 1 diverged, 2 usage."""
    with reporting():
        from warmplan.cli.progress import simulate_with_progress
        from warmplan.render.verdict import as_json, text
        from warmplan.runs.compare import verify as compare
        from warmplan.runs.read import read_log

        plan = load_with_flags(config, flags)
        log = read_log(logs, tag)  # before the simulation: a bad log fails fast
        for note in log.notes:
            err(note if ": note: " in note else f"note: {note}")
        trace = simulate_with_progress(plan, max_steps)
        verdict = compare(trace, log)
        rendered = as_json(verdict) if output_format is VerifyFormat.json else text(verdict)
        State.printed = True
        sys.stdout.write(rendered)
        sys.stdout.flush()
    if verdict.status != "ok":
        raise typer.Exit(EXIT_INVALID)

"""`warmplan show`: the LR table of one plan, or several side by side."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan.cli.common import (
    By,
    OutputArg,
    OutputFormat,
    State,
    emit,
    err,
    load_with_flags,
    report_unit_slips,
    report_warnings,
    reporting,
    stdout_console,
)
from warmplan.cli.flags import plan_flags
from warmplan.cli.progress import simulate_with_progress
from warmplan.limits import MAX_STEPS

#: columns of the text written to a file or a pipe (a terminal has its own)
FILE_WIDTH = 120


@plan_flags
def show(
    configs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="A plan in YAML (configs/ has examples), or several to compare side by "
            "side. Optional when flags define the plan.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format", "-f", help="table (rich), or csv/json/markdown with one row per interval"
        ),
    ] = OutputFormat.table,
    by: Annotated[
        By | None,
        typer.Option(
            help="Rows per epoch or per step (default: epoch; step for a plan that steps "
            "per optimizer step and lasts one epoch)",
            show_default=False,
        ),
    ] = None,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Show every row of the table, not a sample")
    ] = False,
    rows: Annotated[
        int | None,
        typer.Option(
            help="Rows the table shows before it samples (default: what fits the "
            "terminal; 200 into a file or pipe)",
            min=4,
            show_default=False,
        ),
    ] = None,
    output: OutputArg = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = MAX_STEPS,
    curve: Annotated[
        bool | None,
        typer.Option(
            "--curve/--no-curve",
            help="Draw the schedule above the table (default: when printing to a terminal)",
            show_default=False,
        ),
    ] = None,
    flags: Any = None,
) -> None:
    """Print the learning rate of every epoch (or step), from torch's real schedulers."""
    if configs and len(configs) > 1:
        with reporting():
            _compare(configs, flags, output_format, rows, all_rows, output, max_steps)
        return
    config = configs[0] if configs else None
    with reporting():
        plan = load_with_flags(config, flags)
        report_unit_slips(plan)
        trace = simulate_with_progress(plan, max_steps)
        inputs = [config] if config else []
        report_warnings(trace)
        if output_format is OutputFormat.table:
            if by is By.step and plan.interval == "epoch" and plan.steps_per_epoch > 1:
                err(
                    "note: --by step: this scheduler steps once per epoch, so all steps of "
                    "an epoch share its LR; the rows are epochs"
                )
            emit(_table_text(trace, by, rows, all_rows, output, curve), output, inputs)
        else:
            from warmplan.render.export import EXPORTERS

            emit(EXPORTERS[output_format.value](trace), output, inputs)


def _table_text(
    trace: Any,
    by: By | None,
    rows: int | None,
    all_rows: bool,
    output: Path | None,
    curve: bool | None = None,
) -> Iterator[str]:
    from warmplan.render.table import render_show

    screen = None
    if rows is None:
        screen, curve = _screen(output, trace, curve)
    parts = render_show(trace, by.value if by else None, rows, all_rows, screen)
    return _rich_text(parts, output, trace, curve)


def _screen(
    output: Path | None, trace: Any, curve: bool | None
) -> tuple[tuple[int, int] | None, bool | None]:
    """For a table fitted to the terminal: (terminal lines, lines printed besides the
    table and summary: the curve, notes and warnings), and whether to draw the curve:
    by default not on a terminal too small to leave the table its fewest rows beside
    it. (None, ``curve``) for a file or a pipe."""
    if output is not None:
        return None, curve
    console = stdout_console()
    if not console.is_terminal:
        return None, curve
    from warmplan.render.curve import curve_size
    from warmplan.render.summary import summarize
    from warmplan.render.table import MIN_SCREEN_ROWS, TABLE_FRAME, summary_lines

    notes = len(trace.warnings) + len(trace.plan.source.overridden if trace.plan.source else ())
    summary = 1 + len(summary_lines(summarize(trace))) + len(trace.plan.derivation)
    curve_lines = curve_size(console.width, console.height)[1]
    room = console.height - notes - summary - TABLE_FRAME - 1 - curve_lines
    if curve is None and room < MIN_SCREEN_ROWS:
        curve = False
    return (console.height, notes + (curve_lines if curve is not False else 0)), curve


def _compare(
    configs: list[Path],
    flags: Any,
    output_format: OutputFormat,
    rows: int | None,
    all_rows: bool,
    output: Path | None,
    max_steps: int,
) -> None:
    """`show a.yaml b.yaml ...`: the plans side by side, the same flags applied to each."""
    from warmplan.errors import UsageError
    from warmplan.render import compare

    plans = [load_with_flags(c, flags) for c in configs]
    for plan in plans:
        report_unit_slips(plan)
    traces = [simulate_with_progress(plan, max_steps) for plan in plans]
    compare.check_comparable(traces)
    for trace in traces:
        report_warnings(trace)
    if output_format is OutputFormat.json:
        raise UsageError("compare plans as table, csv or markdown (json takes one plan)")
    if output_format is OutputFormat.table:
        if rows is None:
            rows = _compare_rows(output, len(traces))
        emit(_rich_text(compare.render_compare(traces, rows, all_rows), output), output, configs)
    else:
        exporter = compare.compare_csv if output_format is OutputFormat.csv else None
        emit((exporter or compare.compare_markdown)(traces), output, list(configs))


def _compare_rows(output: Path | None, plans: int) -> int:
    """The compare table's rows: what fits a terminal beside the table of what differs
    (its title, frame and a row per plan) and the note under it; FILE_ROWS elsewhere."""
    from warmplan.render.table import FILE_ROWS, TABLE_FRAME, fitted_rows

    console = stdout_console() if output is None else None
    if console is None or not console.is_terminal:
        return FILE_ROWS
    return fitted_rows(console.height, 1 + TABLE_FRAME + plans + 1)


def _rich_text(
    parts: list[Any], output: Path | None, trace: Any = None, curve: bool | None = None
) -> Iterator[str]:
    """Print rich parts to the terminal (with the curve of ``trace`` above them when
    asked, or by default on a terminal), or render them as plain text for a file."""
    from warmplan.render.grid import each_renderable

    if output is None:
        console = stdout_console()
        terminal = console.is_terminal
        if not terminal and "COLUMNS" not in os.environ:
            console.width = FILE_WIDTH  # a pipe is a file too (rich assumes 80 columns)
        if trace is not None and (curve or (curve is None and terminal)):
            parts.insert(1, _curve(trace, console))
        for part in each_renderable(parts):
            State.printed = True
            # a pipe's lines are never broken: grep sees whole lines
            console.print(part, crop=False, soft_wrap=not terminal)
        return iter(())
    return _recorded_text(parts)


def _recorded_text(parts: list[Any]) -> Iterator[str]:
    """Plain text of rich parts for a file, part by part (a long table chunk by chunk)."""
    from rich.console import Console

    from warmplan.render.grid import each_renderable

    console = Console(record=True, width=FILE_WIDTH, file=io.StringIO())
    for part in each_renderable(parts):
        console.print(part, crop=False)
        yield console.export_text()  # and forgets it
        console.file = io.StringIO()


def _curve(trace: Any, console: Any) -> Any:
    from rich.text import Text

    from warmplan.render.curve import curve_size, render_curve

    width, height = curve_size(console.width, console.height if console.is_terminal else None)
    color = console.color_system is not None
    return Text.from_ansi(render_curve(trace, width, height, color=color))

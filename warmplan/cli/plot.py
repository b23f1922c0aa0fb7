"""`warmplan plot`: one plan, or several overlaid, to a PNG, SVG or PDF."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan.cli.common import (
    By,
    err,
    load_with_flags,
    report_warnings,
    reporting,
)
from warmplan.cli.flags import plan_flags
from warmplan.cli.progress import simulate_with_progress
from warmplan.limits import MAX_STEPS


class ImageFormat(str, Enum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


#: the largest image side we render, in pixels: beyond it --size x --dpi is a typo
MAX_PIXELS = 20_000
#: the smallest: an image a few pixels wide has no room for axes (or is empty)
MIN_PIXELS = 32


@plan_flags
def plot(
    configs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="One plan, or several to overlay. Optional when flags define the plan.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Image file: .png, .svg or .pdf (default: <plan name>.png here)",
            show_default=False,
        ),
    ] = None,
    image_format: Annotated[
        ImageFormat | None,
        typer.Option("--format", help="Force the format, whatever the file extension"),
    ] = None,
    log: Annotated[bool, typer.Option("--log", help="Log-scale LR axis")] = False,
    by: Annotated[
        By | None,
        typer.Option(help="x axis in epochs or optimizer steps (default: the plan's interval)"),
    ] = None,
    size: Annotated[str, typer.Option(help="Figure size in inches, WIDTHxHEIGHT")] = "8x4.5",
    dpi: Annotated[int, typer.Option(help="Pixels per inch", min=10, max=1200)] = 150,
    title: Annotated[
        str | None, typer.Option(help="Figure title (default: the plan names)")
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = MAX_STEPS,
    run: Annotated[
        list[Path] | None,
        typer.Option(
            "--run",
            help="Overlay a run's logged LRs (what verify reads) and mark where they leave "
            "the plan; repeat for logs to merge in order",
            show_default=False,
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option("--tag", help="With --run: the logged series holding the LR"),
    ] = None,
    flags: Any = None,
) -> None:
    """Draw the learning rate of one plan, or several overlaid, to a PNG, SVG or PDF."""
    with reporting():
        from warmplan.render.image_file import default_output, save_figure
        from warmplan.render.plot import PlotOptions, plot_traces

        configs = configs or []
        options = PlotOptions(by.value if by else None, log, _figure_size(size, dpi), dpi, title)
        plans = _load_plans(configs, flags)
        fmt = image_format.value if image_format else None
        output = output or default_output([plan.label for plan in plans], fmt or "png")
        _check_output(output, fmt, [*configs, *(run or [])])  # before simulating
        log = _read_run(run, tag, plans)
        traces = []
        for plan in plans:
            traces.append(simulate_with_progress(plan, max_steps))
            report_warnings(traces[-1])
        figure = plot_traces(traces, options)
        if log is not None:
            figure = _overlay(figure, traces[0], log, options)
        save_figure(figure, output, fmt, [*configs, *(run or [])])
        err(f"wrote {output}")


def _read_run(run: list[Path] | None, tag: str | None, plans: list[Any]) -> Any:
    """The log of ``--run`` (read before simulating: a bad log fails fast)."""
    from warmplan.errors import UsageError

    if not run:
        if tag is not None:
            raise UsageError("--tag chooses a series of the --run log; give --run LOG")
        return None
    if len(plans) > 1:
        raise UsageError("--run overlays a log on one plan; give one config")
    from warmplan.runs.read import read_log

    log = read_log(run, tag)
    for note in log.notes:
        err(note if ": note: " in note else f"note: {note}")
    return log


def _overlay(figure: Any, trace: Any, log: Any, options: Any) -> Any:
    from warmplan.render.plot import x_unit
    from warmplan.render.run_overlay import overlay_run
    from warmplan.runs.compare import verify

    verdict = verify(trace, log)
    first = verdict.first_divergence
    if first is None:
        err(f"{log.source}: ok: all {verdict.compared:,} logged LRs equal the plan's")
    else:
        kind = f" ({verdict.diagnosis.kind})" if verdict.diagnosis else ""
        err(f"{log.source}: diverged at update {first.update:,}{kind}; see warmplan verify")
    return overlay_run(figure, trace, verdict, x_unit([trace], options.by))


def _load_plans(configs: list[Path], flags: dict[str, Any]) -> list[Any]:
    """One plan from a config and/or flags; or several configs, every error of every
    file reported. Plan flags with several configs are refused: which plan would they
    change? (Overlay a variant by saving it as its own YAML.)"""
    from warmplan.cli.flags import collect_overrides
    from warmplan.config.load import load_plan
    from warmplan.errors import ConfigError, UsageError

    if len(configs) <= 1:
        return [load_with_flags(configs[0] if configs else None, flags)]
    if collect_overrides(flags):
        raise UsageError(
            "plan flags apply to one plan; with several configs, give each change its own file"
        )
    plans, findings = [], []
    for config in configs:
        try:
            plans.append(load_plan(config))
        except ConfigError as exc:
            findings += exc.findings
    if findings:
        raise ConfigError(findings)
    return plans


def _figure_size(text: str, dpi: int) -> tuple[float, float]:
    from warmplan.errors import UsageError

    try:
        width, height = (float(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r}: give inches as WIDTHxHEIGHT, e.g. 8x4.5") from None
    if not (width > 0 and height > 0):  # also refuses nan, which compares false
        raise UsageError(f"--size {text!r}: width and height must be positive")
    if max(width, height) * dpi > MAX_PIXELS:
        raise UsageError(
            f"--size {text} at --dpi {dpi} is over {MAX_PIXELS:,} pixels a side; lower one of them"
        )
    if min(width, height) * dpi < MIN_PIXELS:  # matplotlib cannot draw (or save) less
        raise UsageError(
            f"--size {text} at --dpi {dpi} is under {MIN_PIXELS} pixels a side; raise one of them"
        )
    return width, height


def _check_output(output: Path, fmt: str | None, inputs: list[Path]) -> None:
    from warmplan.render.files import refuse_inputs
    from warmplan.render.image_file import figure_format

    figure_format(output, fmt)
    refuse_inputs(output, inputs)

"""The `warmplan` command: parse, call the core, render, map errors to exit codes.

The only module that prints or exits. Heavy modules (pydantic, torch, matplotlib) are
imported inside the commands, so `warmplan --help` stays instant.

Exit codes: 0 ok; 1 invalid config or failed check; 2 usage error; 3 a bug in
warmplan; 130 interrupted.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan import __version__
from warmplan.flags import plan_flags

app = typer.Typer(
    name="warmplan",
    help="Plan, preview and check learning-rate warm-up and decay schedules, "
    "computed by torch's own schedulers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 1, 2, 3, 130


class _State:
    debug = False
    #: whether this command has printed any of its output to stdout (for Ctrl-C's note)
    printed = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"warmplan {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Plan, preview and check learning-rate warm-up and decay schedules."""
    _State.debug = debug


def err(line: str) -> None:
    typer.echo(line, err=True)


@contextlib.contextmanager
def reporting() -> Iterator[None]:
    """Turn every failure into one line per problem on stderr and an exit code."""
    from warmplan.errors import UsageError, WarmplanError

    _State.printed = False
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except UsageError as exc:
        err(f"usage error: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except WarmplanError as exc:
        for line in exc.lines():
            err(line)
        raise typer.Exit(EXIT_INVALID) from None
    except KeyboardInterrupt:
        if _State.printed:
            err("interrupted; the output printed so far is incomplete")
        else:
            err("interrupted; no output was written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # `warmplan show ... | head`: the reader left; not an error worth a traceback
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        raise typer.Exit(0) from None
    except Exception as exc:
        if _State.debug:
            raise
        from warmplan.source import one_line

        err(
            f"internal error: {type(exc).__name__}: {one_line(str(exc))}. This is a bug in "
            f"warmplan {__version__}; rerun with --debug for the traceback and report it"
        )
        raise typer.Exit(EXIT_BUG) from None


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class By(str, Enum):
    epoch = "epoch"
    step = "step"


def load_with_flags(config: Path | None, flags: dict[str, Any]) -> Any:
    """Load the plan from ``config`` and the plan flags (which win over the file)."""
    from warmplan.errors import UsageError
    from warmplan.flags import collect_overrides
    from warmplan.loading import load_plan

    overrides = collect_overrides(flags)
    if config is None and not overrides:
        raise UsageError(
            "give a config file, or define the plan with flags (--lr, "
            "--epochs, ...); see warmplan show --help"
        )
    plan = load_plan(config, overrides)
    for keypath, flag, line in plan.source.overridden:
        from warmplan.source import dotted_key

        where = f"{config}:{line}" if line else str(config)
        err(f"note: {flag} overrides {dotted_key(keypath)} from {where}")
    return plan


def emit(chunks: Iterator[str], output: Path | None, inputs: list[Path]) -> None:
    """Write text to stdout, or atomically to ``output``."""
    if output is None:
        for chunk in chunks:
            _State.printed = True
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    from warmplan.output import write_atomically

    def write(handle: Any) -> None:
        for chunk in chunks:
            handle.write(chunk.encode("utf-8"))

    write_atomically(output, write, inputs)
    err(f"wrote {output}")


ConfigArg = Annotated[
    Path | None,
    typer.Argument(
        help="A plan in YAML (configs/ has examples). Optional when flags define the plan.",
        show_default=False,
    ),
]


@app.command()
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
        typer.Option(help="Rows per epoch or per step (default: epoch)"),
    ] = None,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Show every row of the table, not a sample")
    ] = False,
    rows: Annotated[int, typer.Option(help="Rows the table shows before it samples", min=4)] = 200,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout"),
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = 10_000_000,
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
        trace = _simulate(plan, max_steps)
        inputs = [config] if config else []
        _report_warnings(trace)
        if output_format is OutputFormat.table:
            emit(_table_text(trace, by, rows, all_rows, output, curve), output, inputs)
        else:
            from warmplan.render.export import EXPORTERS

            emit(EXPORTERS[output_format.value](trace), output, inputs)


def _report_warnings(trace: Any) -> None:
    for warning in trace.warnings:
        where = (
            "while building"
            if warning.first_interval < 0
            else (f"first at {trace.plan.interval} {warning.first_interval}")
        )
        times = f", {warning.count} times" if warning.count > 1 else ""
        err(f"warning: torch {warning.category} {where}{times}: {warning.message}")


def _table_text(
    trace: Any,
    by: By | None,
    rows: int,
    all_rows: bool,
    output: Path | None,
    curve: bool | None = None,
) -> Iterator[str]:
    from warmplan.render.table import render_show

    parts = render_show(trace, by.value if by else None, rows, all_rows)
    return _rich_text(parts, output, trace if curve is not False else None, curve)


def _compare(
    configs: list[Path],
    flags: Any,
    output_format: OutputFormat,
    rows: int,
    all_rows: bool,
    output: Path | None,
    max_steps: int,
) -> None:
    """`show a.yaml b.yaml ...`: the plans side by side, the same flags applied to each."""
    from warmplan.errors import UsageError
    from warmplan.render import compare

    traces = [_simulate(load_with_flags(c, flags), max_steps) for c in configs]
    compare.check_comparable(traces)
    for trace in traces:
        _report_warnings(trace)
    if output_format is OutputFormat.json:
        raise UsageError("compare plans as table, csv or markdown (json takes one plan)")
    if output_format is OutputFormat.table:
        emit(_rich_text(compare.render_compare(traces, rows, all_rows), output), output, configs)
    else:
        exporter = compare.compare_csv if output_format is OutputFormat.csv else None
        emit((exporter or compare.compare_markdown)(traces), output, list(configs))


def _rich_text(
    parts: list[Any], output: Path | None, trace: Any = None, curve: bool | None = None
) -> Iterator[str]:
    """Print rich parts to the terminal (with the curve of ``trace`` above them when
    asked, or by default on a terminal), or render them as plain text for a file."""
    from rich.console import Console

    if output is None:
        console = Console()
        if trace is not None and (curve or (curve is None and console.is_terminal)):
            parts.insert(1, _curve(trace, console))
        for part in parts:
            _State.printed = True
            console.print(part)
        return iter(())
    console = Console(record=True, width=120, file=io.StringIO())
    for part in parts:
        console.print(part)
    return iter([console.export_text()])


def _curve(trace: Any, console: Any) -> Any:
    from rich.text import Text

    from warmplan.render.curve import curve_size, render_curve

    width, height = curve_size(console.width, console.height if console.is_terminal else None)
    color = console.color_system is not None
    return Text.from_ansi(render_curve(trace, width, height, color=color))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the plan format (for editors' YAML language servers)."""
    with reporting():
        import json

        from warmplan.plan import Plan

        document = Plan.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = "warmplan plan"
        typer.echo(json.dumps(document, indent=2))


# -- warmplan plot -------------------------------------------------------------------


class ImageFormat(str, Enum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


#: the largest image side we render, in pixels: beyond it --size x --dpi is a typo
MAX_PIXELS = 20_000
#: the smallest: an image a few pixels wide has no room for axes (or is empty)
MIN_PIXELS = 32


@app.command()
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
    ] = 10_000_000,
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
        _check_output(output, fmt, configs)  # before the simulation, which may be long
        traces = []
        for plan in plans:
            traces.append(_simulate(plan, max_steps))
            _report_warnings(traces[-1])
        save_figure(plot_traces(traces, options), output, fmt, configs)
        err(f"wrote {output}")


def _load_plans(configs: list[Path], flags: dict[str, Any]) -> list[Any]:
    """One plan from a config and/or flags; or several configs, every error of every
    file reported. Plan flags with several configs are refused: which plan would they
    change? (Overlay a variant by saving it as its own YAML.)"""
    from warmplan.errors import ConfigError, UsageError
    from warmplan.flags import collect_overrides
    from warmplan.loading import load_plan

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
    from warmplan.output import refuse_inputs
    from warmplan.render.image_file import figure_format

    figure_format(output, fmt)
    refuse_inputs(output, inputs)


# -- warmplan check ---------------------------------------------------------------------


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def check(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Plan files, folders (every *.yaml/*.yml below) or globs ('configs/**/*.yaml')",
            show_default=False,
        ),
    ],
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too")] = False,
    output_format: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="text lines, one json object, or github annotations"),
    ] = CheckFormat.text,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Silence a rule by code, e.g. --ignore WP109 (repeatable)"),
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = 10_000_000,
) -> None:
    """Check plans for schedule mistakes (CI linter): exit 0 clean, 1 errors, 2 usage."""
    with reporting():
        from warmplan.checks import check_paths
        from warmplan.render.findings import RENDERERS

        report = check_paths(paths, ignore=ignore or [], max_steps=max_steps)
        _State.printed = True
        sys.stdout.write(RENDERERS[output_format.value](report))
        sys.stdout.flush()
    if report.failed(strict):
        raise typer.Exit(EXIT_INVALID)


# -- warmplan code ----------------------------------------------------------------------


@app.command()
@plan_flags
def code(
    config: ConfigArg = None,
    head: Annotated[
        int | None,
        typer.Option(help="The example loop prints only the first N intervals", min=1),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout"),
    ] = None,
    flags: Any = None,
) -> None:
    """Print a runnable PyTorch snippet that builds this schedule with plain torch classes."""
    with reporting():
        plan = load_with_flags(config, flags)
        from warmplan.codegen import snippet

        emit(iter([snippet(plan, head)]), output, [config] if config else [])


# -- progress of long simulations -------------------------------------------------------

#: plans shorter than this simulate in about a second: no bar
PROGRESS_MIN_INTERVALS = 250_000


def _simulate(plan: Any, max_steps: int) -> Any:
    """simulate(), with a progress bar on stderr for a long plan when stderr is a terminal.

    The bar is drawn only from simulate's callback (every 65,536 intervals; no refresh
    thread), so the loop pays nothing for it; it is cleared when done or interrupted.
    """
    from warmplan.simulation import simulate

    if not _shows_progress(plan):
        return simulate(plan, max_steps=max_steps)
    from rich import progress as bars
    from rich.console import Console

    columns = (
        bars.TextColumn("simulating {task.description}"),
        bars.BarColumn(),
        bars.MofNCompleteColumn(),
        bars.TimeElapsedColumn(),
        bars.TimeRemainingColumn(),
    )
    console = Console(stderr=True)
    with bars.Progress(*columns, console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(f"{plan.label} ({plan.interval}s)", total=plan.intervals)
        bar.refresh()

        def advance(done: int) -> None:
            bar.update(task, completed=done, refresh=True)

        return simulate(plan, max_steps=max_steps, progress=advance)


def _shows_progress(plan: Any) -> bool:
    """A bar only for a person at a terminal: never in pipes, files or CI logs (every
    CI service sets ``CI``; ``CI=false`` or ``0`` does not count)."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return plan.intervals >= PROGRESS_MIN_INTERVALS and sys.stderr.isatty() and not in_ci


def run() -> None:
    """Console-script entry point."""
    app()

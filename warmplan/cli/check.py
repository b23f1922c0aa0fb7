"""`warmplan check`: the schedule linter for CI."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from warmplan.cli.common import EXIT_INVALID, State, err, reporting, resume_collection
from warmplan.limits import MAX_STEPS

if TYPE_CHECKING:
    from warmplan.lint.runner import CheckReport


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


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
        typer.Option(
            "--format",
            "-f",
            help="text lines, one json object, github annotations, sarif (code scanning), "
            "or junit XML",
        ),
    ] = CheckFormat.text,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Count findings per rule instead (text or json)")
    ] = False,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero", help="Exit 0 even with findings (2 usage and 3 internal errors stay)"
        ),
    ] = False,
    output_file: Annotated[
        Path | None,
        typer.Option("--output-file", "-o", help="Write the report to this file (atomically)"),
    ] = None,
    show_source: Annotated[
        bool | None,
        typer.Option(
            "--show-source/--no-show-source",
            help="Show each finding's line with a caret under the value (text format; "
            "default: only on a terminal)",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Silence a rule by code, e.g. --ignore WP109 (repeatable)"),
    ] = None,
    max_steps: Annotated[
        int, typer.Option(help="Refuse plans with more optimizer steps", min=1)
    ] = MAX_STEPS,
    dataset_size: Annotated[
        int | None,
        typer.Option(help="Training examples, for recipes that train for epochs", min=1),
    ] = None,
    world_size: Annotated[
        int | None, typer.Option(help="Processes (data-parallel), for recipes", min=1)
    ] = None,
    steps: Annotated[
        int | None, typer.Option(help="Total optimizer updates, for recipes", min=1)
    ] = None,
    source_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Read every file as this format: warmplan | transformers | axolotl | "
            "deepspeed | lightning | torchtune | hydra",
        ),
    ] = None,
) -> None:
    """Check plans for schedule mistakes (CI linter): exit 0 clean, 1 errors, 2 usage."""
    with reporting():
        from warmplan.lint.runner import check_paths

        shown = _shows_source(show_source, output_format, statistics, output_file)
        # many files may fail to load, and each failure's traceback is a cycle: collect
        resume_collection()
        facts = {
            "training.dataset_size": dataset_size,
            "training.world_size": world_size,
            "training.steps": steps,
        }
        report = check_paths(
            paths,
            ignore=ignore or [],
            max_steps=max_steps,
            overrides={k: v for k, v in facts.items() if v is not None},
            source_format=source_format,
        )
        text = _rendered(report, output_format, statistics, shown)
        _write(text, output_file, report)
    if report.failed(strict) and not exit_zero:
        raise typer.Exit(EXIT_INVALID)


def _shows_source(
    flag: bool | None, output_format: CheckFormat, statistics: bool, output_file: Path | None
) -> bool:
    """--show-source as asked; unasked, only for text on a terminal (never in a pipe,
    a file, or a format a machine reads: those keep one line per finding). UsageError
    for flags that do not go together, before any plan is checked."""
    from warmplan.errors import UsageError

    if statistics and output_format not in (CheckFormat.text, CheckFormat.json):
        raise UsageError(f"--statistics prints text or json, not {output_format.value}")
    plain = output_format is CheckFormat.text and not statistics
    if flag and not plain:
        what = "--statistics" if statistics else f"--format {output_format.value}"
        raise UsageError(f"--show-source is for the text report, not {what}")
    if flag is not None:
        return flag
    return plain and output_file is None and _terminal()


def _terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stdout, or a closed one
        return False


def _rendered(
    report: CheckReport, output_format: CheckFormat, statistics: bool, show_source: bool
) -> str:
    from warmplan.render.findings import RENDERERS, render_statistics, render_text

    if statistics:
        return render_statistics(report, output_format.value)
    if output_format is CheckFormat.text:
        return render_text(report, show_source=show_source)
    return RENDERERS[output_format.value](report)


def _write(text: str, output_file: Path | None, report: CheckReport) -> None:
    """To stdout, or all of it atomically to ``output_file`` (never over a checked file)
    with the summary on stderr."""
    if output_file is None:
        State.printed = True
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from warmplan.render.files import write_atomically
    from warmplan.render.findings import summary_line

    def write(handle: IO[bytes]) -> None:
        handle.write(text.encode("utf-8"))

    inputs = [result.path for result in report.files if result.matched]
    write_atomically(output_file, write, inputs)
    err(f"wrote {output_file}: {summary_line(report)}")

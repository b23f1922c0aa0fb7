"""`warmplan check`: the schedule linter for CI."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated

import typer

from warmplan.cli.common import EXIT_INVALID, State, err, reporting, resume_collection
from warmplan.formats import FORMATS
from warmplan.limits import MAX_STEPS

if TYPE_CHECKING:
    from warmplan.lint.fixer import FixOutcome
    from warmplan.lint.pyproject import Settings
    from warmplan.lint.runner import CheckReport


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


class Interval(str, Enum):
    step = "step"
    epoch = "epoch"


def check(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Plan files, folders (every *.yaml/*.yml below) or globs ('configs/**/*.yaml')",
            show_default=False,
        ),
    ],
    strict: Annotated[
        bool | None,
        typer.Option(
            "--strict/--no-strict",
            help="Fail on warnings too (default: pyproject.toml's strict, else no)",
            show_default=False,
        ),
    ] = None,
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
        typer.Option(
            "--ignore",
            help="Silence a rule by code or prefix, e.g. --ignore WP109 (repeatable)",
        ),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            help="Run only these rules (codes or prefixes: --select WP12), in place of "
            "pyproject.toml's select and ignore (repeatable)",
        ),
    ] = None,
    max_steps: Annotated[
        int | None,
        typer.Option(
            help=f"Refuse plans with more optimizer steps  [default: {MAX_STEPS}]",
            min=1,
            show_default=False,
        ),
    ] = None,
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
    steps_per_epoch: Annotated[
        int | None, typer.Option(help="Optimizer updates per epoch, for recipes", min=1)
    ] = None,
    global_batch_size: Annotated[
        int | None,
        typer.Option(
            help="Samples per optimizer update over all processes, for recipes counting "
            "samples or tokens",
            min=1,
        ),
    ] = None,
    sequence_length: Annotated[
        int | None,
        typer.Option(help="Tokens per sample, for recipes counting tokens", min=1),
    ] = None,
    interval: Annotated[
        Interval | None,
        typer.Option(
            help="What one scheduler step is, for recipes that leave it to Python code "
            "(Lightning's configure_optimizers); laid over plans' own training.interval",
        ),
    ] = None,
    source_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=f"Read every file as this format: {' | '.join(FORMATS)}",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Rewrite files for findings with one unambiguous fix, each proven by "
            "checking again (comments, quoting and layout kept)",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print the diff --fix would make instead of writing; exit 1 if there "
            "is something to fix, 0 if not",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Read [tool.warmplan] from this pyproject.toml (default: the first one "
            "with the table, from here up to the repository's root)",
            dir_okay=False,
        ),
    ] = None,
    isolated: Annotated[
        bool, typer.Option("--isolated", help="Read no pyproject.toml: flags only")
    ] = False,
) -> None:
    """Check plans for schedule mistakes (CI linter): exit 0 clean, 1 errors, 2 usage."""
    with reporting():
        from warmplan.lint.runner import check_paths
        from warmplan.render.fixes import fix_count

        _refuse_fix_usage(paths, fix, diff, output_format, statistics, output_file)
        shown = _shows_source(show_source, output_format, statistics, output_file)
        # many files may fail to load, and each failure's traceback is a cycle: collect
        resume_collection()
        facts = {
            "training.dataset_size": dataset_size,
            "training.world_size": world_size,
            "training.steps": steps,
            "training.steps_per_epoch": steps_per_epoch,
            "training.global_batch_size": global_batch_size,
            "training.sequence_length": sequence_length,
            "training.interval": None if interval is None else interval.value,
        }
        settings = read_settings(config, isolated)
        report = check_paths(
            paths,
            ignore=ignore or [],
            max_steps=max_steps,
            overrides={k: v for k, v in facts.items() if v is not None},
            source_format=source_format,
            select=select,
            settings=settings,
        )
        if diff:
            code = _show_diff(report)
            raise typer.Exit(0 if exit_zero else code)
        fixed = _write_fixes(report) if fix else None
        text = _rendered(report, output_format, statistics, shown)
        count = None if fixed is None else fix_count(fixed.count, len(report.findings), False)
        # after the text report; elsewhere it would break what parses the report
        plain = output_format is CheckFormat.text and not statistics and output_file is None
        _write(text + f"{count}\n" if count and plain else text, output_file, report)
        if count and not plain:
            err(count)
    unwritten = fixed is not None and fixed.unwritten
    strict = bool(settings.strict) if strict is None else strict
    if (report.failed(strict) and not exit_zero) or unwritten:
        raise typer.Exit(EXIT_INVALID)


def read_settings(config: Path | None, isolated: bool) -> Settings:
    """The ``[tool.warmplan]`` settings that apply: ``--config``'s file, none with
    ``--isolated``, else the one found from the current folder upward."""
    from warmplan.errors import UsageError
    from warmplan.lint import pyproject
    from warmplan.lint.runner import known_codes

    if config is not None and isolated:
        raise UsageError("--config and --isolated exclude each other: give one")
    if isolated:
        return pyproject.Settings()
    if config is not None and not config.is_file():
        raise UsageError(f"--config {config}: no such file")
    path = config or pyproject.find(Path.cwd())
    return pyproject.load(path, known_codes()) if path else pyproject.Settings()


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


def _refuse_fix_usage(
    paths: list[str],
    fix: bool,
    diff: bool,
    output_format: CheckFormat,
    statistics: bool,
    output_file: Path | None,
) -> None:
    from warmplan.errors import UsageError

    if fix and diff:
        raise UsageError("--fix and --diff: give one (--diff prints what --fix would write)")
    flag = "--fix" if fix else "--diff" if diff else None
    if flag and any(p in ("-", "/dev/stdin") for p in paths):
        raise UsageError(f"{flag} rewrites files in place; standard input is not one")
    if diff and (output_format is not CheckFormat.text or statistics or output_file):
        other = "--statistics" if statistics else "--output-file" if output_file else None
        other = other or f"--format {output_format.value}"
        raise UsageError(f"--diff prints a diff on stdout; it does not take {other}")


def _fix_outcomes(report: CheckReport) -> dict[int, FixOutcome]:
    """Each file's proven fixes, by its place in the report, which then holds the
    findings of the fixed text."""
    from warmplan.lint.fixer import fix_file

    outcomes = {}
    for index, result in enumerate(report.files):
        outcome = fix_file(result)
        if outcome is not None:
            outcomes[index] = outcome
            report.files[index] = outcome.result
    return outcomes


def _show_diff(report: CheckReport) -> int:
    """--diff: every change on stdout; what was skipped and the count on stderr."""
    from warmplan.render.fixes import fix_count, skipped_notes, unified_diff

    outcomes = list(_fix_outcomes(report).values())
    State.printed = True
    sys.stdout.write("".join(unified_diff(o) for o in outcomes if o.changed))
    sys.stdout.flush()
    for line in skipped_notes(outcomes):
        err(line)
    fixed = sum(len(o.applied) for o in outcomes)
    err(fix_count(fixed, len(report.findings), dry_run=True))
    return EXIT_INVALID if any(o.changed for o in outcomes) else 0


@dataclass
class _Written:
    count: int = 0  # findings fixed in the files written
    unwritten: bool = False  # a file could not be written (it keeps its findings)


def _write_fixes(report: CheckReport) -> _Written:
    """--fix: write each fixed file atomically. A file that cannot be written is one
    line on stderr and keeps its findings; the skipped fixes are notes on stderr."""
    from warmplan.errors import OutputError
    from warmplan.render.files import rewrite_file
    from warmplan.render.fixes import skipped_notes

    originals = list(report.files)
    outcomes = _fix_outcomes(report)
    for line in skipped_notes(list(outcomes.values())):
        err(line)
    written = _Written()
    for index, outcome in outcomes.items():
        if not outcome.changed:
            continue
        try:
            rewrite_file(outcome.path, outcome.encoded())
        except OutputError as exc:
            err(f"error: {exc}")
            written.unwritten = True
            report.files[index] = originals[index]
            continue
        written.count += len(outcome.applied)
    return written

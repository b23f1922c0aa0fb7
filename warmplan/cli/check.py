"""`warmplan check`: the schedule linter for CI."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from warmplan.cli.common import EXIT_INVALID, State, reporting, resume_collection
from warmplan.limits import MAX_STEPS

if TYPE_CHECKING:
    from warmplan.lint.pyproject import Settings


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


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
        typer.Option("--format", "-f", help="text lines, one json object, or github annotations"),
    ] = CheckFormat.text,
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
    source_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Read every file as this format: warmplan | transformers | axolotl | deepspeed",
        ),
    ] = None,
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
        from warmplan.render.findings import RENDERERS

        # many files may fail to load, and each failure's traceback is a cycle: collect
        resume_collection()
        facts = {
            "training.dataset_size": dataset_size,
            "training.world_size": world_size,
            "training.steps": steps,
            "training.steps_per_epoch": steps_per_epoch,
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
        State.printed = True
        sys.stdout.write(RENDERERS[output_format.value](report))
        sys.stdout.flush()
    if report.failed(bool(settings.strict) if strict is None else strict):
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

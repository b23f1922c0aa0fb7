"""`warmplan check`: the schedule linter for CI."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from warmplan.cli.common import EXIT_INVALID, State, reporting, resume_collection
from warmplan.limits import MAX_STEPS


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
    steps_per_epoch: Annotated[
        int | None,
        typer.Option(help="Optimizer updates per epoch, for recipes (mmengine)", min=1),
    ] = None,
    source_format: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=(
                "Read every file as this format: warmplan | transformers | axolotl | "
                "deepspeed | mmengine | nanogpt"
            ),
        ),
    ] = None,
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
        report = check_paths(
            paths,
            ignore=ignore or [],
            max_steps=max_steps,
            overrides={k: v for k, v in facts.items() if v is not None},
            source_format=source_format,
        )
        State.printed = True
        sys.stdout.write(RENDERERS[output_format.value](report))
        sys.stdout.flush()
    if report.failed(strict):
        raise typer.Exit(EXIT_INVALID)

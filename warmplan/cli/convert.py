"""`warmplan convert`: another tool's config written as the equivalent warmplan plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan.cli.common import OutputArg, emit, load_with_flags, reporting
from warmplan.cli.flags import plan_flags


@plan_flags
def convert(
    config: Annotated[
        Path,
        typer.Argument(
            help="A transformers / axolotl / DeepSpeed config (or a plan)", show_default=False
        ),
    ],
    output: OutputArg = None,
    flags: Any = None,
) -> None:
    """Write the warmplan plan (a preset block) that a recipe amounts to, to pin and review.

    The run-time facts (--dataset-size, --world-size, --steps) are written into it."""
    with reporting():
        plan = load_with_flags(config, flags)
        from warmplan.render.plan_file import plan_yaml

        emit(iter([plan_yaml(plan)]), output, [config])

"""`warmplan code`: a plain-torch snippet that builds the plan's schedule."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from warmplan.cli.common import (
    ConfigArg,
    OutputArg,
    emit,
    load_with_flags,
    reporting,
)
from warmplan.cli.flags import plan_flags


@plan_flags
def code(
    config: ConfigArg = None,
    head: Annotated[
        int | None,
        typer.Option(help="The example loop prints only the first N intervals", min=1),
    ] = None,
    output: OutputArg = None,
    flags: Any = None,
) -> None:
    """Print a runnable PyTorch snippet that builds this schedule with plain torch classes."""
    with reporting():
        plan = load_with_flags(config, flags)
        from warmplan.schedule.codegen import snippet

        emit(iter([snippet(plan, head)]), output, [config] if config else [])

"""Simulating long plans with a progress bar for a person at a terminal."""

from __future__ import annotations

import os
import sys
from typing import Any

#: plans shorter than this simulate in about a second: no bar
PROGRESS_MIN_INTERVALS = 250_000


def simulate_with_progress(plan: Any, max_steps: int) -> Any:
    """simulate(), with a progress bar on stderr for a long plan when stderr is a terminal.

    The bar is drawn only from simulate's callback (every 65,536 intervals; no refresh
    thread), so the loop pays nothing for it; it is cleared when done or interrupted.
    """
    from warmplan.cli.common import resume_collection
    from warmplan.schedule.simulate import simulate

    try:
        if not shows_progress(plan):
            return simulate(plan, max_steps=max_steps)
        return _simulate_with_bar(plan, max_steps, simulate)
    finally:
        resume_collection()  # torch is imported: start-up is over (see cli.run)


def _simulate_with_bar(plan: Any, max_steps: int, simulate: Any) -> Any:
    from rich import progress as bars
    from rich.console import Console

    columns = (
        bars.TextColumn("simulating {task.description}", markup=False),  # the plan's name
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


def shows_progress(plan: Any) -> bool:
    """A bar only for a person at a terminal: never in pipes, files or CI logs (every
    CI service sets ``CI``; ``CI=false`` or ``0`` does not count)."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return plan.intervals >= PROGRESS_MIN_INTERVALS and sys.stderr.isatty() and not in_ci

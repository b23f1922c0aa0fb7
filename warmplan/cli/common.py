"""What every command shares: exit codes, the one-line error reporting, loading a plan
with its flags, and writing output to stdout or a file."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from warmplan import __version__

EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 1, 2, 3, 130


class State:
    debug = False
    #: whether this command has printed any of its output to stdout (for Ctrl-C's note)
    printed = False
    #: whether run() paused the cyclic GC for start-up (see resume_collection)
    collection_paused = False


def err(line: str) -> None:
    typer.echo(line, err=True)


@contextlib.contextmanager
def reporting() -> Iterator[None]:
    """Turn every failure into one line per problem on stderr and an exit code."""
    from warmplan.errors import UsageError, WarmplanError

    State.printed = False
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
        if State.printed:
            err("interrupted; the output written so far is incomplete")
        else:
            err("interrupted; no output was written")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        reader_left()
        raise typer.Exit(0) from None
    except Exception as exc:
        if State.debug:
            raise
        from warmplan.config.source import one_line

        err(
            f"internal error: {type(exc).__name__}: {one_line(str(exc))}. This is a bug in "
            f"warmplan {__version__}; rerun with --debug for the traceback and report it"
        )
        raise typer.Exit(EXIT_BUG) from None


def reader_left() -> None:
    """`warmplan show ... | head -1`: the reader has what it wanted and left. That is
    success (exit 0, nothing on stderr: `set -o pipefail` scripts go on), as for
    `seq 100000 | head -1`. Standard output is pointed at the null device, so the flush
    at interpreter exit of what is still buffered cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def stdout_console(**options: Any) -> Any:
    """A rich Console on stdout whose broken pipe is ours to report: rich's own
    handler exits 1 (an "invalid plan" by our exit codes); this one raises
    BrokenPipeError, which reporting() turns into exit 0."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return _Console(**options)


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
    from warmplan.cli.flags import collect_overrides
    from warmplan.errors import ConfigError, UsageError
    from warmplan.formats.load import load_plan

    overrides = collect_overrides(flags)
    if config is None and not overrides:
        raise UsageError(
            "give a config file, or define the plan with flags (--lr, "
            "--epochs, ...); see warmplan show --help"
        )
    try:
        plan = load_plan(config, overrides, source_format=flags.get("flag_from"))
    except ConfigError as exc:
        if config is not None:
            raise
        raise ConfigError([_in_flags(f) for f in exc.findings]) from None
    report_reading(plan, config)
    return plan


def report_reading(plan: Any, config: Path | None) -> None:
    """What loading said on the way: flags over file keys, a reader's warnings."""
    from warmplan.config.source import dotted_key

    for keypath, flag, line in plan.source.overridden:
        where = f"{config}:{line}" if line else str(config)
        err(f"note: {flag} overrides {dotted_key(keypath)} from {where}")
    for finding in plan.source.findings:
        err(finding.format())


#: what a plan made of flags alone is missing -> the flags that give it
_MISSING_FLAGS = {
    "training": "--epochs or --steps",
    "optimizer": "--lr",
    "optimizer.lr": "--lr",
}


def _in_flags(finding: Any) -> Any:
    """A plan made of flags alone: "missing required key training" names the flags."""
    from warmplan import errors

    flags = _MISSING_FLAGS.get(finding.key or "")
    if finding.code != errors.MISSING_KEY or flags is None:
        return finding
    what = "a training length" if finding.key == "training" else "a target LR"
    message = f"the plan needs {what}: give {flags} (or a config file)"
    return finding.at(message=message, path=errors.COMMAND_LINE)


def emit(chunks: Iterator[str], output: Path | None, inputs: list[Path]) -> None:
    """Write text to stdout, or atomically to ``output``."""
    if output is None:
        for chunk in chunks:
            State.printed = True
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    from warmplan.render.files import write_atomically, writes_in_place

    in_place = writes_in_place(output)  # -o /dev/stdout: what is written stays written

    def write(handle: Any) -> None:
        for chunk in chunks:
            State.printed = State.printed or in_place
            handle.write(chunk.encode("utf-8"))

    write_atomically(output, write, inputs)
    err(f"wrote {output}")


OutputArg = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file (atomically) instead of stdout"),
]

ConfigArg = Annotated[
    Path | None,
    typer.Argument(
        help="A plan in YAML (configs/ has examples). Optional when flags define the plan.",
        show_default=False,
    ),
]


def report_warnings(trace: Any) -> None:
    for warning in trace.warnings:
        where = (
            "while building"
            if warning.first_interval < 0
            else (f"first at {trace.plan.interval} {warning.first_interval}")
        )
        times = f", {warning.count} times" if warning.count > 1 else ""
        err(f"warning: torch {warning.category} {where}{times}: {warning.message}")


def report_unit_slips(plan: Any) -> None:
    """`check`'s WP115 note (values that look like epochs on a per-step plan), located
    at the key, on stderr: the plan still runs as written, so it is a warning here."""
    from warmplan.config.units import unit_slips

    for slip in unit_slips(plan):
        finding = plan.source.finding("WP115", slip.keypath, slip.message, severity="warning")
        err(finding.format())


def resume_collection() -> None:
    """Resume the cyclic GC that run() paused, skipping everything alive now for good.

    gc.freeze() moves the imported modules' objects (and the few thousand cycles start-up
    leaves behind) out of every later
    collection, so a long render or many plans pay only for what they create. In-process
    callers (tests, the API) never paused collection and are left alone.
    """
    if State.collection_paused:
        State.collection_paused = False
        gc.freeze()
        gc.enable()

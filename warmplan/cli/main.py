"""The `warmplan` command: the Typer app, its commands in the order `--help` lists them,
and the console-script entry point.

The commands (one module each beside this one) parse, call the core and render; the
core below `warmplan.cli` never prints or exits. Heavy modules (pydantic, torch,
matplotlib) are imported inside the commands, so `warmplan --help` stays instant.

Exit codes: 0 ok; 1 invalid config or failed check; 2 usage error; 3 a bug in
warmplan; 130 interrupted.
"""

from __future__ import annotations

import gc
from typing import Annotated

import typer

from warmplan import __version__
from warmplan.cli import check, code, convert, plot, rule, show, verify
from warmplan.cli.common import State, reporting

app = typer.Typer(
    name="warmplan",
    help="Plan, preview and check learning-rate warm-up and decay schedules, "
    "computed by torch's own schedulers.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: typer's rich formatter imports rich's Markdown stack
    # and costs more than typer itself; help must be instant (bench/perf.py, target 1).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    State.debug = debug


# Registered in the order `warmplan --help` lists them: the workflow order.
app.command()(show.show)
app.command()(plot.plot)
app.command()(check.check)
app.command()(rule.rule)
app.command()(verify.verify)
app.command()(code.code)
app.command()(convert.convert)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the plan format (for editors' YAML language servers)."""
    with reporting():
        import json

        from warmplan.config.models import Plan

        document = Plan.model_json_schema()
        document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        document["title"] = "warmplan plan"
        typer.echo(json.dumps(document, indent=2))


def run() -> None:
    """Console-script entry point: the command, with the cyclic GC paused while it starts.

    Start-up creates hundreds of thousands of long-lived objects (torch's import alone
    triggers full and partial collections), none of them garbage, so collecting while
    they are created is wasted work (bench/perf.py, target 2, measures the gain; the
    README's performance section has the figures). Collection
    resumes once the plans are simulated, or before `check` reads its files
    (resume_collection); commands that never get there (help, schema, code, config
    errors) are short and end before it matters.
    """
    gc.disable()
    State.collection_paused = True
    app()

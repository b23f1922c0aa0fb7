"""`warmplan rule`: the documentation page of a code, or the list of every code."""

from __future__ import annotations

from typing import Annotated

import typer

from warmplan.cli.common import reporting


def rule(
    code: Annotated[
        str | None,
        typer.Argument(help="A code, e.g. WP106; without one, every code", show_default=False),
    ] = None,
) -> None:
    """Explain a check code (what it catches, why, a bad and a fixed example), or list them."""
    with reporting():
        from warmplan.errors import UsageError
        from warmplan.lint import docs
        from warmplan.text import did_you_mean

        if code is None:
            width = max(len(severity) for _, severity, _ in docs.listing())
            for listed, severity, title in docs.listing():
                typer.echo(f"{listed}  {severity:<{width}}  {title}")
            return
        wanted = code.strip().upper()
        if wanted not in docs.codes():
            hint = did_you_mean(wanted, docs.codes())
            raise UsageError(f"no code {wanted}{hint}; `warmplan rule` lists them")
        typer.echo(docs.page(wanted), nl=False)

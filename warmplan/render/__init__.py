"""Renderers: a Trace (or check results) -> text, tables and figures. They return
values; only :mod:`warmplan.cli.main` prints."""

"""Renderers: a Trace (or check results) -> text, tables and figures. They return
values; only :mod:`warmplan.cli` writes to the terminal or to files it names."""

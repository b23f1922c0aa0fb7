"""The YAML loader plans are read with: PyYAML's safe loader, two fixes and a bound.

- ``1e-3`` and ``1.0e3`` are numbers, as in YAML 1.2 (and in JSON): PyYAML's YAML 1.1
  rules read them as text, so the most natural way to write a learning rate failed.
- Nesting is bounded while composing: PyYAML composes recursively, and a file of
  5,000 ``[`` would otherwise end in a RecursionError instead of a message.

Imported only when a plan is read (PyYAML is not needed for ``--help``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from warmplan.limits import MAX_DEPTH

#: Numbers with an exponent that YAML 1.1 (PyYAML) leaves as text: 1e-3, 1.0e3, .5E+2
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$")


class TooDeep(Exception):
    """Nesting beyond MAX_DEPTH, found at 1-based ``line:col``."""

    def __init__(self, line: int, col: int) -> None:
        super().__init__(f"nested too deep at {line}:{col}")
        self.line, self.col = line, col


class PlanLoader(yaml.SafeLoader):
    """A SafeLoader (no code ever runs) that reads exponent floats and bounds depth."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark
                raise TooDeep(mark.line + 1, mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


PlanLoader.add_implicit_resolver("tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789."))


def parse_scalar(text: str) -> Any:
    """One value as a plan file would read it (for ``--set key=value``)."""
    loader = PlanLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()

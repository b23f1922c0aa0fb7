"""Which rules run on which file: ``select`` and ``ignore`` (from pyproject.toml, then
the command line) and the globs of ``per-file-ignores`` and ``per-file-facts``.

A selector is a code (``WP109``) or a prefix of codes (``WP12``: the traps of other
tools' configs, WP120-WP127), as in ruff. The layers apply in order, as ruff's do: a
layer's ``select`` (when it has one) starts the set afresh, then its ``ignore`` takes
codes out; so ``--select`` on the command line replaces the table's ``select`` and
``ignore``, and ``--ignore`` takes codes out of whatever is selected.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path


def selects_any(selector: str, codes: Iterable[str]) -> bool:
    return any(code.startswith(selector) for code in codes)


def selected(selectors: Iterable[str], codes: Iterable[str]) -> set[str]:
    chosen = [s.strip().upper() for s in selectors]
    return {code for code in codes if any(code.startswith(s) for s in chosen)}


def enabled(
    codes: Iterable[str], layers: Sequence[tuple[Sequence[str] | None, Sequence[str]]]
) -> set[str]:
    """The codes that run after each ``(select, ignore)`` layer, in order."""
    every = set(codes)
    on = set(every)
    for select, ignore in layers:
        if select is not None:
            on = selected(select, every)
        on -= selected(ignore, every)
    return on


def glob_matches(pattern: str, path: str, root: Path) -> bool:
    """Whether ``path`` matches ``pattern``, a glob relative to ``root``; ``*`` matches
    across folders (``recipes/*.yaml`` covers ``recipes/hf/a.yaml``), as in ruff, and a
    pattern without ``/`` also matches the file's name alone."""
    absolute = Path(path).resolve()
    names = [absolute.name]
    with contextlib.suppress(ValueError):  # a file outside the project: its name alone
        names.append(absolute.relative_to(root.resolve()).as_posix())
    pattern = pattern.removeprefix("./")
    if "/" in pattern:
        names = names[1:]
    return any(fnmatch.fnmatchcase(name, pattern) for name in names)

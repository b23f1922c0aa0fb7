"""What `check --fix` and `check --diff` print: unified diffs, the fixes skipped, and
the count line (``Fixed 2 findings (1 remaining)``, as ruff words it)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from warmplan.text import counted

if TYPE_CHECKING:
    from warmplan.errors import Finding
    from warmplan.lint.fixer import FixOutcome


def unified_diff(outcome: FixOutcome) -> str:
    """The change as ``diff -u`` prints it, the file's path on both sides (as ruff
    --diff does); a last line without a newline is marked as diff marks it."""
    lines = difflib.unified_diff(
        outcome.original.splitlines(keepends=True),
        outcome.fixed.splitlines(keepends=True),
        fromfile=outcome.path,
        tofile=outcome.path,
    )
    marked = [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    ]
    return "".join(marked)


def skipped_notes(outcomes: list[FixOutcome]) -> list[str]:
    """One line per fix not applied, at its finding: ``path:line:col: note: ... [CODE]``."""
    return [
        f"{_place(finding)}: note: {why} [{finding.code}]"
        for outcome in outcomes
        for finding, why in outcome.skipped
    ]


def _place(finding: Finding) -> str:
    parts = [finding.path or "<plan>"]
    if finding.line is not None:
        parts.append(str(finding.line))
        if finding.col is not None:
            parts.append(str(finding.col))
    return ":".join(parts)


def fix_count(fixed: int, remaining: int, dry_run: bool) -> str:
    """``Fixed 2 findings (1 remaining)``; with --diff ``Would fix 2 findings (...)``."""
    verb = "Would fix" if dry_run else "Fixed"
    return f"{verb} {counted(fixed, 'finding')} ({remaining} remaining)"

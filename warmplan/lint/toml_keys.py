"""Where a key of a TOML file is written: tomllib gives values, never positions.

Enough TOML for the keys of one table and its sub-tables, as people write them in a
pyproject.toml: table headers (``[tool.warmplan.per-file-facts."recipes/*.yaml"]``),
keys and dotted keys at the start of a line (``per-file-ignores."a.yaml" = [...]``),
and keys of an inline table on the line of its own key (``x = { steps = 10 }``).
Bare and quoted keys compare by their value, so ``"ignore"`` is ``ignore``.
"""

from __future__ import annotations

import re

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*(?P<key>{_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(rf"^\s*(?P<key>{_DOTTED})\s*=")
_PARTS = re.compile(_PART)

Key = tuple[str, ...]


def _parts(dotted: str) -> Key:
    return tuple(_unquote(part) for part in _PARTS.findall(dotted))


def _unquote(part: str) -> str:
    if part[:1] in "\"'":
        return part[1:-1]
    return part


def locate(text: str, key: Key) -> tuple[int, int] | None:
    """(line, column), both from 1, of where ``key`` (a path from the file's top) is
    written; the nearest enclosing key's place when the key itself is not found on a
    line (an item of a multi-line array, say); None when nothing of it is written."""
    header: Key = ()
    best: tuple[int, tuple[int, int]] | None = None  # (parts matched, place)
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            header = _parts(match["key"])
            if key[: len(header)] == header:
                best = _better(best, len(header), (number, match.start("key") + 1))
            continue
        match = _ASSIGNMENT.match(line)
        if not match or key[: len(header)] != header:
            continue
        written = header + _parts(match["key"])
        if key[: len(written)] != written:
            continue
        place = (number, match.start("key") + 1)
        best = _better(best, len(written), place)
        rest = key[len(written) :]
        if rest:  # an inline table on this line: its keys in order
            best = _inline(line, match.end(), rest, best, number, len(written))
    return best[1] if best else None


def _better(
    best: tuple[int, tuple[int, int]] | None, depth: int, place: tuple[int, int]
) -> tuple[int, tuple[int, int]]:
    return (depth, place) if best is None or depth > best[0] else best


def _inline(
    line: str,
    start: int,
    rest: Key,
    best: tuple[int, tuple[int, int]] | None,
    number: int,
    depth: int,
) -> tuple[int, tuple[int, int]] | None:
    for part in rest:
        found = re.compile(rf"[{{,]\s*({_PART})\s*=").search(line, start)
        while found and _unquote(found[1]) != part:
            found = re.compile(rf"[{{,]\s*({_PART})\s*=").search(line, found.end())
        if not found:
            return best
        depth += 1
        best = _better(best, depth, (number, found.start(1) + 1))
        start = found.end()
    return best


def find_after(text: str, place: tuple[int, int], literal: str) -> tuple[int, int] | None:
    """The first place at or after ``place`` where ``literal`` (a quoted item, say) is
    written, within the next 50 lines."""
    lines = text.splitlines()
    first, col = place
    for number in range(first, min(first + 50, len(lines)) + 1):
        at = lines[number - 1].find(literal, col - 1 if number == first else 0)
        if at >= 0:
            return number, at + 1
    return None

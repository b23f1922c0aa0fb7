"""The offending line of a finding with a caret under the value (as rustc, actionlint):

```
configs/run.yaml:9:3: error: decay.T_max is 20 but ... [WP106]
  |
9 |   T_max: 20
  |          ^^
```

A finding points at a key (or a list item); the span underlined is that key's value when
it starts on the same line: found by composing the file with PyYAML, whose node marks
know where a plain scalar, a quoted string or a flow collection (``[30, 60]``, JSON)
begins and ends. A value on the next lines (a block), or a file that does not parse,
gets one caret under the finding's column.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warmplan.errors import Finding

#: the line breaks of YAML (and so of PyYAML's line numbers)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

Spans = dict[tuple[int, int], tuple[int, int]]

#: codes about the key itself (a typo, a duplicate): the key is underlined, not its value
KEY_CODES = frozenset({"WP004", "WP008", "WP121"})


def read_lines(path: str) -> tuple[list[str], Spans, Spans]:
    """A file's lines (tabs as one space each, so columns line up), its value spans
    ((line, col) of a key or item -> (first col, col after the last) of its value) and
    its key spans."""
    from pathlib import Path

    from warmplan.limits import MAX_FILE_BYTES

    try:
        if not Path(path).is_file():  # a FIFO is read once, by the loader
            return [], {}, {}
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return [], {}, {}
    if len(raw) > MAX_FILE_BYTES or b"\x00" in raw:
        return [], {}, {}
    text = raw.decode("utf-8-sig", errors="replace").replace("\t", " ")
    return (_LINE_BREAK.split(text), *spans_of(text))


def spans_of(text: str) -> tuple[Spans, Spans]:
    """(line, col) of every key and list item (1-based) -> the span of its value on
    that line (values starting on a later line are left out); and of every key -> the
    key's own span. Empty for text that does not parse."""
    import yaml

    from warmplan.config.yaml import PlanLoader, TooDeep

    try:
        loader = PlanLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, TooDeep, RecursionError):
        return {}, {}
    values: Spans = {}
    keys: Spans = {}
    if node is not None:
        _walk(node, values, keys, set())
    return values, keys


def _walk(node: Any, spans: Spans, keys: Spans, seen: set[int]) -> None:
    import yaml

    if id(node) in seen:  # an alias: its anchor's node, walked once
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _mark(spans, key, value, replace=True)
            _mark(keys, key, key, replace=True)
            _walk(value, spans, keys, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            # a block mapping item starts where its first key does: the key wins
            _mark(spans, item, item, replace=False)
            _walk(item, spans, keys, seen)


def _mark(spans: Spans, at: Any, value: Any, replace: bool) -> None:
    start, end = value.start_mark, value.end_mark
    where = (at.start_mark.line + 1, at.start_mark.column + 1)
    if start.line != at.start_mark.line or (not replace and where in spans):
        return
    last = end.column + 1 if end.line == start.line else -1  # -1: to the end of the line
    spans[where] = (start.column + 1, last)


def _printable(line: str) -> str:
    """One character per character (columns stay right), none a terminal would obey."""
    return "".join(c if c.isprintable() else "?" for c in line)


def snippet(finding: Finding, files: dict[str, tuple[list[str], Spans, Spans]]) -> list[str]:
    """The gutter, the source line and the caret line under ``finding`` ([] if none);
    ``files`` keeps each file read once per report."""
    if not finding.path or finding.line is None:
        return []
    if finding.path not in files:
        files[finding.path] = read_lines(finding.path)
    lines, values, keys = files[finding.path]
    spans = keys if finding.code in KEY_CODES else values
    if not 1 <= finding.line <= len(lines):
        return []
    source = _printable(lines[finding.line - 1]).rstrip()
    first, last = spans.get((finding.line, finding.col or 0), (finding.col, None))
    if first is None:  # no column: the line's first character
        first = len(source) - len(source.lstrip()) + 1
    if last == -1:
        last = len(source) + 1
    width = max((last or first + 1) - first, 1)
    number = str(finding.line)
    gutter = " " * len(number)
    return [f"{gutter} |", f"{number} | {source}", f"{gutter} | {' ' * (first - 1)}{'^' * width}"]

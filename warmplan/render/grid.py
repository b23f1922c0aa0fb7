"""Tables of any length: rich's Table for a screenful, streamed box-drawn lines beyond.

rich lays a Table out by measuring every cell of it, in memory: fine for the sampled
rows of `show`, far too slow and large for `show --all` of a long plan (the README's
performance section has the figures). Beyond STREAM_ROWS rows the same table (rich's
box characters, justification, bold header, row styles) is drawn here line by line, in
chunks that are printed and dropped one after the other, so memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

#: more rows than this are streamed (rich's Table renders this many in about half a second)
STREAM_ROWS = 2_000
#: lines per streamed chunk: printed at once, then dropped
CHUNK_LINES = 4_096
GAP_STYLE = "dim"

#: a row's cells (plain strings, or rich Text for a styled cell) and the row's style
Row = tuple[Sequence[Any], str | None]


#: the mark of a row that follows skipped rows, in a narrow first column
GAP_MARK = "⋮"


@dataclass(frozen=True)
class Grid:
    """A table as columns plus a row function over keys. A None key marks the next
    row as following skipped ones: a "⋮" in a narrow first column, not a row of its
    own, so a sampled table is no longer than its rows."""

    #: (header, "left" | "right")
    columns: Sequence[tuple[str, str]]
    keys: Sequence[int | None]
    row: Callable[[int], Row]

    def renderables(self) -> list[Any]:
        """One rich Table, or for a long table an iterator of its chunks (Lines)."""
        if len(self.keys) <= STREAM_ROWS:
            return [self._rich_table()]
        return [self._stream()]

    @property
    def _marked(self) -> bool:
        return not isinstance(self.keys, range) and None in self.keys

    def _columns(self) -> Sequence[tuple[str, str]]:
        return [("", "left"), *self.columns] if self._marked else self.columns

    def _rows(self) -> Iterator[Row]:
        from rich.text import Text

        marked, after_gap = self._marked, False
        for key in self.keys:
            if key is None:
                after_gap = True
                continue
            cells, style = self.row(key)
            if marked:
                cells = [Text(GAP_MARK, style=GAP_STYLE) if after_gap else "", *cells]
            after_gap = False
            yield cells, style

    def _rich_table(self) -> Any:
        from rich.table import Table

        table = Table(header_style="bold")
        for header, justify in self._columns():
            table.add_column(literal(header), justify=justify)  # type: ignore[arg-type]
        for cells, style in self._rows():
            table.add_row(*map(literal, cells), style=style)
        return table

    def _stream(self) -> Iterator[Lines]:
        from rich import box

        columns = self._columns()
        widths = [cell_len(header) for header, _ in columns]
        for cells, _ in self._rows():  # a first pass for the widths: no row is kept
            for i, cell in enumerate(cells):
                widths[i] = max(widths[i], cell_len(_plain(cell)))
        right = [justify == "right" for _, justify in columns]
        shape = box.HEAVY_HEAD  # rich's Table default
        padded = [w + 2 for w in widths]
        head = (shape.head_left, shape.head_vertical, shape.head_right)
        body = (shape.mid_left, shape.mid_vertical, shape.mid_right)
        chunk = Lines()
        chunk.add(shape.get_top(padded))
        chunk.add(*_line([h for h, _ in columns], widths, right, head, "bold"))
        chunk.add(shape.get_row(padded, "head"))
        for cells, style in self._rows():
            chunk.add(*_line(cells, widths, right, body, style))
            if len(chunk.lines) == CHUNK_LINES:
                yield chunk
                chunk = Lines()
        chunk.add(shape.get_bottom(padded))
        yield chunk


class Lines:
    """Finished lines of a streamed table, with their styled spans; renders to rich
    Segments: one Segment for the whole chunk on a console without colour."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.spans: list[list[tuple[int, int, str]]] = []

    def add(self, line: str, spans: list[tuple[int, int, str]] | None = None) -> None:
        self.lines.append(line)
        self.spans.append(spans or [])

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.segment import Segment

        if console.no_color or console.color_system is None:
            yield Segment("\n".join(self.lines) + "\n")
            return
        styles: dict[str, Any] = {}
        newline = Segment.line()
        for line, spans in zip(self.lines, self.spans, strict=True):
            at = 0
            for start, end, style in spans:
                if style not in styles:
                    styles[style] = console.get_style(style)
                yield Segment(line[at:start])
                yield Segment(line[start:end], styles[style])
                at = end
            yield Segment(line[at:])
            yield newline


def _line(
    cells: Sequence[Any],
    widths: list[int],
    right: list[bool],
    edges: tuple[str, str, str],
    row_style: str | None,
) -> tuple[str, list[tuple[int, int, str]]]:
    """One table line: its text, and the (start, end, style) of every styled cell."""
    left, vertical, end = edges
    parts, spans, at = [left], [], len(left)
    for i, cell in enumerate(cells):
        if i:
            parts.append(vertical)
            at += len(vertical)
        plain = _plain(cell)
        pad = " " * (widths[i] - cell_len(plain))
        text = f" {pad}{plain} " if right[i] else f" {plain}{pad} "
        style = getattr(cell, "style", None) or row_style
        if style:
            start = at + 1 + (len(pad) if right[i] else 0)
            spans.append((start, start + len(plain), str(style)))
        parts.append(text)
        at += len(text)
    parts.append(end)
    return "".join(parts), spans


def literal(cell: Any) -> Any:
    """A str cell as rich Text: plan names are the user's, and rich would read "[x]" in
    them as markup (and "[/]" as an error)."""
    from rich.text import Text

    return Text(cell) if isinstance(cell, str) else cell


def each_renderable(parts: Iterable[Any]) -> Iterator[Any]:
    """``parts`` with every streamed table (an iterator of chunks) flattened, lazily."""
    for part in parts:
        if isinstance(part, Iterator):
            yield from part
        else:
            yield part


def _plain(cell: Any) -> str:
    return cell if isinstance(cell, str) else cell.plain

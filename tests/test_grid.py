"""Long tables: streamed line by line, drawn exactly as rich draws the same Table."""

from __future__ import annotations

import csv
import io
import math
import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from tests.test_lean import MIB, _peak, _step_plan, _synthetic_trace
from warmplan.cli.main import app
from warmplan.render import grid
from warmplan.render.grid import Grid, each_renderable
from warmplan.render.table import render_show

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _grid(rows: int) -> Grid:
    """Justified both ways, a gap (marked on the row after it), row styles and a cell
    styled on its own."""
    keys = [None, *range(3, 3 + rows)]

    def row(key: int):
        phase = "warmup" if key % 3 else "衰减" if key % 7 == 0 else "decay"  # wide cells
        cells = [str(key), phase, f"{1e-3 / key:.6g}"]
        if key % 5 == 0:
            cells[2] = Text(cells[2], style="bold red")
        return cells, ("yellow" if key % 3 else None)

    columns = [("step", "right"), ("phase", "left"), ("a long lr header", "right")]
    return Grid(columns, keys, row)


def _text(renderables, **console_options) -> str:
    console = Console(file=io.StringIO(), width=200, **console_options)
    for part in each_renderable(renderables):
        console.print(part, crop=False)
    return console.file.getvalue()


def test_a_streamed_table_is_the_table_rich_draws():
    # rich itself is the oracle: the same rows through its Table and through the stream
    table = _grid(50)
    expected = _text([table._rich_table()])
    assert _text([table._stream()]) == expected
    # rows, 3 header lines, bottom: the gap is a mark on the row after it, not a row
    assert expected.count("\n") == 50 + 4
    assert expected.splitlines()[3].startswith("│ ⋮ │    3 │")


def test_a_streamed_table_keeps_the_styles_on_a_colour_terminal():
    table = _grid(40)
    colour = {"force_terminal": True, "color_system": "standard"}
    streamed = _text([table._stream()], **colour)
    assert ANSI.sub("", streamed) == _text([table._stream()])
    assert "\x1b[33mwarmup\x1b[0m" in streamed  # the row's style on its cells
    assert "\x1b[1;31m" in streamed  # the cell's own style wins over the row's
    assert "\x1b[1m" in streamed.splitlines()[1]  # bold header
    assert "\x1b" not in streamed.splitlines()[0]  # borders are not styled


def test_only_long_tables_are_streamed(monkeypatch):
    monkeypatch.setattr(grid, "STREAM_ROWS", 30)
    assert type(_grid(29).renderables()[0]).__name__ == "Table"
    streamed = _grid(30).renderables()[0]
    monkeypatch.setattr(grid, "CHUNK_LINES", 8)
    chunks = list(streamed)
    assert len(chunks) == math.ceil((3 + 31 + 1) / 8)  # header, rows, bottom: 8 a chunk
    assert all(len(chunk.lines) == 8 for chunk in chunks[:-1])


def test_show_all_of_a_long_plan_lists_every_lr(tmp_path):
    # more rows than STREAM_ROWS: the streamed table against the CSV of the same plan
    flags = ["--lr", "1e-3", "--epochs", "1", "--steps-per-epoch", str(grid.STREAM_ROWS * 2)]
    flags += ["--interval", "step", "--warmup", "linear", "--warmup-length", "100"]
    flags += ["--decay", "cosine", "--eta-min", "1e-6"]
    runner = CliRunner()
    shown = runner.invoke(app, ["show", *flags, "--by", "step", "--all"])
    exported = runner.invoke(app, ["show", *flags, "-f", "csv"])
    assert shown.exit_code == 0 and exported.exit_code == 0
    rows = [line.split("│")[1:-1] for line in shown.stdout.splitlines() if line.startswith("│")]
    expected = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(rows) == len(expected) == grid.STREAM_ROWS * 2
    for cells, want in zip(rows, expected, strict=True):
        step, _, phase, lr = (cell.strip() for cell in cells)
        assert (step, phase) == (want["step"], want["phase"])
        assert math.isclose(float(lr), float(want["lr"]), rel_tol=5e-6)


def test_show_all_memory_does_not_grow_with_the_rows(monkeypatch):
    # (rich's Table held every cell: a 1M-step `show --all` peaked at 2.9 GB, ~2.9 KB a
    # row.) Measured at chunks of 256 lines instead of 4,096, on 5,000 and 10,000 rows
    # (20 and 40 chunks, both past STREAM_ROWS), where it was 20,000 and 100,000 rows at
    # the full chunk: the same claim (doubling the rows adds next to nothing) in a tenth
    # of the tracemalloc time; a table holding its cells would add ~14 MB here.
    monkeypatch.setattr(grid, "CHUNK_LINES", 256)

    def peak(rows: int) -> int:
        trace = _synthetic_trace(_step_plan(rows, step_size=1))

        def table() -> None:
            with open(os.devnull, "w") as sink:
                console = Console(file=sink, width=120)
                for part in each_renderable(render_show(trace, "step", all_rows=True)):
                    console.print(part, crop=False)

        return _peak(table)

    small, large = peak(5_000), peak(10_000)
    assert large < small * 1.2 + MIB / 8, (small / MIB, large / MIB)
    assert large < 12 * MIB


# printable cells as the tables hold them: numbers, phase names, plan labels (any script;
# not a lone modifier symbol such as an emoji skin tone, which rich drops from a cell)
_cell = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "Sm", "Sc", "So", "Zs")),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() == text and "[" not in text)


@settings(max_examples=60, deadline=None)
@given(
    justify=st.lists(st.sampled_from(["left", "right"]), min_size=1, max_size=4),
    data=st.data(),
)
def test_any_streamed_table_is_the_table_rich_draws(justify, data):
    width = len(justify)
    rows = data.draw(st.lists(st.lists(_cell, min_size=width, max_size=width), max_size=12))
    headers = data.draw(st.lists(_cell, min_size=width, max_size=width))
    gaps = data.draw(st.sets(st.integers(0, len(rows)), max_size=3))
    keys = [k for i in range(len(rows)) for k in ([None] if i in gaps else []) + [i]]
    table = Grid(list(zip(headers, justify, strict=True)), keys, lambda i: (rows[i], None))
    assert _text([table._stream()]) == _text([table._rich_table()])

"""CSV, JSON and Markdown renderings of a trace (one row per interval).

Floats are written with ``repr``: the shortest text that reads back as the same
float64, so a CSV round-trips bit for bit.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from warmplan.render.rows import lr_columns
from warmplan.render.summary import summarize

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace

#: Rows rendered at a time: their Python objects (cells, lines) live for one chunk only.
CHUNK = 16384


def _text_rows(
    trace: Trace, chunk: int, names: list[str], number: Callable[[float], str] = repr
) -> Iterator[tuple[int, Iterator[tuple[str, ...]]]]:
    """``(first row, rows)`` a chunk at a time; a row is its text cells: step, epoch,
    phase (``names[index]``), then each group's LR through ``number``.

    Built column-wise with ``map`` over whole chunks: a million rows in about a second,
    where a per-row f-string costs several.
    """
    phases = trace.phase_index()
    for start in range(0, trace.intervals, chunk):
        stop = min(start + chunk, trace.intervals)
        columns = [
            map(str, trace.first_step(start, stop).tolist()),
            map(str, trace.epoch(start, stop).tolist()),
            map(names.__getitem__, phases[start:stop].tolist()),
            *(map(number, trace.lr[start:stop, g].tolist()) for g in range(trace.lr.shape[1])),
        ]
        yield start, zip(*columns, strict=True)


def csv_header(names: list[str]) -> str:
    """A CSV header line; names (groups, plans) are the user's and may hold , or "."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(names)
    return buffer.getvalue()


def markdown_cell(text: str) -> str:
    """``text`` for a Markdown table cell: a | of its own would split the cell."""
    return text.replace("|", "\\|")


def csv_chunks(trace: Trace, chunk: int = CHUNK) -> Iterator[str]:
    """``step,epoch,phase,lr`` (or ``lr/<group>`` columns), one row per interval."""
    yield csv_header(["step", "epoch", "phase", *lr_columns(trace)])
    for _, rows in _text_rows(trace, chunk, trace.phase_names()):
        yield "\n".join(map(",".join, rows)) + "\n"


def json_head(trace: Trace) -> dict[str, Any]:
    """The JSON document without its rows: the summary and torch's warnings."""
    return {
        "summary": summarize(trace).as_dict(),
        "warnings": [
            {
                "category": w.category,
                "message": w.message,
                "first_interval": w.first_interval,
                "count": w.count,
            }
            for w in trace.warnings
        ],
    }


def json_chunks(trace: Trace, chunk: int = CHUNK) -> Iterator[str]:
    """``{"summary": ..., "warnings": [...], "rows": [{step, epoch, phase, lr...}]}``.

    The text ``json.dumps(document, indent=1)`` would give, streamed: the rows are
    written a chunk at a time, column-wise like the CSV, so a 10M-row export never
    holds a dict (or a string) per row.
    """
    head = json.dumps(json_head(trace), indent=1)
    yield head[: -len("\n}")] + ',\n "rows": ['
    keys = [json.dumps(key) for key in ("step", "epoch", "phase", *lr_columns(trace))]
    row = "\n  {\n" + ",\n".join(f"   {key}: %s" for key in keys) + "\n  }"
    names = [json.dumps(name) for name in trace.phase_names()]
    for start, rows in _text_rows(trace, chunk, names):
        yield ("," if start else "") + ",".join(row % cells for cells in rows)
    yield "\n ]\n}\n" if trace.intervals else "]\n}\n"


def markdown_chunks(trace: Trace, chunk: int = CHUNK) -> Iterator[str]:
    header = ["step", "epoch", "phase", *lr_columns(trace)]
    yield "| " + " | ".join(map(markdown_cell, header)) + " |\n"
    yield "|" + "|".join("---:" if h != "phase" else "---" for h in header) + "|\n"
    for _, rows in _text_rows(trace, chunk, trace.phase_names(), "{:.6g}".format):
        yield "".join(f"| {' | '.join(cells)} |\n" for cells in rows)


EXPORTERS = {"csv": csv_chunks, "json": json_chunks, "markdown": markdown_chunks}

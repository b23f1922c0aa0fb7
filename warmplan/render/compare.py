"""Several plans side by side (`warmplan show a.yaml b.yaml ...`): one LR column per
plan, rows aligned on the interval, cells that differ from the first plan highlighted,
and a table of what differs (first LR, LR at the end of warm-up, peak, the last
step's LR).

Only the first param group of each plan is compared.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from warmplan.errors import UsageError
from warmplan.render.export import csv_header, markdown_cell
from warmplan.render.grid import Grid, Row, literal
from warmplan.render.rows import landmarks, table_rows
from warmplan.render.summary import warmup_end as end_of_warmup
from warmplan.render.table import fmt_lr

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace

DIFFERS = "bold yellow"


def check_comparable(traces: list[Trace]) -> None:
    units = {trace.plan.interval for trace in traces}
    if len(units) > 1:
        raise UsageError(
            "plans compared side by side must step their schedulers alike "
            f"(training.interval), got {' and '.join(sorted(units))}"
        )


def _differs(value: float, reference: float) -> bool:
    return not math.isclose(value, reference, rel_tol=1e-9, abs_tol=1e-15)


def _same_lrs(trace: Trace, reference: Trace) -> bool:
    """Whether the two plans give the same LR (first group) at every interval, by the
    tolerance that highlights a cell."""
    import numpy as np

    if trace.intervals != reference.intervals:
        return False
    return bool(np.isclose(trace.lr[:, 0], reference.lr[:, 0], rtol=1e-9, atol=1e-15).all())


def _lr(trace: Trace, t: int) -> float | None:
    return float(trace.lr[t, 0]) if t < trace.intervals else None


def warmup_end(traces: list[Trace]) -> int:
    """The interval the plans' warm-up ends at, where most of them end it (the first
    plan's among equals): one column for all, whatever the order of the plans."""
    from collections import Counter

    ends = Counter(end_of_warmup(trace) for trace in traces)
    return ends.most_common(1)[0][0]


def differences(traces: list[Trace]) -> list[dict[str, Any]]:
    """Per plan: first LR, LR at the warm-up's end, peak and where, final."""
    end = warmup_end(traces)
    rows = []
    for trace in traces:
        column = trace.lr[:, 0]
        peak_at = int(column.argmax())
        rows.append(
            {
                "plan": trace.plan.label,
                "first": float(column[0]),
                "second": _lr(trace, 1),
                "warmup_end": _lr(trace, end),
                "peak": float(column[peak_at]),
                "peak_at": peak_at,
                "final": float(column[-1]),
                "final_at": trace.intervals - 1,
            }
        )
    return rows


def _headers(traces: list[Trace]) -> list[str]:
    unit = traces[0].plan.interval
    end = warmup_end(traces)
    return [
        "plan",
        f"first LR ({unit} 0)",
        f"{unit} 1",
        f"end of warm-up ({unit} {end})",
        "peak (at)",
        "last step's LR (at)",
    ]


def _cells(row: dict[str, Any]) -> list[str]:
    def lr(value: float | None) -> str:
        return "—" if value is None else fmt_lr(value)

    return [
        row["plan"],
        lr(row["first"]),
        lr(row["second"]),
        lr(row["warmup_end"]),
        f"{fmt_lr(row['peak'])} ({row['peak_at']})",
        f"{fmt_lr(row['final'])} ({row['final_at']})",
    ]


def render_compare(traces: list[Trace], limit: int = 200, all_rows: bool = False) -> list[Any]:
    """Renderables: the table of what differs, then the LR table, one column per plan."""
    from rich.table import Table
    from rich.text import Text

    same = all(_same_lrs(trace, traces[0]) for trace in traces[1:])
    title = "the same LRs in every plan" if same else "what differs"
    summary = Table(title=title, header_style="bold")
    for header in _headers(traces):
        summary.add_column(header, justify="left" if header == "plan" else "right")
    for row in differences(traces):
        summary.add_row(*map(literal, _cells(row)))
    columns = [(traces[0].plan.interval, "right")] + [(t.plan.label, "right") for t in traces]
    count = max(trace.intervals for trace in traces)
    keep = set().union(*(landmarks(trace) for trace in traces))
    keys = table_rows(count, keep, limit, all_rows, warmup_end(traces))

    def lrs_at(t: int) -> Row:
        reference = _lr(traces[0], t)
        cells: list[str | Text] = [str(t)]
        for trace in traces:
            value = _lr(trace, t)
            differs = value is None or reference is None or _differs(value, reference)
            text = "—" if value is None else fmt_lr(value)
            cells.append(Text(text, style=DIFFERS) if differs else text)
        return cells, None

    note = Text(
        f"no LR differs from {traces[0].plan.label}"
        if same
        else f"highlighted: differs from {traces[0].plan.label}",
        style="dim",
    )
    return [summary, *Grid(columns, keys, lrs_at).renderables(), note]


def compare_csv(traces: list[Trace]) -> Iterator[str]:
    """``<interval>,<plan>,<plan>...``: every interval, floats by ``repr``, blank past a
    plan's end."""
    yield csv_header([traces[0].plan.interval, *(t.plan.label for t in traces)])
    for t in range(max(trace.intervals for trace in traces)):
        values = [_lr(trace, t) for trace in traces]
        yield f"{t}," + ",".join("" if v is None else repr(v) for v in values) + "\n"


def compare_markdown(traces: list[Trace]) -> Iterator[str]:
    """The table of what differs, in Markdown (the README's table comes from it)."""
    headers = _headers(traces)
    yield "| " + " | ".join(headers) + " |\n"
    yield "|---|" + "---:|" * (len(headers) - 1) + "\n"
    for row in differences(traces):
        yield "| " + " | ".join(map(markdown_cell, _cells(row))) + " |\n"

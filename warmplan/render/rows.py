"""Which rows of a trace a view shows, shared by the table and the exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace


def lr_columns(trace: Trace) -> list[str]:
    """``lr``, or ``lr/<group>`` per group when there are several."""
    groups = trace.groups
    return ["lr"] if len(groups) == 1 else [f"lr/{name}" for name in groups]


#: A sampled view keeps the rows around each asked-for step while there are at most
#: this many; a step decay that drops every few intervals is sampled evenly instead.
MAX_BOUNDARY_LANDMARKS = 1_000


def landmarks(trace: Trace) -> set[int]:
    """Rows a sampled view must keep: ends, phase changes and asked-for steps."""
    last = trace.intervals - 1
    marks = {0, 1, last}
    for phase in trace.layout.phases:
        marks.update({phase.start - 1, phase.start, phase.end - 1})
    boundaries = trace.layout.boundaries
    if len(boundaries) <= MAX_BOUNDARY_LANDMARKS:
        for boundary in boundaries:
            marks.update({boundary - 1, boundary})
    return {m for m in marks if 0 <= m <= last}


def sample(count: int, keep: Iterable[int], limit: int) -> list[int]:
    """At most about ``limit`` sorted row indices out of ``count``: the ``keep`` ones,
    filled up with evenly spaced rows. All rows when ``count <= limit``."""
    if count <= limit:
        return list(range(count))
    chosen = {k for k in keep if 0 <= k < count}
    spare = max(limit - len(chosen), 2)
    stride = (count - 1) / (spare - 1)
    chosen.update(round(i * stride) for i in range(spare))
    return sorted(chosen)


def table_rows(count: int, keep: Iterable[int], limit: int, all_rows: bool) -> Sequence[int | None]:
    """The rows a table shows: every one of ``count``, or a sample of about ``limit``
    (see sample) with a None (a "…" row) wherever the sample skips some."""
    if all_rows:
        return range(count)
    rows: list[int | None] = []
    previous = -1
    for key in sample(count, keep, limit):
        if key != previous + 1:
            rows.append(None)
        rows.append(key)
        previous = key
    return rows

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
#: rows a sampled table gives the inside of a warm-up that its round rows miss
WARMUP_ROWS = 3
#: round strides: 1, 2, 5, 10, 20, 50, ... (the rows read 0, 5,000, 10,000, ...)
_MANTISSAS = (1, 2, 5)


def landmarks(trace: Trace) -> set[int]:
    """Rows a sampled view must keep: the first and last, where each phase starts and
    ends, each group's peak, and the asked-for steps (milestones)."""
    last = trace.intervals - 1
    marks = {0, last, *(int(i) for i in trace.lr.argmax(axis=0))}
    for phase in trace.layout.phases:
        marks.update({phase.start, phase.end - 1})
    marks.update(_boundaries(trace))
    return {m for m in marks if 0 <= m <= last}


def before_landmarks(trace: Trace) -> set[int]:
    """The row before each phase start and asked-for step (the LR it drops or rises
    from): kept when there is room for them."""
    starts = {phase.start for phase in trace.layout.phases}
    return {m - 1 for m in starts | set(_boundaries(trace)) if m >= 1}


def _boundaries(trace: Trace) -> list[int]:
    boundaries = trace.layout.boundaries
    return list(boundaries) if len(boundaries) <= MAX_BOUNDARY_LANDMARKS else []


def round_stride(span: int, slots: int) -> int:
    """The smallest round stride (1, 2, 5 x 10^k) with at most ``slots`` multiples
    in ``range(span)``."""
    stride, power = 1, 1
    while True:
        for mantissa in _MANTISSAS:
            stride = mantissa * power
            if -(-span // stride) <= max(slots, 1):
                return stride
        power *= 10


def sample(
    count: int, keep: Iterable[int], limit: int, warmup: int = 0, extra: Iterable[int] = ()
) -> list[int]:
    """About ``limit`` sorted row indices out of ``count`` (all of them when they fit):
    the ``keep`` rows, a few round rows inside a warm-up of ``warmup`` rows that the
    others would skip, the ``extra`` rows if there is room, and the multiples of the
    finest round stride (0, 5,000, 10,000, ...) that fill the rest."""
    if count <= limit:
        return list(range(count))
    chosen = {k for k in keep if 0 <= k < count}
    if warmup > WARMUP_ROWS:
        step = round_stride(warmup, WARMUP_ROWS + 1)
        chosen.update(range(step, warmup, step))
    optional = {k for k in extra if 0 <= k < count} - chosen
    if len(chosen) + len(optional) <= limit // 2:
        chosen |= optional
    stride = round_stride(count, max(limit - len(chosen), 1))
    while stride < count:
        grid = set(range(0, count, stride))
        if len(chosen | grid) <= limit:
            return sorted(chosen | grid)
        stride = round_stride(count, -(-count // stride) - 1)  # the next coarser one
    return sorted(chosen)


def table_rows(
    count: int,
    keep: Iterable[int],
    limit: int,
    all_rows: bool,
    warmup: int = 0,
    extra: Iterable[int] = (),
) -> Sequence[int | None]:
    """The rows a table shows: every one of ``count``, or a sample of about ``limit``
    (see sample) with a None before each row that follows skipped ones (the table
    marks that row; it adds no row)."""
    if all_rows:
        return range(count)
    rows: list[int | None] = []
    previous = -1
    for key in sample(count, keep, limit, warmup, extra):
        if key != previous + 1:
            rows.append(None)
        rows.append(key)
        previous = key
    return rows

"""The small curve `warmplan show` draws above its table, with plotext.

plotext renders braille dots (2 x 4 per character cell) to a string, so the curve is
text: a terminal shows it, a pipe or a file gets it as plain characters. Long traces
go through the same min/max reduction as the figures, at two points per character
column (one per braille dot column), so a million-step plan costs what a short one
does and its spikes and steps still show.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from warmplan.render.reduce import minmax_indices
from warmplan.render.summary import warmup_end

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace

#: rows of the curve, its frame and tick labels included; wider terminals get a wider one
HEIGHT = 12
MIN_WIDTH, MAX_WIDTH = 40, 120
_GREY = 8  # the 256-color code of the warm-up end line
#: plotext paints a full line's cells on a white background whatever the theme; the
#: curve keeps the terminal's own (light or dark), so background codes are dropped
_BACKGROUND = re.compile(r"\x1b\[48;5;\d+m")


def curve_size(columns: int, rows: int | None) -> tuple[int, int]:
    """The curve's (width, height) in character cells for a terminal of this size."""
    width = max(MIN_WIDTH, min(MAX_WIDTH, columns))
    height = HEIGHT if rows is None else max(6, min(HEIGHT, rows // 3))
    return width, height


def render_curve(trace: Trace, width: int = 80, height: int = HEIGHT, color: bool = True) -> str:
    """The trace's LR per interval as a braille line chart, ``width`` x ``height``
    cells, with a dotted vertical line where the warm-up ends. ANSI colors if ``color``.
    """
    import plotext

    figure = plotext.figure
    figure.clear()
    figure.plot_size(width, height)
    # "simple" colors the lines only: no background, so it suits light and dark terminals
    figure.theme("simple" if color else "colorless")
    lr = trace.lr
    for g in range(lr.shape[1]):
        keep = minmax_indices(lr[:, g], 2 * width)
        signal = figure.signal(keep.tolist(), lr[keep, g].tolist(), marker="braille")
        signal.lines()
        if lr.shape[1] > 1:
            signal.label(trace.groups[g])
        figure.draw(signal)
    warmup = warmup_end(trace)
    if 0 < warmup < trace.intervals:
        figure.line(warmup, orientation="vertical", style="dotted", pixel=_GREY)
    figure.ruler("x").ticks(*_interval_ticks(trace.intervals))
    return _BACKGROUND.sub("", figure.build().string(colorless=not color))


def _interval_ticks(intervals: int) -> tuple[list[int], list[str]]:
    """Whole-number ticks at round intervals: 0, 5, 10 ... rather than 3.2, 6.3 ..."""
    last = intervals - 1
    if last <= 0:
        return [0], ["0"]
    raw = last / 5
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    positions = list(range(0, last + 1, step))
    return positions, [f"{p:,}" for p in positions]

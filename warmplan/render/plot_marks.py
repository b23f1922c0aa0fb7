"""What `warmplan plot` writes on its curves: point markers, the peak and final labels
of a single line, and the legend's key to them.

The final label of a single line is placed where it hides nothing: its box above every
LR drawn under it, its leader line dropped from the box's right end to the middle of
the last interval, where the only thing drawn is that interval's own level (the step
down into it is at its left end). Text extents are only known once matplotlib has laid
the figure out, so place_final_labels measures a laid-out figure and moves the labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from warmplan.schedule.simulate import Trace

_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.85, "linewidth": 0}
#: points between a label's box and the highest LR drawn under it
CLEARANCE = 4.0
#: the final label's offset from its point before placing: right of the leader, above
FINAL_OFFSET = (3.0, 14.0)


def mark(ax: Axes, xy: tuple[float, float], gid: str, marker: str, edge: str, face: str) -> None:
    ax.plot(
        [xy[0]],
        [xy[1]],
        marker=marker,
        markersize=5 if marker == "o" else 4,
        markerfacecolor=face,
        markeredgecolor=edge,
        markeredgewidth=1.4 if marker == "o" else 0.8,
        linestyle="none",
        zorder=4,
        gid=gid,
    )


def label_peak(
    ax: Axes, xy: tuple[float, float], text: str, color: str, trace: Trace, scale: float
) -> None:
    # a peak near the left edge gets its label to the right, not cut in half; nothing
    # is drawn above the highest LR, so a label over it covers nothing
    ha = "left" if xy[0] < 0.08 * trace.intervals * scale else "center"
    _annotate(ax, xy, text, color, "peak", (0, 8), ha, None)


def label_final(ax: Axes, xy: tuple[float, float], text: str, color: str) -> None:
    leader = {
        "arrowstyle": "-",
        "color": color,
        "linewidth": 0.7,
        "shrinkA": 0,
        "shrinkB": 2,
        "relpos": (1.0, 0.0),  # from the box's bottom right corner: about straight down
    }
    _annotate(ax, xy, text, color, "final", FINAL_OFFSET, "right", leader)


def _annotate(
    ax: Axes,
    xy: tuple[float, float],
    text: str,
    color: str,
    gid: str,
    offset: tuple[float, float],
    ha: str,
    arrowprops: dict[str, Any] | None,
) -> None:
    annotation = ax.annotate(
        text,
        xy=xy,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va="bottom",
        fontsize=8,
        color=color,
        gid=gid,
        zorder=5,
        bbox=_BOX,
        arrowprops=arrowprops,
    )
    annotation.set_in_layout(False)  # moved after layout: it must not move the axes


def place_final_labels(figure: Figure, ax: Axes, drawn: Sequence[np.ndarray], scale: float) -> None:
    """Raise each final label until its box clears every LR drawn under it (``drawn``:
    the LRs per line, as drawn, in intervals of ``scale`` x units)."""
    import math

    from matplotlib.text import Annotation

    labels = [a for a in ax.texts if isinstance(a, Annotation) and a.get_gid() == "final"]
    if not labels:
        return
    import warnings

    with warnings.catch_warnings():
        # a tiny --size leaves no room to lay out: drawn cramped, as asked (save_figure)
        warnings.filterwarnings("ignore", "constrained_layout not applied")
        figure.draw_without_rendering()  # lays the figure out: text extents are known
    to_data = ax.transData.inverted()
    for label, lr in zip(labels, drawn, strict=True):
        patch = label.get_bbox_patch()
        if patch is None:
            continue
        box = patch.get_window_extent()  # in the layout just drawn
        (left, _), (right, _) = to_data.transform([(box.x0, box.y0), (box.x1, box.y0)])
        first = max(0, math.floor(left / scale))
        last = min(len(lr) - 1, math.ceil(right / scale))
        highest = float(lr[first : last + 1].max()) if first <= last else float(lr[-1])
        under = ax.transData.transform((0.0, highest))[1]
        lift = under + CLEARANCE * figure.dpi / 72 - box.y0
        if lift > 0:
            x, y = label.xyann
            label.xyann = (x, y + lift * 72 / figure.dpi)


def legend_handles(
    ax: Axes,
    traces: Sequence[Trace],
    inline: bool,
    boundary_style: dict[str, Any],
    boundaries: Callable[[Trace], list[int]],
) -> list[Any]:
    """The plans' lines (not a single one: the title names it), then a key to the
    marks actually drawn, the shading and the vertical lines."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = (
        []
        if inline
        else [line for line in ax.get_lines() if not str(line.get_label()).startswith("_")]
    )
    drawn = {line.get_gid() for line in ax.get_lines()}
    if not inline:
        handles += [_key("^", "peak")] if "peak" in drawn else []
        handles += [_key("s", "final")] if "final" in drawn else []
    if any(trace.plan.warmup_intervals for trace in traces):
        handles.append(Patch(facecolor="0.5", alpha=0.18, label="warm-up"))
    if "warmup-end" in drawn:
        handles.append(_key("o", "end of warm-up", face="white"))
    if any(boundaries(trace) for trace in traces):
        handles.append(Line2D([], [], **boundary_style, label="phase start / milestone"))
    return handles


def _key(marker: str, label: str, face: str = "0.3") -> Any:
    """A legend entry for a kind of mark, in grey (each plan's marks wear its color)."""
    from matplotlib.lines import Line2D

    return Line2D(
        [],
        [],
        marker=marker,
        markerfacecolor=face,
        markeredgecolor="0.3",
        linestyle="none",
        label=label,
    )

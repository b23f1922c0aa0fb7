"""The figure of `warmplan plot`: one or more traces drawn with matplotlib.

Built on a bare ``matplotlib.figure.Figure`` with the Agg canvas, never through
pyplot: no display is needed (CI, SSH), no backend is switched under a user who
imports warmplan in a notebook, and no figure lingers in pyplot's global registry.

What a reader needs without opening the config is drawn on it: the warm-up shaded and
its end marked, the peak and final LR annotated, phase starts and milestones as light
vertical lines, one labelled line per plan (per param group when there are several).
Row t of a trace is the LR in effect from interval t to t+1, so lines are drawn as
steps ("steps-post") that end at the end of training. Long traces are reduced per
pixel column first (:mod:`warmplan.render.reduce`), so drawing costs the same for a
thousand steps or a million.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmplan.render import plot_marks as marks
from warmplan.render.reduce import minmax_indices
from warmplan.render.summary import summarize

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from warmplan.schedule.simulate import Trace

UNIT_LABELS = {"epoch": "epoch", "step": "optimizer step"}
_BOUNDARY_STYLE: dict[str, Any] = {
    "color": "0.55",
    "linestyle": (0, (4, 3)),
    "linewidth": 0.8,
    "zorder": 1,
}


@dataclass(frozen=True)
class PlotOptions:
    by: str | None = None  # "epoch" | "step"; None: the plans' own interval
    log: bool = False
    size: tuple[float, float] = (8.0, 4.5)  # inches
    dpi: int = 150
    title: str | None = None


def x_unit(traces: Sequence[Trace], by: str | None) -> str:
    """The x axis unit: ``by``, or the plans' shared interval, or epochs if they differ."""
    if by is not None:
        return by
    intervals = {trace.plan.interval for trace in traces}
    return intervals.pop() if len(intervals) == 1 else "epoch"


def x_scale(trace: Trace, unit: str) -> float:
    """How many ``unit`` one interval of the trace's plan lasts."""
    plan = trace.plan
    if unit == "step":
        return float(plan.steps_per_interval)
    return plan.steps_per_interval / plan.steps_per_epoch


def line_labels(traces: Sequence[Trace]) -> list[list[str]]:
    """The legend label of every line: per trace, per param group."""
    names = [trace.plan.label for trace in traces]
    for i, trace in enumerate(traces):
        # the same config twice (or two plans of one name) must stay tellable apart
        if names.count(names[i]) > 1 and trace.plan.source is not None and trace.plan.source.path:
            names[i] = f"{names[i]} ({trace.plan.source.path})"
    labels = []
    for name, trace in zip(names, traces, strict=True):
        groups = trace.groups
        if len(groups) == 1:
            labels.append([name])
        else:  # one plan: its name is the title, the legend names the groups
            labels.append(list(groups) if len(traces) == 1 else [f"{name} · {g}" for g in groups])
    return labels


def literal(text: str) -> str:
    """Text shown as written: matplotlib reads "$...$" as mathtext (a plan named
    "a $x^$ b" failed to draw) and hides legend labels that start with "_"."""
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text  # a zero-width space


def default_title(traces: Sequence[Trace]) -> str:
    names = [trace.plan.label for trace in traces]
    return " vs ".join(names) if len(names) <= 3 else f"{len(names)} learning-rate schedules"


def plot_traces(traces: Sequence[Trace], options: PlotOptions | None = None) -> Figure:
    """A Figure of the traces' learning rates, overlaid on one axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not traces:
        raise ValueError("plot_traces needs at least one trace")
    options = options or PlotOptions()
    figure = Figure(figsize=options.size, dpi=options.dpi, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    unit = x_unit(traces, options.by)
    columns = max(1, round(options.size[0] * options.dpi))
    colors = _colors(sum(len(trace.groups) for trace in traces))
    boundaries: set[float] = set()
    all_labels = line_labels(traces)
    inline = sum(len(labels) for labels in all_labels) == 1
    floor = log_floor(traces) if options.log else None
    for trace, labels in zip(traces, all_labels, strict=True):
        scale = x_scale(trace, unit)
        boundaries |= {b * scale for b in _boundaries(trace)}
        line_colors = [next(colors) for _ in labels]
        # overlaid plans share the shading: n spans of 0.09 / n read as one
        shade = 0.09 / len(traces)
        drawn = _draw_trace(ax, trace, scale, labels, line_colors, columns, inline, shade, floor)
    for x in sorted(boundaries):
        ax.axvline(x, **_BOUNDARY_STYLE)
    _dress(ax, traces, unit, options, inline, floor)
    if inline:
        marks.place_final_labels(figure, ax, drawn, scale)
    return figure


def _colors(count: int) -> Iterator[str]:
    from matplotlib import colormaps

    palette = colormaps["tab10" if count <= 10 else "tab20"].colors  # type: ignore[attr-defined]  # a ListedColormap
    return iter([palette[i % len(palette)] for i in range(count)])


#: More milestones than this are not drawn: lines a few pixels apart only grey the plot
#: (a step decay with step_size 1 has one per interval).
MAX_DRAWN_BOUNDARIES = 200


def _boundaries(trace: Trace) -> list[int]:
    """Phase starts after 0 and the plan's milestones (when few enough), in intervals."""
    starts = [phase.start for phase in trace.layout.phases if phase.start > 0]
    marks = trace.layout.boundaries
    return starts + (list(marks) if len(marks) <= MAX_DRAWN_BOUNDARIES else [])


def reduced_line(lr: np.ndarray, scale: float, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) points drawn for one group's LRs: the min/max reduction of the
    trace, plus the end of training, where the last interval's LR stops."""
    import numpy as np

    keep = minmax_indices(lr, columns)
    x = np.append(keep, lr.shape[0]).astype(np.float64) * scale
    y = np.append(lr[keep], lr[-1])
    return x, y


def _draw_trace(
    ax: Axes,
    trace: Trace,
    scale: float,
    labels: list[str],
    colors: list[str],
    columns: int,
    inline: bool,
    shade: float = 0.09,
    floor: float | None = None,
) -> list[np.ndarray]:
    """One trace's lines, warm-up shading and marks; the LRs drawn, per group.
    ``inline``: the peak and final LR are written next to their points (one line in
    the figure); otherwise they go into the legend and the points get small markers,
    so labels never pile up. ``floor``: where a log axis draws an LR of 0."""
    import numpy as np

    summary = summarize(trace)
    end = summary.warmup_end  # the one definition of the end of warm-up (show's too)
    if end:
        ax.axvspan(0, end * scale, color=colors[0], alpha=shade, linewidth=0, zorder=0)
    drawn = []
    for g, (label, color) in enumerate(zip(labels, colors, strict=True)):
        lr = trace.lr[:, g] if floor is None else np.maximum(trace.lr[:, g], floor)
        drawn.append(lr)
        peak = (summary.peak_at[g] * scale, float(lr[summary.peak_at[g]]))
        if not inline:
            label += f"  (peak {summary.peak_lrs[g]:.3g}, final {summary.final_lrs[g]:.3g})"
        x, y = reduced_line(lr, scale, columns)
        ax.plot(
            x, y, drawstyle="steps-post", color=color, linewidth=1.6, label=literal(label), zorder=3
        )
        circled = 0 < end < trace.intervals
        if circled:
            marks.mark(ax, (end * scale, float(lr[end])), "warmup-end", "o", color, "white")
        # the final LR's point: the middle of the last interval, where nothing but that
        # interval's own level is drawn (its left end is the step down into it)
        final = ((trace.intervals - 0.5) * scale, float(lr[-1]))
        if inline:
            marks.label_peak(ax, peak, f"peak {summary.peak_lrs[g]:.3g}", color, trace, scale)
            marks.label_final(ax, final, f"final {summary.final_lrs[g]:.3g}", color)
        else:
            if not (circled and summary.peak_at[g] == end):  # the circle would hide it
                marks.mark(ax, peak, "peak", "^", color, color)
            marks.mark(ax, final, "final", "s", color, color)
    return drawn


def log_floor(traces: Sequence[Trace]) -> float | None:
    """Where a log axis draws an LR of 0, which it cannot show: half a decade below the
    smallest positive LR of the figure, near the axis' bottom edge. None when no LR is
    0 (nothing to clip) or none is positive (nothing to draw)."""
    if not any((trace.lr <= 0).any() for trace in traces):
        return None
    positive = [trace.lr[trace.lr > 0] for trace in traces]
    lowest = min((float(p.min()) for p in positive if p.size), default=None)
    return None if lowest is None else lowest / 10**0.5


def _dress(
    ax: Axes,
    traces: Sequence[Trace],
    unit: str,
    options: PlotOptions,
    inline: bool,
    floor: float | None,
) -> None:
    from matplotlib.ticker import EngFormatter

    ax.set_title(literal(options.title if options.title is not None else default_title(traces)))
    ax.set_xlabel(UNIT_LABELS[unit])
    ax.set_xlim(left=0)
    if unit == "step":
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
    _lr_axis(ax, max(float(trace.lr.max()) for trace in traces), options.log, floor)
    ax.grid(True, color="0.92", linewidth=0.8, zorder=0)
    ax.spines[["right"]].set_visible(False)
    handles = marks.legend_handles(ax, traces, inline, _BOUNDARY_STYLE, _boundaries)
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=8, frameon=False)
    per_epoch = {trace.plan.steps_per_epoch for trace in traces}
    # an epoch axis only when there is more than one epoch to read off it
    longer = any(trace.plan.total_steps > trace.plan.steps_per_epoch for trace in traces)
    if unit == "step" and len(per_epoch) == 1 and (steps := per_epoch.pop()) > 1 and longer:
        _epoch_axis(ax, steps)
    else:
        ax.spines[["top"]].set_visible(False)


def _lr_axis(ax: Axes, highest: float, log: bool, floor: float | None = None) -> None:
    """The LR axis, with head-room for the peak labels. On a linear axis the power
    of ten goes into the axis label ("×1e-4"), where it cannot collide with a title,
    a secondary axis or an annotation as matplotlib's corner offset text does. On a
    log axis LRs of 0 are drawn at ``floor``, just above the bottom edge, and the axis
    label says so."""
    import math

    from matplotlib.ticker import FuncFormatter

    if log:
        ax.set_yscale("log", nonpositive="mask")
        ax.set_ylim(top=highest * 2.5 if highest > 0 else None)
        ax.set_ylabel("learning rate" if floor is None else "learning rate (0 drawn at the bottom)")
        if floor is not None:
            ax.set_ylim(bottom=floor / 10**0.25)
        return
    ax.set_ylim(0, highest * 1.12 if highest > 0 else 1.0)
    power = math.floor(math.log10(highest)) if highest > 0 else 0
    if -2 <= power <= 2:
        ax.set_ylabel("learning rate")
        return
    ax.yaxis.set_major_formatter(FuncFormatter(_scaled_ticks(power)))
    ax.set_ylabel(f"learning rate (×1e{power})")


def _epoch_axis(ax: Axes, steps_per_epoch: int) -> None:
    """A secondary x axis on top in epochs, for plans drawn in optimizer steps."""
    import functools

    secondary = ax.secondary_xaxis(
        "top",
        functions=(
            functools.partial(_divide, by=steps_per_epoch),
            functools.partial(_multiply, by=steps_per_epoch),
        ),
    )
    secondary.set_xlabel("epoch", fontsize=9)
    secondary.tick_params(labelsize=8)


def _scaled_ticks(power: int) -> Any:
    import functools

    return functools.partial(_scaled_tick, power=power)


def _scaled_tick(value: float, position: int, power: int) -> str:
    return f"{value / 10.0**power:g}"


def _divide(x: Any, by: int) -> Any:
    return x / by


def _multiply(x: Any, by: int) -> Any:
    return x * by

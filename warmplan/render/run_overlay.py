"""`plot --run`: a run's logged LRs drawn over the planned curve, the first divergence
marked: the picture a user would otherwise make by hand to see where a run left its
plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan.render.verdict import number

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

    from warmplan.runs.compare import Verdict
    from warmplan.schedule.simulate import Trace

#: at most this many logged points drawn per series (evenly spaced; the divergence kept)
MAX_POINTS = 4000


def overlay_run(figure: Figure, trace: Trace, verdict: Verdict, unit: str) -> Figure:
    """Add the log's points (per param group) and the first divergence to ``figure``,
    a :func:`plot_traces` figure of ``trace`` in x units ``unit``."""
    from matplotlib.lines import Line2D

    ax = figure.axes[0]
    per_update = 1.0 if unit == "step" else 1.0 / trace.plan.steps_per_epoch
    first = verdict.first_divergence
    legend = ax.get_legend()
    handles = list(legend.legend_handles) if legend is not None else []
    for series in verdict.log.series:
        keep = _sample(series.update, None if first is None else first.update)
        ax.scatter(
            (series.update[keep] + 0.5) * per_update,  # mid-interval: the line is a step
            series.lr[keep],
            s=16,
            color="black",
            marker=".",
            linewidths=0,
            zorder=5,
            label="_logged",
            gid="logged",
        )
    handles.append(Line2D([], [], color="black", marker=".", linestyle="", label="logged"))
    if first is not None:
        x = first.update * per_update
        ax.axvline(x, color="tab:red", linewidth=1.0, linestyle=(0, (2, 2)), zorder=4)
        ax.plot(
            [x + 0.5 * per_update],
            [first.logged],
            marker="o",
            markersize=9,
            markerfacecolor="none",
            markeredgecolor="tab:red",
            markeredgewidth=1.6,
            zorder=6,
            gid="divergence",
            label="_divergence",
        )
        planned = "none" if first.planned is None else number(first.planned, first.logged)
        text = f"update {first.update:,}: logged {number(first.logged, first.planned)}, "
        ax.annotate(
            text + f"planned {planned}",
            (x + 0.5 * per_update, first.logged),
            xytext=(8, 10),
            textcoords="offset points",
            fontsize=8,
            color="tab:red",
        )
        label = "first divergence"
        if verdict.diagnosis is not None:
            label += f" ({verdict.diagnosis.kind})"
        handles.append(
            Line2D(
                [],
                [],
                color="tab:red",
                marker="o",
                markerfacecolor="none",
                linestyle="",
                label=label,
            )
        )
    ax.legend(handles=handles, loc="best", fontsize=8, frameon=False)
    return figure


def _sample(update: np.ndarray, divergence: int | None) -> np.ndarray:
    """Indices of at most MAX_POINTS points, evenly spread, the divergence among them."""
    import numpy as np

    if update.size <= MAX_POINTS:
        return np.arange(update.size)
    keep = np.linspace(0, update.size - 1, MAX_POINTS).astype(np.int64)
    if divergence is not None:
        keep = np.union1d(keep, np.searchsorted(update, [divergence]))
    return keep

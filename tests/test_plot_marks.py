"""What `warmplan plot` writes on its curves, checked on the laid-out artists: the final
label hides nothing, a log axis keeps the warm-up's start, one end of warm-up (show's),
a legend of what is drawn, the title not repeated, an epoch axis only with epochs.

Oracles: the closed forms of the plans (seed warm-up formula, cosine), DeepSpeed's
logarithmic warm-up written out, and geometry in display coordinates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import CONFIGS
from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.render.plot import PlotOptions, plot_traces


def _plan(**changes):
    data = {
        "name": "doc",
        "optimizer": {"kind": "adam", "lr": 1e-3},
        "training": {"epochs": 20, "interval": "epoch"},
        "warmup": {"kind": "linear", "length": 5, "start_factor": 0.1},
        "decay": {"kind": "cosine", "eta_min": 0.0},
    }
    data.update(changes)
    return load_plan(data)


def _laid_out(figure):
    figure.draw_without_rendering()
    return figure.canvas.get_renderer()


def _segments(line):
    """The horizontal pieces of a steps-post line, in display coordinates: (x0, x1, y)."""
    points = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
    return [(points[i, 0], points[i + 1, 0], points[i, 1]) for i in range(len(points) - 1)]


@pytest.mark.parametrize(
    ("options", "plan"),
    [
        (PlotOptions(), _plan()),  # the plot: the document's example, --eta-min 0
        (PlotOptions(size=(5, 3), dpi=80), _plan()),
        (PlotOptions(log=True), _plan(warmup={"kind": "linear", "length": 5, "start_factor": 0.0})),
    ],
    ids=["default", "small", "log"],
)
def test_the_final_label_covers_no_curve_and_its_leader_crosses_no_step(options, plan):
    figure = plot_traces([simulate(plan)], options)
    renderer = _laid_out(figure)
    ax = figure.axes[0]
    (label,) = [t for t in ax.texts if t.get_gid() == "final"]
    box = label.get_bbox_patch().get_window_extent(renderer)
    (line,) = [
        line for line in ax.get_lines() if line.get_gid() is None and len(line.get_xdata()) > 2
    ]
    for x0, x1, y in _segments(line):
        if x1 > box.x0 and x0 < box.x1:  # a level drawn under the box's width
            assert y < box.y0, "the box sits above every level under it"
    to_display = ax.transData.transform
    last_start, end = to_display([(19, 1e-3), (20, 1e-3)])[:, 0]
    leader = label.arrow_patch.get_path().vertices  # display coordinates, once laid out
    assert (leader[:, 0] > last_start).all() and (leader[:, 0] <= end + 1).all(), (
        "the leader stays inside the last interval: no drop of the steps is crossed"
    )
    assert label.xy[1] == pytest.approx(line.get_ydata()[-1])


def test_log_axis_draws_the_warm_up_from_zero_at_its_bottom_edge():
    """A warm-up from 0 on a log axis: 0 has no place there, so it is drawn at the floor
    (half a decade under the smallest positive LR), and every warm-up step is drawn."""
    plan = _plan(
        training={"epochs": 1, "steps_per_epoch": 11_000, "interval": "step"},
        warmup={"kind": "linear", "length": 660, "start_factor": 0.0},
        decay={"kind": "linear"},
        optimizer={"kind": "adamw", "lr": 2e-5},
    )
    trace = simulate(plan)
    ax = plot_traces([trace], PlotOptions(log=True)).axes[0]
    (line,) = [
        line for line in ax.get_lines() if line.get_gid() is None and len(line.get_xdata()) > 2
    ]
    x, y = line.get_xdata(), line.get_ydata()
    smallest = 2e-5 * (1 - 10_339 / 10_340)  # the linear decay's last positive LR
    floor = smallest / math.sqrt(10)
    assert y.min() == pytest.approx(floor, rel=1e-9) and np.isfinite(y).all()
    assert x[0] == 0 and y[0] == pytest.approx(floor), "step 0 (LR 0) is drawn"
    # the warm-up rises from there inside the first pixel column (the reduction keeps
    # a column's first, lowest, highest and last step): nothing of it is dropped
    column = math.ceil(11_000 / (8 * 150))
    assert 0 < x[1] <= column and y[1] == pytest.approx(2e-5 * x[1] / 660, rel=1e-12)
    assert ax.get_ylim()[0] < floor and ax.get_ylabel() == "learning rate (0 drawn at the bottom)"
    without_zero = plot_traces([simulate(_plan())], PlotOptions(log=True)).axes[0]
    assert without_zero.get_ylabel() == "learning rate"


def _deepspeed_log_warmup(t: int, warmup: int = 10) -> float:
    """DeepSpeed's WarmupCosineLR warm-up (warmup_type log), step t using iteration t - 1."""
    return 0.0 if t < 1 else 1e-3 * math.log(t) / math.log(warmup)


def test_one_end_of_warm_up_in_show_plot_and_compare():
    """DeepSpeed's logarithmic warm-up reaches the target at step 10 (iteration 9:
    log(10) / log(10)), inside its own 11-step warm-up phase: the end of warm-up is
    step 10 in show's summary, on the plot (at the peak, not below it) and in compare."""
    assert _deepspeed_log_warmup(10) == pytest.approx(1e-3) and _deepspeed_log_warmup(9) < 1e-3
    trace = simulate(load_plan(CONFIGS / "compare" / "deepspeed.yaml"))
    ax = plot_traces([trace]).axes[0]
    (marker,) = [line for line in ax.get_lines() if line.get_gid() == "warmup-end"]
    assert marker.get_xdata().tolist() == [10]
    assert marker.get_ydata()[0] == pytest.approx(1e-3, rel=1e-12)
    (span,) = [p for p in ax.patches if p.get_gid() is None and p.get_alpha() == 0.09]
    assert span.get_width() == 10
    runner = CliRunner()
    shown = runner.invoke(app, ["show", str(CONFIGS / "compare" / "deepspeed.yaml"), "-f", "json"])
    summary = __import__("json").loads(shown.stdout)["summary"]
    assert summary["warmup_end"] == 10
    table = runner.invoke(app, ["show", str(CONFIGS / "compare" / "deepspeed.yaml")]).stdout
    assert "at its peak from step 10 (the end of warm-up); the decay starts at step 11" in table
    torch_plan = simulate(load_plan(CONFIGS / "compare" / "torch.yaml"))
    (torch_marker,) = [
        line
        for line in plot_traces([torch_plan]).axes[0].get_lines()
        if line.get_gid() == "warmup-end"
    ]
    assert torch_marker.get_xdata().tolist() == [10]  # LinearLR hands over at the target


def test_an_overlay_keys_a_peak_marker_only_where_one_is_seen():
    warm = simulate(_plan())  # its peak is the end of warm-up: the circle marks both
    plain = simulate(_plan(name="plain", warmup={"kind": "none"}))  # peak at epoch 0
    ax = plot_traces([warm, plain]).axes[0]
    peaks = [line for line in ax.get_lines() if line.get_gid() == "peak"]
    assert [p.get_xdata().tolist() for p in peaks] == [[0]], "only the plain plan's"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "peak" in legend and "end of warm-up" in legend
    alone = plot_traces([warm, simulate(_plan(name="twin"))]).axes[0]
    assert "peak" not in [t.get_text() for t in alone.get_legend().get_texts()]


def test_a_single_plan_is_named_by_the_title_alone():
    ax = plot_traces([simulate(_plan())]).axes[0]
    assert ax.get_title() == "doc"
    assert "doc" not in [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize(("epochs", "axis"), [(1, False), (2, True)])
def test_an_epoch_axis_only_with_more_than_one_epoch(epochs, axis):
    plan = _plan(
        training={"epochs": epochs, "steps_per_epoch": 100, "interval": "step"},
        warmup={"kind": "linear", "length": 10, "start_factor": 0.1},
    )
    ax = plot_traces([simulate(plan)]).axes[0]
    assert bool(ax.child_axes) is axis
    assert ax.spines["top"].get_visible() is axis

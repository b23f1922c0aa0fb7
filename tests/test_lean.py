"""Memory stays linear and lean: no Python object per interval or per boundary on the
paths a long plan goes through (layout, table, exports, check, plot), measured with
tracemalloc. Traces of a million rows are built from a synthetic LR array where the
path under test only reads the trace (the exporters, the table), so the tests stay
quick; the simulation's own footprint is measured on a real run."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.schedule.build import layout
from warmplan.schedule.simulate import Trace

MIB = 2**20


def _peak(work: Callable[[], Any]) -> int:
    """Peak bytes traced while ``work`` runs (numpy buffers included)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _step_plan(intervals: int, step_size: int = 1, groups: int = 1) -> Any:
    optimizer: dict[str, Any] = {"lr": 1e-3}
    if groups > 1:
        optimizer["groups"] = [{"name": f"g{i}"} for i in range(groups)]
    return load_plan(
        {
            "optimizer": optimizer,
            "training": {"steps": intervals},
            "warmup": {"length": 10},
            "decay": {"kind": "step", "step_size": step_size, "gamma": 0.999999},
        }
    )


def _synthetic_trace(plan: Any) -> Trace:
    """A trace of the plan's shape whose LRs are a plain decreasing ramp."""
    rows, groups = plan.intervals, len(plan.target_lrs)
    lr = np.linspace(1e-3, 1e-6, rows * groups).reshape(rows, groups)
    return Trace(plan=plan, lr=lr, layout=layout(plan))


# -- layout: boundaries as a range ------------------------------------------------------


def test_a_step_decay_at_the_size_guard_has_a_lean_layout():
    """10M intervals with step_size 1: 10M boundaries, held as one range (it was a
    tuple of 10M ints: ~480 MB)."""
    plan = _step_plan(10_000_000)
    peak = _peak(lambda: layout(plan))
    boundaries = layout(plan).boundaries
    assert len(boundaries) == 10_000_000 - 11
    assert boundaries[0] == 11 and boundaries[-1] == 9_999_999
    assert peak < 1 * MIB, peak


@pytest.mark.parametrize(
    ("decay", "expected"),
    [
        ({"kind": "step", "step_size": 7}, list(range(17, 60, 7))),
        ({"kind": "multistep", "milestones": [40, 20, 20, 90]}, [20, 40]),
        ({"kind": "cosine_restarts", "T_0": 9}, [19, 28, 37, 46, 55]),
        ({"kind": "cosine_restarts", "T_0": 5, "T_mult": 2}, [15, 25, 45]),
    ],
    ids=["step", "multistep", "restarts", "restarts-growing"],
)
def test_boundaries_and_the_asked_mask(decay, expected):
    plan = load_plan(
        {
            "optimizer": {"lr": 1.0},
            "training": {"epochs": 60},
            "warmup": {"length": 10},
            "decay": decay,
        }
    )
    marks = layout(plan).boundaries
    assert list(marks) == expected
    for start, stop in [(0, 60), (-3, 70), (16, 17), (17, 18), (18, 46), (50, 40)]:
        mask = layout(plan).asked_between(start, stop)
        assert mask.tolist() == [t in expected for t in range(start, stop)], (start, stop)


# -- consumers of a dense layout: table, check, plot ------------------------------------


def test_a_sampled_table_stays_sampled_with_a_drop_every_interval():
    """Every boundary used to be a landmark row: the 'sampled' table printed them all."""
    plan = _step_plan(50_000)
    from warmplan.render.rows import landmarks, sample

    rows = sample(plan.intervals, landmarks(_synthetic_trace(plan)), 200)
    assert len(rows) <= 210


def test_show_of_a_dense_step_decay_prints_a_short_table(tmp_path):
    config = tmp_path / "dense.yaml"
    config.write_text(
        "optimizer: {lr: 1.0e-3}\ntraining: {steps: 20000}\n"
        "decay: {kind: step, step_size: 1, gamma: 0.9999}\n"
    )
    result = CliRunner().invoke(app, ["show", str(config), "--by", "step"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) < 500  # ~200 rows and their gap rows; was 20,000+


def test_check_of_a_dense_step_decay_is_clean_and_lean():
    """Each drop of step_size 1 is asked for: no WP104 'jump' finding, and the rule
    judges them with numpy masks, not a set of a Python int per boundary."""
    from warmplan.lint.runner import check_plan

    warm = _step_plan(300)
    check_plan(warm, simulate(warm))  # lazy imports and caches outside the measurement

    def peak(intervals: int) -> int:
        plan = _step_plan(intervals)
        trace = simulate(plan)
        findings: list[Any] = []
        peak = _peak(lambda: findings.extend(check_plan(plan, trace)))
        assert [f.code for f in findings if f.code == "WP104"] == []
        return peak

    # Rules take a few numpy temporaries of a column: at 200,000 intervals the peak had
    # to stay under 8 MiB (42 bytes an interval; the old int64 array and Python set entry
    # per boundary took 9.6 MiB, 50 bytes). Measured here as the growth from 10,000 to
    # 20,000 intervals, at a tenth of the tracemalloc time: under 40 bytes an interval.
    small, large = peak(10_000), peak(20_000)
    assert large - small < 40 * 10_000, (small / MIB, large / MIB)
    assert large < 8 * MIB, large / MIB


def test_check_still_finds_a_jump_the_plan_does_not_ask_for():
    """The mask only excuses asked-for boundaries: a cosine falling off a cliff at the
    hand-over (warm-up ending at 0.1 x target below a cosine at target) is still found."""
    from warmplan.lint.runner import check_plan

    plan = load_plan(
        {
            "optimizer": {"lr": 1.0},
            "training": {"epochs": 40},
            "decay": {"kind": "step", "step_size": 10, "gamma": 0.5},
        }
    )
    trace = simulate(plan)
    lr = trace.lr.copy()
    lr[25:] *= 0.2  # a drop at 25, between the asked ones at 20 and 30
    doctored = Trace(plan=plan, lr=lr, layout=trace.layout)
    messages = [f.message for f in check_plan(plan, doctored) if f.code == "WP104"]
    assert len(messages) == 1 and "between epochs 24 and 25" in messages[0]


def test_plot_draws_few_milestones_and_not_a_grey_wall_of_them():
    from warmplan.render.plot import MAX_DRAWN_BOUNDARIES, plot_traces

    def verticals(plan: Any) -> int:
        ax = plot_traces([_synthetic_trace(plan)]).axes[0]
        return sum(
            1
            for line in ax.get_lines()
            if line.get_label().startswith("_") and len(set(line.get_xdata())) == 1
        )

    few = _step_plan(1_000, step_size=100)
    assert verticals(few) >= len(layout(few).boundaries)
    dense = _step_plan(100_000, step_size=1)
    assert verticals(dense) < MAX_DRAWN_BOUNDARIES


# -- JSON export: streamed --------------------------------------------------------------


def _json_oracle(trace: Trace) -> str:
    """The document as one json.dumps of dicts, as the exporter used to build it."""
    from warmplan.render.export import json_head
    from warmplan.render.rows import lr_columns

    names, index = trace.phase_names(), trace.phase_index()
    steps, epochs = trace.first_step(), trace.epoch()
    rows = [
        {
            "step": int(steps[t]),
            "epoch": int(epochs[t]),
            "phase": names[index[t]],
            **dict(zip(lr_columns(trace), trace.lr[t].tolist(), strict=True)),
        }
        for t in range(trace.intervals)
    ]
    return json.dumps({**json_head(trace), "rows": rows}, indent=1) + "\n"


@pytest.mark.parametrize("chunk", [1, 7, 65536])
@pytest.mark.parametrize("config", ["two-groups.yaml", "resnet-multistep.yaml", "onecycle.yaml"])
def test_streamed_json_is_the_same_text_as_one_dump(config, chunk):
    from tests.conftest import CONFIGS
    from warmplan.render.export import json_chunks

    trace = simulate(load_plan(CONFIGS / config))
    text = "".join(json_chunks(trace, chunk=chunk))
    assert text == _json_oracle(trace)
    assert len(json.loads(text)["rows"]) == trace.intervals


def test_streamed_json_keeps_torch_warnings_in_its_head():
    from warmplan.render.export import json_chunks

    plan = _step_plan(30)
    trace = simulate(plan)
    from warmplan.schedule.simulate import CapturedWarning

    trace.warnings.append(CapturedWarning("UserWarning", 'a "quoted"\nwarning', 3, 2))
    document = json.loads("".join(json_chunks(trace)))
    assert document["warnings"] == [
        {
            "category": "UserWarning",
            "message": 'a "quoted"\nwarning',
            "first_interval": 3,
            "count": 2,
        }
    ]
    assert "".join(json_chunks(trace)) == _json_oracle(trace)


@pytest.mark.parametrize("exporter", ["json", "csv", "markdown"])
def test_exports_stay_lean_however_many_rows(exporter):
    """One chunk of rows at a time: the old JSON export built a dict per row (~450 MB
    for a million rows of two groups, ~450 bytes a row).

    Measured at a lowered chunk size (the exporters take it as a parameter) on 10,000
    and 20,000 rows, i.e. 40 and 80 chunks: what the million-row version showed (the
    text is large, the peak is not) holds at this scale as a growth. Doubling the rows
    may add to the peak what the million-row budget allowed a row (16 MiB / 1M: one
    trace-sized numpy temporary, as the JSON summary takes, but no Python object per
    row), and the text must stay several times larger than the peak."""
    from warmplan.render.export import EXPORTERS

    def measure(rows: int) -> tuple[int, int, int]:
        trace = _synthetic_trace(_step_plan(rows, step_size=1000, groups=2))
        size = [0]

        def drain() -> None:
            for chunk in EXPORTERS[exporter](trace, chunk=256):
                size[0] += len(chunk)

        return _peak(drain), size[0], trace.lr.nbytes

    small_peak, small_size, small_lrs = measure(10_000)
    large_peak, large_size, large_lrs = measure(20_000)
    assert large_size > 40 * MIB * 20_000 / 1_000_000  # the text is large ...
    for size, peak in [(small_size, small_peak), (large_size, large_peak)]:
        assert size > 4 * peak, (size, peak)  # ... and never all in memory at once
    # the budget of the million-row version, 16 MiB for 1M rows, per added row
    assert large_peak - small_peak < 16 * MIB * 10_000 / 1_000_000, (small_peak, large_peak)
    assert large_lrs - small_lrs == 16 * 10_000  # (the trace itself: 16 bytes a row)


# -- the table and the plot of a long trace -------------------------------------------


def test_the_table_and_the_plot_of_a_million_rows_stay_lean():
    from rich.console import Console

    from warmplan.render.plot import plot_traces
    from warmplan.render.table import render_show

    trace = _synthetic_trace(_step_plan(1_000_000, step_size=1))

    def table() -> None:
        console = Console(file=io.StringIO(), width=120)
        for part in render_show(trace, None, 200, False):
            console.print(part)

    def plot() -> None:
        plot_traces([trace]).savefig(io.BytesIO(), format="png")

    assert _peak(table) < 24 * MIB
    assert _peak(plot) < 48 * MIB


def test_simulating_stays_linear_for_torch_classes_and_presets():
    """8 bytes an LR plus the array's growth slack: no Python object per interval.

    Measured as the growth of the peak from 10,000 to 20,000 intervals (the 200,000-interval
    version took most of a minute under tracemalloc): under 16 bytes an added interval,
    where a Python float per interval alone would cost 32 (the object and its pointer)."""

    def plans(intervals: int) -> list[Any]:
        preset = load_plan(
            {
                "optimizer": {"lr": 1e-3},
                "training": {"steps": intervals},
                "preset": {
                    "framework": "transformers",
                    "name": "cosine",
                    "args": {"num_warmup_steps": 100, "num_training_steps": intervals},
                },
            }
        )
        return [_step_plan(intervals), preset]

    simulate(_step_plan(30))  # torch imported and warmed up outside the measurement
    for small, large in zip(plans(10_000), plans(20_000), strict=True):
        small_peak = _peak(lambda plan=small: simulate(plan))
        large_peak = _peak(lambda plan=large: simulate(plan))
        growth = large_peak - small_peak
        assert growth < 16 * 10_000, (large.label, small_peak / MIB, large_peak / MIB)
        assert large_peak < 8 * MIB, (large.label, large_peak / MIB)

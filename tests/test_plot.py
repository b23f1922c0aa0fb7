"""`warmplan plot`: the figure checked through its data, the files through their bytes.

Oracles: closed forms (the linear warm-up formula, cosine), plain Python
bookkeeping of where steps and milestones fall, and the PNG header as the spec defines.
"""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.errors import OutputError
from warmplan.render.image_file import default_output, save_figure
from warmplan.render.plot import PlotOptions, plot_traces

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"

runner = CliRunner()


def _plan(**changes):
    data = {
        "name": "doc",
        "optimizer": {"kind": "adam", "lr": 1e-3},
        "training": {"epochs": 20, "interval": "epoch"},
        "warmup": {"kind": "linear", "length": 5, "start_factor": 0.1},
        "decay": {"kind": "cosine", "eta_min": 1e-5},
    }
    data.update(changes)
    return load_plan(data)


@pytest.fixture(scope="module")
def doc_trace():
    return simulate(_plan())


def _lines(ax):
    """The plotted schedule lines (the labelled ones), by label."""
    return {line.get_label(): line for line in ax.get_lines() if line.get_label()[0] != "_"}


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _cosine(t, lr=1e-3, eta_min=1e-5, warmup=5, length=15):
    return eta_min + (lr - eta_min) * (1 + math.cos(math.pi * (t - warmup) / length)) / 2


def test_the_line_is_the_trace_drawn_as_steps_to_the_end_of_training(doc_trace):
    ax = plot_traces([doc_trace]).axes[0]
    (line,) = _lines(ax).values()
    assert line.get_drawstyle() == "steps-post"
    x, y = line.get_xdata(), line.get_ydata()
    assert x.tolist() == list(range(21)), "20 epochs, each from t to t+1"
    for t in range(6):  # the seed formula
        assert y[t] == pytest.approx(1e-4 + t * (1e-3 - 1e-4) / 5, rel=1e-12)
    for t in range(5, 20):
        assert y[t] == pytest.approx(_cosine(t), rel=1e-9)
    assert y[20] == y[19], "the last epoch keeps its LR to the end"


def test_warmup_end_peak_and_final_sit_where_the_schedule_puts_them(doc_trace):
    ax = plot_traces([doc_trace]).axes[0]
    (marker,) = _by_gid(ax, "warmup-end")
    assert marker.get_xdata().tolist() == [5]
    assert marker.get_ydata()[0] == pytest.approx(1e-3)
    (peak,) = _by_gid(ax, "peak")
    assert peak.xy[0] == 5 and peak.xy[1] == pytest.approx(1e-3)
    assert peak.get_text() == "peak 0.001"
    (final,) = _by_gid(ax, "final")
    # the middle of epoch 19, the last: its leader drops where only that level is drawn
    assert final.xy[0] == 19.5 and final.xy[1] == pytest.approx(_cosine(19), rel=1e-9)
    assert final.get_text() == f"final {_cosine(19):.3g}"
    (span,) = [p for p in ax.patches if p.get_gid() is None and p.get_alpha() == 0.09]
    assert span.get_x() == 0 and span.get_width() == 5, "the warm-up shaded"


def test_phase_starts_and_milestones_are_vertical_lines():
    # warm-up to epoch 5, x0.1 at epochs 30, 60, 80; 156 steps an epoch, drawn in steps
    trace = simulate(load_plan(CONFIGS / "resnet-multistep.yaml"))
    ax = plot_traces([trace]).axes[0]
    verticals = sorted(
        line.get_xdata()[0]
        for line in ax.get_lines()
        if line.get_label().startswith("_")
        and len(set(line.get_xdata())) == 1
        and line.get_gid() is None
    )
    assert verticals == [5 * 156, 30 * 156, 60 * 156, 80 * 156]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert ax.get_title() == "resnet50-large-batch"  # named once: the title, not the legend
    assert legend == [
        "warm-up",
        "end of warm-up",
        "phase start / milestone",
    ]


def test_an_overlay_has_one_labelled_line_per_plan_and_a_legend_naming_them(doc_trace):
    other = simulate(_plan(name="longer", training={"epochs": 40, "interval": "epoch"}))
    figure = plot_traces([doc_trace, other])
    ax = figure.axes[0]
    lines = _lines(ax)
    assert list(lines) == [
        "doc  (peak 0.001, final 2.08e-05)",
        f"longer  (peak 0.001, final {_cosine(39, length=35):.3g})",
    ]
    assert lines[list(lines)[1]].get_xdata()[-1] == 40
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == list(lines)
    assert ax.get_title() == "doc vs longer"
    # both peaks are at the end of warm-up: its circle marks them, no hidden triangle
    assert len(_by_gid(ax, "peak")) == 0 and len(_by_gid(ax, "final")) == 2
    assert "peak" not in legend and "final" in legend


def test_param_groups_get_a_line_each():
    trace = simulate(load_plan(CONFIGS / "two-groups.yaml"))
    lines = _lines(plot_traces([trace]).axes[0])
    # one plan: its name is the title; the legend names the groups
    assert [label.split("  ")[0] for label in lines] == ["backbone", "head"]
    backbone, head = lines.values()
    np.testing.assert_allclose(head.get_ydata()[:-1], trace.lr[:, 1])
    assert head.get_ydata()[0] == pytest.approx(10 * backbone.get_ydata()[0])


def test_a_long_per_step_plan_is_reduced_keeping_every_step_and_an_epoch_axis():
    plan = _plan(
        training={"epochs": 5, "steps_per_epoch": 12_000, "interval": "step"},
        warmup={"kind": "linear", "length": 1000, "start_factor": 0.1},
        decay={"kind": "step", "step_size": 7_001, "gamma": 0.5},
    )
    trace = simulate(plan)
    lr = trace.lr[:, 0]
    ax = plot_traces([trace], PlotOptions(size=(3, 2), dpi=100)).axes[0]
    (line,) = _lines(ax).values()
    x, y = line.get_xdata(), line.get_ydata()
    assert len(x) <= 4 * 300 + 1, "a few points per pixel column, not 60,000"
    steps = x[:-1].astype(int)
    assert np.array_equal(x[:-1], steps) and np.all(np.diff(steps) > 0)
    np.testing.assert_array_equal(y[:-1], lr[steps], "every point is a point of the trace")
    assert x[-1] == 60_000 and y.min() == lr.min() and y.max() == lr.max()
    for boundary in range(1000 + 7_001, 60_000, 7_001):  # every step drop, where it is
        assert boundary in steps
        assert lr[boundary] == pytest.approx(lr[boundary - 1] / 2)
    assert ax.get_xlabel() == "optimizer step"
    (secondary,) = ax.child_axes
    assert secondary.get_xlabel() == "epoch"


def test_by_step_log_size_and_title_options(doc_trace):
    options = PlotOptions(by="step", log=True, size=(5, 3), dpi=80, title="mine")
    figure = plot_traces([_with_steps(doc_trace)], options)
    ax = figure.axes[0]
    (line,) = _lines(ax).values()
    assert line.get_xdata().tolist() == [t * 50 for t in range(21)]
    assert ax.get_yscale() == "log" and ax.get_title() == "mine"
    assert tuple(figure.get_size_inches()) == (5, 3) and figure.dpi == 80


def _with_steps(trace):
    return simulate(_plan(training={"epochs": 20, "steps_per_epoch": 50, "interval": "epoch"}))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    ("name", "magic"), [("a.png", b"\x89PNG"), ("a.svg", b"<?xml"), ("a.PDF", b"%PDF")]
)
def test_the_format_follows_the_extension(doc_trace, tmp_path, name, magic):
    save_figure(plot_traces([doc_trace], PlotOptions(size=(4, 3), dpi=50)), tmp_path / name)
    data = (tmp_path / name).read_bytes()
    assert data.startswith(magic)
    if name.endswith(".png"):
        assert _png_size(data) == (200, 150)
    assert os.listdir(tmp_path) == [name], "no temporary file left"


def test_an_interrupted_write_leaves_nothing(doc_trace, tmp_path, monkeypatch):
    figure = plot_traces([doc_trace])

    def interrupted(*args, **kwargs):
        args[0].write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(figure, "savefig", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_figure(figure, tmp_path / "a.png")
    assert os.listdir(tmp_path) == []


def test_an_unknown_extension_is_refused(doc_trace, tmp_path):
    with pytest.raises(OutputError, match=r"\.jpg"):
        save_figure(plot_traces([doc_trace]), tmp_path / "a.jpg")
    assert os.listdir(tmp_path) == []


def test_default_output_names_are_safe_file_names():
    assert default_output(["gpt-small"]) == Path("gpt-small.png")
    assert default_output(["a", "b"], "svg") == Path("a-vs-b.svg")
    assert default_output(["../../etc/x y"]) == Path("etc_x_y.png")
    assert default_output(list("abcde")) == Path("a-and-4-more.png")


# -- the command ---------------------------------------------------------------------


def _plot(*args, cwd=None):
    return runner.invoke(app, ["plot", *map(str, args)])


def test_plot_writes_a_png_of_the_asked_size(tmp_path):
    out = tmp_path / "s.png"
    config = CONFIGS / "linear-warmup-cosine.yaml"
    result = _plot(config, "-o", out, "--size", "6x3", "--dpi", "40", "--eta-min", "0")
    assert result.exit_code == 0, result.output
    assert _png_size(out.read_bytes()) == (240, 120)
    assert f"wrote {out}" in result.stderr
    assert "--eta-min overrides decay.eta_min" in result.stderr


def test_plot_overlays_configs_into_the_default_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    configs = [CONFIGS / "linear-warmup-cosine.yaml", CONFIGS / "resnet-multistep.yaml"]
    result = _plot(*configs, "--format", "svg", "--log")
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "linear-warmup-cosine-vs-resnet50-large-batch.svg").read_text()
    assert "linear-warmup-cosine" in svg and "resnet50-large-batch" in svg


def test_plot_refuses_to_overwrite_its_input(tmp_path):
    config = tmp_path / "plan.png"  # a config may be named anything
    original = (CONFIGS / "linear-warmup-cosine.yaml").read_bytes()
    config.write_bytes(original)
    result = _plot(config, "-o", config)
    assert result.exit_code == 1
    assert "refusing to write over the input config" in result.stderr
    assert config.read_bytes() == original
    assert os.listdir(tmp_path) == ["plan.png"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("out.png/inside.png", "Not a directory"),
        ("out.jpeg", "cannot tell the image format"),
        ("out", "without an extension"),
    ],
)
def test_bad_outputs_are_one_line_errors_and_leave_no_file(tmp_path, target, message):
    if target.startswith("out.png/"):
        (tmp_path / "out.png").write_bytes(b"")  # a file where the folder would be
    result = _plot(CONFIGS / "linear-warmup-cosine.yaml", "-o", tmp_path / target)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert os.listdir(tmp_path) in ([], ["out.png"])
    if os.listdir(tmp_path):
        assert (tmp_path / "out.png").read_bytes() == b""


def test_a_missing_folder_is_created(tmp_path):
    target = tmp_path / "plots" / "x.png"
    result = _plot(CONFIGS / "linear-warmup-cosine.yaml", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path / "plots") == ["x.png"]  # no temporary file left


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs a folder no one can write")
def test_an_unwritable_folder_is_a_clean_error():
    result = _plot(CONFIGS / "linear-warmup-cosine.yaml", "-o", "/proc/self/warmplan.png")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: /proc/self/warmplan.png: cannot write")
    assert len(result.stderr.splitlines()) == 1


def test_flags_with_several_configs_are_a_usage_error():
    result = _plot(CONFIGS / "gpt-cosine.yaml", CONFIGS / "bert-linear.yaml", "--lr", "1e-3")
    assert result.exit_code == 2
    assert "plan flags apply to one plan" in result.stderr


def test_every_bad_config_of_an_overlay_is_reported(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("optimizer: {lr: 1e-3}\ntraining: {epochs: 0}\n")
    other = tmp_path / "typo.yaml"
    other.write_text("optimiser: {lr: 1e-3}\ntraining: {epochs: 3}\n")
    result = _plot(bad, other, "-o", tmp_path / "x.png")
    assert result.exit_code == 1
    files = {line.split(":")[0] for line in result.stderr.splitlines()}
    assert files == {str(bad), str(other)}
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    "size",
    # nan and sizes under a few pixels were internal errors (matplotlib's ValueError)
    ["8", "axb", "0x3", "400x400", "nanxnan", "nanx4", "1e-9x1e-9", "0.001x4", "infx1"],
)
def test_bad_sizes_are_usage_errors(size, tmp_path):
    result = _plot(CONFIGS / "linear-warmup-cosine.yaml", "--size", size, "-o", tmp_path / "a.png")
    assert result.exit_code == 2, result.output
    assert "--size" in result.stderr


def test_plot_help_names_its_options():
    result = runner.invoke(app, ["plot", "--help"])
    assert result.exit_code == 0
    for option in ("--output", "--format", "--log", "--by", "--size", "--dpi", "--title"):
        assert option in result.stdout


def test_the_cli_module_does_not_import_matplotlib_or_plotext():
    code = (
        "import sys, warmplan.cli.main; print(sorted({'matplotlib', 'plotext'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_small_size_still_draws_without_a_warning(tmp_path):
    """The smallest size allowed leaves the axes no room: drawn cramped, no warning
    (pytest turns warnings into errors)."""
    target = tmp_path / "small.png"
    result = _plot(CONFIGS / "linear-warmup-cosine.yaml", "--size", "0.22x0.22", "-o", target)
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG")


def test_plan_names_are_drawn_as_written(tmp_path):
    # "$...$" is matplotlib's mathtext ("a $x^$ b" failed to draw: exit 3) and a label
    # starting with "_" is dropped from legends; plan names and titles are the user's text
    traces = [simulate(_plan(name=name)) for name in ("a $x^$ b", "_hidden")]
    figure = plot_traces(traces, PlotOptions(title="cost $5"))
    figure.savefig(tmp_path / "names.png")  # draws every text
    ax = figure.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    shown = [text.replace(r"\$", "$").lstrip("\u200b") for text in legend[:2]]
    assert [s.split("  (peak")[0] for s in shown] == ["a $x^$ b", "_hidden"]
    assert ax.get_title().replace(r"\$", "$") == "cost $5"

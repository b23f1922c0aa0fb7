"""`plot --run`: the log's points over the planned curve, the first divergence marked."""

from __future__ import annotations

import json

import numpy as np
import yaml
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app
from warmplan.config.load import load_plan
from warmplan.render.plot import plot_traces
from warmplan.render.run_overlay import overlay_run
from warmplan.runs.compare import verify
from warmplan.runs.read import read_log
from warmplan.schedule.simulate import simulate

CASE = DATA / "runs" / "hf_trainer_resume_lost_scheduler"


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_logged_points_and_the_divergence_are_drawn():
    case = json.loads((CASE / "case.json").read_text("utf-8"))
    trace = simulate(load_plan(case["warmplan_plan"]))
    verdict = verify(trace, read_log([CASE / "trainer_state.json"]))
    ax = overlay_run(plot_traces([trace]), trace, verdict, "step").axes[0]
    (points,) = _by_gid(ax, "logged")
    # independently: the file's own entries, step s drawn at update s-1, mid-step
    history = json.loads((CASE / "trainer_state.json").read_text("utf-8"))["log_history"]
    logged = [(e["step"] - 1 + 0.5, e["learning_rate"]) for e in history if "learning_rate" in e]
    assert np.array_equal(points.get_offsets(), np.array(logged))
    (mark,) = _by_gid(ax, "divergence")
    assert mark.get_xydata().tolist() == [[20.5, 0.0]]  # update 20 ran at 0 (the restart)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "logged" in texts and "first divergence (restart)" in texts


def test_cli_plot_run_writes_the_image_and_says_the_verdict(tmp_path):
    case = json.loads((CASE / "case.json").read_text("utf-8"))
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(case["warmplan_plan"]), "utf-8")
    output = tmp_path / "overlay.svg"
    result = CliRunner().invoke(
        app, ["plot", str(plan), "--run", str(CASE / "runs" / "tb"), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "diverged at update 20 (restart)" in result.stderr
    assert output.read_bytes().startswith(b"<?xml")


def test_plot_run_refuses_several_plans_and_a_tag_alone(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"optimizer": {"lr": 1e-3}, "training": {"steps": 60}}))
    run = str(CASE / "trainer_state.json")
    two = CliRunner().invoke(app, ["plot", str(plan), str(plan), "--run", run, "-o", "x.png"])
    assert two.exit_code == 2 and "one config" in two.stderr
    tag = CliRunner().invoke(app, ["plot", str(plan), "--tag", "lr", "-o", str(tmp_path / "x.png")])
    assert tag.exit_code == 2 and "give --run LOG" in tag.stderr

"""`warmplan verify` on the real training logs of tests/data/runs/ (made by
scripts/make_run_logs.py with the real libraries): every case gives the status and
diagnosis its case.json expects, and every reader maps its logger's steps to the
updates whose true LR (recorded by an optimizer pre-step hook in the run) it logged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app
from warmplan.config.load import load_plan
from warmplan.runs.compare import verify
from warmplan.runs.read import read_log
from warmplan.schedule.simulate import simulate

RUNS = DATA / "runs"
CASES = {p.parent.name: json.loads(p.read_text("utf-8")) for p in sorted(RUNS.glob("*/case.json"))}
WITH_PLAN = sorted(name for name, case in CASES.items() if "warmplan_plan" in case)


def _plan_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(CASES[name]["warmplan_plan"]), "utf-8")
    return path


def _expected_diagnosis(case: dict[str, Any]) -> dict[str, Any] | None:
    return case["expected"].get("diagnosis")


def test_every_fault_kind_has_a_real_case():
    kinds = {(_expected_diagnosis(CASES[n]) or {}).get("kind") for n in WITH_PLAN}
    assert kinds >= {
        None,
        "scheduler-steps-per-update",
        "restart",
        "per-epoch-stepping",
        "shift",
        "horizon",
    }


@pytest.mark.parametrize("name", WITH_PLAN)
def test_the_whole_run_gets_the_expected_verdict(name):
    """The run's folder (all its logs, merged in order) and the exit code via the CLI."""
    case = CASES[name]
    trace = simulate(load_plan(case["warmplan_plan"]))
    verdict = verify(trace, read_log([RUNS / name]))
    assert verdict.status == case["expected"]["status"]
    expected = _expected_diagnosis(case)
    if expected is None:
        assert verdict.diagnosis is None
        return
    got = verdict.diagnosis.as_dict()
    assert {k: got.get(k) for k in expected} == expected, got


CORRECT_RUNS = [n for n in WITH_PLAN if CASES[n]["fault"]["kind"] == "none"]


@pytest.mark.parametrize(
    ("name", "log"),
    [(n, log["file"]) for n in WITH_PLAN for log in CASES[n]["logs"] if n in CORRECT_RUNS],
    ids=lambda v: v,
)
def test_every_log_file_of_a_correct_run_verifies_ok(name, log):
    """Each file alone (checkpoint copies, each event file, both W&B exports, MLflow):
    a run without a fault followed its plan at every logged update."""
    case = CASES[name]
    trace = simulate(load_plan(case["warmplan_plan"]))
    run_log = read_log([RUNS / name / log])
    verdict = verify(trace, run_log)
    assert verdict.status == "ok", verdict.first_divergence
    assert verdict.compared == sum(s.update.size for s in run_log.series) > 0
    for series in run_log.series:
        assert np.all(np.diff(series.update) > 0)  # one point per update, in order


@pytest.mark.parametrize(
    "name", sorted(n for n in CASES if "observed" in CASES[n] and n != "edge_inf_lr")
)
def test_readers_map_steps_to_the_updates_that_used_the_lr(name):
    """Where the case's evidence says a log holds the truth (all its points equal
    truth.lr at one offset), the reader's (update, lr) equal (u, truth.lr[u]) at the
    log's precision, and the case's examples are among them."""
    case = CASES[name]
    truth = np.asarray(case["truth"]["lr"], dtype=np.float64)
    for observed in case["observed"]:
        if observed["matched"] != observed["points"] or observed.get("step_key") == "_step":
            continue  # a log that differs from the truth (the fault), or W&B's other key
        log = read_log([RUNS / name / observed["file"]], tag=observed["tag"].split("/pg")[0])
        series = next(s for s in log.series if s.group == observed["group"])
        expected = truth[series.update, observed["group"]]
        if observed["precision"] == "float32":
            assert np.array_equal(np.float32(expected), np.float32(series.lr))
        else:
            assert np.array_equal(expected, series.lr)
        for example in observed["examples"]:
            update = example["step"] + observed["offset"]
            at = int(np.searchsorted(series.update, update))
            assert series.update[at] == update
            assert series.lr[at] == example["logged"]


def test_cli_text_names_the_first_divergence_and_the_fix(tmp_path):
    name = "hf_trainer_resume_lost_scheduler"
    result = CliRunner().invoke(
        app, ["verify", str(_plan_file(tmp_path, name)), str(RUNS / name / "trainer_state.json")]
    )
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    # the truth: update 20 ran at 0.0 (the fresh schedule's first LR); the plan's linear
    # warm-up of 10 to 1e-3 then linear decay to 0 at 60 gives 1e-3 * 40/50 there
    assert lines[1].endswith(
        "trainer_state.json: update 20: logged 0, planned 0.0008 "
        "(learning_rate; 40 of 60 logged LRs differ)"
    )
    assert lines[2].startswith("diagnosis: restart at update 20: ")
    assert "scheduler.pt" in lines[2]


def test_cli_json_has_the_issue_fields(tmp_path):
    name = "torch_tb_double_step"
    result = CliRunner().invoke(
        app, ["verify", str(_plan_file(tmp_path, name)), str(RUNS / name), "-f", "json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    # update 1 ran at plan(2): warm-up 1e-4 + 2 * 9e-4 / 10, stored as float32
    assert document["first_divergence"] == {
        "update": 1,
        "logged": float(np.float32(0.00028)),
        "planned": pytest.approx(1e-4 + 9e-4 / 10),
        "series": "lr",
        "group": 0,
    }
    assert document["status"] == "diverged"
    assert document["diagnosis"] == {"kind": "scheduler-steps-per-update", "factor": 2, "offset": 0}
    assert document["compared"] == 60


def test_cli_ok_exits_0_and_says_so(tmp_path):
    name = "lightning_csv_two_groups"
    result = CliRunner().invoke(app, ["verify", str(_plan_file(tmp_path, name)), str(RUNS / name)])
    assert result.exit_code == 0, result.output
    assert "ok: all 120 logged LRs equal the plan's" in result.stdout  # 60 updates x 2 groups


def test_cli_merges_logs_given_in_order(tmp_path):
    """Two event files given one by one: the later run's values win on steps 30..39."""
    name = "edge_duplicate_steps_restart"
    files = [str(RUNS / name / log["file"]) for log in CASES[name]["logs"]]
    result = CliRunner().invoke(app, ["verify", str(_plan_file(tmp_path, name)), *files])
    assert result.exit_code == 1
    assert "restart at update 30" in result.stdout
    assert "10 updates were logged twice with different values" in result.stderr


def test_usage_errors_exit_2(tmp_path):
    plan = _plan_file(tmp_path, "torch_tb_correct")
    missing_log = CliRunner().invoke(app, ["verify", str(plan)])
    assert missing_log.exit_code == 2
    mixed = CliRunner().invoke(
        app,
        ["verify", str(plan), str(RUNS / "torch_tb_correct"), str(RUNS / "plain_csv_step_lr")],
    )
    assert mixed.exit_code == 2
    assert "different formats" in mixed.stderr


def test_readme_example_is_what_verify_prints(monkeypatch):
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    command = "$ warmplan verify configs/hf-trainer-linear.yaml "
    block = readme.split(command, 1)[1].split("$ echo $?", 1)[0]
    log, *printed = block.splitlines()
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["verify", "configs/hf-trainer-linear.yaml", log])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == printed

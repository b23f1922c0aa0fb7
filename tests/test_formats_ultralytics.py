"""ultralytics training configs read as plans of the yolo kind: every batch's LR, for
the three param groups, must be the one ultralytics 8.4.190's own schedule code gave in
its training loop (tests/data/formats/ultralytics.json, made by
scripts/make_ultralytics_references.py), rtol 1e-12; the LRs of the batches the
optimizer stepped on are among them."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
RTOL = 1e-12
CASES = json.loads((FORMATS / "ultralytics.json").read_text())["cases"]


def _show(case: dict[str, Any]) -> tuple[list[str], np.ndarray]:
    args = ["show", str(FORMATS / case["config"]), "--steps-per-epoch"]
    result = CliRunner().invoke(app, [*args, str(case["batches_per_epoch"]), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    return rows[0], np.array([[float(v) for v in row[3:]] for row in rows[1:]])


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_batch_has_ultralytics_lr(case: dict[str, Any]) -> None:
    header, lrs = _show(case)
    assert header[3:] == [f"lr/{group}" for group in case["derived"]["groups"]]
    expected = np.array(case["lrs"], dtype=float)
    assert lrs.shape == expected.shape == (case["iterations"], 3)
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)
    stepped = case["optimizer_steps"]  # the updates: a subset when batch < nbs
    np.testing.assert_allclose(lrs[stepped], expected[stepped], rtol=RTOL, atol=0)


def test_the_reference_data_covers_the_schedule_variants() -> None:
    names = {case["name"]: case for case in CASES}
    assert {case["args"]["cos_lr"] for case in CASES} == {True, False}
    assert names["no-warmup"]["derived"]["nw"] == 0
    # warmup_epochs 3 of 3 epochs: capped at epochs - 1, 2 x 6 batches
    assert names["warmup-capped-before-last-epoch"]["derived"]["nw"] == 12
    steps = names["batch-below-nbs-accumulates"]["optimizer_steps"]
    assert len(steps) < names["batch-below-nbs-accumulates"]["iterations"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path) -> None:
    from warmplan import load_plan, simulate
    from warmplan.render.plan_file import plan_yaml

    overrides = {"training.steps_per_epoch": case["batches_per_epoch"]}
    recipe = load_plan(FORMATS / case["config"], overrides)
    converted = tmp_path / "plan.yaml"
    converted.write_text(plan_yaml(recipe))
    plan = load_plan(converted)
    assert plan.source.format == "warmplan" and plan.decay.kind == "yolo"
    assert np.array_equal(simulate(plan).lr, simulate(recipe).lr)


def test_the_batches_of_an_epoch_are_a_located_run_time_fact() -> None:
    config = FORMATS / "configs" / "ultralytics" / "sgd-linear.yaml"
    result = CliRunner().invoke(app, ["show", str(config)])
    line = config.read_text().splitlines().index("epochs: 10") + 1
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{config}:{line}:1: error: epochs: 10 needs the batches")
    assert "pass --steps-per-epoch N" in result.stderr and "[WP011]" in result.stderr


def test_ultralytics_files_are_told_apart_from_the_other_formats() -> None:
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    for case in CASES:
        assert detect(read_source(FORMATS / case["config"]).data) == "ultralytics"
    others = [
        p
        for p in (FORMATS / "configs").rglob("*.*")
        if "ultralytics" not in p.parts and p.suffix in (".yaml", ".json")
    ]
    assert len(others) > 90
    for path in others:
        assert detect(read_source(path).data) != "ultralytics", path


@pytest.mark.parametrize(("batches", "epochs", "cos"), [(20, 12, False), (60, 4, True)])
def test_a_yolov5_hyp_file_follows_yolov5_train_py(batches: int, epochs: int, cos: bool) -> None:
    """YOLOv5's train.py (ultralytics/yolov5@5081342f), written out: nw = max(round(3.0 x
    nb), 100); lf linear or one_cycle; np.interp while ni <= nw, the first group (the
    biases) from warmup_bias_lr 0.1; hyp lr0 0.01, lrf 0.01 from the file."""
    import math

    config = FORMATS / "configs" / "ultralytics" / "yolov5-hyp-scratch-low-like.yaml"
    flags = ["--steps-per-epoch", str(batches), "--epochs", str(epochs)]
    if cos:
        flags += ["--set", "decay.shape=cosine"]
    result = CliRunner().invoke(app, ["show", str(config), *flags, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][3:] == ["lr/bias", "lr/weight", "lr/bn"]
    lrs = np.array([[float(v) for v in row[3:]] for row in rows[1:]])

    def lf(x: int) -> float:
        if cos:
            return ((1 - math.cos(x * math.pi / epochs)) / 2) * (0.01 - 1) + 1
        return (1 - x / epochs) * (1.0 - 0.01) + 0.01

    nw = max(round(3.0 * batches), 100)
    expected = []
    for ni in range(epochs * batches):
        epoch = ni // batches
        row = []
        for j in range(3):
            lr = 0.01 * lf(epoch)
            if ni <= nw:
                lr = np.interp(ni, [0, nw], [0.1 if j == 0 else 0.0, 0.01 * lf(epoch)])
            row.append(lr)
        expected.append(row)
    np.testing.assert_allclose(lrs, np.array(expected), rtol=RTOL, atol=0)

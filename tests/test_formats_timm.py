"""timm train.py configs (args.yaml and command lines) read as plans: every update's LR
must be the one timm 1.0.31's own scheduler factory gave when driven as train.py drives
it (tests/data/formats/timm.json, made by scripts/make_timm_references.py), rtol 1e-12."""

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
CASES = json.loads((FORMATS / "timm.json").read_text())["cases"]
RAN = [case for case in CASES if "lrs" in case]


def _flags(case: dict[str, Any]) -> list[str]:
    """The run-time facts of the reference run: updates per epoch, processes."""
    return [
        "--steps-per-epoch",
        str(case["updates_per_epoch"]),
        "--world-size",
        str(case["world_size"]),
    ]


def _show_csv(*args: str) -> tuple[list[str], np.ndarray]:
    result = CliRunner().invoke(app, ["show", *args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, body = rows[0], rows[1:]
    columns = [i for i, name in enumerate(header) if name not in ("step", "epoch", "phase")]
    return header, np.array([[float(row[i]) for i in columns] for row in body])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_timms_lr(case: dict[str, Any]) -> None:
    _, lrs = _show_csv(str(FORMATS / case["config"]), *_flags(case))
    expected = np.array(case["lrs"], dtype=float)
    assert (
        expected.shape[0]
        == case["updates"]
        == case["derived"]["num_epochs"] * case["updates_per_epoch"]
    )
    if case["derived"]["t_in_epochs"] is not False:  # stepped per epoch (or no scheduler)
        per_epoch = expected.reshape(-1, case["updates_per_epoch"], expected.shape[1])
        assert (per_epoch == per_epoch[:, :1, :]).all()  # one LR through each epoch
        expected = per_epoch[:, 0, :]
    assert lrs.shape[0] == expected.shape[0]
    np.testing.assert_allclose(np.repeat(lrs, expected.shape[1], axis=1), expected, rtol=RTOL)


def test_the_reference_data_covers_every_previewable_scheduler() -> None:
    kinds = {case["args"]["sched"] for case in RAN}
    assert kinds == {"cosine", "tanh", "poly", "step", "multistep", "constant", "none"}
    assert {case["derived"]["t_in_epochs"] for case in RAN} == {True, False, None}
    assert any(case["config"].endswith(".sh") for case in RAN)
    assert any(case["args"]["lr"] is None for case in RAN)


def test_the_library_refusal_is_a_located_error() -> None:
    (case,) = [c for c in CASES if "error" in c]
    config = FORMATS / case["config"]
    result = CliRunner().invoke(app, ["show", str(config), *_flags(case)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    line = next(
        n for n, text in enumerate(config.read_text().splitlines(), 1) if text.startswith("sched:")
    )
    assert result.stderr.startswith(f"{config}:{line}:1: error: sched 'cosin' is not a timm")
    assert "did you mean cosine?" in result.stderr


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path) -> None:
    from warmplan import load_plan, simulate
    from warmplan.render.plan_file import plan_yaml

    overrides = {
        "training.steps_per_epoch": case["updates_per_epoch"],
        "training.world_size": case["world_size"],
    }
    recipe = load_plan(FORMATS / case["config"], overrides)
    converted = tmp_path / "plan.yaml"
    converted.write_text(plan_yaml(recipe))
    plan = load_plan(converted)
    assert plan.source.format == "warmplan"
    assert np.array_equal(simulate(plan).lr, simulate(recipe).lr)


def test_a_command_line_is_read_with_train_pys_types(tmp_path) -> None:
    from warmplan.formats.timm_args import read_command_line

    path = tmp_path / "run.sh"
    path.write_text(
        "#!/bin/sh\n"
        "torchrun --nproc_per_node 8 train.py /data --model vit \\\n"
        "  --lr=5e-4 --dr .5 --decay-milestones 10 20 --amp --warmup-prefix \\\n"
        "  --min-lr -1e-6 --unknown-flag x y --epochs 30  # trailing comment --epochs 99\n"
    )
    source = read_command_line(path)
    assert source.data == {
        "lr": 0.0005,
        "decay_rate": 0.5,
        "decay_milestones": [10, 20],
        "model": "vit",  # other flags are kept only to tell typos of schedule flags
        "amp": True,
        "warmup_prefix": True,
        "min_lr": -1e-06,
        "unknown_flag": "x",
        "epochs": 30,
    }
    assert source.positions[("epochs",)] == (4, 37)
    assert source.positions[("decay_milestones",)] == (3, 21)


def test_timm_files_are_told_apart_from_the_other_formats() -> None:
    from warmplan.config.load import source_of
    from warmplan.formats import detect
    from warmplan.formats.load import read_any

    for case in RAN + [c for c in CASES if "error" in c]:
        if case["config"].endswith(".yaml"):
            assert detect(source_of(FORMATS / case["config"]).data) == "timm", case["name"]
    others = [p for p in (FORMATS / "configs").rglob("*.*") if "timm" not in p.parts]
    assert len(others) > 80
    for path in others:
        source = read_any(path)  # YAML, JSON, Python literals
        assert detect(source.data, source.syntax) != "timm", path


def test_a_missing_fact_names_its_flag_and_check_goes_on() -> None:
    config = FORMATS / "configs" / "timm" / "args-poly-updates.yaml"
    shown = CliRunner().invoke(app, ["show", str(config)])
    line = config.read_text().splitlines().index("sched_on_updates: true") + 1
    assert shown.exit_code == 1
    assert shown.stderr.startswith(f"{config}:{line}:1: error: sched_on_updates: true")
    assert "pass --steps-per-epoch N" in shown.stderr and "[WP011]" in shown.stderr
    checked = CliRunner().invoke(app, ["check", str(config)])
    assert f"{config}:{line}:1: warning: sched_on_updates" in checked.stdout


def test_the_seresnet_recipe_never_reaches_its_lr_and_check_says_so() -> None:
    """timm's docs' seresnet34 recipe: the warm-up counts inside t_initial, so the cosine
    is already past its top when the warm-up ends: 0.4 x (1 + cos(pi 3/15)) / 2."""
    import math

    config = FORMATS / "configs" / "timm" / "cosine-seresnet-like.sh"
    _, lrs = _show_csv(str(config))
    assert lrs.max() == pytest.approx(0.4 * (1 + math.cos(math.pi * 3 / 15)) / 2, rel=1e-12)
    checked = CliRunner().invoke(app, ["check", str(config)])
    assert "[WP105]" in checked.stdout

"""mmengine configs (Python, read as literals) as plans: every LR of every update that a
real mmengine 0.10.7 Runner used (tests/data/formats/mmengine.json, made by
scripts/make_mmengine_nanogpt_references.py) must come out of
`warmplan show CONFIG --steps-per-epoch N -f csv` (rtol 1e-12); what mmengine refused
is a located error; findings point into the file (or the _base_ file) responsible."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.test_formats import _csv_lrs
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CONFIGS = FORMATS / "configs" / "mmengine"
RTOL = 1e-12
CASES = json.loads((FORMATS / "mmengine.json").read_text())["cases"]
RAN = [c for c in CASES if "lrs" in c]
REFUSED = [c for c in CASES if "error" in c]


def _show(config: Path, *flags: str) -> Any:
    return CliRunner().invoke(app, ["show", str(config), *flags, "-f", "csv"])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_mmengines_lr(case: dict[str, Any]) -> None:
    flags = ["--steps-per-epoch", str(case["steps_per_epoch"]), "--world-size", "1"]
    result = _show(FORMATS / case["config"], *flags)
    assert result.exit_code == 0, result.output
    lrs = _csv_lrs(result.stdout)
    expected = np.array(case["lrs"], dtype=float)
    assert lrs.shape == expected.shape and lrs.shape[0] == case["updates"]
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)


def test_the_reference_data_covers_what_the_issue_asks() -> None:
    refused = {c["config"] for c in REFUSED}
    texts = "".join(
        p.read_text() for p in CONFIGS.rglob("*.py") if str(p.relative_to(FORMATS)) not in refused
    )
    for kind in (
        "LinearLR",
        "ConstantLR",
        "CosineAnnealingLR",
        "MultiStepLR",
        "StepLR",
        "PolyLR",
        "OneCycleLR",
        "CosineRestartLR",
        "ExponentialLR",
    ):
        assert f"type='{kind}'" in texts, kind
    assert "convert_to_iter_based=True" in texts and "_delete_=True" in texts
    assert "{{_base_." in texts and "IterBasedTrainLoop" in texts
    assert "accumulative_counts=3" in texts and "enable=True" in texts
    assert len(RAN) >= 15 and len(REFUSED) >= 4


#: case -> (words of the error, the key it points at, the code)
REFUSALS = {
    "refused-end-before-begin": ("end should be larger than begin", "end", "WP006"),
    "refused-start-factor": ("start_factor must be between 0 and 1", "start_factor", "WP006"),
    "refused-unknown-argument": ("has no argument T_mx (did you mean T_max?)", "T_mx", "WP006"),
    "refused-dict-over-list": ("mmengine raises TypeError", "param_scheduler", "WP007"),
}


def _place(path: Path, word: str) -> tuple[int, int]:
    """line:col of the last ``word=`` or ``word =`` written in the file."""
    found = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = re.search(rf"\b{re.escape(word)}\s*=", line)
        if match:
            found = (number, match.start() + 1)
    assert found, f"{word} not in {path}"
    return found


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_mmengine_refused_is_a_located_error(case: dict[str, Any]) -> None:
    config = FORMATS / case["config"]
    words, key, code = REFUSALS[case["name"]]
    result = _show(config, "--steps-per-epoch", "10")
    assert result.exit_code == 1 and result.stdout == ""
    line, col = _place(config, key)
    assert result.stderr.startswith(f"{config}:{line}:{col}: error: "), result.stderr
    assert words in result.stderr and result.stderr.rstrip().endswith(f"[{code}]")


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    from warmplan import load_plan, simulate
    from warmplan.render.plan_file import plan_yaml

    facts = {"training.steps_per_epoch": case["steps_per_epoch"], "training.world_size": 1}
    recipe = load_plan(FORMATS / case["config"], facts)
    converted = tmp_path / "plan.yaml"
    converted.write_text(plan_yaml(recipe))
    plan = load_plan(converted)
    assert plan.source.format == "warmplan"
    assert np.array_equal(simulate(plan).lr, simulate(recipe).lr)


def test_a_missing_epoch_length_is_located_in_the_base_that_sets_the_epochs() -> None:
    config = CONFIGS / "detection" / "faster-rcnn-1x.py"
    result = _show(config)
    base = CONFIGS / "detection" / "../_base_/schedules/epoch-12-step.py"
    line, col = _place(base, "max_epochs")  # train_cfg = dict(..., max_epochs=max_epochs)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{base}:{line}:{col}: error: train_cfg max_epochs=12 needs the iterations of an "
        "epoch (len(train_dataloader)): pass --steps-per-epoch N [WP011]\n"
    )


def test_a_value_of_the_child_overrides_the_base_and_is_located_in_the_child() -> None:
    from warmplan import load_plan

    plan = load_plan(CONFIGS / "detection" / "faster-rcnn-1x.py", {"training.steps_per_epoch": 5})
    assert plan.optimizer.lr == 0.01 and plan.optimizer.kind == "sgd"
    assert plan.optimizer.momentum == 0.9  # merged from the base's optimizer dict
    where = plan.source.locate(("optimizer", "lr"))
    assert (where["path"], where["line"]) == (str(CONFIGS / "detection/faster-rcnn-1x.py"), 7)
    inherited = plan.source.locate(("preset", "args", "schedulers", 1, "milestones"))
    assert inherited["path"].endswith("_base_/schedules/epoch-12-step.py")
    assert inherited["line"] == 8


def test_delete_replaces_the_bases_dict_instead_of_merging() -> None:
    from warmplan import load_plan

    plan = load_plan(CONFIGS / "adamw-delete-optimizer.py", {"training.steps_per_epoch": 5})
    assert plan.optimizer.kind == "adamw" and plan.optimizer.lr == 1e-4
    assert plan.intervals == 6 * 5  # train_cfg merged: max_epochs 6, the base's loop type


def test_a_finding_about_a_base_file_points_into_it(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text(
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))\n"
        "param_scheduler = [dict(type='LinearLR', start_factor=0.1, end=2)]\n"
        "train_cfg = dict(by_epoch=True, max_epochs=4)\n"
    )
    child = tmp_path / "child.py"
    child.write_text("_base_ = './base.py'\ntrain_cfg = dict(max_epochs=6)\n")
    result = _show(child, "--steps-per-epoch", "3")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"{tmp_path / 'base.py'}:2:25: warning: LinearLR warms up")
    assert "[WP150]" in result.stderr
    lrs = _csv_lrs(result.stdout)[:, 0]
    assert len(lrs) == 18  # the child's 6 epochs x 3
    # per epoch: 0.1, then 0.55 (halfway over end - begin - 1 = 1 step), then the peak
    np.testing.assert_allclose(lrs[::3], [1e-3, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2], rtol=RTOL)


def test_python_configs_are_recognised_and_yaml_ones_are_not_stolen() -> None:
    from warmplan.config.pyliteral import read_config
    from warmplan.formats import detect

    for case in CASES:
        source = read_config(FORMATS / case["config"])
        assert detect(source.data, source.syntax) == "mmengine", case["name"]
    for path in sorted((FORMATS / "configs").rglob("*.yaml")):
        source = read_config(path)
        assert source.syntax == "yaml" and detect(source.data, source.syntax) != "mmengine"


# -- check: the traps, each with a negative and a positive example -----------------------

CHECKS = FORMATS / "check"
TRAP_CODES = {"WP150", "WP151", "WP152", "WP153"}
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def declared(path: Path) -> set[tuple[str, str, int]]:
    """``# expect: WP150@5, WP151@base.py:4`` -> {(code, file, line)}."""
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} must declare `# expect: CODE@[FILE:]LINE, ...`"
    found = set()
    for item in match.group(1).split(","):
        code, place = item.strip().split("@")
        file, _, line = place.rpartition(":")
        found.add((code, str(path.parent / file) if file else str(path), int(line)))
    return found


def _check(path: Path) -> Any:
    from warmplan.lint.runner import check_paths

    return check_paths([path], overrides={"training.steps_per_epoch": 10})


@pytest.mark.parametrize(
    "path", sorted((CHECKS / "negative").glob("mmengine-*.py")), ids=lambda p: p.name
)
def test_a_trap_is_found_where_it_is(path: Path) -> None:
    report = _check(path)
    traps = {(f.code, f.path, f.line) for f in report.findings if f.code in TRAP_CODES}
    assert traps == declared(path)
    assert all(f.severity == "warning" and f.col for f in report.findings if f.code in TRAP_CODES)


@pytest.mark.parametrize(
    "path", sorted((CHECKS / "positive").glob("mmengine-*.py")), ids=lambda p: p.name
)
def test_no_trap_where_there_is_none(path: Path) -> None:
    report = _check(path)
    assert [f.format() for f in report.findings if f.code in TRAP_CODES] == []
    assert not [f for f in report.findings if f.severity == "error"]


def test_every_trap_code_has_a_negative_example() -> None:
    negatives = (CHECKS / "negative").glob("mmengine-*.py")
    assert {code for p in negatives for code, _, _ in declared(p)} == TRAP_CODES


def test_warmplan_code_refuses_the_replay_in_one_located_line() -> None:
    config = CONFIGS / "iter-poly.py"
    result = CliRunner().invoke(app, ["code", str(config)])
    assert result.exit_code == 1 and result.stdout == ""
    line, col = _place(config, "param_scheduler")
    assert result.stderr.startswith(f"{config}:{line}:{col}: error: warmplan code cannot write")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("key", ["begin", "end"])
def test_a_phase_bound_that_is_no_number_is_a_located_error(key: str) -> None:
    """mmengine compares end <= begin and raises TypeError on None; warmplan says so at
    the key (it raised the TypeError itself, as an internal error)."""
    from warmplan import load_plan
    from warmplan.errors import ConfigError

    phase = {"type": "LinearLR", "begin": 0, "end": 5, "by_epoch": False, key: None}
    plan = {
        "optimizer": {"lr": 0.1},
        "training": {"steps": 20, "interval": "step"},
        "preset": {
            "framework": "mmengine",
            "name": "param_scheduler",
            "args": {"by_epoch": False, "schedulers": [phase]},
        },
    }
    with pytest.raises(ConfigError) as caught:
        load_plan(plan)
    assert f"schedulers[0]: {key} must be a number, got None [WP006]" in str(caught.value)

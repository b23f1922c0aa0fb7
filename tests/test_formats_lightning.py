"""Lightning CLI configs read as plans: every LR of every optimizer update that a real
``LightningCLI`` run used (tests/data/formats/lightning.json, made by
scripts/make_classpath_references.py with Lightning 2.6.6 and jsonargparse 4.53) must
come out of `warmplan show CONFIG --steps-per-epoch N [--interval I] -f csv` (rtol
1e-12); what Lightning refused, and what cannot be previewed, is a located error."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from tests.test_formats import _key_place
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CASES = json.loads((FORMATS / "lightning.json").read_text())["cases"]
RAN = [case for case in CASES if "lrs" in case]
REFUSED = [case for case in CASES if "error" in case]
#: cases whose updates per epoch the file itself fixes (limit_train_batches)
IN_FILE = {"limit-train-batches"}


def _flags(case: dict[str, Any]) -> list[str]:
    flags = []
    if case["name"] not in IN_FILE and "derived" in case:
        flags += ["--steps-per-epoch", str(case["derived"]["updates_per_epoch"])]
    interval = case["harness_args"].get("model.interval")
    if interval:
        flags += ["--interval", interval]
    return flags


def _per_update(text: str, updates: int) -> np.ndarray:
    """The LR of each update from show's CSV: an epoch's row covers its steps."""
    rows = list(csv.DictReader(io.StringIO(text)))
    starts = [int(row["step"]) for row in rows] + [updates]
    lrs = [float(row["lr"]) for row in rows]
    expanded = [lr for lr, a, b in zip(lrs, starts, starts[1:], strict=False) for _ in range(b - a)]
    return np.array(expanded[:updates])


def _show(path: Path, *flags: str) -> Any:
    return CliRunner().invoke(app, ["show", str(path), *flags, "-f", "csv"])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_lightnings_lr(case: dict[str, Any]) -> None:
    result = _show(FORMATS / case["config"], *_flags(case))
    assert result.exit_code == 0, result.output
    lrs = _per_update(result.stdout, case["updates"])
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    assert lrs.shape == expected.shape
    np.testing.assert_allclose(lrs, expected, rtol=1e-12, atol=0)


def test_the_reference_data_covers_every_mapped_class() -> None:
    used = {c["config_text"].split("lr_scheduler:\n")[-1].split("\n")[0] for c in RAN}
    names = {text.rsplit(".", 1)[-1].strip() for text in used}
    assert {
        "StepLR",
        "MultiStepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "LinearLR",
        "ConstantLR",
        "PolynomialLR",
        "CosineAnnealingWarmRestarts",
        "OneCycleLR",
    } <= names


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path) -> None:
    out = tmp_path / "plan.yaml"
    config = FORMATS / case["config"]
    result = CliRunner().invoke(app, ["convert", str(config), *_flags(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "(Lightning CLI config)" in out.read_text().splitlines()[0]
    assert _show(out).stdout == _show(config, *_flags(case)).stdout


#: case -> (key the error names, code, words it must say)
REFUSALS = {
    "onecycle-too-short": ("lr_scheduler.init_args.total_steps", "WP006", "Tried to step 31"),
    "reduce-on-plateau": ("lr_scheduler.class_path", "WP006", "monitored metric"),
    "project-class": (
        "lr_scheduler.class_path",
        "WP006",
        "cannot know what myproj.sched.Cosine does",
    ),
    "unknown-init-arg": ("lr_scheduler.init_args.eta_mni", "WP006", "(did you mean eta_min?)"),
}


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_lightning_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    config = FORMATS / case["config"]
    key, code, words = REFUSALS[case["name"]]
    result = _show(config, "--steps-per-epoch", "13", *_flags(case))
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    place = _key_place(config, key.replace("init_args.", "init_args.", 1))
    assert line.startswith(f"{config}:{place[0]}:{place[1]}: error: "), line
    assert words in line and line.endswith(f"[{code}]"), line


def test_a_scheduler_of_the_models_own_code_needs_the_interval() -> None:
    config = FORMATS / "configs/lightning/own-linear-per-step.yaml"
    result = _show(config, "--steps-per-epoch", "13")
    assert result.exit_code == 1
    line, col = _key_place(config, "lr_scheduler.class_path")
    assert result.stderr == (
        f"{config}:{line}:{col}: error: model.init_args.lr_scheduler is stepped by the "
        "model's own configure_optimizers (Python): pass --interval step or --interval "
        "epoch (its lr_scheduler dict's interval; Lightning's default is epoch) [WP011]\n"
    )


def test_an_epoch_budget_needs_the_updates_per_epoch() -> None:
    config = FORMATS / "configs/lightning/step-lr.yaml"
    result = _show(config)
    assert result.exit_code == 1
    line, col = _key_place(config, "trainer.max_epochs")
    assert result.stderr.startswith(f"{config}:{line}:{col}: error: max_epochs 7 needs")
    assert "--steps-per-epoch N" in result.stderr and result.stderr.endswith("[WP011]\n")


def test_the_format_is_recognised_and_does_not_take_others() -> None:
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    for case in CASES:
        assert detect(read_source(FORMATS / case["config"]).data) == "lightning", case["name"]


# -- check: the traps of class-path configs, each with a negative and a positive example ----

CHECKS = FORMATS / "check-classpaths"  # Lightning CLI and torchtune examples
TRAP_CODES = {"WP130", "WP131", "WP132", "WP133", "WP134"}


def _facts(path: Path) -> dict[str, int]:
    """``# facts: training.steps_per_epoch=50``: the run-time facts a check runs with."""
    for line in path.read_text().splitlines():
        if line.startswith("# facts: "):
            key, value = line.removeprefix("# facts: ").split("=")
            return {key: int(value)}
    return {}


@pytest.mark.parametrize("path", sorted((CHECKS / "negative").glob("*.yaml")), ids=lambda p: p.name)
def test_a_trap_is_found_where_it_is(path: Path) -> None:
    from tests.test_formats import declared_traps
    from warmplan.lint.runner import check_file

    result = check_file(str(path), overrides=_facts(path))
    traps = {(f.code, f.path, f.line) for f in result.findings if f.code in TRAP_CODES}
    assert traps == declared_traps(path)
    assert all(f.severity == "warning" and f.col for f in result.findings if f.code in TRAP_CODES)


@pytest.mark.parametrize("path", sorted((CHECKS / "positive").glob("*.yaml")), ids=lambda p: p.name)
def test_no_trap_where_there_is_none(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path), overrides=_facts(path))
    assert result.loaded
    assert [f.format() for f in result.findings if f.code in TRAP_CODES] == []


def test_every_trap_code_has_a_negative_example_and_is_a_rule() -> None:
    from tests.test_formats import declared_traps
    from warmplan.lint.runner import check_paths

    found = {code for p in (CHECKS / "negative").glob("*.yaml") for code, _, _ in declared_traps(p)}
    assert found == TRAP_CODES
    report = check_paths([CHECKS / "negative" / "epoch-horizon.yaml"], ignore=["WP130"])
    assert "WP130" not in {f.code for f in report.findings}

"""Composer / llm-foundry configs read as plans: every LR of every update that mosaicml
0.32.1's own scheduler classes give (tests/data/formats/composer.json, made by
scripts/make_composer_references.py, driven as Composer's trainer drives them) must
come out of `warmplan show CONFIG -f csv` (rtol 1e-12); what Composer refuses, warmplan
refuses at the key."""

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
from warmplan.cli.main import app

FORMATS = DATA / "formats"
REFERENCE = json.loads((FORMATS / "composer.json").read_text())
RAN = [c for c in REFERENCE["cases"] if "lrs" in c]
REFUSED = [c for c in REFERENCE["cases"] if "error" in c]


def _show(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["show", *args])
    return result.exit_code, result.stdout, result.stderr


def _facts(case: dict[str, Any]) -> list[str]:
    """The flags of what the case's file leaves to run time."""
    per_epoch = case.get("steps_per_epoch")
    flags = [] if per_epoch is None else ["--steps-per-epoch", str(per_epoch)]
    for name, value in case.get("facts", {}).items():
        flags += ["--" + name.replace("_", "-"), str(value)]
    return flags


def _csv_lrs(text: str) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(text)))
    assert [int(row[0]) for row in rows[1:]] == list(range(len(rows) - 1))
    return np.array([float(row[-1]) for row in rows[1:]])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_composers_lr(case: dict[str, Any]) -> None:
    code, out, err = _show(str(FORMATS / case["config"]), *_facts(case), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    np.testing.assert_allclose(_csv_lrs(out), expected, rtol=1e-12, atol=0)


def test_the_reference_is_composers_arithmetic() -> None:
    assert REFERENCE["versions"]["mosaicml"] == "0.32.1"
    by_name = {c["name"]: c for c in REFERENCE["cases"]}
    # update 0 runs at timestamp 0: the warm-up starts at 0; update 1 at 1/10 of 6e-4
    assert by_name["cosine-batches"]["lrs"][:2] == [[0.0], [pytest.approx(6e-5, rel=1e-15)]]
    # 0.07dur of 50ba: int(3.5) = 3 batches of warm-up
    assert by_name["linear-dur"]["lrs"][1][0] == pytest.approx(1e-3 / 3, rel=1e-15)
    # 1000 tokens of warm-up, 4 x 64 tokens a batch: update 1 at 256 / 1000
    assert by_name["cosine-tokens-tmax"]["lrs"][1][0] == pytest.approx(3e-4 * 0.256, rel=1e-15)
    assert by_name["cosine-epochs"]["updates"] == 36


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_composer_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    path = FORMATS / case["config"]
    code, _, err = _show(str(path))
    lines = path.read_text().splitlines()
    key = "t_max:" if any("t_max:" in text for text in lines) else "t_warmup:"
    line = next(i for i, text in enumerate(lines, 1) if key in text)
    assert code == 1, err
    assert err.startswith(f"{path}:{line}:") and "t_max" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", RAN[:3], ids=[c["name"] for c in RAN[:3]])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(
        app, ["convert", str(FORMATS / case["config"]), *_facts(case), "-o", str(plan)]
    )
    assert result.exit_code == 0, result.output
    assert "(Composer / llm-foundry config)" in plan.read_text().splitlines()[0]
    code, out, err = _show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(_csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=1e-12, atol=0)


def test_epochs_need_the_batches_of_an_epoch() -> None:
    path = FORMATS / "configs" / "composer" / "cosine-epochs.yaml"
    code, _, err = _show(str(path))
    assert code == 1 and "pass --steps-per-epoch N" in err and err.rstrip().endswith("[WP011]")
    assert err.startswith(f"{path}:")


def test_tokens_need_the_batch_and_sequence_length(tmp_path: Path) -> None:
    config = tmp_path / "foundry.yaml"
    config.write_text(
        "max_duration: 20ba\n"
        "global_train_batch_size: 4\n"
        "optimizer: {lr: 1.0e-3}\n"
        "scheduler: {name: cosine_with_warmup, t_warmup: 100tok, t_max: 8000tok}\n"
    )
    code, _, err = _show(str(config))
    assert code == 1 and "max_seq_len" in err and err.startswith(f"{config}:4:"), err


def test_a_composer_config_is_recognised_and_others_are_not() -> None:
    from warmplan.config.load import source_of
    from warmplan.formats import detect

    for case in REFERENCE["cases"]:
        assert detect(source_of(FORMATS / case["config"]).data) == "composer"
    for folder in (FORMATS / "configs").iterdir():
        if folder.name == "composer":
            continue
        for path in folder.glob("*.y*ml"):
            assert detect(source_of(path).data) != "composer", path


def test_the_traps_point_at_their_keys(tmp_path: Path) -> None:
    config = tmp_path / "foundry.yaml"
    config.write_text(
        "max_duration: 500ba\n"
        "optimizer: {lr: 1.0e-3}\n"
        "scheduler:\n"
        "  name: cosine_with_warmup\n"
        "  t_warmup: 0.001dur\n"
    )
    result = CliRunner().invoke(app, ["check", str(config)])
    # int(0.001 x 500) = 0 batches of warm-up; alpha_f absent: Composer's 0.0
    assert f"{config}:5:3: warning: t_warmup 0.001dur is 0 ba" in result.stdout
    assert result.stdout.count("[WP170]") == 1
    assert f"{config}:4:3: warning: alpha_f is not given" in result.stdout
    given = CliRunner().invoke(
        app, ["check", str(FORMATS / "configs/composer/cosine-batches.yaml")]
    )
    assert "WP170" not in given.stdout and "WP171" not in given.stdout

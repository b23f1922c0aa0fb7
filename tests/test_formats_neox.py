"""GPT-NeoX configs read as plans: every LR of every update that GPT-NeoX's AnnealingLR
gives (tests/data/formats/neox.json: NeoX is not on PyPI, so
scripts/make_neox_references.py re-types its scheduler and setup from
EleutherAI/gpt-neox@ea7aefd8 and drives them over a torch optimizer) must come out of
`warmplan show CONFIG -f csv` (rtol 1e-12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.cli_csv import csv_lrs, run_show
from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
REFERENCE = json.loads((FORMATS / "neox.json").read_text())
CASES = REFERENCE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_every_update_has_neoxs_lr(case: dict[str, Any]) -> None:
    code, out, err = run_show(str(FORMATS / case["config"]), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    np.testing.assert_allclose(csv_lrs(out), expected, rtol=1e-12, atol=0)


def test_the_reference_shows_neoxs_quirks() -> None:
    assert REFERENCE["source"].startswith("EleutherAI/gpt-neox@ea7aefd8")
    assert {c["derived"]["style"] for c in CASES} == {"constant", "linear", "cosine", "exponential"}
    by_name = {c["name"]: [row[0] for row in c["lrs"]] for c in CASES}
    cosine = by_name["cosine-125m-like"]
    assert cosine[0] == cosine[1]  # lr x max(1, t) / W: updates 0 and 1 share an LR
    # a cosine shorter than training comes back up (NeoX only clips it at min_lr)
    rises = by_name["cosine-shorter-decay"]
    assert rises[-1] > 5 * min(rises)


@pytest.mark.parametrize("case", CASES[:3], ids=[c["name"] for c in CASES[:3]])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(app, ["convert", str(FORMATS / case["config"]), "-o", str(plan)])
    assert result.exit_code == 0, result.output
    assert "(GPT-NeoX config)" in plan.read_text().splitlines()[0]
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=1e-12, atol=0)


def test_a_neox_config_is_not_taken_for_deepspeed_and_deepspeed_stays_deepspeed() -> None:
    from warmplan.config.load import source_of
    from warmplan.formats import detect

    assert detect(source_of(FORMATS / CASES[0]["config"]).data) == "neox"
    deepspeed = {"train_micro_batch_size_per_gpu": 4, "optimizer": {"type": "Adam", "params": {}}}
    assert detect(deepspeed) == "deepspeed"

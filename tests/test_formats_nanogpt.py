"""nanoGPT config files as plans: every update's LR of nanoGPT's train.py loop
(tests/data/formats/nanogpt.json: its get_lr and inclusive loop repeated from
karpathy/nanoGPT@3adf61e1 by scripts/make_mmengine_nanogpt_references.py, the config
exec'd over train.py's defaults as nanoGPT does) must come out of
`warmplan show CONFIG -f csv` (rtol 1e-12); the file is read as literals, never run."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests import warm
from tests.conftest import DATA
from tests.test_formats import _csv_lrs
from warmplan.cli.main import app

FORMATS = DATA / "formats"
RTOL = 1e-12
CASES = json.loads((FORMATS / "nanogpt.json").read_text())["cases"]
RAN = [c for c in CASES if "lrs" in c]
REFUSED = [c for c in CASES if "error" in c]


def _show(config: Path, *flags: str) -> Any:
    return CliRunner().invoke(app, ["show", str(config), *flags, "-f", "csv"])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_nanogpts_lr(case: dict[str, Any]) -> None:
    result = _show(FORMATS / case["config"])
    assert result.exit_code == 0, result.output
    lrs = _csv_lrs(result.stdout)[:, 0]
    expected = np.array(case["lrs"], dtype=float)[:, 0]  # both groups share it
    assert lrs.shape == expected.shape == (case["updates"],)
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)


def test_the_loop_includes_max_iters_and_the_warm_up_never_starts_at_zero() -> None:
    case = next(c for c in RAN if c["name"] == "char-level")
    lrs = _csv_lrs(_show(FORMATS / case["config"]).stdout)[:, 0]
    assert len(lrs) == 600 + 1
    assert lrs[0] == pytest.approx(1e-3 * 1 / 41, rel=RTOL)  # (it + 1) / (W + 1)
    assert lrs[39] == pytest.approx(1e-3 * 40 / 41, rel=RTOL)
    assert lrs[40] == pytest.approx(1e-3, rel=RTOL)  # cosine from the peak
    assert lrs[600] == pytest.approx(1e-4, rel=RTOL)  # the last update: min_lr
    mid = 1e-4 + 0.5 * (1 + math.cos(math.pi * 0.5)) * (1e-3 - 1e-4)
    assert lrs[320] == pytest.approx(mid, rel=RTOL)


def test_a_zero_division_of_train_py_is_a_located_error() -> None:
    (case,) = REFUSED
    assert case["error"]["type"] == "ZeroDivisionError"
    config = FORMATS / case["config"]
    result = _show(config)
    assert result.exit_code == 1 and result.stdout == ""
    line = next(
        i for i, t in enumerate(config.read_text().splitlines(), 1) if "lr_decay_iters" in t
    )
    assert result.stderr.startswith(f"{config}:{line}:1: error: ")
    assert f"at iteration {case['error']['iter_num']} (ZeroDivisionError)" in result.stderr


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_the_converted_plan_gives_identical_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    from warmplan import load_plan, simulate
    from warmplan.render.plan_file import plan_yaml

    recipe = load_plan(FORMATS / case["config"])
    converted = tmp_path / "plan.yaml"
    converted.write_text(plan_yaml(recipe))
    plan = load_plan(converted)
    assert plan.source.format == "warmplan"
    assert np.array_equal(simulate(plan).lr, simulate(recipe).lr)


def test_keys_left_out_keep_train_pys_defaults_and_the_file_is_never_run(tmp_path: Path) -> None:
    from warmplan import load_plan

    marker = tmp_path / "ran"
    config = tmp_path / "train_x.py"
    config.write_text(f"max_iters = 10\nwarmup_iters = 2\nlr_decay_iters = 10\n# {marker}\n")
    plan = load_plan(config)
    assert plan.optimizer.lr == 6e-4 and plan.intervals == 11
    assert plan.preset is not None and plan.preset.args["min_lr"] == 6e-5
    bad = tmp_path / "train_y.py"
    bad.write_text(f"max_iters = 10\nopen({str(marker)!r}, 'w')\n")
    result = _show(bad)
    assert result.exit_code == 1 and "is not a literal" in result.stderr
    assert not marker.exists()


def test_a_misspelt_schedule_key_is_a_warning(tmp_path: Path) -> None:
    config = tmp_path / "c.py"
    config.write_text("max_iters = 10\nlr_decay_iter = 10\nwarmup_iters = 2\n")
    result = _show(config)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"{config}:2:1: warning: unknown key lr_decay_iter")
    assert "(did you mean lr_decay_iters?)" in result.stderr


# -- check: the traps, each with a negative and a positive example -----------------------

CHECKS = FORMATS / "check"
TRAP_CODES = {"WP155", "WP156", "WP157", "WP158"}
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def declared(path: Path) -> set[tuple[str, int]]:
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} must declare `# expect: CODE@LINE, ...`"
    return {
        (code, int(line))
        for code, line in (item.strip().split("@") for item in match.group(1).split(","))
    }


@pytest.mark.parametrize(
    "path", sorted((CHECKS / "negative").glob("nanogpt-*.py")), ids=lambda p: p.name
)
def test_a_trap_is_found_where_it_is(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    traps = {(f.code, f.line) for f in result.findings if f.code in TRAP_CODES}
    assert traps == declared(path)
    assert all(f.path == str(path) and f.col == 1 for f in result.findings if f.code in TRAP_CODES)


@pytest.mark.parametrize(
    "path", sorted((CHECKS / "positive").glob("nanogpt-*.py")), ids=lambda p: p.name
)
def test_no_trap_where_there_is_none(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    assert result.loaded
    assert [f.format() for f in result.findings if f.code in TRAP_CODES] == []


def test_every_trap_code_has_a_negative_example() -> None:
    negatives = (CHECKS / "negative").glob("nanogpt-*.py")
    assert {code for p in negatives for code, _ in declared(p)} == TRAP_CODES


def test_warmplan_code_writes_train_pys_schedule_as_plain_torch(tmp_path: Path) -> None:
    import sys

    case = next(c for c in RAN if c["name"] == "decay-shorter-than-training")
    result = CliRunner().invoke(app, ["code", str(FORMATS / case["config"])])
    assert result.exit_code == 0, result.output
    script = tmp_path / "schedule.py"
    script.write_text(result.stdout)
    ran = warm.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    lrs = [float(line.split()[1]) for line in ran.stdout.splitlines()]
    np.testing.assert_allclose(lrs, np.array(case["lrs"])[:, 0], rtol=RTOL, atol=0)

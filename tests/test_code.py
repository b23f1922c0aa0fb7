"""`warmplan code`: the printed snippet runs on its own and reproduces the preview,
for every shipped config; plus the CLI of the new kinds and budgets."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests import warm
from tests.conftest import CONFIGS, ROOT, config_trace
from warmplan import load_plan
from warmplan.cli.main import app
from warmplan.schedule.codegen import snippet

#: configs/compare/ included: its presets are LambdaLRs over copied framework functions
CONFIG_FILES = sorted(CONFIGS.rglob("*.yaml"))
#: the loop of a snippet steps a real optimizer (about 30 us an interval); past this
#: many intervals the test checks the first ones only (warm-up, hand-over, decay)
HEAD = 20_000


#: runs each snippet as __main__ in one subprocess (torch imported once, not 8 times)
_DRIVER = """
import contextlib, importlib.abc, runpy, sys

# warmplan's editable install puts a finder on sys.meta_path whatever the path says:
# take every finder that can see warmplan out of reach, and prove it is gone
class NoWarmplan(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "warmplan" or name.startswith("warmplan."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoWarmplan())
sys.path = [p for p in sys.path if p not in ("", ".") and "warmplan" not in p]
try:
    import warmplan  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    raise SystemExit("warmplan is still importable: the snippets would not prove anything")
for script in sys.argv[1:]:
    with open(script + ".out", "w") as out, contextlib.redirect_stdout(out):
        runpy.run_path(script, run_name="__main__")
"""


def _run_snippets(folder: Path, plans: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each plan's snippet run as a script in one subprocess where warmplan cannot be
    imported (the driver checks it): name -> the printed rows (t, lr, ...)."""
    scripts = []
    for name, plan in plans.items():
        script = folder / f"{name}.py"
        script.write_text(snippet(plan, None if plan.intervals <= HEAD else HEAD))
        scripts.append(str(script))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    warm.run(
        [sys.executable, "-c", _DRIVER, *scripts], cwd=folder, env=env, check=True, timeout=600
    )
    return {
        name: np.array(
            [line.split() for line in Path(script + ".out").read_text().splitlines()],
            dtype=np.float64,
        )
        for name, script in zip(plans, scripts, strict=True)
    }


def test_every_config_snippet_reproduces_the_trace(tmp_path):
    """Every shipped config: the snippet, run without warmplan importable, prints
    the LRs of the preview (to 1e-12; most are bit for bit)."""
    names = {path: path.relative_to(CONFIGS).with_suffix("").as_posix() for path in CONFIG_FILES}
    assert "compare/transformers" in names.values()
    runs = _run_snippets(
        tmp_path, {name.replace("/", "-"): load_plan(path) for path, name in names.items()}
    )
    for path, name in names.items():
        expected = config_trace(path).lr[:HEAD]
        printed = runs[name.replace("/", "-")]
        assert printed.shape == (expected.shape[0], 1 + expected.shape[1]), path.name
        assert (printed[:, 0] == np.arange(expected.shape[0])).all()
        np.testing.assert_allclose(printed[:, 1:], expected, rtol=1e-12, atol=0, err_msg=path.name)


def test_every_preset_snippet_matches_the_real_library(tmp_path):
    """One argument set per framework schedule: the snippet (the framework's arithmetic
    copied in with its helpers) prints the LRs the real library produced."""
    from tests.test_presets import ONE_CASE_PER_PRESET, plan_of

    # mmengine's preset replays its chained schedulers (objects with state): `code`
    # refuses it in one line (tests/test_formats_mmengine.py) instead of writing it
    cases = {
        "-".join(key): case for key, case in ONE_CASE_PER_PRESET.items() if key[0] != "mmengine"
    }
    plans = {name: plan_of(document["framework"], case) for name, (document, case) in cases.items()}
    runs = _run_snippets(tmp_path, plans)
    for name, (document, case) in cases.items():
        expected = np.array(case["lrs"], dtype=np.float64)
        printed = runs[name][:, 1:]
        assert printed.shape == expected.shape, name
        if document["dtype"] == "float64":
            np.testing.assert_allclose(printed, expected, rtol=1e-12, atol=1e-18, err_msg=name)
        else:  # float32 libraries: the tolerance of tests/test_presets.py
            peak = float(np.abs(expected).max())
            np.testing.assert_allclose(
                printed, expected, rtol=1e-6, atol=1.2e-7 * peak, err_msg=name
            )


@pytest.mark.parametrize("name", ["timm", "deepspeed", "optax", "transformers"])
def test_preset_snippet_defines_every_helper_it_calls(name):
    text = snippet(load_plan(CONFIGS / "compare" / f"{name}.yaml"))
    assert "warmplan" not in text.replace("`warmplan code`", "")
    namespace: dict[str, Any] = {}
    exec(compile(text, name, "exec"), namespace)  # __name__ is not __main__: no loop
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    scheduler = namespace["build_scheduler"](optimizer)
    for _ in range(100):  # every global a factor reads is looked up on some step
        optimizer.step()
        scheduler.step()


def test_snippet_uses_only_torch_and_copies_custom_factors():
    text = snippet(load_plan(CONFIGS / "wsd.yaml"))
    assert "warmplan" not in text.replace("`warmplan code`", "")
    assert "def wsd_factor(" in text and "def warmup_factor(" in text
    assert "lambda" not in text
    assert "SequentialLR(optimizer, schedulers=[part1, part2], milestones=[1000])" in text


runner = CliRunner()


def test_code_cli_with_flags_and_output(tmp_path):
    out = tmp_path / "schedule.py"
    result = runner.invoke(
        app,
        [
            "code",
            "--lr",
            "1e-3",
            "--steps",
            "50",
            "--warmup",
            "cosine",
            "--warmup-steps",
            "5",
            "--start-factor",
            "0",
            "--decay",
            "wsd",
            "--decay-fraction",
            "0.2",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    run = warm.run([sys.executable, str(out)], capture_output=True, text=True, check=True)
    assert len(run.stdout.splitlines()) == 50
    assert run.stdout.splitlines()[0] == "0 0.0"


def test_code_help_and_refusals():
    assert "runnable PyTorch snippet" in runner.invoke(app, ["code", "--help"]).output
    result = runner.invoke(
        app, ["code", "--lr", "1e-3", "--epochs", "9", "--decay", "reduce_on_plateau"]
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "cannot be previewed" in result.stderr


def test_show_prints_the_derivation():
    wide = {"COLUMNS": "200"}  # one summary line per line
    result = runner.invoke(app, ["show", str(CONFIGS / "wsd.yaml"), "--rows", "8"], env=wide)
    assert result.exit_code == 0, result.output
    assert "ceil(2,000,000 samples / (32 per device x 8 devices)) = 7,813 batches" in result.stdout
    # ceil(7,813 / 2): the last partial accumulation is an update (transformers 5)
    assert "ceil(7,813 / grad_accum 2) = 3,907 optimizer steps" in result.stdout
    auto = runner.invoke(
        app,
        ["show", "--lr", "1e-3", "--steps", "4000", "--warmup-length", "auto", "--rows", "8"],
        env=wide,
    )
    assert auto.exit_code == 0, auto.output
    # ceil: one rounding for length: auto and WP109 (was round)
    assert "ceil(2 / (1 - beta2 0.999 from Adam's default)) = 2,000" in auto.stdout


def test_warmup_length_flag_that_is_neither_number_nor_auto():
    result = runner.invoke(app, ["show", "--lr", "1e-3", "--epochs", "9", "--warmup-length", "x"])
    assert result.exit_code == 1
    assert result.stderr == (
        "<command line>: error: warmup.length must be a whole number, or one of auto, "
        "got 'x' (text) [WP006]\n"
    )


def test_module_entry_point_runs_code(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = warm.run(
        [sys.executable, "-m", "warmplan", "code", str(CONFIGS / "onecycle.yaml"), "--head", "3"],
        preload=warm.TORCH_CLI,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    assert "OneCycleLR(" in run.stdout and "for t in range(3):" in run.stdout


@pytest.mark.parametrize("name", ['x"""y', "C:\\N{oops}", 'ends with "', "a\\"])
def test_any_plan_name_makes_a_script_that_compiles(name):
    plan = load_plan({"name": name, "optimizer": {"lr": 0.1}, "training": {"epochs": 3}})
    tree = ast.parse(snippet(plan))  # a SyntaxError before: the name broke the docstring
    assert ast.get_docstring(tree).splitlines()[0].startswith(f"{name}: the LR schedule")


def test_a_floor_from_min_lr_ratio_is_written_as_the_product():
    """min_lr_ratio 0.1 of 3e-4: `eta_min=0.1 * 0.0003`, which evaluates to the very
    float the schedule uses (0.1 * 3e-4 = 2.9999999999999997e-05), not that repr."""
    import re

    from warmplan import load_plan
    from warmplan.schedule.codegen import snippet

    plan = load_plan(
        {
            "optimizer": {"kind": "adamw", "lr": 3e-4},
            "training": {"steps": 1000},
            "warmup": {"kind": "linear", "length": 10},
            "decay": {"kind": "cosine", "min_lr_ratio": 0.1},
        }
    )
    code = snippet(plan)
    expression = re.search(r"eta_min=([^,)]+)", code).group(1)
    assert expression == "0.1 * 0.0003"
    assert eval(expression) == 0.1 * 3e-4  # the same float the plan's floor is
    assert plan.floor_lrs == [0.1 * 3e-4]

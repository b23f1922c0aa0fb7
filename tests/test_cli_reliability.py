"""The CLI under stress: its own bugs (exit 3, --debug), flags over a file (the flag
wins and show says so), and the size guard (refused before anything is allocated)."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import warmplan
import warmplan.schedule.simulate
from warmplan import load_plan, simulate
from warmplan.cli.main import app
from warmplan.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "linear-warmup-cosine.yaml"


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the core broke\non two lines")


def test_internal_error_is_one_line_with_version_and_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmplan.schedule.simulate, "simulate", _explode)
    result = CliRunner().invoke(app, ["show", str(CONFIG)])
    assert result.exit_code == 3
    assert result.stderr == (
        "internal error: RuntimeError: the core broke on two lines. This is a bug in "
        f"warmplan {warmplan.__version__}; rerun with --debug for the traceback and report it\n"
    )
    assert result.stdout == ""


def test_debug_lets_the_traceback_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warmplan.schedule.simulate, "simulate", _explode)
    result = CliRunner().invoke(app, ["--debug", "show", str(CONFIG)])
    assert isinstance(result.exception, RuntimeError)
    assert "the core broke" in str(result.exception)


_FORCED_BUG = """
import sys
import warmplan.schedule.simulate
def explode(*args, **kwargs):
    raise RuntimeError("the core broke")
warmplan.schedule.simulate.simulate = explode
from warmplan.cli.main import run
sys.argv = ["warmplan", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_internal_error_in_a_real_process(debug: bool) -> None:
    args = [*(["--debug"] if debug else []), "show", str(CONFIG)]
    result = subprocess.run(
        [sys.executable, "-c", _FORCED_BUG, *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if debug:
        assert result.returncode == 1  # Python's own exit code for an uncaught exception
        assert "Traceback (most recent call last)" in result.stderr
        assert "RuntimeError: the core broke" in result.stderr
    else:
        assert result.returncode == 3
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and "rerun with --debug" in result.stderr


def test_flag_wins_over_the_file_and_show_says_so() -> None:
    result = CliRunner().invoke(
        app, ["show", str(CONFIG), "-f", "csv", "--epochs", "30", "--set", "decay.eta_min=0"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"note: --epochs overrides training.epochs from {CONFIG}:8",
        f"note: --set decay.eta_min=0 overrides decay.eta_min from {CONFIG}:16",
    ]
    rows = result.stdout.splitlines()[1:]
    assert len(rows) == 30  # the flag's 30 epochs, not the file's 20
    assert float(rows[-1].split(",")[-1]) < 1e-5  # decays toward the flag's eta_min 0


def test_flag_given_without_a_file_prints_no_note() -> None:
    result = CliRunner().invoke(app, ["show", "-f", "csv", "--lr", "1e-3", "--epochs", "3"])
    assert result.exit_code == 0
    assert result.stderr == ""


def test_set_reads_exponent_floats_like_the_file() -> None:
    plan = load_plan(CONFIG, overrides=[*_parse(["optimizer.lr=3e-4", "decay.eta_min=1E-6"])])
    assert plan.optimizer.lr == 3e-4 and plan.decay.eta_min == 1e-6


def _parse(texts: list[str]) -> list[object]:
    from warmplan.config.overrides import parse_set

    return [parse_set(text) for text in texts]


# -- the size guard --------------------------------------------------------------------


def _plan(epochs: int, groups: int = 1) -> dict:
    optimizer: dict = {"lr": 1e-3}
    if groups > 1:
        optimizer["groups"] = [{"name": f"g{i}"} for i in range(groups)]
    return {"optimizer": optimizer, "training": {"epochs": epochs}}


@pytest.mark.parametrize(
    ("epochs", "groups", "message"),
    [
        (10**15, 1, "1,000,000,000,000,000 optimizer steps is over the limit of 10,000,000"),
        (10_000_001, 1, "10,000,001 optimizer steps is over the limit of 10,000,000"),
        (5_000_001, 2, "5,000,001 epochs x 2 param groups is over the limit of 10,000,000"),
    ],
)
def test_size_guard_refuses_before_allocating(epochs: int, groups: int, message: str) -> None:
    plan = load_plan(_plan(epochs, groups))
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError, match=message):
            simulate(plan)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # a 10M-row trace would be 80 MB


def test_size_guard_boundary_and_its_flag() -> None:
    plan = load_plan(_plan(40))
    assert simulate(plan, max_steps=40).intervals == 40
    with pytest.raises(ConfigError, match="40 optimizer steps is over the limit of 39"):
        simulate(plan, max_steps=39)
    result = CliRunner().invoke(app, ["show", str(CONFIG), "--max-steps", "19"])
    assert result.exit_code == 1
    assert "raise it with --max-steps" in result.stderr
    assert CliRunner().invoke(app, ["show", str(CONFIG), "--max-steps", "20"]).exit_code == 0


def test_trace_memory_is_one_float_per_interval_and_group() -> None:
    """Measured as growth: 10,000 more intervals add at most 13 bytes each to the peak
    (8 for the LR, the rest the array's growth slack and a numpy mask of the check for
    invalid LRs): what the 200,000-interval version allowed (its LRs + 1 MB), at a
    twentieth of its tracemalloc time. A Python float per interval would add 32."""

    def plan(steps: int) -> Any:
        return load_plan(
            {
                "optimizer": {"lr": 1e-3},
                "training": {"epochs": 1, "steps_per_epoch": steps, "interval": "step"},
                "warmup": {"length": 1000},
                "decay": {"kind": "cosine"},
            }
        )

    def peak(steps: int) -> tuple[int, int]:
        tracemalloc.start()
        try:
            trace = simulate(plan(steps))
            return tracemalloc.get_traced_memory()[1], trace.lr.nbytes
        finally:
            tracemalloc.stop()

    simulate(load_plan(_plan(3)))  # torch imported and warmed up outside the measurement
    (small, small_bytes), (large, large_bytes) = peak(10_000), peak(20_000)
    assert (small_bytes, large_bytes) == (8 * 10_000, 8 * 20_000)
    assert large - small < 13 * 10_000, f"peaks {small:,} and {large:,} bytes"
    assert large < large_bytes + 1_000_000, f"peak {large:,} bytes"

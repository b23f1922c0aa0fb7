"""`warmplan check` as a project uses it: a git repository with a pyproject.toml, inline
suppressions in a plan and in a transformers recipe, `--diff`, `--fix`, then a clean
strict check; run as real processes from inside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import warm
from tests.conftest import ROOT

PYPROJECT = """\
[project]
name = "my-training"

[tool.warmplan]
strict = true

[tool.warmplan.per-file-facts."recipes/*.yaml"]
dataset-size = 6400
"""
PLAN = """\
# ResNet-ish: copied from a 20-epoch run
optimizer: {kind: sgd, lr: 0.1}
training:
  epochs: 40
  interval: epoch
warmup:
  kind: linear
  length: 5
  start_factor: 0.0   # warmplan: ignore[WP102]
decay:
  kind: cosine
  T_max: 20           # the old run's length
  eta_min: 1.0e-5
"""
RECIPE = """\
model_name_or_path: gpt2
output_dir: out
learning_rate: 2.0e-5
lr_scheduler_type: cosine   # warmplan: ignore[WP102]
warmup_steps: 0.03   # warmplan: ignore[WP124]
num_train_epochs: 1
per_device_train_batch_size: 8
"""


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.email=ci@example.org", "-c", "user.name=ci"]
    done = subprocess.run(
        ["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True
    )
    return done.stdout


def _check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CI", None)
    return warm.run(
        [sys.executable, "-m", "warmplan", "check", *args],
        preload=warm.TORCH_CLI,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_a_repository_with_pyproject_suppressions_and_fix(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "plans").mkdir(parents=True)
    (repo / "recipes").mkdir()
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "plans" / "cosine.yaml").write_text(PLAN)
    (repo / "recipes" / "sft.yaml").write_text(RECIPE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "configs")

    # from a subfolder: the pyproject is found upward; its facts give the recipe its
    # dataset size (no WP011), the comments silence their findings (no WP116)
    first = _check(repo / "plans", ".", "../recipes")
    (finding, summary) = first.stdout.splitlines()
    assert first.returncode == 1
    # 40 epochs, a 5-epoch warm-up: the decay phase is 35 epochs (40 - 5)
    assert finding.startswith("cosine.yaml:12:3: error: decay.T_max is 20 but the decay")
    assert "set T_max: 35" in finding and finding.endswith("[WP106]")
    assert summary == "2 plans checked: 1 error, 0 warnings"

    shown = _check(repo, "--diff", "plans", "recipes")
    assert shown.returncode == 1
    assert "-  T_max: 20           # the old run's length\n" in shown.stdout
    assert "+  T_max: 35           # the old run's length\n" in shown.stdout
    assert _git(repo, "status", "--porcelain") == ""  # --diff wrote nothing

    fixed = _check(repo, "--fix", "plans", "recipes")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.splitlines()[-1] == "Fixed 1 finding (0 remaining)"
    changed = [
        line
        for line in _git(repo, "diff", "-U0").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-  T_max: 20           # the old run's length",
        "+  T_max: 35           # the old run's length",
    ]

    clean = _check(repo, "plans", "recipes")  # strict, from pyproject: warnings would fail
    assert (clean.returncode, clean.stdout) == (0, "2 plans checked: 0 errors, 0 warnings\n")

    # without the pyproject the recipe lacks its dataset size: a warning, not strict
    isolated = _check(repo, "--isolated", "plans", "recipes")
    assert isolated.returncode == 0
    assert "pass --dataset-size N" in isolated.stdout and "[WP011]" in isolated.stdout

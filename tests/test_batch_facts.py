"""The run-time facts of budgets in samples and tokens, `--global-batch-size` (samples an
optimizer update, over all processes) and `--sequence-length` (tokens a sample): every
command that reads a plan takes them, bad values are usage errors, a flag that
contradicts the file is one located error, and the Composer, OLMo and Megatron readers
use them where the file has no batch. Expectations: the real libraries' LRs stored in
tests/data/formats (the file's batch moved to the command line must not change them),
and ceil() written here."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.cli_csv import csv_lrs
from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CONFIGS = FORMATS / "configs"
COMPOSER = {c["name"]: c for c in json.loads((FORMATS / "composer.json").read_text())["cases"]}
OLMO = {c["name"]: c for c in json.loads((FORMATS / "olmo.json").read_text())["cases"]}
MEGATRON = {c["name"]: c for c in json.loads((FORMATS / "megatron.json").read_text())["cases"]}
BATCH_FLAGS = ("--global-batch-size", "--sequence-length")
#: a Composer run of 2,000 tokens, its batch left to the command line
TOKENS = (
    "max_duration: 2000tok\n"
    "optimizer: {lr: 1.0e-3}\n"
    "scheduler: {name: cosine_with_warmup, t_warmup: 300tok, alpha_f: 0.1}\n"
)


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _shows_the_reference_lrs(result: Any, case: dict[str, Any]) -> None:
    """``result``, a ``show -f csv``, printed the real library's LRs of ``case``."""
    assert result.exit_code == 0, result.stderr
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    np.testing.assert_allclose(csv_lrs(result.stdout), expected, rtol=1e-12, atol=0)


# -- the flags ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "plot", "code", "convert", "check", "verify"])
def test_every_plan_reading_command_takes_both_flags(command: str) -> None:
    result = _run(command, "--help")
    assert result.exit_code == 0
    for flag in BATCH_FLAGS:
        assert flag in result.stdout, (command, flag)


@pytest.mark.parametrize("command", ["show", "check"])
@pytest.mark.parametrize("value", ["0", "-4", "many", "1.5"])
@pytest.mark.parametrize("flag", BATCH_FLAGS)
def test_a_bad_value_is_a_usage_error(tmp_path: Path, command: str, flag: str, value: str) -> None:
    config = _write(tmp_path, "foundry.yaml", TOKENS)
    result = _run(command, str(config), flag, value)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}'" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_the_python_api_checks_the_facts_it_is_given(tmp_path: Path) -> None:
    from warmplan import load_plan
    from warmplan.errors import ConfigError

    config = _write(tmp_path, "foundry.yaml", TOKENS)
    facts = {"training.global_batch_size": 4, "training.sequence_length": 24}
    plan = load_plan(config, overrides=facts)
    assert plan.total_steps == math.ceil(2000 / (4 * 24))  # 21: the last batch passes 2,000
    with pytest.raises(ConfigError, match="at least 1, got 0"):
        load_plan(config, overrides={**facts, "training.sequence_length": 0})


def test_a_warmplan_plan_refuses_them(tmp_path: Path) -> None:
    result = _run("show", "configs/gpt-cosine.yaml", "--global-batch-size", "512")
    assert result.exit_code == 1
    assert result.stderr.startswith("<command line>: error: --global-batch-size is for")
    assert "a warmplan plan counts optimizer steps" in result.stderr
    assert result.stderr.rstrip().endswith("[WP010]")


# -- Composer -------------------------------------------------------------------------


def test_composers_stop_is_the_first_batch_reaching_max_duration() -> None:
    """The reference counts the trainer's batches; ceil(max_duration / per batch)."""
    cases = {
        "cosine-max-tokens": (5000, 4 * 32),
        "cosine-max-samples": (2000, 16),
        "linear-max-samples-flags": (250, 8),
        "constant-max-tokens-flags": (12000, 6 * 50),
        "cosine-max-tokens-batches": (3000, 2 * 40),
    }
    for name, (duration, per_batch) in cases.items():
        case = COMPOSER[name]
        assert case["updates"] == len(case["lrs"]) == math.ceil(duration / per_batch), name


@pytest.mark.parametrize(
    ("flags", "missing"),
    [
        (
            [],
            "this file has no global_train_batch_size and no max_seq_len: pass "
            "--global-batch-size N and --sequence-length N",
        ),
        (["--global-batch-size", "4"], "this file has no max_seq_len: pass --sequence-length N"),
    ],
)
def test_a_missing_batch_is_one_located_error_naming_the_flag(
    tmp_path: Path, flags: list[str], missing: str
) -> None:
    config = _write(tmp_path, "foundry.yaml", TOKENS)
    result = _run("show", str(config), *flags)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{config}:1:1: error: max_duration 2000tok needs the tokens of a batch "
        f"(global_train_batch_size x max_seq_len); {missing} [WP011]"
    ]


def test_samples_need_only_the_global_batch(tmp_path: Path) -> None:
    config = _write(tmp_path, "foundry.yaml", TOKENS.replace("tok", "sp"))
    result = _run("show", str(config), "-f", "csv")
    assert "needs the samples of a batch (global_train_batch_size)" in result.stderr
    assert "pass --global-batch-size N [WP011]" in result.stderr
    shown = _run("show", str(config), "--global-batch-size", "64", "-f", "csv")
    assert shown.exit_code == 0 and len(csv_lrs(shown.stdout)) == math.ceil(2000 / 64)


def test_check_warns_of_the_missing_fact_and_pyproject_gives_it(tmp_path, monkeypatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "foundry.yaml", TOKENS)
    result = _run("check", "foundry.yaml")
    assert "foundry.yaml:1:1: warning: max_duration 2000tok needs the tokens" in result.stdout
    _write(
        tmp_path,
        "pyproject.toml",
        '[tool.warmplan.per-file-facts."*.yaml"]\nglobal-batch-size = 4\nsequence-length = 24\n',
    )
    result = _run("check", "foundry.yaml")
    assert "WP011" not in result.stdout and "1 plan checked" in result.stdout
    # the command line wins over the table, as for the other facts
    flagged = _run("check", "foundry.yaml", "--sequence-length", "0")
    assert flagged.exit_code == 2


def test_the_flags_give_composers_lrs_where_the_file_gave_them(tmp_path: Path) -> None:
    """The file's batch moved to the command line: the same reference LRs."""
    case = COMPOSER["cosine-max-tokens"]
    text = re.sub(r"(?m)^(global_train_batch_size|max_seq_len):.*\n", "", case["config_text"])
    config = _write(tmp_path, "foundry.yaml", text)
    flags = ["--global-batch-size", "4", "--sequence-length", "32"]
    result = _run("show", str(config), *flags, "-f", "csv")
    _shows_the_reference_lrs(result, case)


def test_a_flag_that_agrees_with_the_file_changes_nothing_one_that_contradicts_it_is_an_error() -> (
    None
):
    path = CONFIGS / "composer" / "cosine-max-tokens.yaml"
    agreed = _run(
        "show", str(path), "--global-batch-size", "4", "--sequence-length", "32", "-f", "csv"
    )
    _shows_the_reference_lrs(agreed, COMPOSER["cosine-max-tokens"])
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "max_seq_len" in t)
    wrong = _run("show", str(path), "--sequence-length", "2048")
    assert wrong.exit_code == 1 and wrong.stdout == ""
    assert wrong.stderr.splitlines() == [
        f"{path}:{line}:1: error: max_seq_len is 32 in this file but the command line's "
        "--sequence-length is 2,048: give the run's value once (drop the flag, or change the "
        "file) [WP006]"
    ]


@pytest.mark.parametrize("name", ["constant-max-tokens-flags", "cosine-max-samples"])
def test_convert_of_a_budget_in_tokens_or_samples_keeps_every_lr(name: str, tmp_path: Path) -> None:
    case = COMPOSER[name]
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in case["facts"].items()]
    plan = tmp_path / "plan.yaml"
    result = _run("convert", str(FORMATS / case["config"]), *flags, "-o", str(plan))
    assert result.exit_code == 0, result.output
    header = plan.read_text().splitlines()[:4]
    for key, value in case["facts"].items():
        assert any(f"--{key.replace('_', '-')} {value}" in line for line in header), header
    shown = _run("show", str(plan), "-f", "csv")
    _shows_the_reference_lrs(shown, case)


# -- OLMo and Megatron: the flags where the file has no batch -------------------------


def test_olmo_takes_the_batch_and_sequence_from_the_flags(tmp_path: Path) -> None:
    case = OLMO["cosine-tokens"]  # global batch 16 x sequence 64 in the file
    text = (FORMATS / case["config"]).read_text()
    text = text.replace("model:\n  max_sequence_length: 64\n", "")
    text = text.replace("global_train_batch_size: 16\n", "")
    assert "64" not in text and "16" not in text
    config = _write(tmp_path, "olmo.yaml", text)
    flags = ["--global-batch-size", "16", "--sequence-length", "64"]
    result = _run("show", str(config), *flags, "-f", "csv")
    _shows_the_reference_lrs(result, case)
    # without them, OLMo's own defaults: 512 x 1024 tokens a batch, ceil(2.4e5 / 524,288) = 1
    alone = _run("show", str(config), "-f", "csv")
    assert alone.exit_code == 0 and len(csv_lrs(alone.stdout)) == math.ceil(2.4e5 / (512 * 1024))


def test_olmo_refuses_a_flag_that_contradicts_the_file() -> None:
    path = FORMATS / OLMO["cosine-tokens"]["config"]
    result = _run("show", str(path), "--sequence-length", "4096")
    lines = path.read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "max_sequence_length" in t)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:{line}:3: error: model.max_sequence_length is 64")
    assert "--sequence-length is 4,096" in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(("name", "batch"), [("llama-samples", 128), ("wsd-samples", 24)])
def test_megatron_takes_the_global_batch_from_the_flag(
    name: str, batch: int, tmp_path: Path
) -> None:
    case = MEGATRON[name]
    text = (FORMATS / case["config"]).read_text()
    match = re.search(r"--global-batch-size \S+ ?(\\\n\s*)?", text)
    assert match is not None
    script = _write(tmp_path, "train.sh", text.replace(match.group(0), ""))
    assert "--global-batch-size" not in script.read_text()
    result = _run("show", str(script), "--global-batch-size", str(batch), "-f", "csv")
    _shows_the_reference_lrs(result, case)
    # the flag in place of --world-size: without either, the error names both
    bare = _run("show", str(script))
    assert bare.exit_code == 1 and "--global-batch-size N" in bare.stderr


def test_megatron_refuses_a_flag_that_contradicts_the_script() -> None:
    path = FORMATS / MEGATRON["wsd-samples"]["config"]
    result = _run("show", str(path), "--global-batch-size", "48")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:2:")
    assert (
        "--global-batch-size is 24 in this file but the command line's --global-batch-size "
        "is 48" in result.stderr
    )


@pytest.mark.parametrize("flags", [[], ["--steps", "100"]])
def test_max_duration_in_dur_is_refused_as_composer_refuses_it(
    tmp_path: Path, flags: list[str]
) -> None:
    config = _write(tmp_path, "foundry.yaml", TOKENS.replace("2000tok", "1dur"))
    result = _run("show", str(config), *flags)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{config}:1:1: error: max_duration 1dur: Composer raises ValueError ('TimeUnit.DURATION "
        "is not allowed as a unit for max_duration') [WP006]"
    ]

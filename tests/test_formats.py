"""Other tools' configs read as plans: every LR of every update that the real library
used (tests/data/formats/*.json, made by scripts/make_format_references.py with
transformers 5.24, deepspeed 0.19.8 and axolotl 0.19.0) must come out of
`warmplan show RECIPE --dataset-size N -f csv` (rtol 1e-12); the cases the libraries
refused must be located errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
RTOL = 1e-12


def _cases(tool: str) -> list[dict[str, Any]]:
    return json.loads((FORMATS / f"{tool}.json").read_text())["cases"]


CASES = [(tool, case) for tool in ("transformers", "deepspeed", "axolotl") for case in _cases(tool)]
RAN = [(tool, case) for tool, case in CASES if "lrs" in case]
REFUSED = [(tool, case) for tool, case in CASES if "error" in case]


def _flags(tool: str, case: dict[str, Any]) -> list[str]:
    """The run-time facts of the real run, as warmplan's flags."""
    flags = []
    size = case.get("dataset_size") or case.get("dataset_rows")
    if size:
        flags += ["--dataset-size", str(size)]
    if case.get("world_size", 1) != 1:
        flags += ["--world-size", str(case["world_size"])]
    if tool == "deepspeed" and case["kind"] == "engine":
        flags += ["--steps", str(case.get("updates", 10))]  # the client's loop length
    if tool == "axolotl" and case["args"].get("sample_packing"):
        # N from the packed data's token lengths, which no config holds
        flags += ["--steps", str(case["derived"]["total_num_steps"])]
    return flags


def _csv_lrs(text: str) -> np.ndarray:
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    columns = [i for i, name in enumerate(header) if name not in ("step", "epoch", "phase")]
    assert [int(row[0]) for row in body] == list(range(len(body)))  # one row per update
    return np.array([[float(row[i]) for i in columns] for row in body])


def _api_lrs(tool: str, case: dict[str, Any]) -> np.ndarray:
    """The client code's own param groups (not in any config) need the API."""
    from warmplan import load_plan, simulate

    overrides: dict[str, Any] = {"training.steps": case["updates"]}
    overrides["optimizer.groups"] = [
        {"name": f"g{i}", "lr": lr} for i, lr in enumerate(case["client_param_group_lrs"])
    ]
    return simulate(load_plan(FORMATS / case["config"], overrides)).lr


@pytest.mark.parametrize(("tool", "case"), RAN, ids=[f"{t}-{c['name']}" for t, c in RAN])
def test_every_update_has_the_real_librarys_lr(tool: str, case: dict[str, Any]) -> None:
    if case.get("client_param_group_lrs"):
        lrs = _api_lrs(tool, case)
    else:
        args = ["show", str(FORMATS / case["config"]), *_flags(tool, case), "-f", "csv"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        lrs = _csv_lrs(result.stdout)
    expected = np.array(case["lrs"], dtype=float)
    assert lrs.shape[0] == expected.shape[0] == case["updates"]
    if lrs.shape[1] == 1:  # the Trainer's two param groups share one LR
        lrs = np.repeat(lrs, expected.shape[1], axis=1)
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)


def test_the_reference_data_covers_what_the_issue_asks() -> None:
    ran = [c for t, c in RAN if t == "transformers"]
    assert len(ran) >= 30
    kinds = {c["args"].get("lr_scheduler_type", "linear") for c in ran}
    assert len(kinds) == 10  # every SchedulerType that is a function of the step
    assert {c["world_size"] for c in ran} == {1, 2}
    assert len([c for t, c in RAN if t == "deepspeed"]) >= 20 - 3
    assert len([c for t, c in RAN if t == "axolotl"]) == 23


# -- what the libraries refused --------------------------------------------------------

#: case -> (file the error points into, the key it names, code, words it must say)
REFUSALS = {
    "yaml-lr-without-dot": (None, "learning_rate", "WP006", "write 5.0e-5"),
    "warmup-steps-string": (None, "warmup_steps", "WP006", "must be a number"),
    "wsd-missing-decay-steps": (None, "lr_scheduler_type", "WP005", "num_decay_steps"),
    "unknown-scheduler": (None, "lr_scheduler_type", "WP006", "not a transformers SchedulerType"),
    "unknown-kwarg": (None, "min_lr_rate", "WP006", "not an argument of transformers' cosine"),
    "negative-warmup": (None, "warmup_steps", "WP006", ">= 0, got -1"),
    "reduce-lr-on-plateau-no-eval": (None, "lr_scheduler_type", "WP006", "evaluation metric"),
    "warmuplr-zero-steps-refused": (None, "warmup_num_steps", "WP006", "above 0, got 0"),
    "auto-without-trainer-refused": (
        None,
        "optimizer.lr",
        "WP006",
        "only the transformers Trainer",
    ),
    "unknown-scheduler-refused": (
        None,
        "scheduler.type",
        "WP006",
        "does not recognize LR scheduler",
    ),
    "mismatch-refused": ("ds_file", "optimizer.lr", "WP006", "differs from the TrainingArguments"),
    "warmup-steps-float-refused": (None, "warmup_steps", "WP006", "whole number in axolotl"),
    "warmup-steps-and-ratio-refused": (None, "warmup_ratio", "WP006", "mutually exclusive"),
}
#: refused by transformers' strict parser, dropped by allow_extra_keys: a warning
WARNED = {
    "warmup-ratio-refused": ("warmup_ratio", "WP120"),
    "misspelt-key": ("lr_scheduler_typ", "WP121"),
}


def _key_place(path: Path, dotted: str) -> tuple[int, int]:
    """line:col of key ``a.b`` (the first ``b`` written after ``a``), by text search."""
    lines = path.read_text().splitlines()
    line, col = 1, 0
    for key in dotted.split("."):
        pattern = re.compile(rf'(^|[\s{{,"])"?{re.escape(key)}"?\s*:')
        for number in range(line, len(lines) + 1):
            match = pattern.search(lines[number - 1], col if number == line else 0)
            if match:
                line, col = number, match.start() + len(match.group(1)) + 1
                break
        else:
            raise AssertionError(f"{dotted} not in {path}")
    return line, col


@pytest.mark.parametrize(("tool", "case"), REFUSED, ids=[f"{t}-{c['name']}" for t, c in REFUSED])
def test_a_refused_config_is_a_located_error_or_warning(tool: str, case: dict[str, Any]) -> None:
    config = FORMATS / case["config"]
    result = CliRunner().invoke(app, ["show", str(config), *_flags(tool, case), "-f", "csv"])
    if case["name"] in WARNED:
        key, code = WARNED[case["name"]]
        assert result.exit_code == 0
        line, col = _key_place(config, key)
        assert f"{config}:{line}:{col}: warning: " in result.stderr
        assert result.stderr.rstrip().endswith(f"[{code}]")
        return
    where, key, code, words = REFUSALS[case["name"]]
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    path = FORMATS / case[where] if where else config
    line, col = _key_place(path, key)
    assert first.startswith(f"{path}:{line}:{col}: error: "), first
    assert first.endswith(f"[{code}]") and words in first, first


def test_deepspeed_mismatches_are_listed_together_as_the_trainer_does() -> None:
    case = next(c for t, c in REFUSED if c["name"] == "mismatch-refused")
    result = CliRunner().invoke(app, ["show", str(FORMATS / case["config"])])
    named = re.findall(r"- ds (\S+)=", case["error"]["message"])
    lines = result.stderr.splitlines()
    assert len(lines) == len(named) == 4
    for key in named:  # optimizer.params.lr, scheduler.params.total_num_steps, ...
        assert len([line for line in lines if f"error: {key} " in line]) == 1, key

"""Composer / llm-foundry configs read as plans: every LR of every update that mosaicml
0.32.1's own scheduler classes give (tests/data/formats/composer.json, made by
scripts/make_composer_references.py, driven as Composer's trainer drives them) must
come out of `warmplan show CONFIG -f csv` (rtol 1e-12); what Composer refuses, warmplan
refuses at the key."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from tests.cli_csv import csv_lrs, run_show
from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
REFERENCE = json.loads((FORMATS / "composer.json").read_text())
RAN = [c for c in REFERENCE["cases"] if "lrs" in c]
REFUSED = [c for c in REFERENCE["cases"] if "error" in c]


def _facts(case: dict[str, Any]) -> list[str]:
    """The flags of what the case's file leaves to run time."""
    per_epoch = case.get("steps_per_epoch")
    flags = [] if per_epoch is None else ["--steps-per-epoch", str(per_epoch)]
    for name, value in case.get("facts", {}).items():
        flags += ["--" + name.replace("_", "-"), str(value)]
    return flags


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_composers_lr(case: dict[str, Any]) -> None:
    code, out, err = run_show(str(FORMATS / case["config"]), *_facts(case), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)[:, 0]
    np.testing.assert_allclose(csv_lrs(out), expected, rtol=1e-12, atol=0)


def test_the_reference_is_composers_arithmetic() -> None:
    assert REFERENCE["versions"]["mosaicml"] == "0.32.1"
    by_name = {c["name"]: c for c in REFERENCE["cases"]}
    # the Trainer steps its schedulers before it moves the timestamp on (trainer.py,
    # _train_loop): updates 0 and 1 both run at timestamp 0, update t at t - 1
    assert by_name["cosine-batches"]["lrs"][:3] == [
        [0.0],
        [0.0],
        [pytest.approx(6e-5, rel=1e-15)],  # timestamp 1 of a 10ba warm-up to 6e-4
    ]
    # 0.07dur of 50ba: int(3.5) = 3 batches of warm-up; update 2 at timestamp 1
    assert by_name["linear-dur"]["lrs"][2][0] == pytest.approx(1e-3 / 3, rel=1e-15)
    # 1000 tokens of warm-up, 4 x 64 tokens a batch: update 2 at 256 / 1000
    assert by_name["cosine-tokens-tmax"]["lrs"][2][0] == pytest.approx(3e-4 * 0.256, rel=1e-15)
    assert by_name["cosine-epochs"]["updates"] == 36


def _refused_at(case: dict[str, Any]) -> str:
    """The last key of the file's scheduler block that the library's message names."""
    block = yaml.safe_load(case["config_text"])["scheduler"]
    named = [k for k in block if re.search(rf"\b{k}\b", case["error"]["message"])]
    return named[-1]


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_composer_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    path = FORMATS / case["config"]
    code, _, err = run_show(str(path), *_facts(case))
    key = _refused_at(case)
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if f"{key}:" in text)
    assert code == 1, err
    assert err.startswith(f"{path}:{line}:") and key in err, err
    assert "Traceback" not in err


#: the three of the first reader, and one run of every other scheduler and argument
CONVERTED = [
    c
    for c in RAN
    if c["name"]
    in (
        "constant-tokens",
        "cosine-batches",
        "cosine-epochs",
        "constant-alpha",
        "linear-alpha-i",
        "inv-sqrt-batches",
        "inv-sqrt-epochs",
        "inv-sqrt-short-t-max",
    )
]


@pytest.mark.parametrize("case", CONVERTED, ids=[c["name"] for c in CONVERTED])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(
        app, ["convert", str(FORMATS / case["config"]), *_facts(case), "-o", str(plan)]
    )
    assert result.exit_code == 0, result.output
    assert "(Composer / llm-foundry config)" in plan.read_text().splitlines()[0]
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=1e-12, atol=0)


def test_epochs_need_the_batches_of_an_epoch() -> None:
    path = FORMATS / "configs" / "composer" / "cosine-epochs.yaml"
    code, _, err = run_show(str(path))
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
    code, _, err = run_show(str(config))
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


def test_every_scheduler_of_llm_foundrys_registry_has_runs() -> None:
    from warmplan.presets.composer import NAMES

    # llm-foundry 0.22.0's llmfoundry/optim/__init__.py registers exactly these four
    assert REFERENCE["versions"]["llm-foundry"] == "0.22.0"
    assert set(NAMES) == {
        "constant_with_warmup",
        "cosine_with_warmup",
        "linear_decay_with_warmup",
        "inv_sqrt_with_warmup",
    }
    assert {c["args"]["scheduler"]["name"] for c in RAN} == set(NAMES)


def test_the_new_references_are_the_documented_formulas() -> None:
    """Spot checks of the data against the classes' documented formulas, at the
    timestamps the updates train at (update t at batch t - 1, see above)."""
    by_name = {c["name"]: c for c in REFERENCE["cases"]}
    lrs = [row[0] for row in by_name["inv-sqrt-batches"]["lrs"]]
    # after a 10ba warm-up: 0.1 + 0.9 / sqrt((t - 10 + 10) / 10), timestamp 40
    assert lrs[41] == pytest.approx(1e-3 * (0.1 + 0.9 / math.sqrt(4.0)), rel=1e-14)
    # the cooldown starts at 80 - 15 = 65 from the decay's value there, to 0: timestamp 70
    held = 0.1 + 0.9 / math.sqrt(6.5)
    assert lrs[71] == pytest.approx(1e-3 * (held + 5 / 15 * (0.0 - held)), rel=1e-14)
    # constant_with_warmup climbs to alpha and holds alpha, not 1.0 (timestamps 3-7)
    assert [row[0] for row in by_name["constant-alpha"]["lrs"]][4:9] == pytest.approx(
        [6e-4, 8e-4, 1e-3, 1e-3, 1e-3], rel=1e-14
    )
    # linear from alpha_i 0.5: the warm-up ends at 0.5, the decay runs 0.5 -> 0.1 over 32
    linear = [row[0] for row in by_name["linear-alpha-i"]["lrs"]]
    assert linear[9] == pytest.approx(5e-4) and linear[25] == pytest.approx(3e-4, rel=1e-14)
    ratio = {c["name"]: c for c in REFERENCE["ratio_cases"]}
    # scale_warmup with ratio 1.5: the ramp is int(7 x 1.5) = 10 long, the branch ends at 7
    ramp = [row[0] for row in ratio["linear-ratio-scale-warmup"]["lrs"]]
    assert ramp[7] == pytest.approx(6e-4 * 0.8 * 6 / 10, rel=1e-14)
    assert ramp[8] == pytest.approx(6e-4 * 0.8, rel=1e-14)
    assert ratio["constant-ratio"]["updates"] == 14  # int(20 x 0.7)
    assert "error" in ratio["cosine-ratio-refused"]  # t_max 40ba x 0.5 < max_duration 40ba


def _config(tmp_path: Path, scheduler: str, head: str = "max_duration: 60ba\n") -> Path:
    config = tmp_path / "foundry.yaml"
    config.write_text(head + "optimizer:\n  lr: 6.0e-4\nscheduler:\n" + scheduler)
    return config


TYPOS = [
    ("cosine_with_warmup", "  alpha_final: 0.1\n", "alpha_final", "alpha_f"),
    ("linear_decay_with_warmup", "  alpha_init: 0.5\n", "alpha_init", "alpha_i"),
    ("constant_with_warmup", "  alpha_f: 0.5\n", "alpha_f", "alpha"),
    ("inv_sqrt_with_warmup", "  t_scale: 10ba\n  t_cooldwn: 5ba\n", "t_cooldwn", "t_cooldown"),
]


@pytest.mark.parametrize(("name", "extra", "typo", "meant"), TYPOS, ids=[t[0] for t in TYPOS])
def test_an_unknown_scheduler_key_is_located_with_a_hint(
    tmp_path: Path, name: str, extra: str, typo: str, meant: str
) -> None:
    config = _config(tmp_path, f"  name: {name}\n  t_warmup: 10ba\n{extra}")
    code, _, err = run_show(str(config))
    line = 1 + next(i for i, text in enumerate(config.read_text().splitlines()) if typo in text)
    located = [text for text in err.splitlines() if text.startswith(f"{config}:{line}:3: ")]
    assert code == 1 and located and f"error: {name} has no argument {typo}" in located[0], err
    assert f"(did you mean {meant}?)" in located[0] and located[0].endswith("[WP004]"), err


BAD_VALUES = [
    ("linear_decay_with_warmup", "  alpha_i: high\n", "scheduler.alpha_i must be a number"),
    ("cosine_with_warmup", "  scale_warmup: 'yes'\n", "scale_warmup must be true or false"),
    ("constant_with_warmup", "  alpha: .nan\n", "scheduler.alpha must be a number"),
    (
        "inv_sqrt_with_warmup",
        "  t_scale: 10\n  t_cooldown: 5ba\n",
        "scheduler.t_scale must be a Composer time string",
    ),
    (
        "inv_sqrt_with_warmup",
        "  t_scale: 10ba\n  t_cooldown: 0.2dur\n",
        "t_cooldown 0.2dur: llm-foundry refuses dur",
    ),
]


@pytest.mark.parametrize(("name", "extra", "message"), BAD_VALUES)
def test_a_bad_scheduler_value_is_located(
    tmp_path: Path, name: str, extra: str, message: str
) -> None:
    config = _config(tmp_path, f"  name: {name}\n  t_warmup: 10ba\n{extra}")
    code, _, err = run_show(str(config))
    keys = [text.split(":")[0].strip() for text in extra.splitlines()]
    bad = next(key for key in keys if key in message)
    line = 1 + next(i for i, text in enumerate(config.read_text().splitlines()) if bad in text)
    assert code == 1 and err.startswith(f"{config}:{line}:3: error: ") and message in err, err


def test_the_new_traps_point_at_their_keys(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "  name: cosine_with_warmup\n  t_warmup: 400tok\n  t_max: 400tok\n"
        "  alpha_f: 6.0e-5\n  scale_warmup: true\n",
        "max_duration: 30ba\nglobal_train_batch_size: 4\nmax_seq_len: 10\n",
    )
    result = CliRunner().invoke(app, ["check", str(config)])
    out = result.stdout
    # 6e-5 is a ratio of 6e-4: the schedule would end at 3.6e-8; meant: 0.1
    assert f"{config}:10:3: warning: alpha_f 6e-05 is a ratio of optimizer.lr 6e-4" in out
    assert "ends at 3.6e-8" in out and "write alpha_f: 0.1" in out
    assert f"{config}:9:3: warning: t_warmup 400 tok is not below t_max 400 tok" in out
    assert f"{config}:11:3: warning: scale_warmup: true changes nothing" in out
    for code in ("WP172", "WP173", "WP174"):
        assert out.count(f"[{code}]") == 1, out
    quiet = CliRunner().invoke(
        app, ["check", str(FORMATS / "configs/composer/cosine-batches.yaml")]
    )
    assert not {"WP172", "WP173", "WP174"} & set(re.findall(r"WP\d+", quiet.stdout))


def test_a_native_plan_takes_the_trainers_scale_schedule_ratio(tmp_path: Path) -> None:
    """What llm-foundry cannot set, a native plan can: Composer's Trainer's own LRs."""
    case = next(c for c in REFERENCE["ratio_cases"] if c["name"] == "inv-sqrt-ratio")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "optimizer": {"lr": case["args"]["optimizer"]["lr"]},
                "training": {"steps": case["updates"], "interval": "step"},
                "preset": {
                    "framework": "composer",
                    "name": "inv_sqrt_with_warmup",
                    "args": {
                        "t_warmup": 8,
                        "t_scale": 10,
                        "t_cooldown": 20,
                        "t_max": 60,
                        "alpha_f_decay": 0.1,
                        "scale_schedule_ratio": 0.75,
                    },
                },
            }
        )
    )
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(csv_lrs(out), np.array(case["lrs"])[:, 0], rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    ("args", "key"),
    [
        ({"t_warmup": 5, "t_max": 40, "scale_schedule_ratio": 0.0}, "scale_schedule_ratio"),
        (
            {"t_warmup": 1, "t_max": 40, "scale_warmup": True, "scale_schedule_ratio": 0.5},
            "scale_warmup",
        ),
    ],
)
def test_a_ratio_composer_cannot_run_is_located(
    tmp_path: Path, args: dict[str, Any], key: str
) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(
            {
                "optimizer": {"lr": 1e-3},
                "training": {"steps": 20, "interval": "step"},
                "preset": {"framework": "composer", "name": "cosine_with_warmup", "args": args},
            },
            sort_keys=False,
        )
    )
    code, _, err = run_show(str(plan))
    line = 1 + next(i for i, text in enumerate(plan.read_text().splitlines()) if key in text)
    assert code == 1 and err.startswith(f"{plan}:{line}:"), err


def test_composers_other_classes_are_native_presets_by_class_name() -> None:
    """Composer's classes llm-foundry has no name for: their data against the documented
    formulas here; tests/test_presets.py runs every one of them against the data."""
    from warmplan.presets import registry

    cases = {c["name"]: c for c in REFERENCE["class_cases"]}
    assert {c["args"]["scheduler"]["class"] for c in cases.values()} <= set(registry("composer"))
    assert len({c["args"]["scheduler"]["class"] for c in cases.values()}) == 10
    # update t trains at timestamp max(t - 1, 0) (the Trainer's order, see above)
    step = [row[0] for row in cases["step"]["lrs"]]
    assert step == [1e-3 * 0.5 ** (max(t - 1, 0) // 7) for t in range(40)]
    # cycles of 5, int(1.7 x 5) = 8, int(1.7 x 8) = 13, int(1.7 x 13) = 22: restarts at
    # timestamps 5, 13, 26, 48, so at updates one later
    restarts = [row[0] / 1e-3 for row in cases["restarts-mult"]["lrs"]]
    assert [t for t in range(1, 80) if restarts[t] > restarts[t - 1]] == [6, 14, 27, 49]
    exponential = [row[0] for row in cases["exponential"]["lrs"]]
    assert exponential[7] == pytest.approx(1e-3 * 0.8 ** (6 / 4), rel=1e-14)
    assert cases["step-ratio"]["updates"] == 24  # int(40 x 0.6); step_size int(7 x 0.6) = 4


def test_a_composer_class_name_in_an_llm_foundry_file_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path, "  name: CosineAnnealingScheduler\n  t_warmup: 0ba\n")
    code, _, err = run_show(str(config))
    assert code == 1 and err.startswith(f"{config}:5:3: error: scheduler.name"), err
    assert "not in llm-foundry's scheduler registry" in err and "by class name" in err

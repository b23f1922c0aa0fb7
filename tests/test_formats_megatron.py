"""Megatron-LM launch scripts read as plans: every LR of every update that megatron-core
0.16.1's real OptimizerParamScheduler used (tests/data/formats/megatron.json, made by
scripts/make_megatron_references.py: bash expanded each script's arguments, Megatron's
setup arithmetic turned them into the scheduler's) must come out of
`warmplan show SCRIPT -f csv` (rtol 1e-12); what Megatron refuses is a located error;
its traps are found where they are written."""

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

from tests.cli_csv import csv_lrs, run_show
from tests.conftest import DATA
from warmplan.cli.main import app

FORMATS = DATA / "formats"
CHECKS = FORMATS / "check"
RTOL = 1e-12
REFERENCE = json.loads((FORMATS / "megatron.json").read_text())
CASES = REFERENCE["cases"]
RAN = [case for case in CASES if "lrs" in case]
REFUSED = [case for case in CASES if "error" in case]
TRAP_CODES = {*(f"WP16{i}" for i in range(5)), "WP168"}
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def _csv_group_lrs(text: str) -> tuple[list[str], np.ndarray]:
    """The LR columns' names and values (one column per param group)."""
    rows = list(csv.reader(io.StringIO(text)))
    columns = [i for i, name in enumerate(rows[0]) if name.startswith("lr")]
    names = [rows[0][i] for i in columns]
    return names, np.array([[float(row[i]) for i in columns] for row in rows[1:]])


@pytest.mark.parametrize("case", RAN, ids=[c["name"] for c in RAN])
def test_every_update_has_megatrons_lr(case: dict[str, Any]) -> None:
    code, out, err = run_show(str(FORMATS / case["config"]), "-f", "csv")
    assert code == 0, err
    expected = np.array(case["lrs"], dtype=float)
    names, lrs = _csv_group_lrs(out)
    # every param group megatron-core made, in its order (the default group first)
    groups = len(case["groups"])
    assert names == (["lr"] if groups == 1 else ["lr/default", "lr/embedding_and_output"])
    assert lrs.shape == expected.shape == (case["updates"], groups)
    np.testing.assert_allclose(lrs, expected, rtol=RTOL, atol=0)


def test_the_reference_covers_every_decay_style_and_both_units() -> None:
    assert REFERENCE["versions"]["megatron-core"] == "0.16.1"
    styles = {c["derived"]["lr_decay_style"] for c in RAN}
    assert styles == {"constant", "linear", "cosine", "inverse-square-root", "WSD"}
    wsd = {
        c["derived"]["lr_wsd_decay_style"] for c in RAN if c["derived"]["lr_decay_style"] == "WSD"
    }
    assert wsd == {"linear", "cosine", "exponential", "minus_sqrt"}
    assert any("--train-samples" in c["argv"] for c in RAN)
    assert any("--lr-warmup-fraction" in c["argv"] for c in RAN)
    # the floor is held after a decay shorter than training (gpt: 100 of 120 iterations)
    gpt = next(c for c in RAN if c["name"] == "gpt-cosine-fraction")
    assert [row[0] for row in gpt["lrs"][101:]] == [6.0e-6] * 19


def test_the_reference_has_megatron_cores_decoupled_groups() -> None:
    decoupled = {c["name"]: c for c in RAN if "--decoupled-lr" in c["argv"]}
    styles = {c["derived"]["lr_decay_style"] for c in decoupled.values()}
    assert {"cosine", "linear", "WSD", "inverse-square-root"} <= styles
    # --decoupled-lr alone: the embedding/output group's floor is --min-lr
    cosine = decoupled["decoupled-cosine"]
    assert cosine["groups"] == [
        {"max_lr": 1.5e-4, "min_lr": 1.0e-5},
        {"max_lr": 5.0e-4, "min_lr": 1.0e-5},
    ]
    # the warm-up's start is shared: both groups begin at --lr-warmup-init
    assert cosine["lrs"][0] == [1.0e-5, 1.0e-5]
    # with --decoupled-min-lr each group holds its own floor after the decay (80 of 100)
    linear = decoupled["decoupled-min-lr-linear"]
    assert linear["groups"][1] == {"max_lr": 1.0e-3, "min_lr": 2.0e-4}
    assert [row[1] for row in linear["lrs"][81:]] == [2.0e-4] * 19
    # --decoupled-min-lr without --decoupled-lr: megatron-core makes one group
    alone = next(c for c in RAN if c["name"] == "decoupled-min-lr-alone")
    assert alone["groups"] == [{"max_lr": 3.0e-4, "min_lr": 3.0e-5}]


#: case -> (the flag the error points at, the words it must say)
REFUSALS = {
    "refused-fraction-and-iters": ("--lr-warmup-fraction", "give one of --lr-warmup-fraction"),
    "refused-warmup-not-shorter": ("--lr-warmup-iters", "must be shorter than the decay"),
    "refused-wsd-without-decay-iters": ("--lr-decay-style", "WSD needs wsd_decay_steps"),
}


def _flag_place(path: Path, flag: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", line)
        if match:
            return number, match.start() + 1
    raise AssertionError(f"{flag} not in {path}")


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_what_megatron_refuses_is_a_located_error(case: dict[str, Any]) -> None:
    assert case["error"]["type"] == "AssertionError"
    path = FORMATS / case["config"]
    flag, words = REFUSALS[case["name"]]
    code, out, err = run_show(str(path))
    assert code == 1 and out == ""
    line, col = _flag_place(path, flag)
    assert err.startswith(f"{path}:{line}:{col}: error: "), err
    assert words in err and err.rstrip().endswith("[WP006]")


@pytest.mark.parametrize("case", RAN[:6], ids=[c["name"] for c in RAN[:6]])
def test_convert_writes_a_plan_with_the_same_lrs(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    result = CliRunner().invoke(app, ["convert", str(FORMATS / case["config"]), "-o", str(plan)])
    assert result.exit_code == 0, result.output
    assert "(Megatron-LM launch script)" in plan.read_text().splitlines()[0]
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(_csv_group_lrs(out)[1], np.array(case["lrs"]), rtol=RTOL, atol=0)


CONVERTED = [c for c in RAN if c["name"] in ("decoupled-min-lr-linear", "decoupled-wsd")]


@pytest.mark.parametrize("case", CONVERTED, ids=[c["name"] for c in CONVERTED])
def test_convert_keeps_both_param_groups(case: dict[str, Any], tmp_path: Path) -> None:
    test_convert_writes_a_plan_with_the_same_lrs(case, tmp_path)


def test_the_global_batch_may_come_from_the_world_size(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text(
        "torchrun pretrain_gpt.py --micro-batch-size 2 --tensor-model-parallel-size 2 \\\n"
        "    --train-samples 640 --lr-warmup-samples 64 --lr 1.0e-3 --min-lr 1.0e-4\n"
    )
    code, out, err = run_show(str(script), "--world-size", "8", "-f", "csv")
    assert code == 0, err
    # 2 x 8 / 2 = 8 samples an update, 80 updates; warm-up over 64 samples = 8 updates
    lrs = csv_lrs(out)
    assert lrs.shape == (80,)
    np.testing.assert_allclose(lrs[:9], [1.0e-3 * t / 8 for t in range(9)], rtol=RTOL)
    # linear (the default) from 1e-3 at sample 64 to 1e-4 at sample 640
    t = np.arange(9, 80)
    np.testing.assert_allclose(lrs[9:], 1e-4 + 9e-4 * (1 - (8 * t - 64) / 576), rtol=RTOL)


# -- the launch script as the shell reads it ---------------------------------------------


def test_variables_arrays_quotes_and_continuations_are_the_shells(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text(
        "#!/bin/bash\n"
        "export GBS=4  # global batch\n"
        "STEPS=${STEPS:-20}\n"
        "ARGS=(\n"
        "    --train-iters $STEPS   # a comment inside the array\n"
        '    --lr-decay-style "constant"\n'
        ")\n"
        "torchrun --nproc_per_node 2 pretrain_gpt.py ${ARGS[@]} \\\n"
        "    --global-batch-size=${GBS} --lr '2.0e-4' --bf16\n"
    )
    code, out, err = run_show(str(script), "-f", "csv")
    assert code == 0, err
    assert csv_lrs(out).tolist() == [2.0e-4] * 20


def test_a_flag_from_an_unset_variable_is_an_error_only_when_read(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text(
        "torchrun pretrain_gpt.py --save $CHECKPOINT --global-batch-size 2 \\\n"
        "    --train-iters 10 --lr-decay-style constant --lr ${LR}\n"
    )
    code, _, err = run_show(str(script))
    assert code == 1
    assert err == (
        f"{script}:2:48: error: --lr is ${{LR}}, but the script never sets LR: define LR=... "
        "before the command, or write the value [WP006]\n"
    )


def test_a_launch_script_is_recognised_and_a_yaml_plan_is_not_taken_for_one() -> None:
    from warmplan.formats import detect
    from warmplan.formats.load import read_any

    assert detect(read_any(FORMATS / RAN[0]["config"]).data) == "megatron"
    assert detect({"optimizer": {"lr": 1e-3}, "training": {"steps": 10}}) == "warmplan"
    assert detect({"learning_rate": 1e-3, "min_lr": 0.1}) == "transformers"


# -- the traps --------------------------------------------------------------------------


def _declared(path: Path) -> set[tuple[str, int]]:
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} must declare `# expect: CODE@LINE, ...`"
    return {(c, int(n)) for c, n in (i.strip().split("@") for i in match.group(1).split(","))}


NEGATIVE = sorted((CHECKS / "negative").glob("megatron-*.sh"))
POSITIVE = sorted((CHECKS / "positive").glob("megatron-*.sh"))


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda p: p.name)
def test_a_trap_is_found_where_it_is(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    traps = {(f.code, f.line) for f in result.findings if f.code in TRAP_CODES}
    assert traps == _declared(path)
    assert all(f.path == str(path) and f.col for f in result.findings if f.code in TRAP_CODES)


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.name)
def test_no_trap_where_there_is_none(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    assert result.loaded
    assert [f.format() for f in result.findings] == []


def test_every_trap_code_has_a_negative_example() -> None:
    assert {code for path in NEGATIVE for code, _ in _declared(path)} == TRAP_CODES


def test_code_writes_each_groups_floor_and_reproduces_megatron() -> None:
    """The snippet's build_scheduler (run here over an empty torch optimizer; the suite
    of `code` proves snippets run without warmplan) gives megatron-core's LRs."""
    from warmplan import load_plan
    from warmplan.schedule.codegen import snippet
    from warmplan.schedule.simulate import dummy_optimizer

    for case in CONVERTED:
        text = snippet(load_plan(FORMATS / case["config"]))
        assert "import warmplan" not in text and "from warmplan" not in text
        # one partial per group, each with its own floor (not the first group's)
        assert all(f"min_lr={g['min_lr']!r}" in text for g in case["groups"]), case["name"]
        namespace: dict[str, Any] = {"__name__": "snippet"}  # not __main__: no loop
        exec(compile(text, case["name"], "exec"), namespace)
        # an empty optimizer of the groups' targets (torch.optim.SGD would import dynamo)
        optimizer = dummy_optimizer([g["max_lr"] for g in case["groups"]])
        scheduler = namespace["build_scheduler"](optimizer)
        lrs = []
        for _ in range(case["updates"]):
            lrs.append([g["lr"] for g in optimizer.param_groups])
            optimizer.step()
            scheduler.step()
        np.testing.assert_allclose(lrs, case["lrs"], rtol=RTOL, atol=0, err_msg=case["name"])


def _native_plan(case: dict[str, Any], min_lr: Any) -> str:
    """A warmplan plan written by hand from megatron-core's scheduler arguments and
    param groups, as the reference recorded them (no reader involved)."""
    derived, groups = case["derived"], case["groups"]
    batch = case["argv"][case["argv"].index("--global-batch-size") + 1]
    wsd = ""
    if derived["lr_decay_style"] == "WSD":
        wsd = (
            f"    wsd_decay_steps: {derived['wsd_decay_steps']}\n"
            f"    lr_wsd_decay_style: {derived['lr_wsd_decay_style']}\n"
        )
    return (
        f"optimizer:\n  lr: {groups[0]['max_lr']!r}\n  groups:\n"
        + "".join(f"    - {{name: g{i}, lr: {g['max_lr']!r}}}\n" for i, g in enumerate(groups))
        + f"training: {{steps: {case['updates']}, interval: step}}\n"
        f"preset:\n  framework: megatron\n  name: {derived['lr_decay_style']}\n  args:\n"
        f"    init_lr: {derived['init_lr']!r}\n    min_lr: {min_lr}\n"
        f"    lr_warmup_steps: {derived['lr_warmup_steps']!r}\n"
        f"    lr_decay_steps: {derived['lr_decay_steps']!r}\n"
        f"    increment: {batch}\n" + wsd
    )


DECOUPLED = [c for c in RAN if len(c.get("groups", ())) == 2]


@pytest.mark.parametrize("case", DECOUPLED, ids=[c["name"] for c in DECOUPLED])
def test_a_native_plan_takes_one_floor_per_group(case: dict[str, Any], tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    floors = [g["min_lr"] for g in case["groups"]]
    plan.write_text(_native_plan(case, "[" + ", ".join(map(repr, floors)) + "]"))
    code, out, err = run_show(str(plan), "-f", "csv")
    assert code == 0, err
    np.testing.assert_allclose(_csv_group_lrs(out)[1], np.array(case["lrs"]), rtol=RTOL, atol=0)


def test_a_per_group_list_must_have_one_value_per_group(tmp_path: Path) -> None:
    case = next(c for c in DECOUPLED if c["name"] == "decoupled-wsd")
    plan = tmp_path / "plan.yaml"
    text = _native_plan(case, "[4.0e-5]")
    plan.write_text(text)
    code, out, err = run_show(str(plan))
    line = text.splitlines().index("    min_lr: [4.0e-5]") + 1
    assert code == 1 and out == ""
    assert err == (
        f"{plan}:{line}:5: error: preset.args.min_lr has 1 value, one per param group, but "
        "the plan has 2 (optimizer.groups: g0, g1) [WP006]\n"
    )
    plan.write_text(_native_plan(case, "[4.0e-5, -1.0]"))
    code, _, err = run_show(str(plan))
    assert code == 1 and "got a list with -1.0" in err and err.count("\n") == 1
    # a per-group list is the megatron floor's alone: other presets' numbers stay numbers
    other = tmp_path / "timm.yaml"
    other.write_text(
        "optimizer: {lr: 1.0e-3}\ntraining: {epochs: 10}\npreset:\n  framework: timm\n"
        "  name: cosine\n  args: {t_initial: 10, lr_min: [1.0e-5]}\n"
    )
    code, _, err = run_show(str(other))
    assert code == 1 and "preset.args.lr_min must be a number >= 0, got a list" in err, err


def test_the_decoupled_groups_lr_is_located_at_its_flag(tmp_path: Path) -> None:
    script = tmp_path / "train.sh"
    script.write_text(
        "torchrun pretrain_gpt.py --global-batch-size 8 --train-iters 10 \\\n"
        "    --lr 3.0e-4 --decoupled-lr 0 --lr-decay-style constant\n"
    )
    code, out, err = run_show(str(script))
    assert code == 1 and out == ""
    assert err == f"{script}:2:17: error: optimizer.groups[1].lr must be > 0, got 0.0 [WP006]\n"

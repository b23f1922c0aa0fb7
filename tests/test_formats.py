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


# -- convert -----------------------------------------------------------------------------


@pytest.mark.parametrize(("tool", "case"), RAN, ids=[f"{t}-{c['name']}" for t, c in RAN])
def test_the_converted_plan_gives_identical_lrs(tool: str, case: dict[str, Any], tmp_path) -> None:
    from warmplan import load_plan, simulate
    from warmplan.render.plan_file import plan_yaml

    facts = dict(zip(_flags(tool, case)[::2], _flags(tool, case)[1::2], strict=True))
    keys = {"--dataset-size": "training.dataset_size", "--world-size": "training.world_size"}
    keys["--steps"] = "training.steps"
    overrides: dict[str, Any] = {keys[flag]: int(value) for flag, value in facts.items()}
    if case.get("client_param_group_lrs"):
        overrides["optimizer.groups"] = [
            {"name": f"g{i}", "lr": lr} for i, lr in enumerate(case["client_param_group_lrs"])
        ]
    recipe = load_plan(FORMATS / case["config"], overrides)
    converted = tmp_path / "plan.yaml"
    converted.write_text(plan_yaml(recipe))
    plan = load_plan(converted)
    assert plan.source.format == "warmplan"
    assert np.array_equal(simulate(plan).lr, simulate(recipe).lr)


def test_convert_writes_the_source_and_the_facts_as_comments(tmp_path) -> None:
    out = tmp_path / "plan.yaml"
    recipe = FORMATS / "configs/transformers/cosine-ratio.yaml"
    args = ["convert", str(recipe), "--dataset-size", "1000", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert f"from {recipe} (transformers TrainingArguments)" in text.splitlines()[0]
    assert "# run-time facts used: --dataset-size 1000" in text
    assert "ceil(0.1 x 125) = 13" in text  # 1000 / 4 = 250 batches / 2 = 125 updates


# -- findings and errors of the readers -----------------------------------------------------


def _show(tmp_path: Path, text: str, *flags: str, name: str = "recipe.yaml") -> Any:
    path = tmp_path / name
    path.write_text(text)
    return path, CliRunner().invoke(app, ["show", str(path), *flags, "-f", "csv"])


def test_warmup_ratio_says_what_transformers_5_does_and_what_to_write(tmp_path) -> None:
    text = "learning_rate: 1.0e-3\nwarmup_ratio: 0.1\nmax_steps: 100\n"
    path, result = _show(tmp_path, text)
    assert result.exit_code == 0
    line = result.stderr.strip()
    assert line.startswith(f"{path}:2:1: warning: warmup_ratio 0.1 ")
    assert "transformers 5" in line and "refuses" in line and "drops" in line
    assert "write warmup_steps: 0.1" in line
    assert "transformers 4 warmed up over ceil(0.1 x N)" in line
    assert line.endswith("[WP120]")
    lrs = _csv_lrs(result.stdout)[:, 0]
    # what transformers 5 runs (allow_extra_keys): linear decay from the peak, no warm-up
    np.testing.assert_allclose(lrs, [1e-3 * (100 - t) / 100 for t in range(100)], rtol=RTOL)


@pytest.mark.parametrize(
    ("key", "meant"),
    [("lr_scheduler_typ", "lr_scheduler_type"), ("warmup_steps_ratio", "warmup_steps")],
)
def test_a_near_miss_of_a_schedule_key_is_a_warning(tmp_path, key: str, meant: str) -> None:
    path, result = _show(tmp_path, f"learning_rate: 1.0e-3\n{key}: 3\nmax_steps: 10\n")
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"{path}:2:1: warning: unknown key {key} (did you mean {meant}?)"
    )


def test_keys_unrelated_to_the_schedule_are_ignored(tmp_path) -> None:
    schedule = "learning_rate: 2.0e-5\nlr_scheduler_type: cosine\nwarmup_steps: 5\nmax_steps: 40\n"
    trl = (
        "model_name_or_path: Qwen/Qwen2.5-0.5B\ndataset_name: trl-lib/Capybara\nbf16: true\n"
        "gradient_checkpointing: true\nlogging_steps: 25\nsave_steps: 100\neval_steps: 100\n"
        "max_length: 2048\noutput_dir: out\nreport_to: none\npush_to_hub: false\n"
    )
    _, alone = _show(tmp_path, schedule, name="alone.yaml")
    _, mixed = _show(tmp_path, trl + schedule, name="mixed.yaml")
    assert mixed.exit_code == alone.exit_code == 0
    assert mixed.stderr == "" and mixed.stdout == alone.stdout


def test_a_missing_run_time_fact_is_one_located_error_naming_the_flag(tmp_path) -> None:
    text = "learning_rate: 1.0e-3\nper_device_train_batch_size: 8\nnum_train_epochs: 3\n"
    path, result = _show(tmp_path, text)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{path}:3:1: error: num_train_epochs: 3 needs the number of training examples: "
        "pass --dataset-size N (or --steps) [WP011]\n"
    )
    _, given = _show(tmp_path, text, "--dataset-size", "80")
    assert given.exit_code == 0 and len(_csv_lrs(given.stdout)) == 30  # 3 x 80 / 8


def test_check_reports_a_missing_fact_as_a_warning_and_runs_the_rest(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("learning_rate: 1.0e-3\nwarmup_ratio: 0.1\n")
    (tmp_path / "b.yaml").write_text("learning_rate: 1.0e-3\nwarmup_steps: 100\nmax_steps: 50\n")
    alone = CliRunner().invoke(app, ["check", str(tmp_path / "a.yaml")])
    assert alone.exit_code == 0, alone.output  # CI over a folder of recipes keeps working
    lines = alone.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.yaml'}:2:1: warning: warmup_ratio")
    assert "a.yaml:1:1: warning: num_train_epochs (default 3, no max_steps) needs" in lines[1]
    both = CliRunner().invoke(app, ["check", str(tmp_path)])
    assert "b.yaml:1:1: error: the target LR 1e-3 is never reached" in both.stdout  # simulated
    facts = CliRunner().invoke(app, ["check", str(tmp_path), "--dataset-size", "64"])
    assert "[WP011]" not in facts.stdout


def test_from_forces_a_format_and_a_wrong_name_is_a_usage_error(tmp_path) -> None:
    _path, result = _show(tmp_path, "learning_rate: 1.0e-3\nmax_steps: 10\n", "--from", "axolotl")
    assert result.exit_code == 0
    # axolotl's default schedule is cosine (transformers' default is linear)
    lrs = _csv_lrs(result.stdout)[:, 0]
    assert lrs[5] == pytest.approx(1e-3 * 0.5 * (1 + np.cos(np.pi * 5 / 10)), rel=RTOL)
    _, wrong = _show(tmp_path, "learning_rate: 1.0e-3\n", "--from", "transformer")
    assert wrong.exit_code == 2
    assert "no such format (did you mean transformers?)" in wrong.stderr


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("transformers/json-cosine.json", "transformers"),
        ("transformers/linear-defaults.yaml", "transformers"),
        ("deepspeed/onecycle.json", "deepspeed"),
        ("axolotl/ratio-floor.yaml", "axolotl"),
        ("axolotl/default-warmup.yaml", "axolotl"),
    ],
)
def test_the_format_is_recognised_from_the_keys(config: str, expected: str) -> None:
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    assert detect(read_source(FORMATS / "configs" / config).data) == expected


def test_every_example_plan_is_still_read_as_a_plan() -> None:
    from tests.conftest import CONFIGS
    from warmplan.config.source import read_source
    from warmplan.formats import detect

    for path in sorted(CONFIGS.rglob("*.yaml")):
        expected = "transformers" if path.parent.name == "recipes" else "warmplan"
        assert detect(read_source(path).data) == expected, path


# -- check: the traps of these formats, each with a negative and a positive example -----------

CHECKS = FORMATS / "check"
TRAP_CODES = {f"WP12{i}" for i in range(8)} | {
    "WP140",
    "WP141",
    "WP142",
    "WP143",
    "WP165",
    "WP166",
    "WP167",
    "WP170",
    "WP171",
    "WP172",
    "WP173",
    "WP174",
    *(f"WP{n}" for n in range(175, 182)),
}  # + timm, ultralytics, NeMo, NeoX, Composer, OLMo
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def declared_traps(path: Path) -> set[tuple[str, str, int]]:
    """``# expect: WP122@5, WP126@other.json:4`` -> {(code, file, line)}."""
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} must declare `# expect: CODE@[FILE:]LINE, ...`"
    found = set()
    for item in match.group(1).split(","):
        code, place = item.strip().split("@")
        file, _, line = place.rpartition(":")
        found.add((code, str(path.parent / file) if file else str(path), int(line)))
    return found


@pytest.mark.parametrize("path", sorted((CHECKS / "negative").glob("*.yaml")), ids=lambda p: p.name)
def test_a_trap_is_found_where_it_is(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    traps = {(f.code, f.path, f.line) for f in result.findings if f.code in TRAP_CODES}
    assert traps == declared_traps(path)
    assert all(f.severity == "warning" and f.col for f in result.findings if f.code in TRAP_CODES)


@pytest.mark.parametrize("path", sorted((CHECKS / "positive").glob("*.yaml")), ids=lambda p: p.name)
def test_no_trap_where_there_is_none(path: Path) -> None:
    from warmplan.lint.runner import check_file

    result = check_file(str(path))
    assert result.loaded
    assert [f.format() for f in result.findings if f.code in TRAP_CODES] == []


def test_every_trap_code_has_a_negative_example() -> None:
    found = {code for p in (CHECKS / "negative").glob("*.yaml") for code, _, _ in declared_traps(p)}
    assert found == TRAP_CODES


def test_a_trap_can_be_ignored_like_any_rule() -> None:
    from warmplan.lint.runner import check_paths

    report = check_paths([CHECKS / "negative" / "warmup-ratio.yaml"], ignore=["WP120"])
    assert "WP120" not in {f.code for f in report.findings}

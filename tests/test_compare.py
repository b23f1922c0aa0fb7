"""configs/compare/: the table of what differs (the README's), checked against the real
libraries' LRs (tests/data/presets/) and closed forms; `check` on the presets.

Oracles: the reference data the libraries produced, and formulas written here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import CONFIGS, DATA
from warmplan.cli.main import app

ORDER = ["torch", "transformers", "timm", "timm-prefix", "optax", "keras", "deepspeed"]
PATHS = [str(CONFIGS / "compare" / f"{name}.yaml") for name in ORDER]
runner = CliRunner()


def _reference(file: str, name: str, args: dict) -> list[float]:
    """The first group's LRs the real library gave for these arguments (120 steps)."""
    document = json.loads((DATA / "presets" / f"{file}.json").read_text())
    (case,) = [c for c in document["cases"] if c["name"] == name and c["args"] == args]
    return [row[0] for row in case["lrs"]]


def _cosine(t: int, start: int, length: int) -> float:
    return 0.5e-3 * (1 + math.cos(math.pi * (t - start) / length))


def _timm(t: int, prefix: bool) -> float:
    if t < 10:
        return 1e-3 * t / 10
    start, length = (10, 90) if prefix else (0, 100)  # the prefix shifts the cosine
    return _cosine(t, start, length) if t - start < length else 0.0  # cycle_limit 1


def _deepspeed(t: int) -> float:
    """WarmupCosineLR: step t uses iteration t - 1; log warm-up over 10; cosine to 0."""
    i = t - 1
    if i < 0:
        return 0.0
    if i < 10:
        return 1e-3 * math.log(i + 1) / math.log(10)
    return _cosine(min(i - 9, 90), 0, 90)


def _expected(steps: int) -> dict[str, list[float]]:
    """Each plan's LR at every step, from the libraries' data or a closed form."""
    cosine = {"num_warmup_steps": 10, "num_training_steps": 100}
    optax = {"init_value": 0.0, "peak_value": 0.001, "warmup_steps": 10, "decay_steps": 100}
    keras = {
        "initial_learning_rate": 0.0,
        "decay_steps": 90,
        "warmup_target": 0.001,
        "warmup_steps": 10,
    }
    ts = range(steps)
    return {
        # torch's CosineAnnealingLR is periodic: past T_max it comes back up
        "torch": [1e-4 + 9e-5 * t if t < 10 else _cosine(t, 10, 90) for t in ts],
        "transformers": _reference("transformers", "cosine", cosine)[:steps],
        "timm": [_timm(t, prefix=False) for t in ts],
        "timm-prefix": [_timm(t, prefix=True) for t in ts],
        "optax": _reference("optax-x64", "warmup_cosine_decay_schedule", optax)[:steps],
        "keras": _reference("keras", "CosineDecay", keras)[:steps],
        "deepspeed": [_deepspeed(t) for t in ts],
    }


def _table(*extra: str) -> dict[str, list[str]]:
    result = runner.invoke(app, ["show", *PATHS, "-f", "markdown", *extra])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == (
        "| plan | first LR (step 0) | step 1 | end of warm-up (step 10) | peak (at) "
        "| last step's LR (at) |"
    )
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return {row[0]: row[1:] for row in rows}


def _number(cell: str) -> float:
    return float(cell.split(" (")[0])


@pytest.mark.parametrize("steps", [100, 120])
def test_what_differs_matches_the_libraries(steps):
    table = _table("--set", f"training.steps_per_epoch={steps}")
    assert list(table) == ORDER
    for plan, lrs in _expected(steps).items():
        first, second, warm_end, peak, last = table[plan]
        shown = [_number(first), _number(second), _number(warm_end), _number(last)]
        wanted = [lrs[0], lrs[1], lrs[10], lrs[-1]]
        # printed to 6 significant digits; float32 Keras to its own precision
        assert shown == pytest.approx(wanted, rel=1e-5, abs=1e-10), plan
        assert last.endswith(f"({steps - 1})")
        assert _number(peak) == pytest.approx(max(lrs), rel=1e-5), plan


def test_the_differences_the_readme_names():
    table = _table()
    assert table["torch"][0] == "1e-4"  # LinearLR cannot start at 0 (one LR style)
    assert all(table[p][0] == "0" for p in ORDER[1:])
    assert table["deepspeed"][1] == "0"  # log warm-up: log(1) = 0 on the 2nd update
    assert table["timm"][2] == "9.75528e-4"  # its cosine counted the warm-up steps
    climbs = _table("--set", "training.steps_per_epoch=120")
    assert _number(climbs["torch"][4]) == _number(climbs["transformers"][4]) > 1e-4
    assert all(_number(climbs[p][4]) == 0 for p in ORDER[2:])


def test_warmup_end_column_does_not_depend_on_the_order():
    """DeepSpeed's own warm-up phase ends at 11 (it counts from iteration -1); the
    column is where most plans end theirs, even when DeepSpeed comes first."""
    result = runner.invoke(app, ["show", *reversed(PATHS), "-f", "markdown"])
    assert result.exit_code == 0, result.output
    assert "| end of warm-up (step 10) |" in result.stdout.splitlines()[0]


def test_check_reports_lr_0_on_the_first_update_of_presets(tmp_path):
    # the configs silence WP102 (the LR 0 they show on purpose): check copies without it
    copies = []
    for path in PATHS:
        copy = tmp_path / Path(path).name
        text = Path(path).read_text().replace("ignore: [WP105, WP102]", "ignore: [WP105]")
        copy.write_text(text.replace("ignore: [WP102]\n", ""))
        copies.append(str(copy))
    result = runner.invoke(app, ["check", *copies, "--ignore", "WP109"])
    assert result.exit_code == 0, result.output  # warnings only
    lines = result.stdout.splitlines()
    by_plan = {line.split(":")[0].rsplit("/", 1)[-1]: line for line in lines[:-1]}
    assert "torch.yaml" not in by_plan  # LinearLR starts at 0.1 x
    transformers = by_plan["transformers.yaml"]
    assert transformers.endswith("[WP102]")
    assert ":6:1: warning: 1 optimizer step trains with LR 0, first at step 0" in transformers
    assert "transformers' cosine warm-up starts at LR 0" in transformers
    assert "2 optimizer steps train with LR 0" in by_plan["deepspeed.yaml"]
    assert "preset.args.warmup_lr_init" in by_plan["timm.yaml"]
    assert "preset.args.init_value" in by_plan["optax.yaml"]
    assert lines[-1] == "7 plans checked: 0 errors, 6 warnings"


@pytest.mark.parametrize("name", ["linear", "polynomial", "constant_with_warmup"])
def test_every_transformers_warmup_starts_at_0(tmp_path, name):
    path = tmp_path / "plan.yaml"
    args = "{num_warmup_steps: 5, num_training_steps: 50}"
    if name == "constant_with_warmup":
        args = "{num_warmup_steps: 5}"
    path.write_text(
        "optimizer: {kind: sgd, lr: 0.1}\n"
        "training: {steps: 50}\n"
        f"preset: {{framework: transformers, name: {name}, args: {args}}}\n"
    )
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["files"][0]["findings"]
    assert finding["code"] == "WP102" and finding["line"] == 3
    assert "1 optimizer step trains with LR 0, first at step 0" in finding["message"]


def test_plan_names_are_not_read_as_rich_markup(tmp_path):
    # rich reads "[...]" in a str cell as markup, and "[/]" alone as an error (exit 3)
    paths = []
    for n, name in enumerate(["x[/]y", "[bold]b"]):
        paths.append(tmp_path / f"plan{n}.yaml")
        paths[-1].write_text(f'name: "{name}"\noptimizer: {{lr: 0.1}}\ntraining: {{epochs: 5}}\n')
    result = CliRunner().invoke(app, ["show", *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert "│ x[/]y   │" in result.stdout and "┃ [bold]b ┃" in result.stdout


def test_user_names_keep_csv_and_markdown_tables_whole(tmp_path):
    # group and plan names may hold "," '"' or "|": quoted in CSV, escaped in Markdown
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text(
        "name: 'a,\"b'\n"
        "optimizer: {lr: 0.1, groups: [{name: 'g|1'}, {name: 'g,2'}]}\n"
        "training: {epochs: 2}\n"
    )
    two.write_text("name: 'c|d'\noptimizer: {lr: 0.1}\ntraining: {epochs: 2}\n")
    runner = CliRunner()

    def csv_header(*args):
        stdout = runner.invoke(app, ["show", *args, "-f", "csv"]).stdout
        return next(csv.reader(io.StringIO(stdout)))

    assert csv_header(str(one)) == ["step", "epoch", "phase", "lr/g|1", "lr/g,2"]
    assert csv_header(str(one), str(two)) == ["epoch", 'a,"b', "c|d"]
    for args in ([str(one)], [str(one), str(two)]):
        lines = runner.invoke(app, ["show", *args, "-f", "markdown"]).stdout.splitlines()
        cells = [len(re.findall(r"(?<!\\)\|", line)) - 1 for line in lines]
        assert len(set(cells)) == 1, lines  # every line has the header's cell count

"""`warmplan show` through the CLI: exit codes, stdout, stderr, formats."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmplan.cli.main import app

EXAMPLE = "configs/linear-warmup-cosine.yaml"
EXAMPLE_FLAGS = [
    "--lr",
    "1e-3",
    "--epochs",
    "20",
    "--warmup",
    "linear",
    "--warmup-length",
    "5",
    "--start-factor",
    "0.1",
    "--decay",
    "cosine",
    "--eta-min",
    "1e-5",
]


@pytest.fixture
def runner():
    return CliRunner()


def _csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_show_table_has_summary_and_every_epoch(runner):
    result = runner.invoke(app, ["show", EXAMPLE])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "target LR: 1e-3" in out  # the one LR style (was 0.001)
    assert "peak LR: 1e-3 at epoch 5" in out
    assert "warm-up: epochs 0-4; the decay starts at epoch 5" in out
    # the seed formula 1e-4 + t x 1.8e-4, in the one LR style (was 0.0001, 0.00028, ...)
    for lr in ("1e-4", "2.8e-4", "4.6e-4", "6.4e-4", "8.2e-4"):
        assert f" {lr} " in out
    assert out.count("warmup") >= 5 and out.count("decay") >= 15


def test_csv_rows_are_exact_floats_and_follow_the_seed_formula(runner):
    result = runner.invoke(app, ["show", EXAMPLE, "--format", "csv"])
    assert result.exit_code == 0
    rows = _csv(result.stdout)
    assert list(rows[0]) == ["step", "epoch", "phase", "lr"]
    assert len(rows) == 20
    for t in range(5):
        assert float(rows[t]["lr"]) == pytest.approx(1e-4 + t * (1e-3 - 1e-4) / 5, rel=1e-12)
        assert rows[t]["phase"] == "warmup"
    assert rows[5]["phase"] == "decay"
    expected_19 = 1e-5 + (1e-3 - 1e-5) * (1 + math.cos(math.pi * 14 / 15)) / 2
    assert float(rows[19]["lr"]) == pytest.approx(expected_19, rel=1e-12)
    assert [int(r["step"]) for r in rows] == list(range(20))


def test_flags_alone_give_the_same_numbers_as_the_file(runner):
    from_file = runner.invoke(app, ["show", EXAMPLE, "-f", "csv"]).stdout
    from_flags = runner.invoke(app, ["show", *EXAMPLE_FLAGS, "-f", "csv"]).stdout
    assert from_file == from_flags


def test_flag_over_file_wins_and_show_says_so(runner):
    result = runner.invoke(app, ["show", EXAMPLE, "--eta-min", "0", "-f", "csv"])
    assert result.exit_code == 0
    assert f"note: --eta-min overrides decay.eta_min from {EXAMPLE}:16" in result.stderr
    assert float(_csv(result.stdout)[-1]["lr"]) == pytest.approx(
        1e-3 * (1 + math.cos(math.pi * 14 / 15)) / 2, rel=1e-12
    )


def test_set_reaches_any_key(runner):
    result = runner.invoke(
        app,
        ["show", EXAMPLE, "--set", "training.epochs=10", "--set", "warmup.length=2", "-f", "csv"],
    )
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert len(rows) == 10 and float(rows[2]["lr"]) == pytest.approx(1e-3)


def test_switching_decay_kind_by_flag_keeps_only_keys_it_knows(runner):
    result = runner.invoke(app, ["show", EXAMPLE, "--decay", "linear", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = _csv(result.stdout)
    assert float(rows[5]["lr"]) == pytest.approx(1e-3)
    assert float(rows[19]["lr"]) == pytest.approx(1e-3 / 15, rel=1e-9)


def test_groups_give_one_lr_column_each(runner):
    result = runner.invoke(app, ["show", "configs/two-groups.yaml", "-f", "csv"])
    rows = _csv(result.stdout)
    assert list(rows[0]) == ["step", "epoch", "phase", "lr/backbone", "lr/head"]
    assert [int(r["step"]) for r in rows] == [500 * e for e in range(10)]
    assert float(rows[0]["lr/head"]) == pytest.approx(10 * float(rows[0]["lr/backbone"]))


def test_json_and_markdown(runner):
    result = runner.invoke(app, ["show", EXAMPLE, "-f", "json"])
    document = json.loads(result.stdout)
    assert document["summary"]["peak_lr"] == [pytest.approx(1e-3)]
    assert document["summary"]["warmup_end"] == 5
    assert len(document["rows"]) == 20 and document["rows"][1]["lr"] == pytest.approx(2.8e-4)
    markdown = runner.invoke(app, ["show", EXAMPLE, "-f", "markdown"]).stdout
    assert markdown.splitlines()[0] == "| step | epoch | phase | lr |"
    assert len(markdown.splitlines()) == 22


def test_per_step_plan_per_epoch_view_and_by_step(runner):
    flags = [
        "--lr",
        "0.1",
        "--epochs",
        "4",
        "--steps-per-epoch",
        "10",
        "--interval",
        "step",
        "--warmup",
        "linear",
        "--warmup-length",
        "10",
        "--start-factor",
        "0.0",
    ]
    by_epoch = runner.invoke(app, ["show", *flags])
    assert by_epoch.exit_code == 0, by_epoch.output
    assert "lr first" in by_epoch.stdout and "lr last" in by_epoch.stdout
    assert "warmup→constant" not in by_epoch.stdout
    assert " 0.09 " in by_epoch.stdout  # last step of epoch 0: 0.1 * 9/10
    by_step = runner.invoke(app, ["show", *flags, "--by", "step", "--all"])
    assert by_step.stdout.count("warmup") == 10


def test_help_states_the_real_default_of_by(runner):
    """A per-step plan of one epoch gets step rows (its one epoch row would say
    nothing); help says so, and that is what show does."""
    help_text = " ".join(runner.invoke(app, ["show", "--help"]).stdout.split())
    assert "default: epoch; step for a plan that steps per optimizer step and lasts one epoch" in (
        help_text
    )
    one_epoch = ["--lr", "0.1", "--steps", "30", "--interval", "step"]
    header = runner.invoke(app, ["show", *one_epoch, "--no-curve"]).stdout
    assert "lr first" not in header and " 29 " in header  # a row per step, to the last
    two_epochs = [*one_epoch[:2], "--epochs", "2", "--steps-per-epoch", "15", *one_epoch[4:]]
    assert "lr first" in runner.invoke(app, ["show", *two_epochs, "--no-curve"]).stdout


def test_long_tables_are_sampled_unless_all(runner):
    flags = ["--lr", "0.1", "--epochs", "1000", "--decay", "cosine"]
    sampled = runner.invoke(app, ["show", *flags, "--rows", "20"]).stdout
    full = runner.invoke(app, ["show", *flags, "--all"]).stdout
    assert "⋮" in sampled and "⋮" not in full  # the mark of rows after skipped ones
    assert len(sampled.splitlines()) < 60 < 1000 < len(full.splitlines())
    assert " 999 " in sampled  # the last row is always kept


def test_output_file_is_written_and_input_is_never_overwritten(runner, tmp_path):
    out = tmp_path / "lr.csv"
    result = runner.invoke(app, ["show", EXAMPLE, "-f", "csv", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert len(_csv(out.read_text())) == 20
    config = tmp_path / "plan.yaml"
    config.write_text("optimizer: {lr: 0.1}\ntraining: {epochs: 3}\n")
    before = config.read_text()
    result = runner.invoke(app, ["show", str(config), "-f", "csv", "-o", str(config)])
    assert result.exit_code == 1
    assert "refusing to write over the input config" in result.stderr
    assert config.read_text() == before
    assert list(tmp_path.iterdir()) == sorted([out, config]) or set(tmp_path.iterdir()) == {
        out,
        config,
    }


def test_unwritable_output_is_one_line_and_exit_1(runner, tmp_path):
    (tmp_path / "no").write_text("a file where the folder would be")
    result = runner.invoke(app, ["show", EXAMPLE, "-o", str(tmp_path / "no" / "x.csv")])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Not a directory" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["show", "missing.yaml"], 1, "missing.yaml: error: no such file [WP001]"),
        (["show"], 2, "give a config file, or define the plan with flags"),
        (["show", EXAMPLE, "--format", "xml"], 2, "xml"),
        (
            ["show", "--lr", "-1", "--epochs", "3"],
            1,
            "<command line>: error: optimizer.lr must be > 0, got -1.0 [WP006]",
        ),
        (["show", "--epochs", "3"], 1, "the plan needs a target LR: give --lr"),
        (["show", EXAMPLE, "--set", "decay.eta_min"], 1, "--set expects key.path=value"),
    ],
)
def test_usage_and_input_errors(runner, args, code, fragment):
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_help_for_every_command(runner):
    for command in ("show", "schema"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.stdout
    assert "--eta-min" in runner.invoke(app, ["show", "--help"]).stdout


def test_schema_is_json_schema_of_the_plan(runner):
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    assert schema["title"] == "warmplan plan"
    assert {"optimizer", "training", "warmup", "decay"} <= set(schema["properties"])


def test_a_pipe_gets_whole_lines_not_rich_80_columns(runner, monkeypatch):
    # (rich assumes 80 columns when stdout is not a terminal: it broke the summary's
    # "total" line in two and cut plan names in the compare table to "transforme…")
    monkeypatch.delenv("COLUMNS", raising=False)
    flags = ["--lr", "1e-3", "--epochs", "1", "--steps-per-epoch", "3000", "--interval", "step"]
    single = runner.invoke(app, ["show", *flags]).stdout
    total = next(line for line in single.splitlines() if line.startswith("  total:"))
    assert total.endswith("the scheduler steps once per step") and len(total) > 80
    compare = ["configs/compare/torch.yaml", "configs/compare/transformers.yaml"]
    compared = runner.invoke(app, ["show", *compare]).stdout
    differs = compared.split("└")[0]  # the "what differs" table
    assert "│ transformers │" in differs and "…" not in differs


@pytest.mark.parametrize(("given", "milestones"), [("30,60,80", [30, 60, 80]), (" 3, 5", [3, 5])])
def test_milestones_flag_takes_comma_separated_numbers(runner, given, milestones):
    flags = ["--lr", "1", "--epochs", "90", "--decay", "multistep", "--gamma", "0.5"]
    result = runner.invoke(app, ["show", *flags, "--milestones", given, "-f", "csv"])
    lrs = [float(row["lr"]) for row in csv.DictReader(io.StringIO(result.stdout))]
    assert lrs == [0.5 ** sum(t >= m for m in milestones) for t in range(90)]


@pytest.mark.parametrize("given", ["3,,5", "3,5,", "abc", ""])
def test_milestones_flag_refuses_what_is_not_a_list_of_numbers(runner, given):
    # "3,,5" was read as [3, 5]: an empty item is a typo, not a separator
    flags = ["--lr", "1", "--epochs", "90", "--decay", "multistep"]
    result = runner.invoke(app, ["show", *flags, "--milestones", given])
    assert result.exit_code == 1
    assert result.stderr == (
        "<command line>: error: --milestones expects comma-separated whole numbers "
        f"(30,60,80), got {given!r} [WP010]\n"
    )


def test_by_step_on_a_per_epoch_plan_says_why_the_rows_are_epochs(runner):
    result = runner.invoke(app, ["show", "configs/two-groups.yaml", "--by", "step"])
    assert result.exit_code == 0
    assert result.stderr.startswith("note: --by step: this scheduler steps once per epoch")
    assert "┃ epoch ┃" in result.stdout
    # one step an epoch: a step is an epoch, nothing to explain
    quiet = runner.invoke(app, ["show", EXAMPLE, "--by", "step"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_compare_of_identical_plans_does_not_say_what_differs(runner, tmp_path):
    torch_plan = "configs/compare/torch.yaml"
    same = runner.invoke(app, ["show", torch_plan, torch_plan]).stdout
    assert same.splitlines()[0] == "the same LRs in every plan"
    assert "what differs" not in same and "highlighted" not in same
    assert same.rstrip().endswith("no LR differs from torch")
    # one LR apart at the last step only (a floor of 1e-6): the plans differ again
    variant = tmp_path / "floor.yaml"
    text = Path(torch_plan).read_text()
    variant.write_text(text.replace("eta_min: 0.0", "eta_min: 1.0e-6").replace("torch", "floor"))
    assert "eta_min: 1.0e-6" in variant.read_text()
    differs = runner.invoke(app, ["show", torch_plan, str(variant)]).stdout
    assert (
        differs.splitlines()[0] == "what differs" and "highlighted: differs from torch" in differs
    )

"""Another tool's config read as a native plan: one line naming the tool (WP012), not an
unknown-key error per key. The files are real: the ones the libraries themselves ran
(tests/data/formats/, see its README)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import CONFIGS, DATA
from warmplan.cli.main import app
from warmplan.config.foreign import recognise
from warmplan.config.load import load_plan
from warmplan.config.source import read_source
from warmplan.errors import ConfigError

FORMATS = DATA / "formats"


def files_of(tool: str, kind: str | None = None) -> list:
    """The config files of the cases the real library ran (or refused)."""
    cases = json.loads((FORMATS / f"{tool}.json").read_text())["cases"]
    return [FORMATS / case["config"] for case in cases if kind is None or case.get("kind") == kind]


@pytest.mark.parametrize(
    "path, name",
    [
        *[(p, "a transformers TrainingArguments file") for p in files_of("transformers")[:12]],
        *[(p, "an axolotl config") for p in files_of("axolotl")[:6]],
        *[(p, "a DeepSpeed config") for p in files_of("deepspeed", "engine")[:6]],
        *[(p, "a timm train.py args file") for p in files_of("timm") if p.suffix == ".yaml"][:6],
        *[(p, "an ultralytics training config") for p in files_of("ultralytics")],
    ],
    ids=lambda value: getattr(value, "stem", ""),
)
def test_real_configs_of_other_tools_get_one_line_naming_the_tool(path, name):
    with pytest.raises(ConfigError) as caught:
        load_plan(path)
    (finding,) = caught.value.findings
    assert finding.code == "WP012" and finding.line is not None
    assert finding.message.startswith(f"this looks like {name} (")


def test_the_issue_example_in_the_cli(tmp_path):
    path = tmp_path / "args.yaml"
    path.write_text(
        "learning_rate: 2.0e-5\nlr_scheduler_type: linear\nwarmup_ratio: 0.06\n"
        "num_train_epochs: 3\nper_device_train_batch_size: 32\noutput_dir: out\n"
    )
    # read as the tool reads it, the file is a plan (its warm-up ratio is a warning)...
    read = CliRunner().invoke(app, ["check", str(path)])
    assert read.exit_code == 0 and "warmup_ratio" in read.stdout
    # ...and forced to be a native plan it is one line naming the tool
    result = CliRunner().invoke(app, ["check", "--from", "warmplan", str(path)])
    assert result.exit_code == 1
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"{path}:1:1: error: this looks like a transformers TrainingArguments")
    assert "did you mean" not in first and summary == "1 plan checked: 1 error, 0 warnings"
    assert "leave out --from, or --from transformers" in first  # warmplan reads it


NATIVE_CONFIGS = sorted(p for p in CONFIGS.glob("**/*.yaml") if "recipes" not in p.parts)


@pytest.mark.parametrize("path", NATIVE_CONFIGS, ids=lambda p: p.name)
def test_warmplan_plans_are_not_taken_for_another_tool(path):
    assert recognise(read_source(path).data) is None


def test_a_plan_with_a_stray_key_still_gets_its_did_you_mean():
    data = {
        "optimizer": {"kind": "adam", "lr": 1e-3},
        "training": {"epochs": 3},
        "learning_rate": 1e-3,
        "num_train_epochs": 3,
    }
    with pytest.raises(ConfigError) as caught:
        load_plan(data)
    assert {f.code for f in caught.value.findings} == {"WP004"}

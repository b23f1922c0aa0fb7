"""`[tool.warmplan]` in pyproject.toml: where it is found, what it does to `check`, how the
command line overrides it, and the located findings for what it gets wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import ROOT
from warmplan.cli.main import app
from warmplan.lint import pyproject, selection, toml_keys
from warmplan.lint.runner import known_codes

runner = CliRunner()

#: a warning (WP109: 5 steps of warm-up for Adam with beta2 0.95, 2 / 0.05 = 40 needed)
#: and nothing else
SHORT_WARMUP = """\
optimizer: {kind: adamw, lr: 1.0e-3, betas: [0.9, 0.95]}
training: {steps: 1000, interval: step}
warmup: {kind: linear, length: 5}
decay: {kind: cosine}
"""
#: an error (WP106, at line 3) and the same warning
TWO_FINDINGS = """\
optimizer: {kind: adamw, lr: 1.0e-3, betas: [0.9, 0.95]}
training: {steps: 1000, interval: step}
decay: {kind: cosine, T_max: 500, eta_min: 1.0e-5}
warmup: {kind: linear, length: 5}
"""
#: a TrainingArguments recipe that trains for an epoch: its length needs the dataset size
RECIPE = """\
learning_rate: 2.0e-5
warmup_steps: 1000
num_train_epochs: 1
per_device_train_batch_size: 8
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A git repository (its root holds .git) as the current folder."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def check(*args: str):
    return runner.invoke(app, ["check", *args])


def codes(result) -> list[str]:
    return [line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.splitlines()[:-1]]


# -- finding the file -------------------------------------------------------------------


def test_found_upward_skipping_a_pyproject_without_the_table(repo):
    write(repo / "pyproject.toml", "[tool.warmplan]\nstrict = true\n")
    write(repo / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    (repo / "sub" / "deeper").mkdir()
    found = pyproject.find(repo / "sub" / "deeper")
    assert found is not None and found.resolve() == (repo / "pyproject.toml").resolve()


def test_the_search_stops_at_the_repository_root(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.warmplan]\nstrict = true\n")
    (tmp_path / "project" / ".git").mkdir(parents=True)
    (tmp_path / "project" / "configs").mkdir()
    assert pyproject.find(tmp_path / "project" / "configs") is None
    assert pyproject.find(tmp_path).resolve() == (tmp_path / "pyproject.toml").resolve()


def test_the_nearest_table_wins(repo):
    write(repo / "pyproject.toml", "[tool.warmplan]\nstrict = true\n")
    write(repo / "sub" / "pyproject.toml", "[tool.warmplan]\nstrict = false\n")
    found = pyproject.find(repo / "sub")
    assert found == Path("sub/pyproject.toml")  # sub's own, shown from the current folder


# -- what the table does ----------------------------------------------------------------


def test_strict_from_the_table_and_no_strict_on_the_command_line(repo):
    write(repo / "plan.yaml", SHORT_WARMUP)
    assert check("plan.yaml").exit_code == 0  # a warning alone passes
    write(repo / "pyproject.toml", "[tool.warmplan]\nstrict = true\n")
    assert check("plan.yaml").exit_code == 1
    assert check("plan.yaml", "--no-strict").exit_code == 0
    assert check("plan.yaml", "--isolated").exit_code == 0


def test_ignore_and_per_file_ignores_with_globs_relative_to_the_table(repo, monkeypatch):
    write(repo / "configs" / "a" / "plan.yaml", TWO_FINDINGS)
    write(repo / "other" / "plan.yaml", TWO_FINDINGS)
    write(
        repo / "pyproject.toml",
        '[tool.warmplan]\nignore = ["WP109"]\n\n[tool.warmplan.per-file-ignores]\n'
        '"configs/*.yaml" = ["WP106"]\n',
    )
    monkeypatch.chdir(repo / "configs")  # the globs stay relative to the pyproject's folder
    result = check("a/plan.yaml", "../other/plan.yaml")
    assert codes(result) == ["WP106"]  # only other/'s; WP109 nowhere
    assert result.stdout.splitlines()[0].startswith("../other/plan.yaml:3:")


def test_a_pattern_without_a_slash_matches_the_name_in_any_folder(repo):
    root = repo
    assert selection.glob_matches("plan.yaml", str(root / "x" / "plan.yaml"), root)
    assert selection.glob_matches("*.json", str(root / "a" / "b.json"), root)
    assert not selection.glob_matches("x/*.json", str(root / "a" / "b.json"), root)
    assert selection.glob_matches("a/*.json", str(root / "a" / "c" / "b.json"), root)
    assert not selection.glob_matches("a/*.json", "/elsewhere/a/b.json", root)


def test_select_keeps_only_the_rules_named_and_prefixes_select_families(repo):
    write(repo / "plan.yaml", TWO_FINDINGS)
    write(repo / "pyproject.toml", '[tool.warmplan]\nselect = ["WP109"]\n')
    assert codes(check("plan.yaml")) == ["WP109"]
    # the command line's select replaces the table's (and its ignore)
    assert codes(check("plan.yaml", "--select", "WP10")) == ["WP106", "WP109"]
    assert codes(check("plan.yaml", "--select", "WP10", "--ignore", "WP106")) == ["WP109"]
    assert codes(check("plan.yaml", "--select", "WP12")) == []


def test_select_on_the_command_line_alone_and_its_usage_error(repo):
    write(repo / "plan.yaml", TWO_FINDINGS)
    assert codes(check("plan.yaml", "--select", "wp106")) == ["WP106"]
    result = check("plan.yaml", "--select", "WP199")
    assert result.exit_code == 2
    assert "usage error: --select WP199: no such rule" in result.stderr


def test_selection_layers_apply_in_order_as_ruffs_do():
    every = {"WP101", "WP106", "WP109", "WP120", "WP121"}
    assert selection.enabled(every, [(None, ["WP109"]), (None, [])]) == every - {"WP109"}
    assert selection.enabled(every, [(["WP12"], []), (None, ["WP120"])]) == {"WP121"}
    # a later select starts afresh: the earlier ignore is gone with it
    assert selection.enabled(every, [(None, ["WP109"]), (["WP10"], [])]) == every - {
        "WP120",
        "WP121",
    }


def test_max_steps_from_the_table_and_the_flag_overriding_it(repo):
    write(repo / "plan.yaml", SHORT_WARMUP)
    write(repo / "pyproject.toml", "[tool.warmplan]\nmax-steps = 500\n")
    assert codes(check("plan.yaml")) == ["WP009"]  # 1,000 steps over the table's bound
    assert codes(check("plan.yaml", "--max-steps", "2000")) == ["WP109"]


def test_per_file_facts_give_recipes_their_run_time_facts(repo):
    write(repo / "recipes" / "args.yaml", RECIPE)
    write(repo / "other" / "args.yaml", RECIPE)
    write(
        repo / "pyproject.toml",
        '[tool.warmplan]\nper-file-ignores = { "*.yaml" = ["WP102"] }\n\n'
        '[tool.warmplan.per-file-facts."recipes/*.yaml"]\ndataset-size = 800\n',
    )
    result = check("recipes/args.yaml", "other/args.yaml")
    lines = result.stdout.splitlines()
    # 800 examples in batches of 8: 100 updates, so the 1000-step warm-up (transformers:
    # factor step / 1000) is at 99 / 1000 of the target 2e-5 on its last step
    assert lines[0].startswith("recipes/args.yaml:1:1: error: the target LR 2e-5 is never")
    assert "the highest is 1.98e-6 (9.90% of it) at step 99" in lines[0]
    assert lines[1].startswith("other/args.yaml:3:1: warning:") and "[WP011]" in lines[1]
    # the command line's fact wins over the table's: 10,000 updates, the target reached
    result = check("recipes/args.yaml", "--dataset-size", "80000")
    assert result.exit_code == 0 and codes(result) == []


LIGHTNING = """\
model:
  class_path: trainer.Module
  init_args:
    optimizer:
      class_path: torch.optim.SGD
      init_args: {lr: 0.1}
    lr_scheduler:
      class_path: torch.optim.lr_scheduler.StepLR
      init_args: {step_size: 1000}
trainer:
  max_steps: 20
"""


def test_check_takes_the_interval_a_recipe_leaves_to_code(repo):
    """A LightningCLI recipe whose module steps its scheduler itself: the interval is a
    fact, from --interval or the table; WP011 says which flag, and check has it."""
    write(repo / "recipes" / "cli.yaml", LIGHTNING)
    missing = check("recipes/cli.yaml")
    assert "pass --interval step or --interval epoch" in missing.stdout
    assert codes(missing) == ["WP011"]
    # stepped per update, StepLR(step_size=1000) never steps within the 20 updates
    by_flag = check("recipes/cli.yaml", "--interval", "step")
    assert codes(by_flag) == ["WP101"] and "(20 steps)" in by_flag.stdout
    # stepped per epoch, the epoch's length is the next fact it needs
    per_epoch = check("recipes/cli.yaml", "--interval", "epoch")
    assert codes(per_epoch) == ["WP011"] and "--steps-per-epoch" in per_epoch.stdout
    write(
        repo / "pyproject.toml", '[tool.warmplan.per-file-facts."recipes/*"]\ninterval = "step"\n'
    )
    by_table = check("recipes/cli.yaml")
    assert codes(by_table) == codes(by_flag)
    write(
        repo / "pyproject.toml", '[tool.warmplan.per-file-facts."recipes/*"]\ninterval = "daily"\n'
    )
    bad = check("recipes/cli.yaml")
    assert "pyproject.toml:2:1: error: interval must be step or epoch, got 'daily'" in bad.stdout
    assert check("recipes/cli.yaml", "--interval", "weekly").exit_code == 2


def test_config_names_the_file_and_isolated_reads_none(repo, tmp_path_factory):
    write(repo / "plan.yaml", SHORT_WARMUP)
    elsewhere = tmp_path_factory.mktemp("settings") / "pyproject.toml"
    write(elsewhere, '[tool.warmplan]\nignore = ["WP109"]\nstrict = true\n')
    write(repo / "pyproject.toml", "[tool.warmplan]\nstrict = true\n")
    assert check("plan.yaml").exit_code == 1
    result = check("plan.yaml", "--config", str(elsewhere))
    assert result.exit_code == 0 and codes(result) == []
    both = check("plan.yaml", "--config", str(elsewhere), "--isolated")
    assert both.exit_code == 2 and "exclude each other" in both.stderr
    missing = check("plan.yaml", "--config", "nope.toml")
    assert missing.exit_code == 2 and "nope.toml" in missing.stderr
    write(repo / "other.toml", "tool = 3\n")  # no table (and a tool that is no table)
    without = check("plan.yaml", "--config", "other.toml")
    assert without.exit_code == 1
    # located at the tool key that is no table
    assert "other.toml:1:1: error: no [tool.warmplan] table in this file [WP006]" in without.stdout


# -- what the table gets wrong -----------------------------------------------------------

BAD_TABLE = """\
[project]
name = "x"

[tool.warmplan]
ignor = ["WP109"]
select = ["WP1", "WP1009"]
strict = "yes"
max-steps = 0
per-file-ignores = { "a.yaml" = ["WP106"], "b/*.yaml" = "WP106" }

[tool.warmplan.per-file-facts."recipes/*.yaml"]
dataset-size = 1000
world_size = 2
"""


def test_mistakes_in_the_table_are_located_findings_with_did_you_mean(repo):
    write(repo / "plan.yaml", SHORT_WARMUP)
    write(repo / "pyproject.toml", BAD_TABLE)
    result = check("plan.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:6] == [
        "pyproject.toml:5:1: error: unknown key tool.warmplan.ignor (did you mean ignore?) [WP004]",
        "pyproject.toml:6:18: error: select lists WP1009, which is no rule (nor a prefix of "
        "one) (did you mean WP109?) [WP006]",
        "pyproject.toml:7:1: error: strict must be true or false, got 'yes' (text) [WP006]",
        "pyproject.toml:8:1: error: max-steps must be a whole number of at least 1, got 0 [WP006]",
        'pyproject.toml:9:44: error: per-file-ignores."b/*.yaml" must be a list of rule codes, '
        "got 'WP106' (text) [WP006]",
        "pyproject.toml:13:1: error: unknown fact world_size (did you mean world-size?); the "
        "facts are dataset-size, world-size, steps, steps-per-epoch, global-batch-size, "
        "sequence-length, interval [WP004]",
    ]
    # the valid rest still applies (select WP1 keeps WP109), and the plan is still checked
    assert lines[6].startswith("plan.yaml:3:") and lines[6].endswith("[WP109]")
    assert lines[-1] == "1 plan checked: 6 errors, 1 warning"


def test_a_table_that_is_not_toml_is_a_located_syntax_error(repo):
    write(repo / "plan.yaml", SHORT_WARMUP)
    write(repo / "pyproject.toml", "[tool.warmplan]\nstrict = tru\n")
    result = check("plan.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith("pyproject.toml:2:10: error: TOML syntax: ")
    assert "[WP002]" in result.stdout.splitlines()[0]


def test_a_good_table_has_no_findings():
    text = (
        '[tool.warmplan]\nselect = ["WP1"]\nignore = ["wp109"]\nstrict = false\n'
        'max-steps = 20000000\nper-file-ignores = { "a/*.yaml" = ["WP12"] }\n'
        '[tool.warmplan.per-file-facts."r/*.yaml"]\nworld-size = 8\nsteps-per-epoch = 10\n'
    )
    settings = pyproject._Reader(pyproject.Settings(path="p"), text, known_codes())
    settings.read(pyproject.tomllib.loads(text)["tool"]["warmplan"])
    s = settings.settings
    assert s.findings == []
    assert (s.select, s.ignore, s.strict, s.max_steps) == (["WP1"], ["WP109"], False, 20000000)
    assert s.per_file_facts == {"r/*.yaml": {"world-size": 8, "steps-per-epoch": 10}}


# -- where TOML keys are written ------------------------------------------------------

TOML = """\
[tool.other]
ignore = 1
[tool.warmplan]
"select" = ["WP1"]
per-file-ignores."a.yaml" = ["WP106"]
inline = { first = 1, "second key" = { deep = 2 } }

  [tool.warmplan.per-file-facts."r/*.yaml"]  # indented, with a comment
  steps = 10
"""


@pytest.mark.parametrize(
    ("key", "place"),
    [
        (("tool", "warmplan", "select"), (4, 1)),
        (("tool", "warmplan", "per-file-ignores", "a.yaml"), (5, 1)),
        (("tool", "warmplan", "inline", "first"), (6, 12)),
        (("tool", "warmplan", "inline", "second key", "deep"), (6, 40)),
        (("tool", "warmplan", "per-file-facts", "r/*.yaml", "steps"), (9, 3)),
        (("tool", "warmplan", "per-file-facts", "r/*.yaml"), (8, 4)),
        (("tool", "warmplan", "ignore"), (3, 2)),  # absent: its table's header
        (("tool", "other", "ignore"), (2, 1)),
    ],
)
def test_locate_finds_keys_as_people_write_them(key, place):
    assert toml_keys.locate(TOML, key) == place


def test_the_system_hook_and_the_python_hook_validate_as_a_pre_commit_manifest(tmp_path):
    manifest = ROOT / ".pre-commit-hooks.yaml"
    hooks = yaml.safe_load(manifest.read_text())
    assert {h["language"] for h in hooks} == {"python", "system"}
    assert {h["entry"] for h in hooks} == {"warmplan check"}
    pre_commit = str(Path(sys.executable).parent / "pre-commit")  # the venv's, as installed
    ok = subprocess.run([pre_commit, "validate-manifest", str(manifest)], timeout=60)
    assert ok.returncode == 0
    # and the validator does refuse a manifest that is wrong
    broken = write(tmp_path / "hooks.yaml", manifest.read_text().replace("system", "sytem"))
    refused = subprocess.run(
        [pre_commit, "validate-manifest", str(broken)], capture_output=True, timeout=60
    )
    assert refused.returncode != 0 and b"sytem" in refused.stdout + refused.stderr

"""`warmplan check --fix` / `--diff`: each fix on realistic YAML (comments, odd quoting,
flow and block sequences), the exact text written (spelled out by hand here), the
re-check guard, idempotence, atomic writes, and the usage errors."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warmplan.cli.main import app
from warmplan.config.edit import NotEditable, set_value
from warmplan.errors import Finding, Fix
from warmplan.lint.fixer import fix_file
from warmplan.lint.runner import FileResult, check_file

runner = CliRunner()


def plan_file(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode())
    return path


def fix(*args: str):
    return runner.invoke(app, ["check", "--fix", *args])


def fixed_text(tmp_path: Path, text: str, name: str = "plan.yaml", fixed: int = 1) -> str:
    """The file after `check --fix`, which must have fixed every finding."""
    path = plan_file(tmp_path, text, name)
    result = fix(str(path))
    count = f"Fixed {fixed} finding{'s' if fixed > 1 else ''} (0 remaining)"
    assert result.stdout.splitlines()[-1] == count, result.output
    assert result.exit_code == 0
    return path.read_text()


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# -- WP106 / WP107: a horizon that does not fit training ---------------------------------

COSINE_SHORT = """
# a cosine copied from a 20-epoch run onto a 40-epoch one
name: short-cosine
optimizer: {kind: sgd, lr: 0.1}
training:
  epochs: 40        # forty epochs
  interval: epoch
decay:
  kind: 'cosine'
  "T_max": 20   # from the 20-epoch recipe
  eta_min: 1.0e-5
"""


def test_a_cosine_horizon_that_ends_early_is_set_to_the_decay_phase(tmp_path):
    # WP106 names "set T_max: 40": the decay phase is all 40 epochs (no warm-up); the
    # quoted key, the quoted kind, and the comments stay as written
    assert fixed_text(tmp_path, COSINE_SHORT) == dedent("""
        # a cosine copied from a 20-epoch run onto a 40-epoch one
        name: short-cosine
        optimizer: {kind: sgd, lr: 0.1}
        training:
          epochs: 40        # forty epochs
          interval: epoch
        decay:
          kind: 'cosine'
          "T_max": 40   # from the 20-epoch recipe
          eta_min: 1.0e-5
        """)


def test_a_linear_horizon_past_training_is_shortened_after_the_warm_up(tmp_path):
    # 100 epochs, a 10-epoch warm-up: the decay phase is 90 epochs, so total_iters 90
    text = """
    optimizer: {kind: adamw, lr: 3.0e-4}
    training: {epochs: 100, steps_per_epoch: 500}
    warmup: {kind: linear, length: 10, start_factor: 0.01}
    decay: {kind: linear, total_iters: 120, end_factor: 0.0}  # from the old recipe
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: adamw, lr: 3.0e-4}
        training: {epochs: 100, steps_per_epoch: 500}
        warmup: {kind: linear, length: 10, start_factor: 0.01}
        decay: {kind: linear, total_iters: 90, end_factor: 0.0}  # from the old recipe
        """)


def test_a_horizon_in_a_unit_becomes_the_intervals_the_message_names(tmp_path):
    # T_max {steps: 300} on 10 epochs x 50 steps, per step: 500 steps, 50 of warm-up,
    # so a decay phase of 450 steps; the message says "set T_max: 450"
    text = """
    optimizer: {kind: adam, lr: 1.0e-3}
    training:
      epochs: 10
      steps_per_epoch: 50
      interval: step
    warmup:
      kind: linear
      steps: 50
    decay:
      kind: cosine
      T_max: {steps: 300}   # too short
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: adam, lr: 1.0e-3}
        training:
          epochs: 10
          steps_per_epoch: 50
          interval: step
        warmup:
          kind: linear
          steps: 50
        decay:
          kind: cosine
          T_max: 450   # too short
        """)


# -- WP115: epochs written on a per-step plan ------------------------------------------

RESNET_BLOCK = """
# ResNet-50 recipe (Goyal et al.), per step
optimizer:
  kind: sgd
  lr: 0.1
training: {epochs: 90, steps_per_epoch: 100, interval: step}
warmup: {kind: linear, epochs: 5}
decay:
  kind: multistep
  milestones:   # the ResNet drops
    - 30  # first
    - 60
    - 80
  gamma: 0.1
"""


def test_milestones_in_a_block_list_are_put_under_epochs(tmp_path):
    # a line "epochs:" at the items' indentation: the items and their comments untouched
    assert fixed_text(tmp_path, RESNET_BLOCK) == dedent("""
        # ResNet-50 recipe (Goyal et al.), per step
        optimizer:
          kind: sgd
          lr: 0.1
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        warmup: {kind: linear, epochs: 5}
        decay:
          kind: multistep
          milestones:   # the ResNet drops
            epochs:
            - 30  # first
            - 60
            - 80
          gamma: 0.1
        """)


def test_an_indentless_list_moves_two_columns_under_epochs(tmp_path):
    # as PyYAML's dump writes lists: at the key's column, where "epochs:" would be a
    # sibling of milestones; the list's lines, comment included, move under it
    text = """
    optimizer: {kind: sgd, lr: 0.1}
    training: {epochs: 90, steps_per_epoch: 100, interval: step}
    warmup: {kind: linear, epochs: 5}
    decay:
      kind: multistep
      milestones:
      - 30
      # the second drop
      - 60
      - 80
      gamma: 0.1
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        warmup: {kind: linear, epochs: 5}
        decay:
          kind: multistep
          milestones:
            epochs:
            - 30
            # the second drop
            - 60
            - 80
          gamma: 0.1
        """)


def test_milestones_in_a_flow_list_are_wrapped_as_written(tmp_path):
    text = """
    optimizer: {kind: sgd, lr: 0.1}
    training: {epochs: 90, steps_per_epoch: 100, interval: step}
    warmup: {kind: linear, epochs: 5}
    decay: {kind: multistep, milestones: [30,  60, 80], gamma: 0.1}   # ResNet
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        warmup: {kind: linear, epochs: 5}
        decay: {kind: multistep, milestones: {epochs: [30,  60, 80]}, gamma: 0.1}   # ResNet
        """)


def test_a_warm_up_length_in_epochs_is_renamed_to_epochs(tmp_path):
    # "warmup.epochs: 5 in place of warmup.length": the key renamed, its value kept
    text = """
    optimizer: {kind: sgd, lr: 0.1}
    training: {epochs: 90, steps_per_epoch: 100, interval: step}
    warmup:
      kind: linear
      length: 5     # five epochs, as in the paper
    decay: {kind: multistep, milestones: {epochs: [30, 60, 80]}}
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        warmup:
          kind: linear
          epochs: 5     # five epochs, as in the paper
        decay: {kind: multistep, milestones: {epochs: [30, 60, 80]}}
        """)


def test_a_step_size_in_epochs_becomes_a_mapping(tmp_path):
    text = """
    optimizer: {kind: sgd, lr: 0.1}
    training: {epochs: 90, steps_per_epoch: 100, interval: step}
    decay:
      kind: step
      step_size: 30 # every 30 epochs
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        decay:
          kind: step
          step_size: {epochs: 30} # every 30 epochs
        """)


def test_a_horizon_in_epochs_is_not_fixed_its_message_names_two_ways(tmp_path):
    # "T_max: {epochs: 90} ..., or leave it out": two rewrites, so no fix
    path = plan_file(
        tmp_path,
        """
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        decay: {kind: cosine, T_max: 90}
        """,
    )
    before = path.read_bytes()
    (finding,) = check_file(str(path)).findings
    assert finding.code == "WP115" and finding.fix is None
    result = fix(str(path))
    assert result.exit_code == 1 and path.read_bytes() == before
    assert result.stdout.splitlines()[-1] == "Fixed 0 findings (1 remaining)"


# -- WP108: unsorted milestones ----------------------------------------------------------


def test_unsorted_milestones_are_sorted_each_item_keeping_its_text(tmp_path):
    text = """
    optimizer: {kind: sgd, lr: 0.1}
    training: {epochs: 90}
    decay:
      kind: multistep
      milestones: [ 60 , +30,80 ]  # drops
    """
    assert fixed_text(tmp_path, text) == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90}
        decay:
          kind: multistep
          milestones: [ +30 , 60,80 ]  # drops
        """)


def test_unsorted_block_milestones_in_epochs_are_sorted_with_their_comments(tmp_path):
    # two WP108 findings (60 after 80, 30 after 60), one fix: both counted as fixed
    path = plan_file(
        tmp_path,
        """
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        decay:
          kind: multistep
          milestones:
            epochs:
              - 80   # last
              - 60
              - 30.5
        """,
    )
    result = fix(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "Fixed 2 findings (0 remaining)"
    # each item moves with its comment
    assert path.read_text() == dedent("""
        optimizer: {kind: sgd, lr: 0.1}
        training: {epochs: 90, steps_per_epoch: 100, interval: step}
        decay:
          kind: multistep
          milestones:
            epochs:
              - 30.5
              - 60
              - 80   # last
        """)


@pytest.mark.parametrize(
    "milestones, why",
    [("[60, 30, 30]", "a repeat"), ("[60, 30, 95]", "one after training")],
)
def test_unsorted_milestones_with_another_problem_have_no_fix(tmp_path, milestones, why):
    path = plan_file(
        tmp_path,
        f"""
        optimizer: {{kind: sgd, lr: 0.1}}
        training: {{epochs: 90}}
        decay: {{kind: multistep, milestones: {milestones}}}
        """,
    )
    findings = check_file(str(path)).findings
    assert any("not sorted" in f.message for f in findings), why
    assert all(f.fix is None for f in findings)


# -- JSON plans ------------------------------------------------------------------------


def test_json_plans_are_fixed_in_json(tmp_path):
    text = """
    {
      "optimizer": {"kind": "sgd", "lr": 0.1},
      "training": {"epochs": 90, "steps_per_epoch": 100, "interval": "step"},
      "warmup": {"kind": "linear", "length": 5},
      "decay": {"kind": "multistep", "milestones": [30, 60, 80]}
    }
    """
    assert fixed_text(tmp_path, text, "plan.json", fixed=2) == dedent("""
        {
          "optimizer": {"kind": "sgd", "lr": 0.1},
          "training": {"epochs": 90, "steps_per_epoch": 100, "interval": "step"},
          "warmup": {"kind": "linear", "epochs": 5},
          "decay": {"kind": "multistep", "milestones": {"epochs": [30, 60, 80]}}
        }
        """)


def test_crlf_line_ends_and_a_byte_order_mark_are_kept(tmp_path):
    text = dedent(RESNET_BLOCK).replace("\n", "\r\n")
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert fix(str(path)).exit_code == 0
    expected = text.replace("    - 30", "    epochs:\r\n    - 30")
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()


# -- the guard, idempotence, --diff ------------------------------------------------------

PINNED = (
    COSINE_SHORT
    + """expect:
  final_lr: {min: 0.05}   # what the broken run ended at
"""
)


def test_a_fix_that_would_add_a_finding_is_not_applied(tmp_path):
    # the plan pins the final LR the periodic cosine happened to end at: with T_max 40
    # the LR ends at eta_min, so the expectation (WP113) would fail: the fix is skipped
    path = plan_file(tmp_path, PINNED)
    before = path.read_bytes()
    result = fix(str(path))
    assert result.exit_code == 1
    assert path.read_bytes() == before
    (note,) = [line for line in result.stderr.splitlines() if "note:" in line]
    assert note.startswith(f"{path}:9:3: note: not fixed: with decay.T_max: 40 check finds WP113")
    assert note.endswith("[WP106]")
    assert result.stdout.splitlines()[-1] == "Fixed 0 findings (1 remaining)"


def test_a_second_fix_changes_nothing(tmp_path):
    path = plan_file(tmp_path, RESNET_BLOCK)
    assert fix(str(path)).exit_code == 0
    once = path.read_bytes()
    stat = path.stat()
    again = fix(str(path))
    assert again.exit_code == 0
    assert path.read_bytes() == once and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert again.stdout.splitlines()[-2:] == [
        "1 plan checked: 0 errors, 0 warnings",
        "Fixed 0 findings (0 remaining)",
    ]


def test_diff_prints_the_change_writes_nothing_and_exits_1(tmp_path):
    path = plan_file(tmp_path, COSINE_SHORT)
    before = path.read_bytes()
    result = runner.invoke(app, ["check", "--diff", str(path)])
    assert result.exit_code == 1
    assert path.read_bytes() == before
    assert result.stdout == (
        f"--- {path}\n"
        f"+++ {path}\n"
        "@@ -6,5 +6,5 @@\n"
        "   interval: epoch\n"
        " decay:\n"
        "   kind: 'cosine'\n"
        '-  "T_max": 20   # from the 20-epoch recipe\n'
        '+  "T_max": 40   # from the 20-epoch recipe\n'
        "   eta_min: 1.0e-5\n"
    )
    assert result.stderr == "Would fix 1 finding (0 remaining)\n"


def test_diff_with_nothing_to_fix_prints_nothing_and_exits_0(tmp_path):
    path = plan_file(tmp_path, COSINE_SHORT.replace('"T_max": 20', '"T_max": 40'))
    result = runner.invoke(app, ["check", "--diff", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "Would fix 0 findings (0 remaining)\n"


def test_diff_marks_a_last_line_without_newline(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "optimizer: {kind: sgd, lr: 0.1}\ntraining: {epochs: 40}\ndecay: {kind: cosine, T_max: 20}"
    )
    result = runner.invoke(app, ["check", "--diff", str(path)])
    assert result.stdout.endswith(
        "-decay: {kind: cosine, T_max: 20}\n\\ No newline at end of file\n"
        "+decay: {kind: cosine, T_max: 40}\n\\ No newline at end of file\n"
    )


# -- writing ---------------------------------------------------------------------------


def test_a_failed_write_is_one_line_and_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    import warmplan.render.files as files

    path = plan_file(tmp_path, COSINE_SHORT)
    before = path.read_bytes()

    def refuse(source: str, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    result = fix(str(path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}: cannot write: Permission denied; nothing was written\n"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]  # no .part left
    assert "Fixed 0 findings (1 remaining)" in result.stdout  # the WP106 is still there


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_file_is_not_replaced(tmp_path):
    path = plan_file(tmp_path, COSINE_SHORT)
    path.chmod(0o444)
    result = fix(str(path))
    assert result.exit_code == 1
    assert f"error: {path}: cannot write: permission denied" in result.stderr
    assert 'T_max": 20' in path.read_text()


def test_a_fixed_file_keeps_its_permissions(tmp_path):
    path = plan_file(tmp_path, COSINE_SHORT)
    path.chmod(0o640)
    assert fix(str(path)).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640


# -- where --fix does not apply ----------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--fix", "--diff", "x.yaml"], "--fix and --diff: give one"),
        (["--fix", "-"], "--fix rewrites files in place; standard input is not one"),
        (["--diff", "-"], "--diff rewrites files in place; standard input is not one"),
    ],
)
def test_fix_with_diff_or_standard_input_is_a_usage_error(args, message):
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"usage error: {message}")


def test_another_tools_config_is_not_fixable_here(tmp_path):
    # no reader puts a fixable key today; a finding with a fix in a recipe is refused
    path = plan_file(tmp_path, "learning_rate: 1.0e-4\n")
    finding = Finding("WP106", "m", path=str(path), line=1, col=1, fix=Fix(("decay", "T_max"), 9))
    outcome = fix_file(FileResult(str(path), [finding], format="transformers"))
    assert outcome is not None and not outcome.changed
    assert outcome.skipped == [
        (
            finding,
            "not fixable here: the file is a transformers TrainingArguments, whose keys "
            "are not the plan's",
        )
    ]


def test_run_time_flags_keep_a_plan_from_being_fixed(tmp_path):
    # --steps replaces training.steps: a fix computed under it is wrong without it
    text = "optimizer: {kind: sgd, lr: 0.1}\ntraining: {steps: 400}\n"
    text += "decay: {kind: cosine, T_max: 200}\n"
    path = plan_file(tmp_path, text)
    result = fix("--steps", "400", str(path))
    assert path.read_text() == text
    assert result.stderr.startswith(f"{path}:3:23: note: not fixed: the run-time flags")


@pytest.mark.parametrize(
    "text, keypath, reason",
    [
        ("a: &h 20\nb: *h\n", ("b",), "anchored, aliased or tagged"),
        ("a: &h 20\nb: *h\n", ("a",), "anchored, aliased or tagged"),
        ("a:\n  epochs: 2\n", ("a",), "block list or mapping"),
        ("a: 1\n", ("b",), "b is not written in the file"),
    ],
)
def test_values_the_text_edit_leaves_alone(text, keypath, reason):
    with pytest.raises(NotEditable, match=reason):
        set_value(text, keypath, 40)


# -- end to end: a repository, a commit, `warmplan check --fix`, `git diff` -------------


def test_fix_in_a_git_repository_changes_exactly_the_intended_values(tmp_path, monkeypatch):
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    git("init", "-q")
    (tmp_path / "configs").mkdir()
    plan_file(tmp_path / "configs", RESNET_BLOCK, "resnet.yaml")
    plan_file(tmp_path / "configs", COSINE_SHORT, "cosine.yaml")
    git("add", ".")
    git("commit", "-q", "-m", "configs")
    monkeypatch.chdir(tmp_path)
    done = fix("configs/")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-2:] == [
        "2 plans checked: 0 errors, 0 warnings",
        "Fixed 2 findings (0 remaining)",
    ]
    assert git("diff", "--no-color", "--unified=0", "--no-prefix", "--full-index") == (
        "diff --git configs/cosine.yaml configs/cosine.yaml\n"
        f"index {_blob(tmp_path, 'cosine', git)}\n"
        "--- configs/cosine.yaml\n"
        "+++ configs/cosine.yaml\n"
        "@@ -9 +9 @@ decay:\n"
        '-  "T_max": 20   # from the 20-epoch recipe\n'
        '+  "T_max": 40   # from the 20-epoch recipe\n'
        "diff --git configs/resnet.yaml configs/resnet.yaml\n"
        f"index {_blob(tmp_path, 'resnet', git)}\n"
        "--- configs/resnet.yaml\n"
        "+++ configs/resnet.yaml\n"
        "@@ -9,0 +10 @@ decay:\n"
        "+    epochs:\n"
    )
    assert git("status", "--porcelain") == " M configs/cosine.yaml\n M configs/resnet.yaml\n"


def _blob(root: Path, name: str, git) -> str:
    """``old..new mode`` of a changed file, as `git diff` names its blobs."""
    old = git("rev-parse", f"HEAD:configs/{name}.yaml").strip()
    new = git("hash-object", f"configs/{name}.yaml").strip()
    return f"{old}..{new} 100644"


def test_the_readme_diff_is_what_diff_prints(monkeypatch):
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Fixing: `--fix` and `--diff`") :]
    block = section[
        section.index("```console\n") + 11 : section.index("```\n", section.index("```console"))
    ]
    command, *printed = block.splitlines(keepends=True)
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, command.split()[2:])
    assert result.stdout + result.stderr == "".join(printed)


def test_with_json_output_the_count_goes_to_stderr(tmp_path):
    import json

    path = plan_file(tmp_path, COSINE_SHORT)
    result = fix("--format", "json", str(path))
    assert json.loads(result.stdout)["summary"]["errors"] == 0
    assert result.stderr == "Fixed 1 finding (0 remaining)\n"


def test_sorting_milestones_changes_nothing_torch_does():
    """What the README promises of the WP108 fix, on plain torch."""
    import torch

    def lrs(milestones: list[int]) -> list[float]:
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.5)
        seen = []
        for _ in range(90):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        return seen

    assert lrs([60, 30, 80]) == lrs([30, 60, 80])
    assert lrs([30, 60, 80])[29:31] == [0.1, 0.05]


@pytest.mark.parametrize(
    "args, other",
    [
        (["--format", "json"], "--format json"),
        (["--statistics"], "--statistics"),
        (["--output-file", "report.txt"], "--output-file"),
    ],
)
def test_diff_with_another_output_is_a_usage_error(args, other):
    result = runner.invoke(app, ["check", "--diff", *args, "x.yaml"])
    assert result.exit_code == 2
    assert (
        result.stderr == f"usage error: --diff prints a diff on stdout; it does not take {other}\n"
    )


def test_the_count_follows_a_report_written_to_a_file_on_stderr(tmp_path):
    path = plan_file(tmp_path, COSINE_SHORT)
    report = tmp_path / "report.txt"
    result = fix("--output-file", str(report), str(path))
    assert result.exit_code == 0
    assert report.read_text() == "1 plan checked: 0 errors, 0 warnings\n"
    assert result.stderr.splitlines()[-1] == "Fixed 1 finding (0 remaining)"


def test_fix_keeps_an_inline_suppression_on_the_line_it_edits(tmp_path):
    """The comment stays as written; it silences nothing there (no WP110 on that line),
    so check reports it as stale (WP116) before and after the fix alike."""
    stale = COSINE_SHORT.replace("# from the 20-epoch recipe", "# warmplan: ignore[WP110]")
    path = plan_file(tmp_path, stale)
    result = runner.invoke(app, ["check", "--fix", str(path)])
    assert '  "T_max": 40   # warmplan: ignore[WP110]\n' in path.read_text()
    (remaining,) = [line for line in result.stdout.splitlines() if "[WP" in line]
    assert remaining.endswith("[WP116]") and "silences nothing" in remaining
    assert result.stdout.splitlines()[-1] == "Fixed 1 finding (1 remaining)"

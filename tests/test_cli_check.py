"""`warmplan check` through the CLI: output forms (parsed, not just printed), exit codes,
--strict, --ignore, and paths given as files, folders and globs."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import warm
from tests.conftest import DATA, ROOT
from warmplan.cli.main import app

NEGATIVE = DATA / "check" / "negative"
POSITIVE = DATA / "check" / "positive"
LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ \[WP\d{3}\]$"
)
ANNOTATION = re.compile(
    r"^::(?P<sev>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"title=(?P<code>WP\d{3})::(?P<message>.+)$"
)

runner = CliRunner()


def check(*args: str):
    return runner.invoke(app, ["check", *args])


def test_text_lines_point_at_keys_and_end_with_a_summary():
    result = check(str(NEGATIVE / "cosine-tmax-short.yaml"), str(POSITIVE / "step-decay.yaml"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    match = LINE.match(lines[0])
    assert match and match["path"].endswith("cosine-tmax-short.yaml")
    assert (match["line"], match["col"], match["sev"]) == ("9", "3", "error")
    assert lines[0].endswith("[WP106]")
    assert lines[-1] == "2 plans checked: 1 error, 0 warnings"


def test_clean_plans_exit_0_and_warnings_alone_do_not_fail():
    assert check(str(POSITIVE)).exit_code == 0
    result = check(str(NEGATIVE / "adam-short-warmup.yaml"))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "1 plan checked: 0 errors, 1 warning"


def test_strict_fails_on_warnings():
    result = check("--strict", str(NEGATIVE / "adam-short-warmup.yaml"))
    assert result.exit_code == 1


def test_ignore_flag_silences_a_rule():
    result = check("--strict", "--ignore", "WP109", str(NEGATIVE / "adam-short-warmup.yaml"))
    assert result.exit_code == 0
    assert "WP109" not in result.stdout


def test_unknown_ignore_code_is_a_usage_error():
    result = check("--ignore", "WP999", str(POSITIVE))
    assert result.exit_code == 2
    assert "usage error: --ignore WP999: no such rule" in result.stderr


def test_no_paths_is_a_usage_error():
    result = check()
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_keeps_going_after_bad_files_and_reports_every_finding():
    result = check("--format", "json", str(NEGATIVE))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    files = {Path(f["path"]).name: f for f in document["files"]}
    assert len(files) == len(list(NEGATIVE.glob("*.y*ml")))
    assert files["bad-yaml.yaml"]["status"] == "invalid"
    assert files["load-errors.yaml"]["status"] == "invalid"
    assert len(files["load-errors.yaml"]["findings"]) == 2
    assert files["adam-short-warmup.yaml"]["status"] == "warning"
    assert files["milestones-bad.yaml"]["status"] == "error"
    total = sum(len(f["findings"]) for f in document["files"])
    summary = document["summary"]
    assert summary["plans"] == len(files)
    assert summary["errors"] + summary["warnings"] == total


def test_json_findings_carry_every_field():
    result = check("-f", "json", str(NEGATIVE / "expect-mismatch.yaml"))
    (entry,) = json.loads(result.stdout)["files"]
    first = entry["findings"][0]
    assert set(first) == {"code", "severity", "message", "path", "line", "col", "key"}
    assert (first["code"], first["line"], first["col"], first["key"]) == (
        "WP113",
        10,
        3,
        "expect.peak_lr",
    )
    assert entry["status"] == "error"


def test_github_annotations_parse():
    result = check("-f", "github", str(NEGATIVE / "milestones-bad.yaml"))
    *annotations, summary = result.stdout.splitlines()
    parsed = [ANNOTATION.match(line) for line in annotations]
    assert all(parsed), annotations
    assert [(m["code"], m["line"], m["col"]) for m in parsed] == [
        ("WP108", "13", "7"),
        ("WP108", "14", "7"),
        ("WP108", "15", "7"),
        ("WP108", "16", "7"),
    ]
    assert parsed[0]["file"].endswith("milestones-bad.yaml")
    assert summary == "1 plan checked: 4 errors, 0 warnings"


def test_github_escapes_what_would_break_a_workflow_command():
    from warmplan.errors import Finding
    from warmplan.render.findings import annotation

    line = annotation(Finding("WP101", "50% done\nnext", path="a,b:c.yaml", line=2, col=1))
    assert line == "::error file=a%2Cb%3Ac.yaml,line=2,col=1,title=WP101::50%25 done%0Anext"


def test_folders_recurse_globs_expand_and_duplicates_collapse(tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    plan = (POSITIVE / "step-decay.yaml").read_text()
    (nested / "one.yaml").write_text(plan)
    (tmp_path / "two.yml").write_text(plan)
    (tmp_path / "notes.txt").write_text("not a plan")
    result = check("-f", "json", str(tmp_path), str(tmp_path / "**" / "*.yaml"))
    paths = [f["path"] for f in json.loads(result.stdout)["files"]]
    assert paths == [str(nested / "one.yaml"), str(tmp_path / "two.yml")]
    assert result.exit_code == 0


def test_a_path_that_matches_nothing_is_a_finding_and_the_rest_is_still_checked(tmp_path):
    result = check(str(tmp_path / "missing.yaml"), str(tmp_path / "*.yaml"), str(POSITIVE))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{tmp_path / '*.yaml'}: error: a pattern that matches no file" in lines[0]
    assert any(
        line.startswith(f"{tmp_path / 'missing.yaml'}: error: no such file") for line in lines
    )
    plans = len(list(POSITIVE.glob("*.y*ml"))) + 1  # the missing file counts as a plan
    assert lines[-1] == f"{plans} plans checked: 2 errors, 0 warnings"


def test_check_help_lists_the_options():
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    for option in ("--strict", "--format", "--ignore", "--max-steps"):
        assert option in result.stdout


def test_schema_still_describes_expect_and_ignore():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert {"expect", "ignore"} <= set(document["properties"])
    peak = document["$defs"]["ExpectSpec"]["properties"]["peak_lr"]["anyOf"]
    assert {"type": "number", "minimum": 0} in peak
    assert document["$defs"]["ExpectSpec"]["additionalProperties"] is False


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_subprocess_exit_code_and_stdout(fmt):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = warm.run(
        preload=warm.TORCH_CLI,
        args=[
            sys.executable,
            "-m",
            "warmplan",
            "check",
            "-f",
            fmt,
            str(NEGATIVE / "step-never-steps.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "WP101" in done.stdout and done.stderr == ""


def test_readme_rule_table_lists_every_rule_with_its_severity():
    from warmplan.lint.runner import TORCH_REFUSED, UNKNOWN_IGNORE, UNUSED_SUPPRESSION, all_rules

    readme = (ROOT / "README.md").read_text()
    row = r"^\| \[(WP1\d\d)\]\(docs/rules/WP1\d\d\.md\) \| (error|warning) \|"  # linked
    rows = dict(re.findall(row, readme, re.MULTILINE))
    severities = {code: rule.severity for code, rule in all_rules().items()}
    severities |= {UNKNOWN_IGNORE: "warning", TORCH_REFUSED: "error"}
    severities |= {UNUSED_SUPPRESSION: "warning"}
    assert rows == severities


def test_pre_commit_hook_runs_warmplan_check_on_yaml():
    import yaml

    hook, system = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "warmplan-check" and hook["entry"] == "warmplan check"
    assert hook["language"] == "python" and hook["types"] == ["yaml"]
    assert re.search(hook["files"], "configs/a.yml") and not re.search(hook["files"], "a.py")
    # the variant for a warmplan (and torch) already installed: the same check
    assert system["id"] == "warmplan-check-system" and system["language"] == "system"
    assert {
        k: v for k, v in system.items() if k not in ("id", "name", "description", "language")
    } == {k: v for k, v in hook.items() if k not in ("id", "name", "description", "language")}


def test_a_name_too_long_is_a_finding_not_a_crash(tmp_path):
    """pathlib's is_dir raised OSError (ENAMETOOLONG): exit 3 before the fix."""
    good = tmp_path / "good.yaml"
    good.write_text("optimizer: {lr: 1.0e-3}\ntraining: {epochs: 10}\n")
    long_name = str(tmp_path / ("x" * 300 + ".yaml"))
    result = CliRunner().invoke(app, ["check", long_name, str(good)])
    assert result.exit_code == 1, result.output
    assert f"{long_name}: error: cannot read: File name too long [WP001]" in result.stdout
    assert "2 plans checked: 1 error" in result.stdout


def test_readme_actions_snippet_gets_cpu_torch_before_the_project():
    """On a standard runner, PyPI's Linux torch is the multi-GB CUDA build; the snippet
    must take torch from PyTorch's CPU index first, and never pin our local build."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### GitHub Actions") : readme.index("### pre-commit")]
    snippet = section[
        section.index("```yaml") : section.index("```\n", section.index("```yaml") + 7)
    ]
    commands = [line.strip() for line in snippet.splitlines() if line.strip().startswith("pip ")]
    assert commands[0] == "pip install torch --index-url https://download.pytorch.org/whl/cpu"
    assert commands[1].startswith("pip install -e .")
    assert "constraints" not in snippet
    assert "warmplan check configs/ --format github" in snippet


def test_readme_usage_runs_after_the_readme_set_up():
    """The set-up block never activates the venv: the usage block must, before its first
    bare `warmplan`, or every copied command fails with "command not found"."""
    readme = (ROOT / "README.md").read_text()
    set_up = readme[readme.index("## Set-up") : readme.index("## Usage")]
    assert "activate" not in set_up and ".venv/bin/warmplan show" in set_up
    usage = readme[readme.index("## Usage") :]
    block = usage[usage.index("```bash\n") + 8 : usage.index("```\n", usage.index("```bash"))]
    lines = [line for line in block.splitlines() if line and not line.startswith(" ")]
    assert lines[0].split("#")[0].strip() == "source .venv/bin/activate"
    assert all(line.startswith("warmplan ") for line in lines[1:])

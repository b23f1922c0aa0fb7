"""Every broken plan in tests/data/invalid/ gives its one-line error, exit code, and no
traceback, in bounded time. The expectations live in tests/data/invalid/index.yaml;
adding a file there without an expectation fails :func:`test_every_file_has_a_case`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests import warm
from warmplan.cli.main import app
from warmplan.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "data" / "invalid"
CASES: dict[str, dict[str, Any]] = yaml.safe_load((INVALID / "index.yaml").read_text("utf-8"))
#: Seconds any one broken plan may take in-process (most take milliseconds).
TIME_LIMIT = 5.0


def _file(name: str, case: dict[str, Any]) -> Path | None:
    file = case.get("file", name)
    return None if file is None else (INVALID / file)


def _expected_line(case: dict[str, Any], shown_path: str) -> tuple[str, str, str]:
    """(prefix, fragment, suffix) of the one line on stderr."""
    # {dir}: this folder, for an error found in another file (a config's _base_)
    path = case.get("path", "{file}").format(file=shown_path, dir=str(INVALID))
    place = path
    if case["line"] is not None:
        place += f":{case['line']}:{case['col']}"
    return f"{place}: error: ", case["message"], f" [{case['code']}]"


def test_every_file_has_a_case() -> None:
    files = {p.name for p in INVALID.iterdir() if p.name != "index.yaml"}
    assert files - set(CASES) == set(), "add these files to tests/data/invalid/index.yaml"
    for name, case in CASES.items():
        file = _file(name, case)
        if "file" not in case:  # its own file: it exists, or it is the missing-path case
            assert name in files or case["message"] == "no such file", name
        elif file is not None:
            assert file.exists(), name
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_prints_one_line_and_exits(name: str) -> None:
    case = CASES[name]
    file = _file(name, case)
    args = ["show", *([str(file)] if file is not None else []), *case.get("args", [])]
    started = time.monotonic()
    result = CliRunner().invoke(app, args)
    elapsed = time.monotonic() - started
    assert elapsed < TIME_LIMIT, f"{name} took {elapsed:.1f}s"
    assert result.exit_code == case.get("exit", 1), result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    if case.get("exit", 1) != 1:
        assert case["message"] in result.stderr
        return
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix, fragment, suffix = _expected_line(case, str(file))
    assert lines[0].startswith(prefix), lines[0]
    assert lines[0].endswith(suffix), lines[0]
    assert fragment in lines[0]
    assert lines[0].isprintable()


def _finding(name: str) -> Any:
    from warmplan import load_plan, simulate

    with pytest.raises(ConfigError) as caught:
        simulate(load_plan(_file(name, CASES[name])))
    assert len(caught.value.findings) == 1, caught.value.lines()
    return caught.value.findings[0]


@pytest.mark.parametrize(
    "name", sorted(n for n, c in CASES.items() if "args" not in c and c.get("exit", 1) == 1)
)
def test_api_finding_names_the_key(name: str) -> None:
    case = CASES[name]
    finding = _finding(name)
    assert (finding.line, finding.col, finding.key, finding.code) == (
        case["line"],
        case["col"],
        case["key"],
        case["code"],
    )
    assert case["message"] in finding.message


#: A sample through a real process: no traceback may reach stderr, whatever Python does.
SUBPROCESS_SAMPLE = [
    "binary.yaml",
    "latin1.yaml",
    "folder.yaml",
    "no-such-plan.yaml",
    "control-character.yaml",
    "tab-indent.yaml",
    "python-tag.yaml",
    "duplicate-nested.yaml",
    "unknown-top-level.yaml",
    "boolean-epochs-yes.yaml",
    "lr-nan.yaml",
    "epochs-over-size-guard.yaml",
    "billion-laughs.yaml",
    "deep-nesting-flow.yaml",
    "escape-sequence-in-name.yaml",
    "flag-epochs-zero",
    "usage-no-plan-at-all",
    "preset-unknown-argument.yaml",
    "warmup-length-typo-auto.yaml",
    "flag-set-index-at-top-level",
    "py-import.py",
    "py-deep-nesting.py",
    "py-huge-power.py",
]


def run_warmplan(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return warm.run(
        [sys.executable, "-m", "warmplan", *args],
        preload=warm.CLI,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_real_process_prints_no_traceback(name: str) -> None:
    case = CASES[name]
    file = case.get("file", name)
    result = run_warmplan("show", *([file] if file else []), *case.get("args", []), cwd=INVALID)
    assert result.returncode == case.get("exit", 1), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    if case.get("exit", 1) != 1:
        assert case["message"] in result.stderr
        return
    prefix, fragment, suffix = _expected_line(case, file)
    assert result.stderr.count("\n") == 1, result.stderr
    line = result.stderr.rstrip("\n")
    assert line.startswith(prefix) and line.endswith(suffix) and fragment in line, line


def test_file_over_the_byte_limit_is_refused_unread(tmp_path: Path) -> None:
    from warmplan.limits import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    big.write_text("name: " + "x" * MAX_FILE_BYTES + "\n")
    result = CliRunner().invoke(app, ["show", str(big)])
    assert result.exit_code == 1
    assert result.stderr == f"{big}: error: larger than 1,000,000 bytes; not a plan [WP009]\n"


def test_json_file_over_the_byte_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "training_args.json"
    big.write_text('{"learning_rate": 0.001, "run_name": "' + "x" * 1_000_000 + '"}')
    result = CliRunner().invoke(app, ["show", str(big)])
    assert result.exit_code == 1
    assert result.stderr == f"{big}: error: larger than 1,000,000 bytes; not a plan [WP009]\n"

"""`warmplan check` shows the offending line with a caret under the value on a terminal
(--show-source forces it, --no-show-source stops it); pipes, files and machine formats
keep one line per finding. Expected columns are found in the text by hand (str.index)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests import warm
from tests.conftest import DATA, ROOT
from warmplan.cli.main import app

NEGATIVE = DATA / "check" / "negative"
FINDING = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .+ \[WP\d{3}\]$")
SUMMARY = re.compile(r"^\d+ plans? checked: ")

runner = CliRunner()


def span(line: str, token: str, start: int = 0) -> tuple[int, int]:
    """1-based first column of ``token`` in ``line`` and the column after it."""
    first = line.index(token, start) + 1
    return first, first + len(token)


def test_value_spans_of_plain_quoted_flow_and_block_values():
    from warmplan.render.snippet import spans_of

    lines = [
        "optimizer: {kind: sgd, lr: 0.1}",
        'name: "a: b, c"   # a comment',
        "milestones: [30, 60]",
        "items:",
        "  - 'x y'",
        "  - 7",
        "  - lr: 2",
        "block:",
        "  a: 1",
    ]
    values, keys = spans_of("\n".join(lines) + "\n")
    assert values[(1, 1)] == span(lines[0], "{kind: sgd, lr: 0.1}")
    assert values[(1, lines[0].index("lr") + 1)] == span(lines[0], "0.1")
    assert values[(2, 1)] == span(lines[1], '"a: b, c"')
    assert values[(3, 1)] == span(lines[2], "[30, 60]")
    assert values[(3, 14)] == span(lines[2], "30")  # a flow item
    assert values[(5, 5)] == span(lines[4], "'x y'")
    assert values[(6, 5)] == span(lines[5], "7")
    assert values[(7, 5)] == span(lines[6], "2")  # the key lr wins over its list item
    assert (4, 1) not in values and (8, 1) not in values  # values on the next lines
    assert keys[(2, 1)] == span(lines[1], "name")


def test_value_spans_of_json():
    from warmplan.render.snippet import spans_of

    lines = ["{", '  "lr": 1e-3,', '\t"betas": [0.9, 0.95]', "}"]
    values, keys = spans_of("\n".join(lines).replace("\t", " "))
    assert values[(2, 3)] == span(lines[1], "1e-3")
    assert values[(3, 2)] == span(lines[2], "[0.9, 0.95]")
    assert keys[(2, 3)] == span(lines[1], '"lr"')


def test_show_source_puts_the_line_and_carets_under_the_value():
    path = NEGATIVE / "cosine-tmax-short.yaml"
    source = path.read_text().splitlines()
    result = runner.invoke(app, ["check", "--show-source", str(path)])
    assert result.exit_code == 1
    finding, gutter, shown, carets, blank, summary = result.stdout.splitlines()
    assert finding.startswith(f"{path}:9:3: error: ") and FINDING.match(finding)
    assert (gutter, shown) == ("  |", f"9 | {source[8]}")
    first, after = span(source[8], "20")
    assert carets == "  | " + " " * (first - 1) + "^" * (after - first)
    assert blank == "" and SUMMARY.match(summary)


def test_show_source_underlines_an_unknown_key_and_a_list_item(tmp_path):
    path = NEGATIVE / "load-errors.yaml"
    source = path.read_text().splitlines()
    lines = runner.invoke(app, ["check", "--show-source", str(path)]).stdout.splitlines()
    first, after = span(source[5], "epoch")  # WP004 at 6:3: the typo is the key
    assert lines[1:4] == ["  |", f"6 | {source[5]}", "  | " + " " * (first - 1) + "^^^^^"]
    assert after - first == 5
    bad = NEGATIVE / "milestones-bad.yaml"
    source = bad.read_text().splitlines()
    lines = runner.invoke(app, ["check", "--show-source", str(bad)]).stdout.splitlines()
    first, _ = span(source[12], "90")
    assert lines[2:4] == [f"13 | {source[12]}", "   | " + " " * (first - 1) + "^^"]


def test_show_source_never_prints_control_characters(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("optimizer: {kind: sgd, lr: 0.1}\ntraining: {epochs: 3}  # \x1b[31m\n")
    result = runner.invoke(app, ["check", "--show-source", str(plan)])
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "2 | training: {epochs: 3}  # ?[31m" in result.stdout.splitlines()


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "junit"])
def test_show_source_with_a_machine_format_is_a_usage_error(fmt):
    result = runner.invoke(app, ["check", "--show-source", "-f", fmt, str(NEGATIVE)])
    assert result.exit_code == 2
    assert f"--show-source is for the text report, not --format {fmt}" in result.stderr


def _run_check(*args: str, terminal: bool) -> str:
    """`warmplan check` in a subprocess, its stdout a pipe or a pseudo-terminal."""
    command = [sys.executable, "-m", "warmplan", "check", *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not terminal:
        done = warm.run(
            command, preload=warm.CLI, env=env, capture_output=True, text=True, timeout=60
        )
        return done.stdout
    leader, follower = pty.openpty()
    try:
        done = warm.run(
            command, preload=warm.CLI, env=env, stdout=follower, stderr=subprocess.PIPE, timeout=60
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert done.returncode == 1
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("flags", "terminal", "carets"),
    [((), False, False), ((), True, True), (("--no-show-source",), True, False)],
)
def test_carets_on_a_terminal_only(flags, terminal, carets):
    # a plan that fails validation: nothing is simulated, so the subprocess is quick
    out = _run_check(*flags, str(NEGATIVE / "load-errors.yaml"), terminal=terminal)
    lines = out.splitlines()
    assert SUMMARY.match(lines[-1])
    assert any(line.strip().startswith("|") for line in lines) is carets
    if not carets:
        assert all(FINDING.match(line) for line in lines[:-1])


def test_a_value_that_goes_on_past_its_line_is_underlined_to_the_line_end(tmp_path):
    from warmplan.errors import Finding
    from warmplan.render.snippet import snippet

    plan = tmp_path / "plan.yaml"
    plan.write_text("decay:\n  milestones: [30,  \n    60]\n")
    first, _ = span("  milestones: [30,", "[30,")
    lines = snippet(Finding("WP108", "m", path=str(plan), line=2, col=3), {})
    assert lines == ["  |", "2 |   milestones: [30,", "  | " + " " * (first - 1) + "^^^^"]
    # a block value (on the next lines): one caret under the column
    lines = snippet(Finding("WP106", "m", path=str(plan), line=1, col=1), {})
    assert lines[-1] == "  | ^"
    # no such line, no file: nothing to show
    assert snippet(Finding("WP106", "m", path=str(plan), line=9, col=1), {}) == []
    assert snippet(Finding("WP001", "m", path=str(tmp_path / "none.yaml"), line=1), {}) == []

"""Long simulations on a terminal: a progress bar on stderr, and Ctrl-C (SIGINT) ends
them with exit 130, "interrupted" and no output file, whole or partial.

Real processes, a real signal: stderr is a pseudo-terminal, so the bar is drawn, and
its first frame tells the test that the simulation has started.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import warm
from tests.conftest import ROOT
from warmplan import load_plan

#: 2,000,000 optimizer steps, one interval each: long enough to be interrupted midway
LONG = [
    "--lr", "1e-3", "--epochs", "2", "--steps-per-epoch", "1000000", "--interval", "step",
    "--warmup", "linear", "--warmup-length", "10000", "--start-factor", "0.01",
    "--decay", "cosine", "--eta-min", "1e-5",
]  # fmt: skip
#: 500,000 steps: a quarter of the simulating, and still a write of a good part of a
#: second to be interrupted in
WRITTEN = [*LONG[:5], "250000", *LONG[6:]]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and ptys")


def _start(args: list[str], folder: Path) -> tuple[warm.Popen, int]:
    """``warmplan args`` with stderr on a pseudo-terminal (read from the returned fd)."""
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="100")
    process = warm.Popen(
        [sys.executable, "-m", "warmplan", *args],
        preload=warm.TORCH_CLI,
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    )
    os.close(secondary)
    return process, primary


def _read_until(fd: int, text: str, timeout: float = 120) -> str:
    """What the terminal showed, up to and including ``text``."""
    seen, deadline = b"", time.monotonic() + timeout
    while text.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"{text!r} never showed; the terminal had {seen!r}")
        seen += os.read(fd, 65536)
    return seen.decode(errors="replace")


def _finish(process: warm.Popen, fd: int) -> str:
    """Wait for the process; everything it wrote to the terminal after what was read."""
    rest = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal (Linux: EIO)
                break
            if not chunk:
                break
            rest += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=120)
    os.close(fd)
    return rest.decode(errors="replace")


@pytest.mark.parametrize(
    "command",
    [["show", *LONG, "-f", "csv", "-o", "lr.csv"], ["plot", *LONG, "-o", "lr.png"]],
    ids=["show-csv", "plot"],
)
def test_ctrl_c_while_simulating_exits_130_and_writes_nothing(command, tmp_path):
    process, terminal = _start(command, tmp_path)
    shown = _read_until(terminal, "simulating")
    assert "(steps)" in shown  # the bar names the plan and its unit
    process.send_signal(signal.SIGINT)
    rest = _finish(process, terminal)
    assert process.returncode == 130
    assert "interrupted" in rest and "Traceback" not in rest
    assert list(tmp_path.iterdir()) == []  # no output, and no .part left behind


def test_ctrl_c_while_writing_the_file_leaves_no_partial_file(tmp_path):
    process, terminal = _start(["show", *WRITTEN, "-f", "csv", "-o", "lr.csv"], tmp_path)
    _read_until(terminal, "simulating")
    deadline = time.monotonic() + 300
    while not list(tmp_path.glob(".lr.csv.*.part")):  # the atomic write has begun
        assert process.poll() is None and time.monotonic() < deadline, "never wrote"
        time.sleep(0.005)
    time.sleep(0.02)  # into the writing (500,000 rows take a while), past mkstemp
    process.send_signal(signal.SIGINT)
    rest = _finish(process, terminal)
    assert process.returncode == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert list(tmp_path.iterdir()) == []


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("intervals", "tty", "ci", "shown"),
    [
        (1_000_000, True, None, True),
        (1_000_000, True, "false", True),  # CI=false: a person's shell
        (1_000_000, True, "true", False),  # CI logs are no terminal, whatever they claim
        (1_000_000, False, None, False),  # a pipe or a file
        (1_000, True, None, False),  # short: done before a bar would help
    ],
)
def test_the_bar_is_for_long_plans_on_a_terminal_outside_ci(intervals, tty, ci, shown, monkeypatch):
    from types import SimpleNamespace

    from warmplan.cli.progress import shows_progress

    monkeypatch.setattr("sys.stderr", _Stream(tty))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert shows_progress(SimpleNamespace(intervals=intervals)) is shown


def test_no_bar_in_a_pipe(tmp_path):
    """stderr piped (as in CI): only the one line saying what was written."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm")
    short = [*LONG, "--epochs", "1", "--steps-per-epoch", "300000"]
    result = warm.run(
        [sys.executable, "-m", "warmplan", "show", *short, "-f", "csv", "-o", "lr.csv"],
        preload=warm.TORCH_CLI,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and result.stderr == "wrote lr.csv\n"
    assert len((tmp_path / "lr.csv").read_text().splitlines()) == 300_001


def test_the_bar_shows_the_plan_name_as_written(monkeypatch):
    # its name is the user's text: "[/]" in it is not rich markup (it raised MarkupError)
    from warmplan.cli import progress

    monkeypatch.setattr(progress, "shows_progress", lambda plan: True)
    plan = load_plan({"name": "x[/]y", "optimizer": {"lr": 0.1}, "training": {"epochs": 3}})
    assert progress.simulate_with_progress(plan, max_steps=10).intervals == 3

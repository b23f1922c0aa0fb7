"""`warmplan ... | head -1`: a reader that leaves early is success (exit 0, nothing on
stderr), for every command and output format, so `set -o pipefail` scripts go on.

Real processes over a real pipe: the failure lived in the interpreter's exit (rich's
own broken-pipe handler exits 1; a buffered stdout fails again when flushed at exit),
which an in-process runner never reaches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import warm

ROOT = Path(__file__).resolve().parent.parent
WARMPLAN = [sys.executable, "-m", "warmplan"]
COMPARE = ["configs/compare/torch.yaml", "configs/compare/keras.yaml"]
#: 3,000 steps: more than a pipe's buffer of table text, and over the 2,000 rows beyond
#: which `--all` streams its table; short to simulate
PLAN = ["--lr", "1e-3", "--steps", "3000", "--warmup-length", "100", "--decay", "cosine"]

COMMANDS = {
    "table": ["show", *PLAN],
    "streamed table": ["show", *PLAN, "--all"],
    "csv": ["show", *PLAN, "-f", "csv"],
    "json": ["show", *PLAN, "-f", "json"],
    "markdown": ["show", *PLAN, "-f", "markdown"],
    "compare table": ["show", *COMPARE],
    "code": ["code", *PLAN],
    "check": ["check", "configs/compare/torch.yaml"],
    "plot to stdout": ["plot", *PLAN, "-o", "/dev/stdout", "--format", "svg"],
}


def _run_into_closed_pipe(args: list[str], read_first_line: bool) -> tuple[int, str]:
    """Run warmplan with stdout a pipe whose reader leaves: at once (before any output:
    every write fails), or after its first line, as `head -1` does."""
    with warm.Popen(
        [*WARMPLAN, *args],
        preload=warm.TORCH_CLI,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "LINES": "40"},
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        if read_first_line:
            assert process.stdout.readline()  # the command did start writing
        process.stdout.close()
        stderr = process.stderr.read().decode()
        return process.wait(timeout=120), stderr


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_reader_leaving_before_any_output_is_success(args: list[str]) -> None:
    code, stderr = _run_into_closed_pipe(args, read_first_line=False)
    assert (code, stderr) == (0, "")


def test_head_one_is_success() -> None:
    code, stderr = _run_into_closed_pipe(COMMANDS["table"], read_first_line=True)
    assert (code, stderr) == (0, "")

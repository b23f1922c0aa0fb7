"""`warmplan show ... -f csv` in process, as the format tests read it."""

from __future__ import annotations

import csv
import io

import numpy as np
from typer.testing import CliRunner

from warmplan.cli.main import app


def run_show(*args: str) -> tuple[int, str, str]:
    """``warmplan show ARGS``: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, ["show", *args])
    return result.exit_code, result.stdout, result.stderr


def csv_lrs(text: str) -> np.ndarray:
    """The last column of a one-group CSV table; its rows must be steps 0, 1, 2, ..."""
    rows = list(csv.reader(io.StringIO(text)))
    assert [int(row[0]) for row in rows[1:]] == list(range(len(rows) - 1))
    return np.array([float(row[-1]) for row in rows[1:]])

"""`warmplan --help`, `schema` and config errors stay instant: no torch, no matplotlib.

Each case runs in a fresh interpreter and reports, through ``sys.modules``, which heavy
modules the command imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import json, sys
from warmplan.cli import app
try:
    app({args!r})
except SystemExit as exc:
    code = exc.code
heavy = [m for m in ("torch", "matplotlib") if m in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy, "pydantic": "pydantic" in sys.modules}}),
      file=sys.stderr)
"""


def _probe(args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    outcome = json.loads(result.stderr.strip().splitlines()[-1])
    return {"code": outcome["code"], "heavy": outcome["heavy"]}, outcome["pydantic"]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["show", "--help"], ["plot", "--help"], ["check", "--help"]],
)
def test_help_imports_neither_torch_nor_matplotlib(args):
    assert _probe(args)[0] == {"code": 0, "heavy": []}


def test_top_level_help_does_not_import_pydantic():
    # (a command's own --help does: typer builds its parameters with pydantic)
    assert _probe(["--help"]) == ({"code": 0, "heavy": []}, False)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "configs/does-not-exist.yaml"],
        ["show", "--lr", "-1", "--epochs", "2"],
        ["show", "configs/does-not-exist.yaml", "configs/neither.yaml"],
        ["plot", "configs/does-not-exist.yaml"],
        ["plot", "--lr", "-1", "--epochs", "2", "-o", "never.png"],
        ["check", "tests/data/invalid/wrong-type-name-number.yaml"],
        ["code", "--lr", "-1", "--epochs", "2"],
    ],
    ids=lambda args: " ".join(args),
)
def test_config_errors_import_neither_torch_nor_matplotlib(args):
    """Errors found before simulating: reported without paying for torch or matplotlib."""
    assert _probe(args)[0] == {"code": 1, "heavy": []}


def test_schema_imports_neither_torch_nor_matplotlib():
    assert _probe(["schema"])[0] == {"code": 0, "heavy": []}


def test_python_m_warmplan_runs():
    result = subprocess.run(
        [sys.executable, "-m", "warmplan", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("warmplan ")

"""`warmplan --help` and config errors stay instant: no torch, no matplotlib."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import json, sys
from warmplan.cli import app
try:
    app({args!r})
except SystemExit as exc:
    code = exc.code
heavy = [m for m in ("torch", "matplotlib") if m in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _probe(args):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


def test_help_imports_neither_torch_nor_matplotlib():
    for args in (["--help"], ["show", "--help"], ["--version"]):
        assert _probe(args) == {"code": 0, "heavy": []}


def test_config_errors_do_not_import_torch():
    outcome = _probe(["show", "configs/does-not-exist.yaml"])
    assert outcome["code"] == 1 and "torch" not in outcome["heavy"]
    outcome = _probe(["show", "--lr", "-1", "--epochs", "2"])
    assert outcome["code"] == 1 and "torch" not in outcome["heavy"]


def test_schema_does_not_import_torch():
    outcome = _probe(["schema"])
    assert outcome["code"] == 0 and "torch" not in outcome["heavy"]


def test_python_m_warmplan_runs():
    result = subprocess.run(
        [sys.executable, "-m", "warmplan", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("warmplan ")

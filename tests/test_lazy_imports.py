"""`warmplan --help`, `schema` and config errors stay instant: no torch, no matplotlib.

The commands run in fresh interpreters (the import cases one after another in one: see
``_in_sequence``) and report, through ``sys.modules``, which heavy modules they imported.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import ROOT

PROBE = """
import json, sys
from warmplan.cli.main import app
try:
    app({args!r})
except SystemExit as exc:
    code = exc.code
heavy = [m for m in ("torch", "matplotlib") if m in sys.modules]
print(json.dumps({{"code": code, "heavy": heavy, "pydantic": "pydantic" in sys.modules}}),
      file=sys.stderr)
"""


def _run_probe(probe: str, args: list[Any]) -> Any:
    """Run ``probe`` (formatted with ``args``) in a fresh interpreter; its JSON report."""
    result = subprocess.run(
        [sys.executable, "-c", probe.format(args=args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


HELP = [
    ["--help"],
    ["--version"],
    ["show", "--help"],
    ["plot", "--help"],
    ["check", "--help"],
    ["verify", "--help"],
    ["rule"],
    ["rule", "WP106"],
]
CONFIG_ERRORS = [
    ["show", "configs/does-not-exist.yaml"],
    ["show", "--lr", "-1", "--epochs", "2"],
    ["show", "configs/does-not-exist.yaml", "configs/neither.yaml"],
    ["plot", "configs/does-not-exist.yaml"],
    ["plot", "--lr", "-1", "--epochs", "2", "-o", "never.png"],
    ["check", "tests/data/invalid/wrong-type-name-number.yaml"],
    ["code", "--lr", "-1", "--epochs", "2"],
    # a log that cannot be read is reported before the plan is simulated
    ["verify", "configs/linear-warmup-cosine.yaml", "tests/data/runs/edge_tb_corrupt_middle"],
]

SEQUENCE_PROBE = """
import gc, json, sys
from warmplan.cli.main import app
reports = []
for args in {args!r}:
    try:
        app(args)
    except SystemExit as exc:
        code = exc.code
    heavy = [m for m in ("torch", "matplotlib") if m in sys.modules]
    reports.append({{"code": code, "heavy": heavy, "pydantic": "pydantic" in sys.modules,
                     "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}})
print(json.dumps(reports), file=sys.stderr)
"""
#: last in the sequence: it simulates, so it imports torch
SIMULATING = ["show", "configs/linear-warmup-cosine.yaml"]


@functools.cache
def _in_sequence() -> dict[tuple[str, ...], dict]:
    """Every command of HELP, schema, CONFIG_ERRORS, then SIMULATING, called one after
    the other through ``app`` in one fresh interpreter, each reported with what
    ``sys.modules`` held after it: modules stay imported, so a command shows as
    heavy-free only if it and all before it imported neither (the first one that did is
    the culprit). One interpreter instead of 18: their start-ups were most of this
    file's time."""
    commands = [*HELP, ["schema"], *CONFIG_ERRORS, SIMULATING]
    reports = _run_probe(SEQUENCE_PROBE, commands)
    return dict(zip(map(tuple, commands), reports, strict=True))


def _imports(args: list[str]) -> dict:
    report = _in_sequence()[tuple(args)]
    return {"code": report["code"], "heavy": report["heavy"]}


@pytest.mark.parametrize("args", HELP)
def test_help_imports_neither_torch_nor_matplotlib(args):
    assert _imports(args) == {"code": 0, "heavy": []}


def test_top_level_help_does_not_import_pydantic():
    # (a command's own --help does: typer builds its parameters with pydantic); first
    # in the sequence, so nothing else imported it before
    assert HELP[0] == ["--help"]
    assert _imports(HELP[0]) == {"code": 0, "heavy": []}
    assert not _in_sequence()[("--help",)]["pydantic"]


@pytest.mark.parametrize("args", CONFIG_ERRORS, ids=lambda args: " ".join(args))
def test_config_errors_import_neither_torch_nor_matplotlib(args):
    """Errors found before simulating: reported without paying for torch or matplotlib."""
    assert _imports(args) == {"code": 1, "heavy": []}


def test_schema_imports_neither_torch_nor_matplotlib():
    assert _imports(["schema"]) == {"code": 0, "heavy": []}


def test_python_m_warmplan_runs():
    result = subprocess.run(
        [sys.executable, "-m", "warmplan", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("warmplan ")


GC_PROBE = """
import gc, json, sys
from warmplan.cli import main as cli
sys.argv = ["warmplan", *{args!r}]
try:
    cli.run()
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                  "torch": "torch" in sys.modules}}), file=sys.stderr)
"""


@pytest.mark.parametrize("command", ["show", "plot"])
def test_the_cli_resumes_garbage_collection_once_plans_are_simulated(command, tmp_path):
    # run() pauses the cyclic GC for start-up; after simulating it must be back on, with
    # start-up's objects (torch's among them, ~165k) frozen out of later collections
    args = [command, "configs/linear-warmup-cosine.yaml"]
    outcome = _run_probe(
        GC_PROBE, args + (["-o", str(tmp_path / "plan.png")] if command == "plot" else [])
    )
    assert outcome["code"] == 0 and outcome["torch"]
    assert outcome["enabled"]
    assert outcome["frozen"] > 100_000


def test_check_collects_garbage_while_it_checks():
    # check resumes before its first file: many failing files each leave a cycle behind
    outcome = _run_probe(GC_PROBE, ["check", "configs/resnet-multistep.yaml"])
    assert outcome["code"] == 0 and outcome["torch"]
    assert outcome["enabled"]
    assert 0 < outcome["frozen"] < 100_000  # torch came after: not frozen


def test_in_process_callers_keep_their_garbage_collector_untouched():
    # the app called directly (tests, embedding) never paused collection: nothing frozen,
    # after the 18 calls of the sequence, the last of which simulated
    outcome = _in_sequence()[tuple(SIMULATING)]
    assert (outcome["code"], outcome["heavy"]) == (0, ["torch"])
    assert (outcome["enabled"], outcome["frozen"]) == (True, 0)


def test_shell_completion_is_enabled_and_completes_without_torch(tmp_path):
    """--show-completion / --install-completion exist, and the completion itself (the
    shell calls warmplan on every TAB) answers without importing torch or matplotlib."""
    import os

    # typer detects the shell from the process tree, where a CI runner may have none:
    # its own switch (read when the app starts) takes the shell by name instead
    named = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    cli = [sys.executable, "-c", "from warmplan.cli.main import app; app(prog_name='warmplan')"]

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
        )

    shown = run("--show-completion", "bash", **named)
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _warmplan_completion warmplan" in shown.stdout
    installed = run("--install-completion", "bash", **{**named, "HOME": str(tmp_path)})
    assert installed.returncode == 0, installed.stderr
    assert "_warmplan_completion" in (tmp_path / ".bash_completions" / "warmplan.sh").read_text()
    probe = PROBE.replace("app({args!r})", "app({args!r}, prog_name='warmplan')")
    completion = {
        "_WARMPLAN_COMPLETE": "complete_bash",
        "COMP_WORDS": "warmplan show -f ",
        "COMP_CWORD": "3",
    }
    result = subprocess.run(
        [sys.executable, "-c", probe.format(args=[])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **completion},
    )
    assert result.stdout.split() == ["table", "csv", "json", "markdown"]
    assert json.loads(result.stderr.strip().splitlines()[-1])["heavy"] == []

from __future__ import annotations

import compileall
import contextlib
import functools
import importlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import warm

if TYPE_CHECKING:
    from warmplan import Trace

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
DATA = Path(__file__).resolve().parent / "data"


def pytest_configure(config: pytest.Config) -> None:
    """In a run's first process (the xdist controller, or the only process): the folder
    of the run's shared warm servers (tests/warm.py), stopped at the end; and where
    PYTHONDONTWRITEBYTECODE is set, which would have every process of a run (workers,
    servers, the interpreters tests start) compile warmplan again, warmplan compiled once,
    where Python itself would keep it (the gitignored __pycache__ folders beside the
    sources; site-packages and the rest untouched)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or warm.SHARED in os.environ:
        return
    folder = Path(tempfile.mkdtemp(prefix="warmplan-tests-servers-"))
    os.environ[warm.SHARED] = f"{os.getpid()}:{folder}"
    config.add_cleanup(functools.partial(_stop_shared_servers, folder))
    if sys.dont_write_bytecode:
        compileall.compile_dir(ROOT / "warmplan", quiet=2)
        compileall.compile_dir(ROOT / "tests", maxlevels=0, quiet=2)  # not tests/data


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> object:
    """Collecting, pytest rewrites the asserts of every test module (~3.5 s a process)
    and, under PYTHONDONTWRITEBYTECODE, throws the result away: here it keeps it, in the
    gitignored tests/__pycache__ as it would by default, so the next process (the other
    xdist worker, the next run) reads it. Odd-numbered workers import the modules from
    the last one first: two workers collecting at once meet in the middle, each
    rewriting half."""
    was, sys.dont_write_bytecode = sys.dont_write_bytecode, False
    try:
        if int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:]) % 2:
            for module in sorted(Path(__file__).parent.glob("test_*.py"), reverse=True):
                # what fails here fails again in collection, which reports it
                with contextlib.suppress(Exception, pytest.skip.Exception, pytest.fail.Exception):
                    importlib.import_module(f"tests.{module.stem}")
        return (yield)
    finally:
        sys.dont_write_bytecode = was


def _stop_shared_servers(folder: Path) -> None:
    del os.environ[warm.SHARED]
    for pid in folder.glob("*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid.read_text()), signal.SIGTERM)
    shutil.rmtree(folder, ignore_errors=True)


def _one_click_command_per_app() -> None:
    """typer's CliRunner builds the whole click command tree from the app's signatures
    on every invoke (~16 ms; ~1,200 invokes a run: ~30 s of CPU). Click commands are
    built to be invoked again and again (click's own CliRunner takes one), and nothing
    in this one depends on the invocation: the tests share one per app."""
    import typer.testing

    if not hasattr(typer.testing, "_get_command"):
        raise RuntimeError("typer.testing no longer builds commands with _get_command")
    typer.testing._get_command = functools.cache(typer.testing._get_command)


_one_click_command_per_app()


@pytest.fixture
def example_path() -> Path:
    return CONFIGS / "linear-warmup-cosine.yaml"


@functools.cache
def config_trace(path: Path) -> Trace:
    """``simulate(load_plan(path))``, once per test process (the million-update bert
    plan alone takes ~2.5 s); read-only arrays, since tests share it. Its readers run on
    one xdist worker (SHARED_WORK)."""
    from warmplan import load_plan, simulate

    trace = simulate(load_plan(path))
    for array in vars(trace).values():
        if hasattr(array, "flags"):
            array.flags.writeable = False
    return trace


#: tests that share one costly piece of work, by the start of their node ids: each group
#: runs on one xdist worker, which does that work once; every other test is balanced on
#: its own. (pytest-xdist's own `xdist_group` marks do nothing under pytest 9: it tags
#: node ids through an attribute that pytest 9 no longer reads.)
SHARED_WORK = {
    "resumed runs (~9 s)": ("tests/test_resume.py::",),
    "Lightning's import (~4 s)": ("tests/test_watch_lightning.py::",),
    "transformers' Trainer (~2 s)": ("tests/test_watch_transformers.py::",),
    "the import probes' interpreter (~3 s)": (
        "tests/test_lazy_imports.py::test_help_",
        "tests/test_lazy_imports.py::test_top_level_help_",
        "tests/test_lazy_imports.py::test_config_errors_",
        "tests/test_lazy_imports.py::test_schema_",
        "tests/test_lazy_imports.py::test_in_process_callers_",
    ),
    "configs_report (~6 s)": ("tests/test_checks.py::test_every_config_passes_check",),
    "config_trace (~2.5 s for bert)": (
        "tests/test_configs.py::test_example_simulates_to_finite_nonnegative_lrs",
        "tests/test_configs.py::test_bert_",
        "tests/test_checks.py::test_bert_",
        "tests/test_code.py::test_every_config_snippet_reproduces_the_trace",
    ),
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    if config.getoption("dist") != "load":
        return None  # a --dist mode asked for on the command line is xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class SharedWorkScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for group, starts in SHARED_WORK.items():
                if nodeid.startswith(starts):
                    return group
            return nodeid

    return SharedWorkScheduling(config, log)

"""Output files are all or nothing: an unwritable place, a full disk or Ctrl-C midway
leaves no partial file (and an older file in place untouched), says what happened,
and exits 1, 1 or 130. warmplan never writes over its own input."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from warmplan.cli.main import app
from warmplan.render import files as output

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "linear-warmup-cosine.yaml"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    copy = tmp_path / "plan.yaml"
    shutil.copy(CONFIG, copy)
    return copy


class _FailingHandle:
    """A file whose second write fails, as a disk filling up midway would."""

    def __init__(self, handle: Any, error: BaseException) -> None:
        self._handle, self._error, self._writes = handle, error, 0

    def write(self, data: bytes) -> int:
        self._writes += 1
        if self._writes == 2:
            raise self._error
        return self._handle.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _FailingHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def _fail_second_write(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(
        output.os, "fdopen", lambda fd, mode: _FailingHandle(real_fdopen(fd, mode), error)
    )


def _show_csv(config: Path, target: Path) -> Any:
    return CliRunner().invoke(app, ["show", str(config), "-f", "csv", "-o", str(target)])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_written_file_is_complete(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "lr.csv"
    result = _show_csv(config, target)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {target}\n"
    assert len(target.read_text().splitlines()) == 21  # header + 20 epochs
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("error", "exit_code", "message"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), 1, "No space left on device"),
        (KeyboardInterrupt(), 130, "interrupted; no output was written"),
    ],
    ids=["disk-full", "ctrl-c"],
)
def test_failure_midway_leaves_no_partial_file(
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    exit_code: int,
    message: str,
) -> None:
    fresh, older = tmp_path / "fresh.csv", tmp_path / "older.csv"
    older.write_text("the previous run's output\n")
    _fail_second_write(monkeypatch, error)
    for target in (fresh, older):
        result = _show_csv(config, target)
        assert result.exit_code == exit_code
        assert len(result.stderr.splitlines()) == 1 and message in result.stderr
        assert "Traceback" not in result.stderr
    assert not fresh.exists()
    assert older.read_text() == "the previous run's output\n"
    assert _leftovers(tmp_path) == []


def test_disk_full_message_names_the_file(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_second_write(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    target = tmp_path / "lr.csv"
    result = _show_csv(config, target)
    assert result.stderr == (
        f"error: {target}: cannot write: No space left on device; nothing was written\n"
    )


def test_unwritable_folder(config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    # root ignores folder permissions, so the refusal is the operating system's, mocked
    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    target = tmp_path / "lr.csv"
    result = _show_csv(config, target)
    assert result.exit_code == 1
    assert result.stderr == f"error: {target}: cannot write: Permission denied\n"
    assert not target.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder(config: Path, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = _show_csv(config, folder / "lr.csv")
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 1
    assert "cannot write: Permission denied" in result.stderr


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{tmp}/plan.yaml/lr.csv", "cannot write: Not a directory"),
        ("{tmp}", "is a folder; give a file name"),
        ("{tmp}/plan.yaml", "refusing to write over the input config"),
        ("{tmp}/./sub/../plan.yaml", "refusing to write over the input config"),
    ],
    ids=["a-file-as-folder", "a-folder", "the-input", "the-input-by-another-path"],
)
def test_bad_targets(config: Path, tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "sub").mkdir()
    before = config.read_bytes()
    result = _show_csv(config, Path(target.format(tmp=tmp_path)))
    assert result.exit_code == 1
    assert message.format(tmp=tmp_path) in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert config.read_bytes() == before


def test_missing_folders_are_created(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "plots" / "run1" / "lr.csv"
    result = _show_csv(config, target)
    assert result.exit_code == 0, result.output
    assert len(target.read_text().splitlines()) == 21  # header + 20 epochs
    assert sorted(p.name for p in (tmp_path / "plots" / "run1").iterdir()) == ["lr.csv"]


def test_a_failed_write_removes_the_folders_it_created(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warmplan.render import files

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    result = _show_csv(config, tmp_path / "new" / "deeper" / "lr.csv")
    assert result.exit_code == 1
    assert "No space left on device; nothing was written" in result.stderr
    assert sorted(tmp_path.iterdir()) == [config]  # no file, no folder left behind


def test_symlink_to_the_input_is_refused(config: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.csv"
    link.symlink_to(config)
    before = config.read_bytes()
    result = _show_csv(config, link)
    assert result.exit_code == 1
    assert "refusing to write over the input config" in result.stderr
    assert config.read_bytes() == before


def _interrupt_after_first_chunk(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    from warmplan.render import export

    real = export.EXPORTERS[kind]

    def interrupted(trace: Any) -> Any:
        chunks = real(trace)
        yield next(chunks)
        raise KeyboardInterrupt

    monkeypatch.setitem(export.EXPORTERS, kind, interrupted)


def test_ctrl_c_while_printing_says_the_output_is_incomplete(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows already on stdout cannot be taken back: say so, not 'no output was written'."""
    _interrupt_after_first_chunk(monkeypatch, "csv")
    result = CliRunner().invoke(app, ["show", str(config), "-f", "csv"])
    assert result.exit_code == 130
    assert result.stdout.startswith("step,epoch,phase,lr\n")
    assert result.stderr == "interrupted; the output written so far is incomplete\n"


def test_ctrl_c_while_writing_to_a_device_says_the_output_is_incomplete(
    config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A FIFO (or /dev/stdout) is written in place: what reached it stays there."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    _interrupt_after_first_chunk(monkeypatch, "csv")
    result = CliRunner().invoke(app, ["show", str(config), "-f", "csv", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 130
    assert received[0].startswith(b"step,epoch,phase,lr\n")
    assert result.stderr == "interrupted; the output written so far is incomplete\n"


def test_ctrl_c_before_printing_says_nothing_was_written(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warmplan.schedule import simulate as simulation

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation, "_step_all", interrupted)
    result = CliRunner().invoke(app, ["show", str(config), "-f", "csv"])
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == "interrupted; no output was written\n"


def test_ctrl_c_while_writing_a_file_says_nothing_was_written(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even after a first chunk went to the temporary file: it is removed."""
    _interrupt_after_first_chunk(monkeypatch, "csv")
    target = tmp_path / "lr.csv"
    result = _show_csv(config, target)
    assert result.exit_code == 130
    assert result.stderr == "interrupted; no output was written\n"
    assert not target.exists() and _leftovers(tmp_path) == []


def test_a_device_or_pipe_is_written_in_place_not_replaced(config: Path, tmp_path: Path) -> None:
    """`-o /dev/null` used to os.replace the device with a regular file (as root). A FIFO
    in tmp_path stands in for the device: it must still be a FIFO, and its reader must
    get the whole CSV."""
    import stat
    import threading

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = CliRunner().invoke(app, ["show", str(config), "-f", "csv", "-o", str(fifo)])
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].decode().count("\n") == 21
    assert _leftovers(tmp_path) == []


def test_a_link_to_a_file_keeps_its_link(config: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = _show_csv(config, link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text().startswith("step,epoch,phase,lr\n")
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("x" * 300 + ".csv", "File name too long"), ("plan.yaml/lr.csv", "Not a directory")],
    ids=["name-too-long", "under-a-file"],
)
def test_impossible_output_names_are_one_line_errors(
    config: Path, tmp_path: Path, name: str, message: str
) -> None:
    """Both were internal errors (exit 3): pathlib's is_dir raises for such names."""
    target = tmp_path / name if "/" not in name else config.parent / name
    result = _show_csv(config, target)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith(f"error: {target}: cannot write: ")

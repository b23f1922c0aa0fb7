"""Writing output files atomically: all of it, or nothing at all.

Missing folders on the way are created (and removed again if the write fails). The
bytes go to a temporary file in the destination's folder, are flushed to disk,
and replace the destination by one ``os.replace`` (atomic on POSIX and Windows). An
error or Ctrl-C midway removes the temporary file, so no half-written plot or CSV is
ever left where a user (or the next pipeline stage) would read it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from warmplan.errors import OutputError


def refuse_inputs(output: Path, inputs: Iterable[str | Path]) -> None:
    """Refuse to write over one of the command's own input files."""
    try:
        target = output.resolve()
    except OSError:
        return
    for item in inputs:
        try:
            same = Path(item).resolve() == target
        except OSError:
            continue
        if same:
            raise OutputError(f"{output}: refusing to write over the input config {item}")


def rewrite_file(path: str | Path, data: bytes) -> None:
    """Replace an existing file's content by ``data``, atomically, keeping its
    permissions (`check --fix`). A file its owner may not write is refused, as an
    editor would: replacing it by rename would otherwise succeed where writing fails."""
    target = Path(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    if not os.access(target, os.W_OK):
        raise OutputError(f"{target}: cannot write: permission denied; nothing was written")

    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    write_atomically(target, write, mode=mode)


def write_atomically(
    path: str | Path,
    write: Callable[[IO[bytes]], None],
    inputs: Iterable[str | Path] = (),
    mode: int | None = None,
) -> None:
    """Call ``write(handle)`` on a temporary file, then move it onto ``path``.

    ``path`` a device, pipe or socket (``-o /dev/null``, ``-o /dev/stdout``, a FIFO) is
    written in place: there is no file to replace, and replacing would put a regular
    file where the device was. A symbolic link to a file keeps its link: the file it
    points to is the one replaced. ``mode``: the permission bits of the new file
    (default: a new file's, from the umask).
    """
    output = Path(path)
    refuse_inputs(output, inputs)
    try:
        kind = _existing_kind(output)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
    if kind == "folder":
        raise OutputError(f"{output}: is a folder; give a file name")
    if kind == "special":
        _write_in_place(output, write)
        return
    target = Path(os.path.realpath(output)) if kind == "file" else output
    folder = target.parent if str(target.parent) else Path(".")
    created = _make_folders(output, folder)
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=folder
        )
    except OSError as exc:
        _remove_folders(created)
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask() if mode is None else mode)
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        _remove_folders(created)
        raise OutputError(
            f"{output}: cannot write: {exc.strerror or exc}; nothing was written"
        ) from None
    except BaseException:
        _remove(temporary)
        _remove_folders(created)
        raise


def _make_folders(output: Path, folder: Path) -> list[Path]:
    """Create the missing folders above ``output`` (`-o plots/run1/lr.png`, as `mkdir
    -p` would), outermost first; the ones created, so a failed write removes them again
    and leaves the disk as it found it."""
    missing = []
    for parent in (folder, *folder.parents):
        if parent.is_dir():
            break
        missing.append(parent)
    created: list[Path] = []
    for parent in reversed(missing):
        try:
            parent.mkdir()
        except FileExistsError:
            if parent.is_dir():  # made meanwhile by someone else: theirs to keep
                continue
            _remove_folders(created)
            raise OutputError(f"{output}: cannot write: {parent} is a file, not a folder") from None
        except OSError as exc:
            _remove_folders(created)
            raise OutputError(
                f"{output}: cannot create folder {parent}: {exc.strerror or exc}"
            ) from None
        created.append(parent)
    return created


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


def writes_in_place(path: str | Path) -> bool:
    """Whether write_atomically writes ``path`` in place (a device, pipe or socket), so
    an interrupted write leaves part of the output there."""
    try:
        return _existing_kind(Path(path)) == "special"
    except OSError:
        return False


def _existing_kind(output: Path) -> str | None:
    """``file``, ``folder``, ``special`` (device, pipe, socket) or None (no such path),
    following symbolic links; OSError for a path that cannot be looked at at all (a
    name too long, a loop of links)."""
    try:
        mode = os.stat(output).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "special"


def _write_in_place(output: Path, write: Callable[[IO[bytes]], None]) -> None:
    try:
        with output.open("wb") as handle:
            write(handle)
            handle.flush()
    except BrokenPipeError:
        raise  # `-o /dev/stdout | head`: the reader left, which the CLI reports as success
    except OSError as exc:
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Writing output files atomically: all of it, or nothing at all.

The bytes go to a temporary file in the destination's folder, are flushed to disk,
and replace the destination by one ``os.replace`` (atomic on POSIX and Windows). An
error or Ctrl-C midway removes the temporary file, so no half-written plot or CSV is
ever left where a user (or the next pipeline stage) would read it.
"""

from __future__ import annotations

import contextlib
import os
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


def write_atomically(
    path: str | Path, write: Callable[[IO[bytes]], None], inputs: Iterable[str | Path] = ()
) -> None:
    """Call ``write(handle)`` on a temporary file, then move it onto ``path``."""
    output = Path(path)
    refuse_inputs(output, inputs)
    folder = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        raise OutputError(f"{output}: is a folder; give a file name")
    if not folder.is_dir():
        raise OutputError(f"{output}: cannot write: folder {folder} does not exist")
    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{output.name}.", suffix=".part", dir=folder
        )
    except OSError as exc:
        raise OutputError(f"{output}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, output)
    except OSError as exc:
        _remove(temporary)
        raise OutputError(
            f"{output}: cannot write: {exc.strerror or exc}; nothing was written"
        ) from None
    except BaseException:
        _remove(temporary)
        raise


def write_text_atomically(path: str | Path, text: str, inputs: Iterable[str | Path] = ()) -> None:
    data = text.encode("utf-8")
    write_atomically(path, lambda handle: handle.write(data), inputs)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

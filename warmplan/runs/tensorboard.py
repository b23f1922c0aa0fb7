"""TensorBoard event files: every scalar, by tag, read with numpy.

The records of one length are nearly always one tag's scalars, written by the same
code: they differ only in the step, the wall time and the value. So one record is
parsed in Python (:func:`protobuf.scalar_layout`), and every record of its length
whose other bytes are the same is read at the same positions, vectorised; the rest
get a layout of their own. No Python object per record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.errors import Finding, LogError
from warmplan.runs import protobuf
from warmplan.runs.tfrecord import CHUNK, HEADER, Records, byte_matrix, read_records

if TYPE_CHECKING:
    import numpy as np

EVENT_FILE = re.compile(r"events\.out\.tfevents\.(\d+)")


@dataclass
class Scalars:
    """One event file's scalars: per tag, (record index, step, value) in file order."""

    tags: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    records: int = 0
    truncated_at: int | None = None

    def tag(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(step int64, value float64) of one tag, in file order."""
        import numpy as np

        parts = self.tags[name]
        order = np.concatenate([p[0] for p in parts])
        sort = np.argsort(order, kind="stable")
        steps = np.concatenate([p[1] for p in parts])[sort]
        return steps, np.concatenate([p[2] for p in parts])[sort]


def is_event_file(path: Path) -> bool:
    return EVENT_FILE.match(path.name) is not None


def event_files(folder: Path) -> list[Path]:
    """The event files below ``folder``, in the order the runs wrote them: by the
    creation time in their names (``events.out.tfevents.<unix s>.<host>...``), then name."""
    found = [p for p in folder.rglob("events.out.tfevents.*") if p.is_file()]

    def when(path: Path) -> tuple[int, str]:
        match = EVENT_FILE.match(path.name)
        return (int(match.group(1)) if match else 0, path.name)

    return sorted(found, key=when)


def read_scalars(path: Path) -> Scalars:
    import numpy as np

    data = np.fromfile(path, dtype=np.uint8)
    records = read_records(str(path), data)
    scalars = Scalars(records=int(records.offsets.size), truncated_at=records.truncated_at)
    for length in np.unique(records.lengths).tolist():
        members = np.flatnonzero(records.lengths == length)
        while members.size:
            members = _read_shape(path, records, members, int(length), scalars)
    return scalars


def _read_shape(
    path: Path, records: Records, members: np.ndarray, length: int, scalars: Scalars
) -> np.ndarray:
    """Read the records among ``members`` shaped like the first; return the others."""
    import numpy as np

    data = records.data
    start = int(records.offsets[members[0]]) + HEADER
    buf = data[start : start + length].tobytes()
    try:
        layout = protobuf.scalar_layout(buf)
    except protobuf.BadMessage as exc:
        at = int(records.offsets[members[0]])
        raise LogError(
            [
                Finding(
                    errors.CORRUPT_LOG,
                    f"record at byte offset {at} is not a TensorBoard event ({exc})",
                    path=str(path),
                )
            ]
        ) from None
    if layout is None:  # not a scalar: file_version, text, a histogram...
        return members[1:]
    starts = records.offsets[members] + HEADER
    same = np.empty(members.shape, dtype=bool)
    steps = np.empty(members.shape, dtype=np.int64)
    values = np.empty(members.shape, dtype=np.float64)
    for first in range(0, members.size, CHUNK):
        rows = byte_matrix(data, starts[first : first + CHUNK], length)
        chunk = slice(first, first + rows.shape[0])
        same[chunk] = _same_shape(rows, buf, layout)
        steps[chunk] = _steps(rows, layout)
        values[chunk] = _values(rows, layout)
    steps, values = steps[same], values[same]
    scalars.tags.setdefault(layout.tag, []).append((members[same], steps, values))
    return members[~same]


def _same_shape(rows: np.ndarray, buf: bytes, layout: protobuf.ScalarLayout) -> np.ndarray:
    """Which rows (records' bytes) have the template's bytes wherever its values are not,
    and a step varint of the template's width (its continuation bits)."""
    import numpy as np

    template = np.frombuffer(buf, dtype=np.uint8)
    fixed = np.array(sorted(set(range(len(buf))) - layout.varying()), dtype=np.int64)
    same = (rows[:, fixed] == template[fixed]).all(axis=1)
    if layout.step is not None:
        first, end = layout.step
        more = (rows[:, first:end] & 0x80) != 0
        same &= more[:, :-1].all(axis=1) & ~more[:, -1]
    return same


def _steps(rows: np.ndarray, layout: protobuf.ScalarLayout) -> np.ndarray:
    import numpy as np

    step = np.zeros(rows.shape[0], dtype=np.uint64)
    if layout.step is None:
        return step.view(np.int64)
    first, end = layout.step
    for j in range(first, end):
        step |= (rows[:, j] & 0x7F).astype(np.uint64) << np.uint64(7 * (j - first))
    return step.view(np.int64)


def _values(rows: np.ndarray, layout: protobuf.ScalarLayout) -> np.ndarray:
    import numpy as np

    offset, kind = layout.value
    width = 4 if kind == "<f4" else 8
    stored = np.ascontiguousarray(rows[:, offset : offset + width]).view(kind)[:, 0]
    return stored.astype(np.float64)

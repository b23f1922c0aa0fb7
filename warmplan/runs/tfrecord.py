"""TFRecord framing (what TensorBoard event files are made of), read with numpy.

A record is ``uint64 length | uint32 masked_crc32c(length) | data | uint32
masked_crc32c(data)``, little-endian. Finding the records is a walk (each length says
where the next record starts), but event files are long runs of records of one
length, so the walk checks whole runs at once with numpy and steps one record at a
time only where lengths change. Every CRC is checked, vectorised over the records of
one length: a million records cost a few dozen numpy passes, not a million Python
objects.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.errors import Finding, LogError

if TYPE_CHECKING:
    import numpy as np

HEADER = 12  # length (8) + its CRC (4)
FRAMING = 16  # header + the data's CRC (4)
_MASK_DELTA = 0xA282EAD8
#: the longest run of equal-length records checked in one numpy pass
_MAX_RUN = 1 << 16
#: records per gathered matrix: a few MB, so each pass over it stays in the cache
CHUNK = 1 << 14


@dataclass
class Records:
    """Where the whole records of one file are: ``offsets[i]`` is record i's first byte,
    its data ``lengths[i]`` bytes from ``offsets[i] + 12``."""

    data: np.ndarray  # the file's bytes, uint8
    offsets: np.ndarray  # int64
    lengths: np.ndarray  # int64
    #: the offset of a last record cut short (a run killed while writing), else None
    truncated_at: int | None


@functools.cache
def crc32c_table() -> np.ndarray:
    import numpy as np

    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0x82F63B78), table >> 1)
    return table.astype(np.uint32)


def masked_crc32c(data: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """The masked CRC-32C of ``data[s : s + length]`` for every s in ``starts``: the
    records are gathered a chunk at a time into a (records x bytes) matrix, and the
    CRC runs down its columns, one numpy pass per byte position over the chunk."""
    import numpy as np

    table = crc32c_table()
    result = np.empty(starts.shape, dtype=np.uint32)
    for first in range(0, starts.size, CHUNK):
        columns = np.ascontiguousarray(byte_matrix(data, starts[first : first + CHUNK], length).T)
        count = columns.shape[1]
        crc = np.full(count, 0xFFFFFFFF, dtype=np.uint32)
        index, looked_up = np.empty(count, dtype=np.uint8), np.empty(count, dtype=np.uint32)
        for column in columns:  # crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8), in place
            np.bitwise_xor(crc.astype(np.uint8), column, out=index)
            np.take(table, index, out=looked_up)
            np.right_shift(crc, 8, out=crc)
            np.bitwise_xor(crc, looked_up, out=crc)
        result[first : first + CHUNK] = crc
    result ^= np.uint32(0xFFFFFFFF)
    return ((result >> 15) | (result << 17)) + np.uint32(_MASK_DELTA)


def byte_matrix(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """``data[s : s + width]`` for each s in ``starts``, as rows: a strided view when
    the starts are evenly spaced (a run of one tag's records), else one gather."""
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    if starts.size > 1:
        gaps = np.diff(starts)
        if gaps[0] > 0 and (gaps == gaps[0]).all():
            base = data[int(starts[0]) :]
            return as_strided(
                base, shape=(starts.size, width), strides=(int(gaps[0]), 1), writeable=False
            )
    return data[starts[:, None] + np.arange(width, dtype=np.int64)]


def little_endian(data: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """The unsigned little-endian integers of ``width`` (4 or 8) bytes at ``starts``."""
    import numpy as np

    kind = np.dtype("<u4") if width == 4 else np.dtype("<u8")
    value = np.empty(starts.shape, dtype=np.uint64)
    for first in range(0, starts.size, CHUNK):
        rows = byte_matrix(data, starts[first : first + CHUNK], width)
        value[first : first + CHUNK] = rows.view(kind)[:, 0]
    return value


def read_records(path: str, data: np.ndarray) -> Records:
    """Frame ``data`` (the bytes of ``path``) into records, checking every CRC.

    A last record cut short is normal (read up to it, ``truncated_at`` says where); a
    record whose CRC fails anywhere else is a :class:`LogError` naming its offset.
    """
    import numpy as np

    offsets, truncated_at = _walk(data)
    lengths = little_endian(data, offsets, 8).astype(np.int64)
    _check_crcs(path, data, offsets, lengths)  # first: a bad length misframes what follows
    if truncated_at is not None and truncated_at + HEADER <= data.size:
        # a whole header whose length runs past the end: cut short only if its CRC holds
        _check_crcs(path, data, np.array([truncated_at]), np.zeros(1, dtype=np.int64), True)
    return Records(data, offsets, lengths, truncated_at)


def _walk(data: np.ndarray) -> tuple[np.ndarray, int | None]:
    import numpy as np

    size = int(data.size)
    raw = data.tobytes() if size < 4096 else memoryview(data)  # type: ignore[arg-type]
    parts: list[np.ndarray] = []
    single: list[int] = []
    position, previous, streak = 0, -1, 0
    while position + HEADER <= size:
        length = int.from_bytes(raw[position : position + 8], "little")
        stride = length + FRAMING
        if position + stride > size:
            break
        streak = streak + 1 if stride == previous else 0
        previous = stride
        if streak >= 4:
            count = _run(data, position, stride, length, size)
            if single:
                parts.append(np.array(single, dtype=np.int64))
                single = []
            parts.append(position + stride * np.arange(count, dtype=np.int64))
            position += stride * count
            continue
        single.append(position)
        position += stride
    if single:
        parts.append(np.array(single, dtype=np.int64))
    offsets = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return offsets, (position if position < size else None)


def _run(data: np.ndarray, position: int, stride: int, length: int, size: int) -> int:
    """How many records from ``position`` on have this length (at least the first),
    checked in numpy chunks that double while they all match."""
    import numpy as np

    done, chunk = 0, 64
    while True:
        start = position + done * stride
        count = min(chunk, (size - start) // stride)
        if count <= 0:
            return max(done, 1)
        candidates = start + stride * np.arange(count, dtype=np.int64)
        same = little_endian(data, candidates, 8) == np.uint64(length)
        if not same.all():
            return max(done + int(np.argmin(same)), 1)
        done += count
        chunk = min(chunk * 2, _MAX_RUN)


def _check_crcs(
    path: str,
    data: np.ndarray,
    offsets: np.ndarray,
    lengths: np.ndarray,
    header_only: bool = False,
) -> None:
    import numpy as np

    bad_header = masked_crc32c(data, offsets, 8) != little_endian(data, offsets + 8, 4)
    bad = np.zeros(offsets.shape, dtype=bool)
    for length in [] if header_only else np.unique(lengths).tolist():
        members = np.flatnonzero(lengths == length)
        starts = offsets[members] + HEADER
        stored = little_endian(data, starts + length, 4)
        bad[members] = masked_crc32c(data, starts, length) != stored
    # a wrong length misframes every record after it: the first bad header counts
    failed = np.flatnonzero(bad_header | bad)
    if failed.size:
        at = int(offsets[failed[0]])
        part = "length" if bad_header[failed[0]] else "data"
        raise LogError(
            [
                Finding(
                    errors.CORRUPT_LOG,
                    f"corrupt record at byte offset {at}: its {part} CRC does not match "
                    "(the file is damaged there)",
                    path=path,
                )
            ]
        )

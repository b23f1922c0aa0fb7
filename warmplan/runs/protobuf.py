"""Just enough of the protobuf wire format to read TensorBoard's Event messages.

Event {1: wall_time double, 2: step int64, 3: file_version string, 5: summary}
Summary {1: repeated Value}; Value {1: tag, 2: simple_value float, 8: tensor};
TensorProto {1: dtype, 4: tensor_content, 5: float_val, 6: double_val}
(tensorflow/core/util/event.proto, framework/summary.proto, framework/tensor.proto).

:func:`scalar_layout` parses one record and says where its step and value bytes are,
so the records of the same shape can be read with numpy at those positions.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

DT_FLOAT, DT_DOUBLE = 1, 2


class BadMessage(ValueError):
    """Bytes that are not the protobuf message they should be."""


def varint(buf: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise BadMessage("varint runs past the message")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def fields(buf: bytes, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(field number, wire type, start, end) of each field in ``buf[pos:end]``; for a
    varint, start..end are its bytes; for length-delimited, the payload's."""
    while pos < end:
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, after = varint(buf, pos)
            start, pos = pos, after
        elif wire == 1:
            start, pos = pos, pos + 8
        elif wire == 5:
            start, pos = pos, pos + 4
        elif wire == 2:
            length, start = varint(buf, pos)
            pos = start + length
        else:
            raise BadMessage(f"wire type {wire}")
        if pos > end:
            raise BadMessage("field runs past the message")
        yield number, wire, start, pos


@dataclass(frozen=True)
class ScalarLayout:
    """Where one scalar event's values lie in its record data (offsets from its start).

    Records of the same length whose other bytes equal this one's have the same
    layout; ``fixed`` lists those byte positions.
    """

    tag: str
    step: tuple[int, int] | None  # the step varint's bytes; None: step 0 (left out)
    value: tuple[int, str]  # (offset, numpy dtype "<f4" or "<f8")
    wall_time: tuple[int, int] | None

    def varying(self) -> set[int]:
        spans = [self.step, self.wall_time, (self.value[0], self.value[0] + _width(self.value))]
        return {i for span in spans if span for i in range(*span)}


def _width(value: tuple[int, str]) -> int:
    return 4 if value[1] == "<f4" else 8


def scalar_layout(buf: bytes) -> ScalarLayout | None:
    """The layout of an Event holding exactly one scalar value; None for any other
    event (file_version, text, histograms, several values in one summary)."""
    step = wall = summary = None
    for number, wire, start, end in fields(buf, 0, len(buf)):
        if number == 1 and wire == 1:
            wall = (start, end)
        elif number == 2 and wire == 0:
            step = (start, end)
        elif number == 5 and wire == 2:
            summary = (start, end)
    if summary is None:
        return None
    values = [(s, e) for n, w, s, e in fields(buf, *summary) if n == 1 and w == 2]
    if len(values) != 1:
        return None
    found = _value(buf, *values[0])
    if found is None:
        return None
    tag, value = found
    return ScalarLayout(tag, step, value, wall)


def _value(buf: bytes, pos: int, end: int) -> tuple[str, tuple[int, str]] | None:
    tag, value = None, None
    for number, wire, start, stop in fields(buf, pos, end):
        if number == 1 and wire == 2:
            tag = buf[start:stop].decode("utf-8", "replace")
        elif number == 2 and wire == 5:
            value = (start, "<f4")
        elif number == 8 and wire == 2:
            value = _tensor_scalar(buf, start, stop)
    if tag is None or value is None:
        return None
    return tag, value


def _tensor_scalar(buf: bytes, pos: int, end: int) -> tuple[int, str] | None:
    """A tensor holding one float or double (TF2's tf.summary.scalar writes these)."""
    dtype, content = None, None
    for number, wire, start, stop in fields(buf, pos, end):
        if number == 1 and wire == 0:
            dtype = varint(buf, start)[0]
        elif number in (4, 5, 6) and wire == 2:
            content = (number, start, stop)
        elif number == 5 and wire == 5:
            content = (5, start, stop)
        elif number == 6 and wire == 1:
            content = (6, start, stop)
    if content is None:
        return None
    number, start, stop = content
    kind = {DT_FLOAT: "<f4", DT_DOUBLE: "<f8"}.get(dtype or 0)
    if number == 5:
        kind = "<f4"
    elif number == 6:
        kind = "<f8"
    if kind is None or stop - start != (4 if kind == "<f4" else 8):
        return None
    return start, kind


def read_value(buf: bytes, layout: ScalarLayout) -> tuple[int, float]:
    """(step, value) of one record with this layout (the slow path, for checks)."""
    step = 0 if layout.step is None else varint(buf, layout.step[0])[0]
    if step >= 1 << 63:
        step -= 1 << 64
    offset, kind = layout.value
    return step, struct.unpack_from(kind, buf, offset)[0]

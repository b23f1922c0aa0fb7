"""Log readers on logs written here byte by byte, with an independent encoder: the
protobuf wire format and CRC-32C from their specifications, and text logs as each
logger writes them (tests/data/runs/CONVENTIONS.md)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from warmplan.errors import LogError
from warmplan.runs.read import read_log
from warmplan.runs.series import latest_wins
from warmplan.runs.tensorboard import read_scalars
from warmplan.runs.tfrecord import masked_crc32c


def _crc32c(data: bytes) -> int:
    """Bitwise CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), RFC 3720 B.4."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint(number << 3 | wire)
    return key + (_varint(len(payload)) + payload if wire == 2 else payload)


def _event(step: int, tag: str, value: float, kind: str = "simple") -> bytes:
    if kind == "simple":
        scalar = _field(2, 5, struct.pack("<f", value))
    else:  # a TF2 tensor scalar: dtype DT_FLOAT (1) or DT_DOUBLE (2) and tensor_content
        dtype, fmt = (1, "<f") if kind == "tensor-float" else (2, "<d")
        tensor = _field(1, 0, _varint(dtype)) + _field(4, 2, struct.pack(fmt, value))
        scalar = _field(8, 2, tensor)
    summary = _field(1, 2, _field(1, 2, tag.encode()) + scalar)
    step_field = _field(2, 0, _varint(step)) if step else b""  # proto3 leaves out 0
    return _field(1, 1, struct.pack("<d", 1.7e9 + step)) + step_field + _field(5, 2, summary)


def _record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", _masked(length)) + data + struct.pack("<I", _masked(data))


def _write(path: Path, events: list[bytes]) -> Path:
    version = _field(1, 1, struct.pack("<d", 1.7e9)) + _field(3, 2, b"brain.Event:2")
    path.write_bytes(b"".join(_record(e) for e in [version, *events]))
    return path


def test_crc32c_of_the_standard_check_string():
    data = np.frombuffer(b"123456789", dtype=np.uint8)
    assert _crc32c(b"123456789") == 0xE3069283  # the catalogued check value
    assert int(masked_crc32c(data, np.array([0]), 9)[0]) == _masked(b"123456789")


def test_scalars_of_many_shapes_read_exactly(tmp_path):
    """Step 0 (no step field), 1-, 2- and 3-byte step varints, two tags of the same
    length interleaved, and tensor-valued scalars: every value as written."""
    steps = [0, 1, 127, 128, 16383, 16384, 300000]
    events = []
    for s in steps:
        events += [_event(s, "lr", s * 1e-9), _event(s, "xy", -float(s))]
    events += [_event(5, "t32", 0.25, "tensor-float"), _event(6, "t64", 1 / 3, "tensor-double")]
    scalars = read_scalars(_write(tmp_path / "events.out.tfevents.1.host", events))
    lr_steps, lr = scalars.tag("lr")
    assert lr_steps.tolist() == steps
    assert lr.tolist() == [float(np.float32(s * 1e-9)) for s in steps]
    assert scalars.tag("xy")[1].tolist() == [-float(s) for s in steps]
    assert scalars.tag("t32")[1].tolist() == [0.25]
    assert scalars.tag("t64")[1].tolist() == [1 / 3]
    assert scalars.records == 1 + len(events)
    assert scalars.truncated_at is None


def test_a_long_run_of_records_is_read_whole(tmp_path):
    """Past the walk's first numpy chunks (64, doubling): 5,000 records of one length
    then a different one, and the last record cut in its header."""
    events = [_event(1000 + u, "lr", u * 1e-7) for u in range(5000)] + [_event(9, "loss", 2.0)]
    path = _write(tmp_path / "events.out.tfevents.1.host", events)
    with path.open("ab") as handle:
        handle.write(b"\x05\x00\x00")  # a header cut after three bytes
    scalars = read_scalars(path)
    assert scalars.tag("lr")[0].tolist() == list(range(1000, 6000))
    assert scalars.tag("loss")[1].tolist() == [2.0]
    assert scalars.truncated_at == path.stat().st_size - 3


def test_a_flipped_data_byte_is_an_error_at_its_record(tmp_path):
    events = [_event(u, "lr", 1e-3) for u in range(10)]
    path = _write(tmp_path / "events.out.tfevents.1.host", events)
    data = bytearray(path.read_bytes())
    sizes = [len(_record(e)) for e in events]
    fourth = len(_record(_field(1, 1, struct.pack("<d", 1.7e9)) + _field(3, 2, b"brain.Event:2")))
    fourth += sum(sizes[:3])
    data[fourth + 12 + 3] ^= 0x40
    path.write_bytes(bytes(data))
    with pytest.raises(LogError, match=f"corrupt record at byte offset {fourth}: its data CRC"):
        read_scalars(path)


def test_event_files_of_a_folder_merge_in_time_order_later_wins(tmp_path):
    run = tmp_path / "tb"
    run.mkdir()
    # named so that their order by name differs from their order in time
    _write(run / "events.out.tfevents.20.b", [_event(u, "lr", 0.5) for u in range(3, 6)])
    _write(run / "events.out.tfevents.10.z", [_event(u, "lr", 1.0) for u in range(0, 5)])
    log = read_log([run])
    series = log.series[0]
    assert series.update.tolist() == [0, 1, 2, 3, 4, 5]
    assert series.lr.tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    assert log.relogged == 2  # steps 3 and 4, with a different value the second time
    assert log.precision == "float32"


def test_trainer_tags_are_read_one_step_back(tmp_path):
    """transformers logs at step s the LR of update s-1: tag train/learning_rate."""
    path = _write(
        tmp_path / "events.out.tfevents.1.h", [_event(s, "train/learning_rate", s) for s in (1, 2)]
    )
    series = read_log([path]).series[0]
    assert series.update.tolist() == [0, 1]


def test_latest_wins_keeps_the_last_value_of_each_update():
    update = np.array([0, 1, 2, 1, 2, 3])
    lr = np.array([0.0, 1.0, 2.0, 1.0, 9.0, 3.0])
    kept_update, kept_lr, changed = latest_wins(update, lr)
    assert kept_update.tolist() == [0, 1, 2, 3]
    assert kept_lr.tolist() == [0.0, 1.0, 9.0, 3.0]
    assert changed == 1


def test_lightning_param_group_columns_are_groups(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text(
        "epoch,lr-SGD/pg1,lr-SGD/pg2,step,train_loss\n"
        ",0.1,0.01,0,\n,0.1,0.01,0,\n0,,,0,3.5\n,0.2,0.02,1,\n",
        "utf-8",
    )
    log = read_log([path])
    assert log.format == "lightning-csv"
    assert [(s.name, s.group) for s in log.series] == [("lr-SGD/pg1", 0), ("lr-SGD/pg2", 1)]
    assert log.series[1].update.tolist() == [0, 1]
    assert log.series[1].lr.tolist() == [0.01, 0.02]


def test_trainer_state_and_its_summary_entry(tmp_path):
    history = [
        {"learning_rate": 0.0, "loss": 2.0, "step": 1, "epoch": 0.5},
        {"learning_rate": 0.0009000000000000001, "loss": 1.0, "step": 2, "epoch": 1.0},
        {"train_runtime": 1.5, "train_loss": 1.5, "step": 2, "epoch": 1.0},
    ]
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps({"log_history": history, "global_step": 2}), "utf-8")
    series = read_log([tmp_path]).series[0]  # the output folder
    assert series.name == "learning_rate"
    assert series.update.tolist() == [0, 1]
    assert series.lr.tolist() == [0.0, 0.0009000000000000001]


def test_latest_checkpoint_when_the_folder_has_no_trainer_state(tmp_path):
    for step in (5, 10):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        history = [{"learning_rate": 0.1, "step": s} for s in range(1, step + 1)]
        (folder / "trainer_state.json").write_text(json.dumps({"log_history": history}))
    assert read_log([tmp_path]).series[0].update.size == 10  # checkpoint-10, not -5


def test_mlflow_lines_out_of_order_are_sorted_by_step(tmp_path):
    metrics = tmp_path / "run" / "metrics"
    metrics.mkdir(parents=True)
    (metrics / "learning_rate").write_text("3 0.0 1\n5 0.2 3\n4 0.1 2\n", "utf-8")
    (metrics / "loss").write_text("3 9.0 1\n", "utf-8")
    series = read_log([tmp_path / "run"]).series[0]
    assert series.update.tolist() == [0, 1, 2]  # transformers' name: step s = update s-1
    assert series.lr.tolist() == [0.0, 0.1, 0.2]


def test_wandb_without_global_step_uses_step_and_says_so(tmp_path):
    path = tmp_path / "history.jsonl"
    rows = [{"_step": u, "lr": 0.1 * u, "_runtime": 1.0} for u in range(3)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    log = read_log([path])
    assert log.series[0].update.tolist() == [0, 1, 2]
    assert any("_step taken as the update index" in note for note in log.notes)


def test_tag_chooses_among_several_lr_series(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("lr-Adam,lr-SGD,step\n0.1,0.5,0\n", "utf-8")
    assert read_log([path]).series[0].name == "lr-Adam"
    assert any("also has lr-SGD" in n for n in read_log([path]).notes)
    assert read_log([path], tag="lr-SGD").series[0].lr.tolist() == [0.5]
    with pytest.raises(LogError, match="did you mean 'lr-SGD'"):
        read_log([path], tag="lr-SDG")

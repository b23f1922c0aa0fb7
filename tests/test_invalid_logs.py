"""Logs `warmplan verify` cannot use: each gives one line on stderr naming the file
(and the byte offset when one is to blame), a non-zero exit and no traceback; the
invalid-input corpus of tests/data/invalid/, for logs. The real edge cases are in
tests/data/runs/edge_*; the others are made here from real fixtures, byte by byte."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app

RUNS = DATA / "runs"
CORRECT_TB = next((RUNS / "torch_tb_correct" / "tb").iterdir())


def _made(tmp_path: Path, name: str) -> Path:
    """The broken logs this module makes (a dict of makers would need a registry)."""
    path = tmp_path / name
    if name == "nan.csv":
        path.write_text("step,lr\n0,0.001\n1,nan\n", "utf-8")
    elif name == "text-value.csv":
        path.write_text("step,lr\n0,0.001\n1,fast\n", "utf-8")
    elif name == "trainer_state.json":
        path.write_text('{"log_history": [{"step": 1, "learning_rate": 0.1}', "utf-8")
    elif name == "not-a-trainer-state.json":
        path.write_text(json.dumps({"best_metric": None}), "utf-8")
    elif name == "notes.txt":
        path.write_text("lr went up\n", "utf-8")
    elif name.startswith("events.out.tfevents.1.bad-length"):
        data = bytearray(CORRECT_TB.read_bytes())
        (first,) = struct.unpack_from("<Q", data, 0)
        second = first + 16  # the second record's length field
        data[second] ^= 0x01
        path.write_bytes(bytes(data))
    elif name == "empty-folder":
        path.mkdir()
    return path


#: name -> (where the log is, the fragment of the one line, its code)
CASES = {
    "edge_empty/empty.csv": ("the log is empty: no metrics in it", "WP203"),
    "edge_empty/header_only.csv": ("the log is empty: no metrics in it", "WP203"),
    "edge_empty/events.out.tfevents.0000000000.empty.0.0": ("the log is empty", "WP203"),
    "edge_empty/tb_no_scalars": ("the log is empty", "WP203"),
    "edge_other_metric_only/tb": ("no LR in the log: it has loss; choose one with --tag", "WP203"),
    "edge_other_metric_only/lit/version_0/metrics.csv": (
        "no LR in the log: it has train_loss",
        "WP203",
    ),
    "edge_other_metric_only/trainer_state.json": ("no LR in the log: it has total_flos", "WP203"),
    "edge_inf_lr/tb": ("lr is inf at update 0: an LR must be a finite number", "WP204"),
    "edge_inf_lr/lr.csv": ("lr is inf at update 0", "WP204"),
    "edge_tb_corrupt_middle": (
        "corrupt record at byte offset 2502: its data CRC does not match",
        "WP202",
    ),
    "made/nan.csv": ("lr is nan at update 1", "WP204"),
    "made/text-value.csv": ("not a step,lr CSV", "WP202"),
    "made/trainer_state.json": ("not valid JSON", "WP202"),
    "made/not-a-trainer-state.json": ("no log_history", "WP202"),
    "made/notes.txt": ("not a log warmplan reads", "WP201"),
    "made/events.out.tfevents.1.bad-length": ("corrupt record at byte offset", "WP202"),
    "made/empty-folder": ("no training log found in this folder", "WP201"),
    "made/missing.csv": ("no such file or folder", "WP201"),
}


def test_every_edge_fixture_has_a_case():
    edges = {p.name for p in RUNS.iterdir() if p.name.startswith("edge_")}
    covered = {name.split("/")[0] for name in CASES}
    # truncation and duplicates are normal input: tests/test_verify_fixtures.py, below
    assert edges - covered == {
        "edge_tb_truncated",
        "edge_duplicate_steps_resume",
        "edge_duplicate_steps_restart",
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_line_naming_the_file(name, tmp_path):
    fragment, code = CASES[name]
    made = name.startswith("made/")
    log = _made(tmp_path, name.removeprefix("made/")) if made else RUNS / name
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"optimizer": {"lr": 1e-3}, "training": {"steps": 60}}))
    result = CliRunner().invoke(app, ["verify", str(plan), str(log)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(str(log) if "offset" not in fragment else str(log)[:1])
    assert fragment in lines[0], lines[0]
    assert lines[0].endswith(f"[{code}]")


def test_corrupt_record_names_the_file_and_its_offset(tmp_path):
    """The flipped byte is in the second record's length: the first record is whole,
    so the error points at the second record's first byte."""
    log = _made(tmp_path, "events.out.tfevents.1.bad-length")
    (first,) = struct.unpack_from("<Q", log.read_bytes(), 0)
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"optimizer": {"lr": 1e-3}, "training": {"steps": 60}}))
    result = CliRunner().invoke(app, ["verify", str(plan), str(log)])
    assert result.stderr.strip() == (
        f"{log}: error: corrupt record at byte offset {first + 16}: its length CRC does "
        "not match (the file is damaged there) [WP202]"
    )


def test_truncated_last_record_is_read_up_to_it_with_a_note(tmp_path):
    case = json.loads((RUNS / "edge_tb_truncated" / "case.json").read_text("utf-8"))
    plan = tmp_path / "plan.yaml"
    correct = json.loads((RUNS / "torch_tb_correct" / "case.json").read_text("utf-8"))
    plan.write_text(yaml.safe_dump(correct["warmplan_plan"]))
    log = RUNS / "edge_tb_truncated"
    result = CliRunner().invoke(app, ["verify", str(plan), str(log), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["compared"] == case["lr_points_complete"]  # steps 0..58
    offset = case["expected"]["readable_up_to_offset"]
    assert f"cut short at byte offset {offset}" in result.stderr
    assert f"read the {case['records_complete']} whole records before it" in result.stderr


def test_a_resume_relogging_equal_values_is_ok_and_unnoted(tmp_path):
    """Steps 30..39 in both event files with the same values: nothing to say."""
    case = json.loads((RUNS / "edge_duplicate_steps_resume" / "case.json").read_text("utf-8"))
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(case["warmplan_plan"]))
    folder = tmp_path / "run"
    shutil.copytree(RUNS / "edge_duplicate_steps_resume" / "tb", folder)
    result = CliRunner().invoke(app, ["verify", str(plan), str(folder)])
    assert result.exit_code == 0, result.output
    assert "logged twice" not in result.stderr
    assert "merged 2 event files in order" in result.stderr

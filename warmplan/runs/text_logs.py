"""Readers of the text logs: transformers' trainer_state.json, Lightning's metrics.csv,
MLflow metric files, W&B history exports (CSV, JSON lines) and plain ``step,lr`` CSV.

Each returns a :class:`Table`: every numeric series by name as (logged step, value),
in the order the log holds them, and the logger's rule from its step to the update
(tests/data/runs/CONVENTIONS.md has the evidence for each).
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.errors import Finding, LogError
from warmplan.runs.series import Precision

if TYPE_CHECKING:
    import numpy as np

TRAINER = "step s = update s - 1 (transformers Trainer: logged after update s-1)"
SAME_STEP = "step s = update s"


@dataclass
class Table:
    format: str
    columns: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (step, value), log order
    offset: int  # update = step + offset
    convention: str
    precision: Precision = "float64"
    notes: list[str] = field(default_factory=list)


def fail(
    path: Path, message: str, code: str = errors.CORRUPT_LOG, line: int | None = None
) -> LogError:
    return LogError([Finding(code, message, path=str(path), line=line)])


def _arrays(pairs: dict[str, tuple[list[float], list[float]]]) -> dict[str, Any]:
    import numpy as np

    return {
        name: (np.asarray(steps, dtype=np.float64).astype(np.int64), np.asarray(values, float))
        for name, (steps, values) in pairs.items()
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _collect(rows: list[dict[str, Any]], step_key: str) -> dict[str, Any]:
    pairs: dict[str, tuple[list[float], list[float]]] = {}
    for row in rows:
        step = _number(row.get(step_key))
        if step is None or not math.isfinite(step):
            continue
        for key, raw in row.items():
            value = _number(raw) if key != step_key else None
            if value is not None and raw != "":
                steps, values = pairs.setdefault(key, ([], []))
                steps.append(step)
                values.append(value)
    return _arrays(pairs)


def read_trainer_state(path: Path) -> Table:
    try:
        state = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(path, f"not valid JSON: {exc}") from None
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise fail(path, "no log_history: not a transformers trainer_state.json")
    rows = [entry for entry in history if isinstance(entry, dict)]
    columns = _collect(rows, "step")
    columns.pop("epoch", None)
    return Table("trainer_state.json", columns, -1, TRAINER)


def read_mlflow_metric(path: Path) -> Table:
    """``<timestamp ms> <value> <step>`` lines; the async logger writes them out of
    step order (sorted here by step, file order kept among equal steps)."""
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": an empty file
            table = np.loadtxt(path, dtype=np.float64, ndmin=2, usecols=(1, 2))
    except ValueError as exc:
        raise fail(path, f"not an MLflow metric file ({exc})") from None
    order = np.argsort(table[:, 1], kind="stable") if table.size else np.zeros(0, dtype=int)
    steps, values = table[order, 1].astype(np.int64), table[order, 0]
    offset, convention = (-1, TRAINER) if path.name == "learning_rate" else (0, SAME_STEP)
    columns = {path.name: (steps, values)} if table.size else {}
    return Table("mlflow", columns, offset, convention)


def read_jsonl(path: Path) -> Table:
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise fail(path, f"not a JSON line: {exc.msg}", line=number) from None
    return _wandb(path, rows, "wandb-jsonl")


def _wandb(path: Path, rows: list[dict[str, Any]], fmt: str) -> Table:
    """W&B's ``_step`` counts log calls, not updates; transformers' callback logs
    ``train/global_step`` beside each row: that one is the Trainer's step."""
    if any("train/global_step" in row for row in rows):
        columns = _collect(rows, "train/global_step")
        columns.pop("_step", None)
        convention = "train/global_step s = update s - 1 (transformers' W&B callback)"
        offset, notes = -1, []
    else:
        columns = _collect(rows, "_step")
        offset = 0
        convention = "_step s = update s (W&B counts log calls: right if logged once per update)"
        notes = [f"{path}: no train/global_step column: W&B's _step taken as the update index"]
    for key in ("_runtime", "_timestamp", "train/epoch"):
        columns.pop(key, None)
    return Table(fmt, columns, offset, convention, notes=notes)


def read_csv(path: Path) -> Table:
    """Lightning's metrics.csv, a W&B history CSV, or a plain ``step,lr`` CSV."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise fail(path, "not a text (UTF-8) CSV file", errors.UNREADABLE_LOG) from None
    if not header:
        return Table("csv", {}, 0, SAME_STEP)
    if "_step" in header:
        return _wandb(path, _rows(path), "wandb-csv")
    step_key = "step" if "step" in header else header[0]
    lightning = any(name.startswith("lr-") for name in header)
    fmt = "lightning-csv" if lightning else "csv"
    if not lightning and len(header) == 2 and step_key == "step":
        return Table(fmt, _two_columns(path, header), 0, SAME_STEP)
    columns = _collect(_rows(path), step_key)
    columns.pop("epoch", None)
    convention = SAME_STEP + (" (Lightning's LearningRateMonitor)" if lightning else "")
    return Table(fmt, columns, 0, convention)


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _two_columns(path: Path, header: list[str]) -> dict[str, Any]:
    """``step,lr``: numpy's C parser, no Python object per row (a million-row log)."""
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": a header only
            table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise fail(path, f"not a step,{header[1]} CSV ({exc})") from None
    if table.size == 0:
        return {}
    if table.shape[1] != 2:
        raise fail(path, f"expected 2 columns (step,{header[1]}), got {table.shape[1]}")
    return {header[1]: (table[:, 0].astype(np.int64), table[:, 1])}

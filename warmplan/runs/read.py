"""Read a training log, whatever wrote it: the format recognised from the file (or
folder), the LR series chosen, each logger's step rule applied -> :class:`RunLog`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.runs import columns as lr_columns
from warmplan.runs.series import RunLog, Series, latest_wins
from warmplan.runs.text_logs import (
    SAME_STEP,
    TRAINER,
    Table,
    fail,
    read_csv,
    read_jsonl,
    read_mlflow_metric,
    read_trainer_state,
)

if TYPE_CHECKING:
    import numpy as np

_CHECKPOINT = re.compile(r"checkpoint-(\d+)$")


def read_log(paths: list[Path], tag: str | None = None) -> RunLog:
    """The LRs of one run from one or more logs of one format, merged in the order given
    (a later log's value wins where both logged an update)."""
    tables = [_read_one(path) for path in paths]
    formats = {table.format for table in tables}
    if len(formats) > 1:
        from warmplan.errors import UsageError

        raise UsageError(
            f"the logs are of different formats ({', '.join(sorted(formats))}); "
            "verify each format separately"
        )
    source = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    names = list(dict.fromkeys(name for table in tables for name in table.columns))
    if not names and all(not table.columns for table in tables):
        raise fail(paths[0], "the log is empty: no metrics in it", errors.NO_LR_IN_LOG)
    chosen, note = lr_columns.choose(names, tag, source)
    notes = [n for table in tables for n in table.notes] + ([note] if note else [])
    series, relogged = [], 0
    for name, group in chosen:
        one, changed = _series(tables, name, group)
        series.append(one)
        relogged = max(relogged, changed)
    log = RunLog(
        tables[0].format, source, series, tables[0].precision, tables[0].convention, notes, relogged
    )
    _refuse_non_finite(log)
    if relogged:
        log.notes.append(
            f"{source}: {relogged} updates were logged twice with different values "
            "(a resumed run re-logging them): the later values are compared"
        )
    return log


def _series(tables: list[Table], name: str, group: int) -> tuple[Series, int]:
    import numpy as np

    parts = [
        (t.columns[name][0] + t.offset, t.columns[name][1]) for t in tables if name in t.columns
    ]
    update = np.concatenate([p[0] for p in parts])
    lr = np.concatenate([p[1] for p in parts])
    update, lr, changed = latest_wins(update, lr)
    keep = update >= 0  # a logger that numbered from 0 under a rule for 1: nothing to compare
    return Series(name, group, update[keep], lr[keep]), changed


def _refuse_non_finite(log: RunLog) -> None:
    import numpy as np

    for one in log.series:
        bad = np.flatnonzero(~np.isfinite(one.lr))
        if bad.size:
            at = int(bad[0])
            raise fail(
                Path(log.source),
                f"{one.name} is {float(one.lr[at])!r} at update {int(one.update[at])}: an LR "
                "must be a finite number, so this run cannot be compared (its schedule is "
                "broken there)",
                errors.BAD_LR_IN_LOG,
            )


def _read_one(path: Path) -> Table:
    if not path.exists():
        raise fail(path, "no such file or folder", errors.UNREADABLE_LOG)
    if path.is_dir():
        return _read_folder(path)
    from warmplan.runs.tensorboard import is_event_file

    name = path.name
    if is_event_file(path):
        return read_tensorboard([path])
    if name.endswith(".json"):
        return read_trainer_state(path)
    if name.endswith(".jsonl"):
        return read_jsonl(path)
    if name.endswith(".csv"):
        return read_csv(path)
    if path.parent.name == "metrics":
        return read_mlflow_metric(path)
    raise fail(
        path,
        "not a log warmplan reads: give a trainer_state.json, TensorBoard event files, "
        "a metrics.csv or step,lr CSV, an MLflow metric file or a W&B history export",
        errors.UNREADABLE_LOG,
    )


def _read_folder(folder: Path) -> Table:
    from warmplan.runs.tensorboard import event_files

    if (folder / "trainer_state.json").is_file():
        return read_trainer_state(folder / "trainer_state.json")
    checkpoints = sorted(
        (int(m.group(1)), p)
        for p in folder.iterdir()
        if (m := _CHECKPOINT.match(p.name)) and (p / "trainer_state.json").is_file()
    )
    if checkpoints:
        return read_trainer_state(checkpoints[-1][1] / "trainer_state.json")
    found = event_files(folder)
    if found:
        return read_tensorboard(found)
    for pattern, reader in (
        ("metrics.csv", read_csv),
        ("history.jsonl", read_jsonl),
        ("history.csv", read_csv),
    ):
        matches = sorted(folder.rglob(pattern))
        if matches:
            return reader(matches[-1])
    tables = sorted(folder.glob("*.csv"))
    if len(tables) == 1:
        return read_csv(tables[0])
    metrics = sorted(folder.rglob("metrics"))
    if metrics:
        return _read_mlflow_run(metrics[0])
    raise fail(folder, "no training log found in this folder", errors.UNREADABLE_LOG)


def _read_mlflow_run(metrics: Path) -> Table:
    files = sorted(p for p in metrics.iterdir() if p.is_file())
    lrs = [p for p in files if lr_columns.looks_like_lr(p.name)]
    if not lrs:
        names = ", ".join(p.name for p in files) or "nothing"
        raise fail(metrics, f"no LR metric in this MLflow run: it has {names}", errors.NO_LR_IN_LOG)
    return read_mlflow_metric(lrs[0])


def read_tensorboard(files: list[Path]) -> Table:
    """Event files merged in the order given: a resumed run's later file wins."""
    from warmplan.runs.tensorboard import read_scalars

    merged: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    notes = []
    for path in files:
        scalars = read_scalars(path)
        for tag in scalars.tags:
            merged.setdefault(tag, []).append(scalars.tag(tag))
        if scalars.truncated_at is not None:
            notes.append(
                f"{path}: note: the last record is cut short at byte offset "
                f"{scalars.truncated_at} (a run killed while writing?): read the "
                f"{scalars.records} whole records before it"
            )
    if len(files) > 1:
        names = ", ".join(p.name for p in files)
        notes.append(f"merged {len(files)} event files in order: {names}")
    columns = {tag: _joined(parts) for tag, parts in merged.items()}
    trainer = any(tag.startswith("train/") and "learning_rate" in tag for tag in columns)
    offset, convention = (-1, TRAINER) if trainer else (0, SAME_STEP)
    return Table("tensorboard", columns, offset, convention, "float32", notes)


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

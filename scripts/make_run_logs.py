"""Real training logs, with the true LR of every optimizer update, for `warmplan verify`.

Not a test and not part of warmplan: run it in a venv of its own, outside the repository,
where torch (CPU), transformers, accelerate, lightning and tensorboard are installed::

    python3 -m venv /work/venv-runs
    /work/venv-runs/bin/pip install torch==2.13.0          # the CPU wheel first
    echo torch==2.13.0 > /tmp/runs-constraints.txt         # so no CUDA torch is pulled
    /work/venv-runs/bin/pip install -c /tmp/runs-constraints.txt numpy transformers \
        accelerate lightning tensorboard mlflow-skinny          # never torchvision
    /work/venv-runs/bin/python scripts/make_run_logs.py [case ...]     # all cases by default
    /work/venv-runs/bin/python scripts/make_run_logs.py --list
    /work/venv-runs/bin/python scripts/make_run_logs.py --big DIR      # the 1,000,000-update logs

Each case runs a real tiny training on the CPU (an nn.Linear on a few hundred random
samples) with the library's own training loop and logger, and writes
tests/data/runs/<case>/: the log files exactly as the library wrote them (paths kept
relative to the run's output folder; checkpoints' weights and optimizer states dropped)
and case.json: the libraries' versions, the plan that was meant (a warmplan plan, its
flat description, and the exact scheduler construction), the fault done in the run (if
any), what the logs hold, and the truth: the LR of every param group at every optimizer
update, read by a global optimizer step pre-hook
(torch.optim.optimizer.register_optimizer_step_pre_hook) just before the update runs.
`truth.lr[u]` is the LR list used by update u (0-based); a run that was resumed also has
`truth.runs` (each process's updates; where two runs did the same update, the later
one's LR is in `truth.lr`). case.json's `observed` gives, for each logged series, the
offset k such that the value logged at step s equals truth.lr[s + k] at the log's
precision, with the count of points that match: the evidence for CONVENTIONS.md.

Faults are done in the runs, never by editing logs: an extra scheduler.step() per
update, stepping per micro-batch, read-after-step logging, a checkpoint without the
scheduler's state, a horizon computed for another dataset size, two processes under
accelerate (torch.distributed.run, gloo on 127.0.0.1), Lightning's default epoch
interval. The edge fixtures (truncated or corrupt TensorBoard records, empty logs)
are cut from or made like real ones, as each case.json says.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import importlib.metadata as md
import json
import math
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "runs"
SEED = 0

# ----------------------------------------------------------------------------- truth


class Truth:
    """The LR of every param group at every optimizer update, from a step pre-hook."""

    def __init__(self) -> None:
        self.runs: list[dict] = []

    def start_run(self, first_update: int, note: str = "") -> None:
        self.runs.append({"first_update": first_update, "note": note, "lr": []})

    def record(self, optimizer) -> None:
        if not self.runs:
            self.start_run(0)
        self.runs[-1]["lr"].append([float(g["lr"]) for g in optimizer.param_groups])

    def merged(self) -> list[list[float]]:
        out: list[list[float]] = []
        for run in self.runs:
            first = run["first_update"]
            for i, lrs in enumerate(run["lr"]):
                u = first + i
                if u < len(out):
                    out[u] = lrs
                else:
                    assert u == len(out), "a gap in the updates"
                    out.append(lrs)
        return out

    def as_json(self) -> dict:
        merged = self.merged()
        d: dict = {
            "what": "lr[u] = the LR of each param group used by optimizer update u (0-based),"
            " read by an optimizer step pre-hook just before the update",
            "updates": len(merged),
            "groups": len(merged[0]) if merged else 0,
            "lr": merged,
        }
        if len(self.runs) > 1:
            d["runs"] = [
                {
                    "run": k,
                    "first_update": r["first_update"],
                    "updates": len(r["lr"]),
                    "note": r["note"],
                    "lr": r["lr"],
                }
                for k, r in enumerate(self.runs)
            ]
        return d


ACTIVE: Truth | None = None


def _install_hook() -> None:
    from torch.optim.optimizer import register_optimizer_step_pre_hook

    def hook(optimizer, args, kwargs):
        if ACTIVE is not None:
            ACTIVE.record(optimizer)

    register_optimizer_step_pre_hook(hook)


# ----------------------------------------------------------------------------- helpers


def versions() -> dict:
    v = {"python": platform.python_version()}
    for name in (
        "torch",
        "transformers",
        "accelerate",
        "lightning",
        "tensorboard",
        "numpy",
        "protobuf",
        "mlflow-skinny",
    ):
        with contextlib.suppress(md.PackageNotFoundError):
            v[name] = md.version(name)
    return v


def seed_all() -> None:
    import random

    import numpy as np
    import torch

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)


def tensors(n: int):
    import torch

    g = torch.Generator().manual_seed(SEED)
    x = torch.randn(n, 4, generator=g)
    y = x @ torch.tensor([0.5, -1.0, 2.0, 0.1]) + 0.1 * torch.randn(n, generator=g)
    return x, y


def case_dir(name: str) -> Path:
    d = OUT / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    return d


def copy_rel(src_root: Path, rel: str | Path, dst_root: Path) -> str:
    src = src_root / rel
    dst = dst_root / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)
    return str(Path(rel).as_posix())


def event_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("events.out.tfevents.*"))


def write_case(d: Path, case: dict, truth: Truth | None) -> None:
    case = {"case": d.name, "versions": versions(), **case}
    if truth is not None:
        case["truth"] = truth.as_json()
        case["observed"] = observe(d, case)
    (d / "case.json").write_text(json.dumps(case, indent=1) + "\n")
    size = sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
    print(f"  {d.name}: {size / 1024:.1f} KiB", flush=True)


# --- reading the logs back, only to measure conventions (observed) ---------------------


def tfrecords(path: Path):
    """(offset, payload) of each TFRecord in a TensorBoard event file (no CRC check)."""
    data = path.read_bytes()
    pos = 0
    while pos + 12 <= len(data):
        (n,) = struct.unpack("<Q", data[pos : pos + 8])
        end = pos + 12 + n + 4
        if end > len(data):
            return
        yield pos, data[pos + 12 : pos + 12 + n]
        pos = end


def tb_scalars(path: Path) -> dict[str, list[tuple[int, float, str]]]:
    from tensorboard.compat.proto import event_pb2
    from tensorboard.util import tensor_util

    out: dict[str, list[tuple[int, float, str]]] = {}
    for _, payload in tfrecords(path):
        ev = event_pb2.Event.FromString(payload)
        for v in ev.summary.value:
            kind = v.WhichOneof("value")
            if kind == "simple_value":
                out.setdefault(v.tag, []).append((ev.step, v.simple_value, "simple_value float32"))
            elif kind == "tensor" and v.metadata.plugin_data.plugin_name == "scalars":
                arr = tensor_util.make_ndarray(v.tensor)
                out.setdefault(v.tag, []).append((ev.step, float(arr), f"tensor {arr.dtype}"))
    return out


def match_offsets(
    points: list[tuple[int, float]], truth: list[list[float]], group: int, f32: bool
) -> dict:
    import numpy as np

    def same(a: float, b: float) -> bool:
        if f32:
            return bool(np.float32(a) == np.float32(b))
        return a == b

    best = None
    for k in range(-3, 4):
        hit = sum(1 for s, v in points if 0 <= s + k < len(truth) and same(v, truth[s + k][group]))
        if best is None or hit > best[1]:
            best = (k, hit)
    k, hit = best
    first_bad = next(
        (
            {
                "step": s,
                "logged": v,
                "truth": truth[s + k][group] if 0 <= s + k < len(truth) else None,
            }
            for s, v in points
            if not (0 <= s + k < len(truth) and same(v, truth[s + k][group]))
        ),
        None,
    )
    return {
        "offset": k,
        "rule": f"value at step s == truth.lr[s{k:+d}]" if k else "value at step s == truth.lr[s]",
        "matched": hit,
        "points": len(points),
        "precision": "float32" if f32 else "float64",
        "first_mismatch": first_bad,
        "examples": [
            {"step": s, "logged": v, "truth_at_offset": truth[s + k][group]}
            for s, v in points[:2] + points[-1:]
            if 0 <= s + k < len(truth)
        ],
    }


def observe(d: Path, case: dict) -> list[dict]:
    truth = case["truth"]["lr"]
    res = []
    for log in case.get("logs", []):
        series = log.get("series", [])
        path = d / log["file"]
        fmt = log["format"]
        try:
            if fmt == "tensorboard":
                sc = tb_scalars(path)
                for tag, group in series:
                    pts = sc.get(tag, [])
                    if not pts:
                        continue
                    r = match_offsets([(s, v) for s, v, _ in pts], truth, group, f32=True)
                    r.update(file=log["file"], tag=tag, group=group, storage=pts[0][2])
                    res.append(r)
            elif fmt in ("transformers-trainer-state",):
                hist = json.loads(path.read_text())["log_history"]
                pts = [(h["step"], h["learning_rate"]) for h in hist if "learning_rate" in h]
                for tag, group in series:
                    r = match_offsets(pts, truth, group, f32=False)
                    r.update(file=log["file"], tag=tag, group=group, storage="JSON number")
                    res.append(r)
            elif fmt in ("lightning-csv", "csv", "wandb-csv"):
                with path.open(newline="") as f:
                    rows = list(csv.DictReader(f))
                for tag, group in series:
                    step_col = log.get("step_column", "step")
                    pts = [(int(float(r[step_col])), float(r[tag])) for r in rows if r.get(tag)]
                    r = match_offsets(pts, truth, group, f32=False)
                    r.update(file=log["file"], tag=tag, group=group, storage="CSV text")
                    res.append(r)
            elif fmt == "wandb-jsonl":
                rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
                for tag, group in series:
                    for step_col in ("_step", "train/global_step"):
                        pts = [(r[step_col], r[tag]) for r in rows if tag in r]
                        r = match_offsets(pts, truth, group, f32=False)
                        r.update(
                            file=log["file"],
                            tag=tag,
                            group=group,
                            step_key=step_col,
                            storage="JSON number",
                        )
                        res.append(r)
            elif fmt == "mlflow-metric":
                pts = []
                for line in path.read_text().splitlines():
                    _ts, val, step = line.split()
                    pts.append((int(step), float(val)))
                for tag, group in series:
                    r = match_offsets(pts, truth, group, f32=False)
                    r.update(file=log["file"], tag=tag, group=group, storage="text")
                    res.append(r)
        except Exception as exc:  # an edge fixture: record why, do not stop
            res.append({"file": log["file"], "error": f"{type(exc).__name__}: {exc}"})
    return res


# ----------------------------------------------------------------------------- transformers

T_LR = 1e-3
T_DATA, T_BATCH, T_ACCUM, T_EPOCHS = 120, 2, 2, 2
T_UPDATES = (T_DATA // T_BATCH) // T_ACCUM * T_EPOCHS  # 60
T_WARMUP = 10


def _hf_model():
    from torch import nn

    class Tiny(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = nn.Linear(4, 1)

        def forward(self, x, labels=None):
            out = self.lin(x).squeeze(-1)
            loss = ((out - labels) ** 2).mean() if labels is not None else None
            return {"loss": loss, "logits": out}

    seed_all()
    return Tiny()


def _hf_data(n: int = T_DATA):
    x, y = tensors(n)
    return [{"x": x[i], "labels": y[i]} for i in range(n)]


def _hf_plan(kind: str, updates: int = T_UPDATES, data: int = T_DATA) -> dict:
    return {
        "warmplan_plan": {
            "optimizer": {"kind": "adamw", "lr": T_LR},
            "training": {
                "epochs": T_EPOCHS,
                "dataset_size": data,
                "batch_size": T_BATCH,
                "grad_accum": T_ACCUM,
                "interval": "step",
            },
            "preset": {
                "framework": "transformers",
                "name": kind,
                "args": {"num_warmup_steps": T_WARMUP, "num_training_steps": updates},
            },
        },
        "meant": {
            "lr": T_LR,
            "group_lrs": [T_LR],
            "warmup": {"kind": "linear", "updates": T_WARMUP, "start_factor": 0.0},
            "decay": {"kind": kind, "horizon_updates": updates, "end_factor": 0.0},
            "total_updates": updates,
            "grad_accum": T_ACCUM,
            "dataset_size": data,
            "batch_size": T_BATCH,
            "world_size": 1,
            "epochs": T_EPOCHS,
            "interval": "step",
        },
        "construction": (
            f"transformers.Trainer builds it: get_scheduler({kind!r}, optimizer,"
            f" num_warmup_steps={T_WARMUP}, num_training_steps={updates}) from"
            f" TrainingArguments(learning_rate={T_LR}, lr_scheduler_type={kind!r},"
            f" warmup_steps={T_WARMUP}, num_train_epochs={T_EPOCHS},"
            f" per_device_train_batch_size={T_BATCH}, gradient_accumulation_steps={T_ACCUM},"
            " optim='adamw_torch', weight_decay=0.0); the optimizer is torch.optim.AdamW"
        ),
    }


def _hf_args(
    out: Path, kind: str, logging_steps: int, save_steps: int, report_to=("tensorboard",), **kw
):
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(out),
        learning_rate=T_LR,
        lr_scheduler_type=kind,
        warmup_steps=T_WARMUP,
        num_train_epochs=T_EPOCHS,
        per_device_train_batch_size=T_BATCH,
        gradient_accumulation_steps=T_ACCUM,
        logging_steps=logging_steps,
        save_strategy="steps",
        save_steps=save_steps,
        report_to=list(report_to),
        use_cpu=True,
        seed=SEED,
        data_seed=SEED,
        disable_tqdm=True,
        dataloader_num_workers=0,
        optim="adamw_torch",
        weight_decay=0.0,
        **kw,
    )


class _WandbLike:
    """What transformers' WandbCallback.on_log sends to wandb.log, as W&B stores it.

    WandbCallback (transformers/integrations/integration_utils.py) moves train_runtime,
    train_samples_per_second, train_steps_per_second, train_loss and total_flos to the
    run summary and calls wandb.log({**rewrite_logs(rest), "train/global_step":
    state.global_step}) with no step=, so W&B numbers the rows with its own `_step`
    (0, 1, 2, ... one per wandb.log call) and adds `_runtime` and `_timestamp`.
    """

    SUMMARY: ClassVar[set[str]] = {
        "train_runtime",
        "train_samples_per_second",
        "train_steps_per_second",
        "train_loss",
        "total_flos",
    }

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.t0 = time.time()

    def callback(self):
        from transformers import TrainerCallback
        from transformers.integrations.integration_utils import rewrite_logs

        outer = self

        class CB(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kwargs):
                rest = {k: v for k, v in logs.items() if k not in outer.SUMMARY}
                row = {**rewrite_logs(rest), "train/global_step": state.global_step}
                now = time.time()
                row.update(
                    _step=len(outer.rows),
                    _runtime=round(now - outer.t0, 6),
                    _timestamp=round(now, 6),
                )
                outer.rows.append(row)

        return CB()


def hf_trainer_run(
    out: Path,
    kind: str,
    logging_steps: int,
    save_steps: int,
    callbacks=(),
    resume: str | None = None,
    crash_at: int | None = None,
    report_to=("tensorboard",),
):
    from transformers import Trainer, TrainerCallback

    class Crash(RuntimeError):
        pass

    class CrashAt(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if crash_at is not None and state.global_step == crash_at:
                raise Crash(f"killed at global_step {crash_at}")

    os.environ["TENSORBOARD_LOGGING_DIR"] = str(out / "runs" / "tb")
    trainer = Trainer(
        model=_hf_model(),
        args=_hf_args(out, kind, logging_steps, save_steps, report_to=report_to),
        train_dataset=_hf_data(),
        callbacks=[*callbacks, CrashAt()],
    )
    try:
        trainer.train(resume_from_checkpoint=resume)
        trainer.save_state()
        crashed = None
    except Crash as exc:
        crashed = str(exc)
        for cb in trainer.callback_handler.callbacks:  # what the process exit would do
            if getattr(cb, "tb_writer", None) is not None:
                cb.tb_writer.close()
    return trainer, crashed


def _tb_series(tags_groups):
    return [[t, g] for t, g in tags_groups]


def case_hf_trainer(logging_steps: int, kind: str) -> None:
    global ACTIVE
    name = f"hf_trainer_logging_steps_{logging_steps}"
    d = case_dir(name)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        ACTIVE = Truth()
        wb = _WandbLike()
        hf_trainer_run(out, kind, logging_steps, save_steps=30, callbacks=[wb.callback()])
        ACTIVE, truth = None, ACTIVE
        files = [copy_rel(out, "trainer_state.json", d)]
        for ck in ("checkpoint-30", "checkpoint-60"):
            files.append(copy_rel(out, f"{ck}/trainer_state.json", d))
        tbs = [copy_rel(out, p.relative_to(out), d) for p in event_files(out)]
    logs = [
        {
            "file": f,
            "format": "transformers-trainer-state",
            "series": [["learning_rate", 0]],
            "what": (
                "output_dir/trainer_state.json (trainer.save_state() after train)"
                if i == 0
                else "a checkpoint's trainer_state.json (log_history up to that step)"
            ),
        }
        for i, f in enumerate(files)
    ] + [
        {
            "file": f,
            "format": "tensorboard",
            "series": [["train/learning_rate", 0]],
            "what": "TensorBoardCallback (report_to=tensorboard),"
            " TENSORBOARD_LOGGING_DIR=out/runs/tb",
        }
        for f in tbs
    ]
    case = {
        "library": {"name": "transformers", "version": md.version("transformers")},
        **_hf_plan(kind),
        "run": {"logging_steps": logging_steps, "save_steps": 30, "report_to": ["tensorboard"]},
        "fault": {"kind": "none"},
        "expected": {"status": "ok"},
        "logs": logs,
    }
    write_case(d, case, truth)
    if logging_steps == 1:
        _write_wandb(wb, truth, kind)


def _write_wandb(wb: _WandbLike, truth: Truth, kind: str) -> None:
    d = case_dir("wandb_history_export")
    rows = wb.rows
    with (d / "history.jsonl").open("w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    keys = ["_step", *sorted({k for r in rows for k in r} - {"_step"})]
    with (d / "history.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    case = {
        "library": {
            "name": "wandb (format only; wandb not installed)",
            "version": "export format of wandb.Api().run(...).scan_history() / .history()",
        },
        **_hf_plan(kind),
        "run": {"logging_steps": 1, "source": "the hf_trainer_logging_steps_1 run itself"},
        "fault": {"kind": "none"},
        "expected": {"status": "ok"},
        "format_source": (
            "Rows are what transformers' WandbCallback.on_log (integration_utils.py, this"
            " transformers version) passes to wandb.log: rewrite_logs(logs) ('train/' prefix),"
            " without train_runtime/train_samples_per_second/train_steps_per_second/train_loss/"
            "total_flos (those go to run.summary), plus 'train/global_step'. wandb.log is"
            " called without step=, so W&B's own '_step' counts log calls from 0; W&B adds"
            " '_runtime' (s since start) and '_timestamp' (unix s). history.jsonl: one"
            " scan_history() row per line as JSON; history.csv: the same rows as"
            " run.history(pandas=True).to_csv(index=False) would write them (columns: _step"
            " first, then the rest sorted; empty cell = key absent from that row). Written"
            " by this script from a real Trainer run's on_log calls; no W&B server involved."
        ),
        "logs": [
            {
                "file": "history.jsonl",
                "format": "wandb-jsonl",
                "series": [["train/learning_rate", 0]],
                "step_keys": ["_step", "train/global_step"],
            },
            {
                "file": "history.csv",
                "format": "wandb-csv",
                "series": [["train/learning_rate", 0]],
                "step_column": "train/global_step",
            },
        ],
    }
    write_case(d, case, truth)


def case_hf_mlflow() -> None:
    """transformers Trainer with report_to=mlflow and MLflow's file store (mlflow-skinny)."""
    global ACTIVE
    kind = "linear"
    d = case_dir("hf_trainer_mlflow")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        store = Path(tmp) / "mlruns"
        os.environ["MLFLOW_TRACKING_URI"] = store.as_uri()
        os.environ["MLFLOW_EXPERIMENT_NAME"] = "warmplan"
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # 3.x: file store in maintenance mode
        ACTIVE = Truth()
        hf_trainer_run(out, kind, logging_steps=1, save_steps=1000, report_to=("mlflow",))
        ACTIVE, truth = None, ACTIVE
        metric_files = sorted(p for p in store.rglob("metrics/*") if p.is_file())
        files = [copy_rel(store, p.relative_to(store), d) for p in metric_files]
        for p in sorted(store.rglob("meta.yaml")):
            files.append(copy_rel(store, p.relative_to(store), d))
    lr_file = next(f for f in files if f.endswith("/metrics/learning_rate"))
    case = {
        "library": {
            "name": "mlflow (file store) via transformers MLflowCallback",
            "version": md.version("mlflow-skinny"),
        },
        **_hf_plan(kind),
        "run": {
            "logging_steps": 1,
            "report_to": ["mlflow"],
            "MLFLOW_TRACKING_URI": "file:<tmp>/mlruns",
            "MLFLOW_EXPERIMENT_NAME": "warmplan",
            "MLFLOW_ALLOW_FILE_STORE": "true (MLflow 3.x refuses the file store without it:"
            " it is in maintenance mode, sqlite is the default)",
            "format": "mlruns/<experiment id>/<run id>/metrics/<key>: one line per"
            " log_metric call, '<timestamp ms> <value> <step>'; MLflowCallback"
            " passes step=state.global_step",
        },
        "fault": {"kind": "none"},
        "expected": {"status": "ok"},
        "logs": [{"file": lr_file, "format": "mlflow-metric", "series": [["learning_rate", 0]]}],
        "other_files": [f for f in files if f != lr_file],
    }
    write_case(d, case, truth)


def case_hf_resume_lost_scheduler() -> None:
    """Run dies at step 30 after a checkpoint at 20; scheduler.pt deleted; resumed."""
    global ACTIVE
    kind = "linear"
    d = case_dir("hf_trainer_resume_lost_scheduler")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        ACTIVE = Truth()
        ACTIVE.start_run(0, "first process: dies (exception) at global_step 30")
        _, crashed = hf_trainer_run(out, kind, logging_steps=1, save_steps=20, crash_at=30)
        ck = out / "checkpoint-20"
        ck_files = sorted(p.name for p in ck.iterdir())
        (ck / "scheduler.pt").unlink()
        time.sleep(1.1)  # the second event file gets a later timestamp in its name
        ACTIVE.start_run(
            20,
            "second process: Trainer.train(resume_from_checkpoint=checkpoint-20)"
            " with checkpoint-20/scheduler.pt deleted",
        )
        hf_trainer_run(out, kind, logging_steps=1, save_steps=20, resume=str(ck))
        ACTIVE, truth = None, ACTIVE
        files = [
            copy_rel(out, "trainer_state.json", d),
            copy_rel(out, "checkpoint-20/trainer_state.json", d),
        ]
        tbs = [copy_rel(out, p.relative_to(out), d) for p in event_files(out)]
    merged = truth.merged()
    restart_ok = all(abs(merged[20 + i][0] - truth.runs[0]["lr"][i][0]) == 0 for i in range(10))
    case = {
        "library": {"name": "transformers", "version": md.version("transformers")},
        **_hf_plan(kind),
        "run": {
            "logging_steps": 1,
            "save_steps": 20,
            "first_process": crashed,
            "checkpoint_files_before_deletion": ck_files,
            "resume_from_checkpoint": "checkpoint-20",
        },
        "fault": {
            "kind": "resume-without-scheduler-state",
            "how": "deleted checkpoint-20/scheduler.pt, then resume_from_checkpoint",
            "what_the_trainer_did": (
                "Trainer._load_optimizer_and_scheduler loads optimizer.pt and scheduler.pt"
                " only if both exist, so neither was loaded (silently, no warning): a fresh"
                " scheduler from step 0 and a fresh AdamW state; global_step (20) and the"
                " data position come back from trainer_state.json. The schedule restarts"
                f" at update 20 (truth.lr[20:30] == first run's lr[0:10]: {restart_ok})."
            ),
            "law": (
                "truth.lr[u] == plan(u) for u < 20, plan(u - 20) for u >= 20 (checked: 60 of 60)"
            ),
        },
        "expected": {"status": "diverged", "diagnosis": {"kind": "restart", "at_update": 20}},
        "logs": [
            {
                "file": files[0],
                "format": "transformers-trainer-state",
                "series": [["learning_rate", 0]],
                "what": "final output_dir/trainer_state.json: log_history of steps 1..20 from"
                " checkpoint-20 then 21..60 from the resumed run (no duplicates)",
            },
            {
                "file": files[1],
                "format": "transformers-trainer-state",
                "series": [["learning_rate", 0]],
                "what": "checkpoint-20's (first run, steps 1..20)",
            },
        ]
        + [
            {
                "file": f,
                "format": "tensorboard",
                "series": [["train/learning_rate", 0]],
                "what": "two event files in one folder: the first run (steps 1..29; it died in"
                " on_step_end of step 30, before logging it), the resumed"
                " run (steps 21..60): steps 21..29 are logged twice, with different LRs",
            }
            for f in tbs
        ],
    }
    write_case(d, case, truth)


# ----------------------------------------------------------------------------- plain torch

P_LR = 1e-3
P_DATA, P_BATCH = 240, 4
P_UPDATES = P_DATA // P_BATCH  # 60, one epoch
P_WARMUP, P_START = 10, 0.1


def _torch_plan(data: int = P_DATA, batch: int = P_BATCH, accum: int = 1) -> dict:
    return {
        "warmplan_plan": {
            "optimizer": {"kind": "adamw", "lr": P_LR},
            "training": {
                "epochs": 1,
                "dataset_size": data,
                "batch_size": batch,
                "grad_accum": accum,
                "interval": "step",
            },
            "warmup": {"kind": "linear", "length": P_WARMUP, "start_factor": P_START},
            "decay": {"kind": "cosine", "eta_min": 0.0},
        },
        "meant": {
            "lr": P_LR,
            "group_lrs": [P_LR],
            "warmup": {"kind": "linear", "updates": P_WARMUP, "start_factor": P_START},
            "decay": {
                "kind": "cosine",
                "horizon_updates": P_UPDATES - P_WARMUP,
                "eta_min": 0.0,
                "ends_at_update": P_UPDATES,
            },
            "total_updates": P_UPDATES,
            "grad_accum": accum,
            "dataset_size": data,
            "batch_size": batch,
            "world_size": 1,
            "epochs": 1,
            "interval": "step",
        },
    }


def _torch_construction(total: int) -> str:
    return (
        "opt = torch.optim.AdamW(model.parameters(), lr=0.001); sched ="
        f" SequentialLR(opt, [LinearLR(opt, start_factor={P_START}, end_factor=1.0,"
        f" total_iters={P_WARMUP}), CosineAnnealingLR(opt, T_max={total - P_WARMUP},"
        f" eta_min=0.0)], milestones=[{P_WARMUP}])"
    )


def _torch_model_opt():
    import torch
    from torch import nn

    seed_all()
    model = nn.Linear(4, 1)
    return model, torch.optim.AdamW(model.parameters(), lr=P_LR)


def _torch_sched(opt, total: int):
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    return SequentialLR(
        opt,
        [
            LinearLR(opt, start_factor=P_START, end_factor=1.0, total_iters=P_WARMUP),
            CosineAnnealingLR(opt, T_max=total - P_WARMUP, eta_min=0.0),
        ],
        milestones=[P_WARMUP],
    )


def torch_loop(
    logdir: Path,
    *,
    total_for_sched: int = P_UPDATES,
    batch: int = P_BATCH,
    accum: int = 1,
    steps_per_update: int = 1,
    step_per_microbatch: bool = False,
    read_after_step: bool = False,
    start: int = 0,
    stop: int | None = None,
    state: dict | None = None,
    load_sched: bool = True,
    csv_path: Path | None = None,
    tags=("lr", "loss"),
    data: int = P_DATA,
    lr_fn=None,
    checkpoint_at: int | None = None,
    load_opt_first: bool = False,
) -> dict:
    """A plain loop; logs writer.add_scalar('lr', lr, u) with u the 0-based update index.

    Resuming (state given): model, optimizer, scheduler built, then the model's and the
    optimizer's state loaded, then the scheduler's (if load_sched); with load_opt_first the
    states are loaded before the scheduler is built.
    """
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    from torch.utils.tensorboard import SummaryWriter

    model, opt = _torch_model_opt()
    if state is not None and load_opt_first:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
    if lr_fn is not None:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_fn)
    else:
        sched = _torch_sched(opt, total_for_sched)
    if state is not None and not load_opt_first:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
    if state is not None and load_sched and "sched" in state:
        sched.load_state_dict(state["sched"])
    x, y = tensors(data)
    dl = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=False)
    writer = SummaryWriter(log_dir=str(logdir)) if logdir is not None else None
    cw = None
    if csv_path is not None:
        cf = csv_path.open("w", newline="")
        cw = csv.writer(cf)
        cw.writerow(["step", "lr"])
    u = 0
    saved = None
    for i, (xb, yb) in enumerate(dl):
        if i // accum < start:
            continue  # resumed: skip the batches already trained on
        if stop is not None and u + start >= stop:
            break
        loss = ((model(xb).squeeze(-1) - yb) ** 2).mean() / accum
        loss.backward()
        if step_per_microbatch:
            sched.step()  # the fault: per micro-batch
        if (i + 1) % accum:
            continue
        step = start + u
        lr = sched.get_last_lr()[0]
        opt.step()
        opt.zero_grad()
        if not step_per_microbatch:
            for _ in range(steps_per_update):
                sched.step()
        if read_after_step:
            lr = sched.get_last_lr()[0]  # the fault: read after scheduler.step()
        if writer is not None:
            if "lr" in tags:
                writer.add_scalar("lr", lr, step)
            if "loss" in tags:
                writer.add_scalar("loss", loss.item() * accum, step)
        if cw is not None:
            cw.writerow([step, repr(lr)])
        u += 1
        if checkpoint_at is not None and step + 1 == checkpoint_at:
            saved = copy.deepcopy(
                {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
            )
    if saved is None:
        saved = {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
    if writer is not None:
        writer.close()
    if cw is not None:
        cf.close()
    return saved


def _torch_case(
    name: str,
    fault: dict,
    expected: dict,
    run: dict,
    construction: str,
    plan: dict | None = None,
    **loop,
) -> None:
    global ACTIVE
    d = case_dir(name)
    ACTIVE = Truth()
    torch_loop(d / "tb", **loop)
    ACTIVE, truth = None, ACTIVE
    case = {
        "library": {
            "name": "torch (plain loop) + torch.utils.tensorboard.SummaryWriter",
            "version": md.version("torch"),
        },
        **(plan or _torch_plan()),
        "construction": construction,
        "run": run,
        "fault": fault,
        "expected": expected,
        "logs": [
            {
                "file": str(p.relative_to(d)),
                "format": "tensorboard",
                "series": [["lr", 0]],
                "what": "writer.add_scalar('lr', sched.get_last_lr()[0], u), u = 0-based"
                " update index; also 'loss'",
            }
            for p in event_files(d)
        ],
    }
    write_case(d, case, truth)


LOOP_CORRECT = (
    "for each update u (0-based): lr = sched.get_last_lr()[0]; opt.step();"
    " opt.zero_grad(); sched.step(); writer.add_scalar('lr', lr, u)"
)


def case_torch_correct() -> None:
    _torch_case(
        "torch_tb_correct",
        {"kind": "none"},
        {"status": "ok"},
        {"loop": LOOP_CORRECT},
        _torch_construction(P_UPDATES),
    )


def case_torch_double_step() -> None:
    _torch_case(
        "torch_tb_double_step",
        {
            "kind": "extra-scheduler-step",
            "how": "sched.step() twice after every opt.step()"
            " (what accelerate's prepared scheduler does with 2 processes)",
            "law": "truth.lr[u] == plan(2u) (checked: 60 of 60 equal)",
        },
        {"status": "diverged", "diagnosis": {"kind": "scheduler-steps-per-update", "factor": 2}},
        {"loop": LOOP_CORRECT.replace("sched.step();", "sched.step(); sched.step();")},
        _torch_construction(P_UPDATES),
        steps_per_update=2,
    )


def case_torch_microbatch_step() -> None:
    _torch_case(
        "torch_tb_accum_step_per_microbatch",
        {
            "kind": "scheduler-step-per-micro-batch",
            "how": "grad_accum=2, batch 2: sched.step()"
            " after every backward() (every micro-batch) instead of after every opt.step()",
            "law": "truth.lr[u] == plan(2u + 2) (checked: 60 of 60): both micro-batches of update u"
            " step the scheduler before its opt.step(), so update 0 already uses plan(2)",
        },
        {"status": "diverged", "diagnosis": {"kind": "scheduler-steps-per-update", "factor": 2}},
        {
            "loop": "per micro-batch: loss.backward(); sched.step(); every 2nd: lr ="
            " sched.get_last_lr()[0]; opt.step(); opt.zero_grad(); add_scalar('lr', lr, u)"
        },
        _torch_construction(P_UPDATES),
        plan=_torch_plan(batch=2, accum=2),
        batch=2,
        accum=2,
        step_per_microbatch=True,
    )


def case_torch_read_after_step() -> None:
    _torch_case(
        "torch_tb_read_after_step",
        {
            "kind": "read-after-step",
            "how": "lr = sched.get_last_lr()[0] read after sched.step()",
            "law": "truth == plan; logged at step s: plan(s + 1) (the last, s = 59, logs plan(60) ="
            " 0.0, an LR no update used)",
        },
        {"status": "diverged", "diagnosis": {"kind": "shift", "by": 1}},
        {
            "loop": "opt.step(); opt.zero_grad(); sched.step(); lr = sched.get_last_lr()[0];"
            " writer.add_scalar('lr', lr, u)"
        },
        _torch_construction(P_UPDATES),
        read_after_step=True,
    )


def case_torch_horizon() -> None:
    wrong = 2 * P_DATA // P_BATCH  # num_training_steps for 480 samples
    _torch_case(
        "torch_tb_horizon_other_dataset",
        {
            "kind": "horizon",
            "how": f"the cosine's T_max computed from dataset_size={2 * P_DATA}"
            f" (e.g. before filtering): total {wrong} updates, T_max={wrong - P_WARMUP}; the run"
            f" has {P_DATA} samples, {P_UPDATES} updates",
            "run_total_updates": wrong,
            "law": f"truth.lr[u] == the same plan over {wrong} updates, at u (checked: 60 of 60)",
        },
        {"status": "diverged", "diagnosis": {"kind": "horizon", "total": wrong}},
        {"loop": LOOP_CORRECT},
        _torch_construction(wrong),
        total_for_sched=wrong,
    )


RESUME_ORDER = {
    "standard": "model, opt, sched built; model.load_state_dict(ck['model']);"
    " opt.load_state_dict(ck['opt']); sched.load_state_dict(ck['sched'])",
    "fresh_sched": "model, opt built; model.load_state_dict(ck['model']);"
    " opt.load_state_dict(ck['opt']); then sched built anew (no state)",
    "stale_lr": "model, opt, sched built; model.load_state_dict(ck['model']);"
    " opt.load_state_dict(ck['opt']) (no scheduler state)",
}


def case_torch_resume(name: str, order: str, crash: int | None) -> None:
    """First process: updates 0..(crash or 30)-1, checkpoint at 30; second resumes at 30."""
    global ACTIVE
    at = 30
    lost = order != "standard"
    d = case_dir(name)
    ACTIVE = Truth()
    ACTIVE.start_run(
        0,
        f"first process: updates 0..{(crash or at) - 1}, checkpoint after"
        f" update {at - 1}"
        + (" (model, optimizer, scheduler)" if not lost else " (model and optimizer only)"),
    )
    # the checkpoint is what the loop held after update at-1; it may go on, then die
    state = torch_loop(d / "tb", stop=crash or at, checkpoint_at=at)
    if lost:
        state.pop("sched")
    time.sleep(1.1)
    ACTIVE.start_run(at, f"second process: resumes at update {at}: {RESUME_ORDER[order]}")
    torch_loop(
        d / "tb", start=at, state=state, load_sched=not lost, load_opt_first=order == "fresh_sched"
    )
    ACTIVE, truth = None, ACTIVE
    merged = truth.merged()
    if order == "standard":
        fault = {"kind": "none"}
        expected = {"status": "ok"}
    elif order == "fresh_sched":
        fault = {
            "kind": "resume-without-scheduler-state",
            "how": f"checkpoint after update {at - 1} has model+optimizer state_dicts only;"
            " the resumed process loads them, then builds a fresh scheduler"
            " (SequentialLR's constructor resets each group's lr to initial_lr):"
            f" a clean restart, updates {at}.. use the plan's LRs of 0..",
            "truth_restart_is_clean": all(
                merged[at + i] == merged[i] for i in range(len(merged) - at)
            ),
        }
        expected = {"status": "diverged", "diagnosis": {"kind": "restart", "at_update": at}}
    else:
        fault = {
            "kind": "resume-without-scheduler-state",
            "how": f"checkpoint after update {at - 1} has model+optimizer state_dicts only;"
            " the resumed process builds model, optimizer and a fresh scheduler,"
            " then loads the optimizer's state, which brings back the param groups'"
            " old lr: the scheduler's get_last_lr() (what is logged) restarts at"
            f" {merged[0][0]!r}, but update {at} really uses the checkpoint's lr"
            f" {merged[at][0]!r}, and LinearLR's recursive form then multiplies"
            f" that stale value: update {at + 1} uses {merged[at + 1][0]!r},"
            f" above the plan's peak {P_LR}",
            "log_differs_from_truth": True,
        }
        expected = {
            "status": "diverged",
            "diagnosis": {"kind": "restart", "at_update": at},
            "note": "judged from the log, which shows get_last_lr(); the truth is"
            " not a clean restart",
        }
    case = {
        "library": {
            "name": "torch (plain loop) + torch.utils.tensorboard.SummaryWriter",
            "version": md.version("torch"),
        },
        **_torch_plan(),
        "construction": _torch_construction(P_UPDATES),
        "run": {
            "loop": LOOP_CORRECT,
            "checkpoint_after_update": at - 1,
            "first_process_died_after_update": (crash - 1) if crash else None,
            "resume": RESUME_ORDER[order],
        },
        "fault": fault,
        "expected": expected,
        "logs": [
            {
                "file": str(p.relative_to(d)),
                "format": "tensorboard",
                "series": [["lr", 0]],
                "what": ("first process" if k == 0 else "resumed process")
                + (
                    f"; steps {at}..{crash - 1} are logged by both (the later run's count)"
                    if crash
                    else ""
                ),
            }
            for k, p in enumerate(event_files(d))
        ],
    }
    write_case(d, case, truth)


def case_plain_csv() -> None:
    global ACTIVE
    d = case_dir("plain_csv_step_lr")
    ACTIVE = Truth()
    torch_loop(None, csv_path=d / "lr.csv")
    ACTIVE, truth = None, ACTIVE
    case = {
        "library": {"name": "torch (plain loop) + csv.writer", "version": md.version("torch")},
        **_torch_plan(),
        "construction": _torch_construction(P_UPDATES),
        "run": {
            "loop": LOOP_CORRECT.replace(
                "writer.add_scalar('lr', lr, u)", "csv_writer.writerow([u, repr(lr)])"
            )
        },
        "format_source": "the plain 'step,lr' CSV of issue 16: header step,lr; step = 0-based"
        " update index; lr = repr() of the Python float (round-trips float64)",
        "fault": {"kind": "none"},
        "expected": {"status": "ok"},
        "logs": [{"file": "lr.csv", "format": "csv", "series": [["lr", 0]]}],
    }
    write_case(d, case, truth)


# ----------------------------------------------------------------------------- accelerate

A_LR, A_DATA, A_BATCH, A_ACCUM, A_WARMUP = 1e-3, 240, 2, 2, 6


def accelerate_worker(cfg: dict) -> None:
    """Runs in each process (1 or 2); rank 0 writes the truth to cfg['truth_path']."""
    global ACTIVE
    import torch
    from accelerate import Accelerator
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset
    from transformers import get_linear_schedule_with_warmup

    _install_hook()
    acc = Accelerator(
        cpu=True,
        gradient_accumulation_steps=A_ACCUM,
        log_with="tensorboard",
        project_dir=cfg["project_dir"],
    )
    seed_all()
    model = nn.Linear(4, 1)
    opt = torch.optim.AdamW(model.parameters(), lr=A_LR)
    x, y = tensors(A_DATA)
    dl = DataLoader(TensorDataset(x, y), batch_size=A_BATCH, shuffle=False)
    dl = acc.prepare(dl)
    # the usual recipe: count updates from the prepared (per-process) loader
    total = math.ceil(len(dl) / A_ACCUM)
    sched = get_linear_schedule_with_warmup(
        opt, num_warmup_steps=A_WARMUP, num_training_steps=total
    )
    model, opt, sched = acc.prepare(model, opt, sched)
    acc.init_trackers("run")
    ACTIVE = Truth()
    u = 0
    for xb, yb in dl:
        with acc.accumulate(model):
            loss = ((model(xb).squeeze(-1) - yb) ** 2).mean()
            acc.backward(loss)
            lr = sched.get_last_lr()[0]
            opt.step()
            sched.step()
            opt.zero_grad()
        if acc.sync_gradients:
            acc.log({"lr": lr, "loss": loss.item()}, step=u)
            u += 1
    acc.end_training()
    info = {
        "rank": acc.process_index,
        "num_processes": acc.num_processes,
        "distributed_type": str(acc.distributed_type),
        "len_dataloader": len(dl),
        "num_training_steps": total,
        "truth": ACTIVE.as_json(),
    }
    Path(cfg["truth_path"] + f".rank{acc.process_index}").write_text(json.dumps(info))


def case_accelerate(nproc: int) -> None:
    name = f"accelerate_tb_{nproc}proc_accum{A_ACCUM}"
    d = case_dir(name)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = {"project_dir": str(Path(tmp) / "proj"), "truth_path": str(Path(tmp) / "truth")}
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        me = [str(Path(__file__).resolve()), "--accelerate-worker", json.dumps(cfg)]
        if nproc == 1:
            cmd = [sys.executable, *me]
            launcher = "python script.py (one process)"
        else:
            cmd = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                f"--nproc_per_node={nproc}",
                "--master_addr=127.0.0.1",
                "--master_port=29517",
                *me,
            ]
            launcher = (
                f"python -m torch.distributed.run --nproc_per_node={nproc}"
                " (gloo on 127.0.0.1; Accelerator(cpu=True) sees MULTI_CPU)"
            )
        subprocess.run(cmd, check=True, env=env, cwd=tmp)
        infos = [
            json.loads(Path(cfg["truth_path"] + f".rank{r}").read_text()) for r in range(nproc)
        ]
        proj = Path(cfg["project_dir"])
        tbs = [copy_rel(proj, p.relative_to(proj), d) for p in event_files(proj)]
    truth = Truth()
    truth.runs = [{"first_update": 0, "note": "rank 0", "lr": infos[0]["truth"]["lr"]}]
    ranks_agree = all(i["truth"]["lr"] == infos[0]["truth"]["lr"] for i in infos)
    total = infos[0]["num_training_steps"]
    plan = {
        "warmplan_plan": {
            "optimizer": {"kind": "adamw", "lr": A_LR},
            "training": {
                "epochs": 1,
                "dataset_size": A_DATA,
                "batch_size": A_BATCH,
                "world_size": nproc,
                "grad_accum": A_ACCUM,
                "interval": "step",
            },
            "preset": {
                "framework": "transformers",
                "name": "linear",
                "args": {"num_warmup_steps": A_WARMUP, "num_training_steps": total},
            },
        },
        "meant": {
            "lr": A_LR,
            "group_lrs": [A_LR],
            "warmup": {"kind": "linear", "updates": A_WARMUP, "start_factor": 0.0},
            "decay": {"kind": "linear", "horizon_updates": total, "end_factor": 0.0},
            "total_updates": total,
            "grad_accum": A_ACCUM,
            "dataset_size": A_DATA,
            "batch_size": A_BATCH,
            "world_size": nproc,
            "epochs": 1,
            "interval": "step",
        },
        "construction": (
            f"acc = Accelerator(cpu=True, gradient_accumulation_steps={A_ACCUM},"
            " log_with='tensorboard'); dl = acc.prepare(DataLoader(ds, batch_size=2));"
            f" total = ceil(len(dl) / {A_ACCUM}) = {total}; sched ="
            f" transformers.get_linear_schedule_with_warmup(opt, {A_WARMUP}, total); model,"
            " opt, sched = acc.prepare(model, opt, sched); per batch: with"
            " acc.accumulate(model): backward; lr = sched.get_last_lr()[0]; opt.step();"
            " sched.step(); opt.zero_grad(); if acc.sync_gradients: acc.log({'lr': lr}, step=u)"
        ),
    }
    if nproc == 1:
        fault = {
            "kind": "none",
            "note": "AcceleratedScheduler.step() does nothing on the"
            " micro-batches that do not sync: one scheduler step per update",
        }
        expected = {"status": "ok"}
    else:
        fault = {
            "kind": "scheduler-steps-per-update",
            "factor": nproc,
            "how": f"{nproc} processes, split_batches=False: AcceleratedScheduler.step()"
            f" steps the scheduler num_processes={nproc} times per update, while"
            " num_training_steps was counted per process",
            "law": f"truth.lr[u] == plan(min(2u, {total})) (checked: 30 of 30); the LR is 0"
            f" from update {total // 2} on",
        }
        expected = {
            "status": "diverged",
            "diagnosis": {"kind": "scheduler-steps-per-update", "factor": nproc},
        }
    case = {
        "library": {"name": "accelerate", "version": md.version("accelerate")},
        **plan,
        "run": {
            "launcher": launcher,
            "processes": [
                {
                    k: i[k]
                    for k in (
                        "rank",
                        "num_processes",
                        "distributed_type",
                        "len_dataloader",
                        "num_training_steps",
                    )
                }
                for i in infos
            ],
            "ranks_truth_identical": ranks_agree,
            "logged_by": "rank 0 (main process)",
        },
        "fault": fault,
        "expected": expected,
        "logs": [
            {
                "file": f,
                "format": "tensorboard",
                "series": [["lr", 0]],
                "what": "accelerate's TensorBoardTracker (torch SummaryWriter),"
                " acc.log(..., step=u), u = 0-based update",
            }
            for f in tbs
        ],
    }
    write_case(d, case, truth)


# ----------------------------------------------------------------------------- lightning

L_DATA, L_BATCH, L_ACCUM, L_EPOCHS = 80, 2, 2, 3
L_UPDATES = L_DATA // L_BATCH // L_ACCUM * L_EPOCHS  # 60
L_WARMUP, L_START, L_LR = 10, 0.1, 1e-3


def lightning_run(
    root: Path,
    *,
    interval: str | None,
    groups: list[float] | None,
    logger: str,
    lr_monitor: bool = True,
    log_every: int = 1,
) -> None:
    import lightning as L
    import torch
    from lightning.pytorch.callbacks import LearningRateMonitor
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
    from torch import nn
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
    from torch.utils.data import DataLoader, TensorDataset

    class Lit(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.Linear(4, 1)
            self.b = nn.Linear(1, 1)

        def training_step(self, batch, idx):
            xb, yb = batch
            loss = ((self.b(self.a(xb)).squeeze(-1) - yb) ** 2).mean()
            self.log("train_loss", loss)
            return loss

        def configure_optimizers(self):
            if groups:
                opt = torch.optim.AdamW(
                    [
                        {"params": self.a.parameters(), "lr": groups[0]},
                        {"params": self.b.parameters(), "lr": groups[1]},
                    ]
                )
            else:
                opt = torch.optim.AdamW(self.parameters(), lr=L_LR)
            sched = SequentialLR(
                opt,
                [
                    LinearLR(opt, start_factor=L_START, end_factor=1.0, total_iters=L_WARMUP),
                    CosineAnnealingLR(opt, T_max=L_UPDATES - L_WARMUP, eta_min=0.0),
                ],
                milestones=[L_WARMUP],
            )
            cfg = {"scheduler": sched}
            if interval is not None:
                cfg["interval"] = interval
            return {"optimizer": opt, "lr_scheduler": cfg}

    seed_all()
    x, y = tensors(L_DATA)
    dl = DataLoader(TensorDataset(x, y), batch_size=L_BATCH, shuffle=False, num_workers=0)
    lg = (
        CSVLogger(str(root), name="lit", version=0)
        if logger == "csv"
        else TensorBoardLogger(str(root), name="lit", version=0)
    )
    cbs = [LearningRateMonitor(logging_interval="step")] if lr_monitor else []
    trainer = L.Trainer(
        max_epochs=L_EPOCHS,
        accelerator="cpu",
        devices=1,
        logger=lg,
        callbacks=cbs,
        log_every_n_steps=log_every,
        accumulate_grad_batches=L_ACCUM,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        deterministic=True,
    )
    trainer.fit(Lit(), dl)


def case_lightning(
    name: str,
    *,
    interval: str | None,
    groups: list[float] | None,
    logger: str,
    fault: dict,
    expected: dict,
    log_every: int = 1,
    lr_monitor: bool = True,
) -> None:
    global ACTIVE
    logger_name = "CSVLogger" if logger == "csv" else "TensorBoardLogger"
    d = case_dir(name)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ACTIVE = Truth()
        lightning_run(
            root,
            interval=interval,
            groups=groups,
            logger=logger,
            lr_monitor=lr_monitor,
            log_every=log_every,
        )
        ACTIVE, truth = None, ACTIVE
        files = [
            copy_rel(root, p.relative_to(root), d)
            for p in sorted((root / "lit").rglob("*"))
            if p.is_file()
        ]
    if groups:
        cols = [["lr-AdamW/pg1", 0], ["lr-AdamW/pg2", 1]]
        glrs = groups
    else:
        cols = [["lr-AdamW", 0]]
        glrs = [L_LR]
    if not lr_monitor:
        cols = []
    plan = {
        "warmplan_plan": {
            "optimizer": {
                "kind": "adamw",
                "lr": max(glrs),
                **(
                    {"groups": [{"name": "pg1", "lr": glrs[0]}, {"name": "pg2", "lr": glrs[1]}]}
                    if groups
                    else {}
                ),
            },
            "training": {
                "epochs": L_EPOCHS,
                "dataset_size": L_DATA,
                "batch_size": L_BATCH,
                "grad_accum": L_ACCUM,
                "interval": "step",
            },
            "warmup": {"kind": "linear", "length": L_WARMUP, "start_factor": L_START},
            "decay": {"kind": "cosine", "eta_min": 0.0},
        },
        "meant": {
            "lr": max(glrs),
            "group_lrs": glrs,
            "warmup": {"kind": "linear", "updates": L_WARMUP, "start_factor": L_START},
            "decay": {
                "kind": "cosine",
                "horizon_updates": L_UPDATES - L_WARMUP,
                "eta_min": 0.0,
                "ends_at_update": L_UPDATES,
            },
            "total_updates": L_UPDATES,
            "grad_accum": L_ACCUM,
            "dataset_size": L_DATA,
            "batch_size": L_BATCH,
            "world_size": 1,
            "epochs": L_EPOCHS,
            "interval": "step",
        },
        "construction": (
            (
                f"AdamW([{{'params': a, 'lr': {groups[0]!r}}},"
                f" {{'params': b, 'lr': {groups[1]!r}}}])"
                if groups
                else f"AdamW(self.parameters(), lr={L_LR})"
            )
            + f"; SequentialLR(opt, [LinearLR(opt, start_factor={L_START}, end_factor=1.0,"
            f" total_iters={L_WARMUP}), CosineAnnealingLR(opt, T_max={L_UPDATES - L_WARMUP},"
            f" eta_min=0.0)], milestones=[{L_WARMUP}]); configure_optimizers returns"
            " {'optimizer': opt, 'lr_scheduler': "
            + (
                f"{{'scheduler': sched, 'interval': {interval!r}}}}}"
                if interval
                else "{'scheduler': sched}} (no 'interval': Lightning's default 'epoch')"
            )
            + f"; Trainer(max_epochs={L_EPOCHS}, accumulate_grad_batches={L_ACCUM},"
            f" log_every_n_steps={log_every}, logger={logger_name}"
            f"(..., name='lit', version=0), callbacks="
            + ("[LearningRateMonitor(logging_interval='step')])" if lr_monitor else "[])")
        ),
    }
    fmt = "lightning-csv" if logger == "csv" else "tensorboard"
    logs = [
        {"file": f, "format": fmt, "series": cols, "step_column": "step"}
        for f in files
        if f.endswith("metrics.csv") or "tfevents" in f
    ]
    case = {
        "library": {"name": "lightning", "version": md.version("lightning")},
        **plan,
        "run": {"log_every_n_steps": log_every, "logger": logger, "lr_monitor": lr_monitor},
        "fault": fault,
        "expected": expected,
        "logs": logs,
        "other_files": [f for f in files if not (f.endswith("metrics.csv") or "tfevents" in f)],
    }
    write_case(d, case, truth)


# ----------------------------------------------------------------------------- edges


def _record_bounds(path: Path) -> list[tuple[int, int]]:
    data = path.read_bytes()
    out, pos = [], 0
    while pos + 12 <= len(data):
        (n,) = struct.unpack("<Q", data[pos : pos + 8])
        out.append((pos, pos + 12 + n + 4))
        pos += 12 + n + 4
    return out


def case_edges() -> None:
    src_case = OUT / "torch_tb_correct"
    src = event_files(src_case)[0]
    truth_src = json.loads((src_case / "case.json").read_text())
    bounds = _record_bounds(src)

    # truncated mid-record: the run is killed while writing its last 'lr' record (step 59;
    # the 'loss' record after it never written): keep everything before it and half of it
    from tensorboard.compat.proto import event_pb2

    d = case_dir("edge_tb_truncated")
    blob = src.read_bytes()
    lr_records = [
        (a, b)
        for a, b in bounds
        if any(
            v.tag == "lr" for v in event_pb2.Event.FromString(blob[a + 12 : b - 4]).summary.value
        )
    ]
    last_start, last_end = lr_records[-1]
    cut = last_start + (last_end - last_start) // 2
    dst = d / src.name
    dst.write_bytes(src.read_bytes()[:cut])
    (d / "case.json").write_text(
        json.dumps(
            {
                "case": d.name,
                "versions": versions(),
                "made_from": f"torch_tb_correct/{src.relative_to(src_case)}"
                " (a real SummaryWriter file)",
                "how": f"cut at byte {cut} of {src.stat().st_size}: the last record (bytes"
                f" {last_start}..{last_end}) is half there, as when a run is killed while writing",
                "records_complete": bounds.index((last_start, last_end)),
                "last_complete_record_ends_at": last_start,
                "lr_points_complete": len(lr_records) - 1,
                "lr_steps_readable": f"0..{len(lr_records) - 2} (the 'lr' of step"
                f" {len(lr_records) - 1}"
                " is the cut record)",
                "expected": {
                    "readable_up_to_offset": last_start,
                    "message": "truncated last record",
                },
                "plan_and_truth_from": "torch_tb_correct/case.json",
                "truth": truth_src["truth"],
                "logs": [{"file": dst.name, "format": "tensorboard", "series": [["lr", 0]]}],
            },
            indent=1,
        )
        + "\n"
    )

    # corrupt record in the middle: one payload byte flipped (its CRC no longer matches)
    d = case_dir("edge_tb_corrupt_middle")
    k = len(bounds) // 2
    start, end = bounds[k]
    data = bytearray(src.read_bytes())
    flip = start + 12 + (end - start - 16) // 2
    data[flip] ^= 0xFF
    (d / src.name).write_bytes(bytes(data))
    (d / "case.json").write_text(
        json.dumps(
            {
                "case": d.name,
                "versions": versions(),
                "made_from": f"torch_tb_correct/{src.relative_to(src_case)}",
                "how": f"byte {flip} (inside record {k} of {len(bounds)}, which starts at offset"
                f" {start}) XOR 0xFF: that record's data CRC fails; the framing is intact",
                "expected": {
                    "error_offset": start,
                    "message": f"corrupt record at offset {start}",
                },
                "logs": [{"file": src.name, "format": "tensorboard"}],
            },
            indent=1,
        )
        + "\n"
    )

    # empty logs
    d = case_dir("edge_empty")
    from torch.utils.tensorboard import SummaryWriter

    w = SummaryWriter(log_dir=str(d / "tb_no_scalars"))
    w.close()
    (d / "empty.csv").write_bytes(b"")
    (d / "events.out.tfevents.0000000000.empty.0.0").write_bytes(b"")
    global ACTIVE
    ACTIVE = Truth()
    torch_loop(None, csv_path=d / "header_only.csv", data=0)
    ACTIVE = None
    (d / "case.json").write_text(
        json.dumps(
            {
                "case": d.name,
                "versions": versions(),
                "files": {
                    str(
                        event_files(d / "tb_no_scalars")[0].relative_to(d)
                    ): "SummaryWriter(log_dir) opened and closed with no add_scalar: only the"
                    " file_version record",
                    "events.out.tfevents.0000000000.empty.0.0": "0 bytes (written by this"
                    " script: an event file created, the process killed"
                    " before the first record reached the disk)",
                    "empty.csv": "0 bytes (written by this script)",
                    "header_only.csv": "the plain loop's 'step,lr' CSV from a run over an empty"
                    " dataset: header, no rows",
                },
                "expected": {"message": "no LR in the log (one line, no traceback)"},
            },
            indent=1,
        )
        + "\n"
    )
    _edge_other_metric()
    print("  edges done", flush=True)


def _edge_other_metric() -> None:
    global ACTIVE
    d = case_dir("edge_other_metric_only")
    ACTIVE = Truth()
    torch_loop(d / "tb", tags=("loss",))
    with tempfile.TemporaryDirectory() as tmp:
        lightning_run(Path(tmp), interval="step", groups=None, logger="csv", lr_monitor=False)
        copy_rel(Path(tmp), "lit/version_0/metrics.csv", d)
        out = Path(tmp) / "hf"
        hf_trainer_run(out, "linear", logging_steps=100, save_steps=1000)
        copy_rel(out, "trainer_state.json", d)
    ACTIVE = None
    tb = event_files(d)[0]
    (d / "case.json").write_text(
        json.dumps(
            {
                "case": d.name,
                "versions": versions(),
                "files": {
                    str(tb.relative_to(d)): "plain loop, writer.add_scalar('loss', ...) only",
                    "lit/version_0/metrics.csv": "Lightning CSVLogger without LearningRateMonitor:"
                    " columns epoch, step, train_loss",
                    "trainer_state.json": "transformers Trainer with logging_steps=100 > 60"
                    " updates:"
                    " log_history holds only the final train summary (no"
                    " learning_rate)",
                },
                "expected": {"message": "no LR in the log; says which metrics it has (one line)"},
            },
            indent=1,
        )
        + "\n"
    )


def case_inf_lr() -> None:
    """A real LambdaLR whose lambda divides by sqrt(step): inf at update 0 (numpy floats)."""
    import numpy as np

    global ACTIVE
    d = case_dir("edge_inf_lr")
    ACTIVE = Truth()

    def lam(s):  # inverse-sqrt without the warm-up guard, computed in numpy
        with np.errstate(divide="ignore"):
            return float(np.float64(1.0) / np.sqrt(np.float64(s)))

    torch_loop(d / "tb", csv_path=d / "lr.csv", lr_fn=lam)
    ACTIVE, truth = None, ACTIVE
    case = {
        "library": {
            "name": "torch (plain loop) + SummaryWriter + csv",
            "version": md.version("torch"),
        },
        "construction": "LambdaLR(opt, lambda s: float(np.float64(1) / np.sqrt(np.float64(s))))"
        " on AdamW(lr=0.001): the LR of update 0 is inf (the model's weights"
        " become NaN)",
        "fault": {"kind": "inf-lr", "at_update": 0},
        "expected": {"message": "a non-finite LR at update 0 (one line, no traceback)"},
        "logs": [
            {"file": str(p.relative_to(d)), "format": "tensorboard", "series": [["lr", 0]]}
            for p in event_files(d)
        ]
        + [{"file": "lr.csv", "format": "csv", "series": [["lr", 0]]}],
    }
    write_case(d, case, truth)


# ----------------------------------------------------------------------------- big


def big(folder: Path, updates: int = 1_000_000) -> None:
    """A 1,000,000-update run's logs, LRs from a real torch scheduler (no training)."""
    import torch
    from torch.utils.tensorboard import SummaryWriter

    folder.mkdir(parents=True, exist_ok=True)
    warm = 10_000
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=1e-3)
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    sched = SequentialLR(
        opt,
        [
            LinearLR(opt, start_factor=0.01, total_iters=warm),
            CosineAnnealingLR(opt, T_max=updates - warm, eta_min=1e-5),
        ],
        milestones=[warm],
    )
    t0 = time.time()
    w = SummaryWriter(log_dir=str(folder / "tb"), max_queue=10_000, flush_secs=30)
    with (folder / "lr.csv").open("w") as f:
        f.write("step,lr\n")
        for u in range(updates):
            lr = sched.get_last_lr()[0]
            w.add_scalar("lr", lr, u)
            f.write(f"{u},{lr!r}\n")
            opt.step()  # no gradient: nothing changes but the step count, as in a loop
            sched.step()
    w.close()
    plan = {
        "warmplan_plan": {
            "optimizer": {"kind": "adamw", "lr": 1e-3},
            "training": {"steps": updates, "interval": "step"},
            "warmup": {"kind": "linear", "length": warm, "start_factor": 0.01},
            "decay": {"kind": "cosine", "eta_min": 1e-5},
        },
        "construction": f"SequentialLR(opt, [LinearLR(opt, start_factor=0.01, total_iters={warm}),"
        f" CosineAnnealingLR(opt, T_max={updates - warm}, eta_min=1e-5)],"
        f" milestones=[{warm}])",
        "logs": {
            "tb": "writer.add_scalar('lr', lr, u), u 0-based (float32 simple_value)",
            "lr.csv": "step,lr with repr(lr)",
        },
        "expected": {"status": "ok"},
        "versions": versions(),
        "seconds_to_write": round(time.time() - t0, 1),
    }
    (folder / "case.json").write_text(json.dumps(plan, indent=1) + "\n")
    print(f"big: {updates} updates in {time.time() - t0:.1f} s -> {folder}")


# ----------------------------------------------------------------------------- main

CASES = {
    "hf_trainer": lambda: (case_hf_trainer(1, "linear"), case_hf_trainer(10, "cosine")),
    "hf_resume": case_hf_resume_lost_scheduler,
    "mlflow": case_hf_mlflow,
    "torch": lambda: (
        case_torch_correct(),
        case_torch_double_step(),
        case_torch_microbatch_step(),
        case_torch_read_after_step(),
        case_torch_horizon(),
    ),
    "torch_resume": lambda: (
        case_torch_resume("torch_tb_resume_lost_scheduler", "fresh_sched", crash=None),
        case_torch_resume("torch_tb_resume_lost_scheduler_stale_lr", "stale_lr", crash=None),
        case_torch_resume("edge_duplicate_steps_resume", "standard", crash=40),
        case_torch_resume("edge_duplicate_steps_restart", "fresh_sched", crash=40),
    ),
    "plain_csv": case_plain_csv,
    "accelerate": lambda: (case_accelerate(1), case_accelerate(2)),
    "lightning": lambda: _lightning_cases(),
    "edges": lambda: (case_edges(), case_inf_lr()),
}


def _lightning_cases() -> None:
    ok = {"status": "ok"}
    case_lightning(
        "lightning_csv_step",
        interval="step",
        groups=None,
        logger="csv",
        fault={"kind": "none"},
        expected=ok,
    )
    case_lightning(
        "lightning_csv_step_every10",
        interval="step",
        groups=None,
        logger="csv",
        fault={"kind": "none"},
        expected=ok,
        log_every=10,
    )
    case_lightning(
        "lightning_csv_default_epoch_interval",
        interval=None,
        groups=None,
        logger="csv",
        fault={
            "kind": "per-epoch-stepping",
            "how": "lr_scheduler dict without"
            " 'interval': Lightning steps the scheduler once per epoch (default"
            " interval='epoch') under a per-update plan",
            "law": "truth.lr[u] == plan(u // 20), 20 updates per epoch (checked: 60 of 60)",
        },
        expected={"status": "diverged", "diagnosis": {"kind": "per-epoch-stepping"}},
    )
    case_lightning(
        "lightning_csv_two_groups",
        interval="step",
        groups=[1e-4, 1e-3],
        logger="csv",
        fault={"kind": "none"},
        expected=ok,
    )
    case_lightning(
        "lightning_tb_step",
        interval="step",
        groups=None,
        logger="tb",
        fault={"kind": "none"},
        expected=ok,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", help=f"groups of cases (default all): {', '.join(CASES)}")
    ap.add_argument("--list", action="store_true")
    ap.add_argument(
        "--big",
        type=Path,
        metavar="DIR",
        help="write a 1,000,000-update TensorBoard event file and CSV into DIR",
    )
    ap.add_argument("--big-updates", type=int, default=1_000_000)
    ap.add_argument("--accelerate-worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.accelerate_worker:
        accelerate_worker(json.loads(a.accelerate_worker))
        return
    if a.list:
        print("\n".join(CASES))
        return
    if a.big:
        big(a.big, a.big_updates)
        return
    import torch

    torch.set_num_threads(1)
    _install_hook()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in a.cases or CASES:
        print(name, flush=True)
        CASES[name]()


if __name__ == "__main__":
    main()

"""`verify`'s verdict as text (the first divergence and the diagnosis in words, with
what to change) or as one JSON object for CI and scripts."""

from __future__ import annotations

import json
from typing import Any

from warmplan.runs.compare import Verdict
from warmplan.runs.diagnose import Diagnosis


def number(value: float, other: float | None = None) -> str:
    """Six significant digits, or as many more as tell ``value`` from ``other``."""
    for digits in range(6, 18):
        text = f"{value:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return repr(value)


def text(verdict: Verdict) -> str:
    log = verdict.log
    lines = [f"{log.source}: {log.format}, read as {log.convention}"]
    first = verdict.first_divergence
    if first is None:
        lines.append(
            f"{log.source}: ok: all {verdict.compared:,} logged LRs equal the plan's "
            f"(compared {_precision(log.precision)})"
        )
        return "\n".join(lines) + "\n"
    if first.planned is None:
        planned = f"none (the plan ends after {verdict.planned_updates:,} updates)"
    else:
        planned = number(first.planned, first.logged)
    logged = number(first.logged, first.planned)
    lines.append(
        f"{log.source}: update {first.update:,}: logged {logged}, planned {planned} "
        f"({first.series}; {verdict.differ:,} of {verdict.compared:,} logged LRs differ)"
    )
    if verdict.diagnosis is not None:
        lines.append("diagnosis: " + explain(verdict.diagnosis, verdict.planned_updates))
    return "\n".join(lines) + "\n"


def _precision(precision: str) -> str:
    if precision == "float32":
        return "as float32, the precision TensorBoard stores"
    return "as float64, to 1e-12 relative"


def explain(diagnosis: Diagnosis, planned_updates: int) -> str:
    """The diagnosis in words: what happened, the usual causes, what to change."""
    p = diagnosis.params
    kind = diagnosis.kind
    if kind == "scheduler-steps-per-update":
        k, b = p["factor"], p.get("offset", 0)
        at = f"{k}u + {b}" if b else f"{k}u"
        return (
            f"scheduler-steps-per-update, factor {k}: the scheduler stepped {k} times per "
            f"optimizer update (update u ran at the plan's LR of update {at}). Usual causes: "
            f"accelerate's prepared scheduler steps once per process ({k} processes), or "
            f"scheduler.step() runs on every micro-batch ({k} per update under gradient "
            "accumulation). Fix: step the scheduler once per update; with accelerate, give "
            "the scheduler its lengths times num_processes"
        )
    if kind == "restart":
        at = p["at_update"]
        words = (
            f"restart at update {at:,}: the schedule started over at update {at:,} (its LR "
            "there is the plan's first): a resume that restored the model and optimizer but "
            "not the scheduler's state."
        )
        if not p.get("clean", True):
            words += (
                " After it the LRs follow neither the plan nor a restarted plan: a fresh "
                "scheduler built before optimizer.load_state_dict() scales the checkpoint's "
                "stale LR (and what the log reads may not be what the optimizer used)."
            )
        return words + (
            " Fix: save scheduler.state_dict() in the checkpoint and load it on resume "
            "(transformers: keep scheduler.pt beside optimizer.pt in checkpoint-N/)"
        )
    if kind == "per-epoch-stepping":
        return _per_epoch(p.get("direction", "per-epoch"))
    if kind == "shift":
        return _shift(p["by"])
    if kind == "horizon":
        return (
            f"horizon: the same schedule over {p['total']:,} updates instead of the plan's "
            f"{planned_updates:,}: num_training_steps (or T_max, total_iters) was computed for "
            "another dataset size, world size, batch size or gradient accumulation. Fix: "
            "compute it from the run's own loader: ceil(len(loader) / grad_accum) x epochs"
        )
    return (
        "other: the logged LRs follow none of the known faults (a shift, extra scheduler "
        "steps, per-epoch stepping, a restart, another horizon); compare the run's "
        "scheduler construction with the plan (warmplan code PLAN prints it)"
    )


def _per_epoch(direction: str) -> str:
    if direction == "per-update":
        return (
            "per-epoch-stepping (reversed): the scheduler stepped once per update where the "
            "plan steps once per epoch. Fix: call scheduler.step() once per epoch (Lightning: "
            "'interval': 'epoch'), or plan with interval: step"
        )
    return (
        "per-epoch-stepping: the scheduler stepped once per epoch where the plan steps once "
        "per update: Lightning's default when configure_optimizers returns an lr_scheduler "
        "dict without 'interval'. Fix: {'scheduler': scheduler, 'interval': 'step'} (or "
        "call scheduler.step() after every optimizer.step())"
    )


def _shift(by: int) -> str:
    if by == 1:
        return (
            "shift by 1: the logged LRs are the plan's one update later. Either the LR is "
            "read after scheduler.step() (get_last_lr() after the step: only the log is off, "
            "training follows the plan; read it before the step), or scheduler.step() ran "
            "once before the first update (training really is one update ahead: remove "
            "that call)"
        )
    later = "later" if by > 0 else "earlier"
    return (
        f"shift by {by}: the logged LRs are the plan's {abs(by)} updates {later}: the "
        "scheduler was stepped that many extra (or fewer) times before training, or the "
        "logger numbers its steps differently from the update index (check its --tag and "
        "step convention)"
    )


def as_json(verdict: Verdict) -> str:
    first = verdict.first_divergence
    log = verdict.log
    document: dict[str, Any] = {
        "status": verdict.status,
        "first_divergence": None
        if first is None
        else {
            "update": first.update,
            "logged": first.logged,
            "planned": first.planned,
            "series": first.series,
            "group": first.group,
        },
        "diagnosis": None if verdict.diagnosis is None else verdict.diagnosis.as_dict(),
        "compared": verdict.compared,
        "differ": verdict.differ,
        "planned_updates": verdict.planned_updates,
        "log": {
            "source": log.source,
            "format": log.format,
            "precision": log.precision,
            "convention": log.convention,
            "series": [
                {"name": s.name, "group": s.group, "points": int(s.update.size)} for s in log.series
            ],
        },
        "notes": log.notes,
    }
    return json.dumps(document, indent=2) + "\n"

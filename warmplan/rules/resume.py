"""Rules on how torch ran the schedule: warnings it raised, and whether the
scheduler's state survives a checkpoint (state_dict -> load_state_dict)."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from warmplan.checks import rule
from warmplan.rules.locate import fmt, phase_key

if TYPE_CHECKING:
    from warmplan.plan import Plan
    from warmplan.simulation import Trace
    from warmplan.source import KeyPath

Found = Iterator[tuple["KeyPath", str]]

#: intervals compared after each resume (every sampled point sits just before a phase
#: change, so the window covers the hand-overs where lost state shows)
WINDOW = 512
#: beyond this many intervals, only the points near the start, the warm-up's end and
#: the asked-for steps are sampled (reaching the middle and the end would cost a second
#: full simulation)
FULL_SAMPLING_LIMIT = 20_000


@rule("WP110", "warning", "a warning torch raised while simulating")
def torch_warnings(plan: Plan, trace: Trace) -> Found:
    for warning in trace.warnings:
        if warning.first_interval < 0:
            where = "while building the schedulers"
            phase = "decay" if plan.decay is not None else "warmup"
        else:
            where = f"first at {plan.interval} {warning.first_interval}"
            phase = trace.phase_at(warning.first_interval)
        times = f", {warning.count} times" if warning.count > 1 else ""
        yield (
            phase_key(plan, phase),
            f"torch raised {warning.category} {where}{times}: {warning.message}",
        )


def sample_points(plan: Plan, trace: Trace) -> list[int]:
    """Intervals at which to save and resume: around every phase change, and more."""
    n, w = trace.intervals, plan.warmup_intervals
    points = {1, w - 1, w, w + 1}
    for boundary in trace.layout.boundaries[:4]:
        points |= {boundary - 1, boundary}
    if n <= FULL_SAMPLING_LIMIT:
        points |= {n // 2, n - 2}
    return sorted(p for p in points if 0 < p < n - 1)


@rule("WP111", "error", "a scheduler whose state does not survive state_dict/load_state_dict")
def state_round_trip(plan: Plan, trace: Trace) -> Found:
    from warmplan.schedulers import apply_targets, build_schedule
    from warmplan.simulation import dummy_optimizer

    points = sample_points(plan, trace)
    if not points:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # simulate() already captured them (WP110)
        optimizer = dummy_optimizer(plan.target_lrs)
        apply_targets(optimizer, plan)
        scheduler = build_schedule(optimizer, plan)
        t = 0
        for k in points:
            while t < k:  # the uninterrupted run, to the save point
                optimizer.step()
                scheduler.step()
                t += 1
            problem = _resume_problem(plan, trace, k, optimizer, scheduler)
            if problem:
                yield phase_key(plan, trace.phase_at(k)), problem
                return


def _resume_problem(plan: Plan, trace: Trace, k: int, optimizer: Any, scheduler: Any) -> str:
    """Save at interval k as a checkpoint does (pickled), resume in fresh objects,
    continue, and compare with the uninterrupted LRs; '' when they agree."""
    import numpy as np

    from warmplan.schedulers import apply_targets, build_schedule
    from warmplan.simulation import dummy_optimizer

    try:
        saved = pickle.dumps((scheduler.state_dict(), _group_state(optimizer)))
    except Exception as exc:  # a lambda or a local function in the state
        return f"the scheduler's state_dict cannot be saved ({type(exc).__name__}: {exc})"
    state, groups = pickle.loads(saved)
    fresh_optimizer = dummy_optimizer(plan.target_lrs)
    apply_targets(fresh_optimizer, plan)
    fresh = build_schedule(fresh_optimizer, plan)
    # what optimizer.load_state_dict restores for groups without parameters (calling
    # it would import torch._dynamo, as long again as importing torch)
    for group, kept in zip(fresh_optimizer.param_groups, groups, strict=True):
        group.update(kept)
    fresh.load_state_dict(state)
    end = min(trace.intervals, k + WINDOW)
    for t in range(k, end):
        resumed = np.array([g["lr"] for g in fresh_optimizer.param_groups])
        if not np.allclose(resumed, trace.lr[t], rtol=1e-9, atol=0):
            return (
                f"resumed from a state_dict saved at {plan.interval} {k}, the scheduler "
                f"gives LR {fmt(resumed[0])} at {plan.interval} {t} where the uninterrupted "
                f"run gives {fmt(trace.lr[t, 0])}: a checkpoint would not resume this "
                "schedule; use a scheduler whose state_dict holds all of its state"
            )
        fresh_optimizer.step()
        fresh.step()
    return ""


def _group_state(optimizer: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]

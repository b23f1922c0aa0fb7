"""Rules on how torch ran the schedule: warnings it raised, and whether the
scheduler's state survives a checkpoint (state_dict -> load_state_dict)."""

from __future__ import annotations

import pickle
import sys
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import fmt, phase_key

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

Found = Iterator[tuple["KeyPath", str]]

#: how far each resumed run is compared with the uninterrupted one: on to MIN_WINDOW
#: intervals past the next phase change or asked-for step after the save point (where
#: lost state shows: a restarted count, a forgotten milestone), at least MIN_WINDOW
#: intervals, at most WINDOW
MIN_WINDOW = 32
WINDOW = 512


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


def sample_points(plan: Plan) -> list[int]:
    """Intervals at which to save and resume: around every phase change, and more."""
    from warmplan.schedule.build import layout

    n, w = plan.intervals, plan.warmup_intervals
    points = {1, w - 1, w, w + 1, n // 2, n - 2}
    for boundary in layout(plan).boundaries[:4]:
        points |= {boundary - 1, boundary}
    return sorted(p for p in points if 0 < p < n - 1)


def window_end(trace: Trace, k: int) -> int:
    """Where the comparison of a run resumed at ``k`` stops (see MIN_WINDOW)."""
    from bisect import bisect_right

    boundaries = trace.layout.boundaries  # sorted; a range for dense step decays
    later = [p.start for p in trace.layout.phases[1:] if p.start > k]
    index = bisect_right(boundaries, k)  # no list of a dense layout's boundaries
    if index < len(boundaries):
        later.append(boundaries[index])
    reach = (min(later) if later else k) + MIN_WINDOW
    return min(trace.intervals, k + WINDOW, reach)


@rule(
    "WP111",
    "error",
    "a scheduler whose state does not survive state_dict/load_state_dict",
    checkpoints=sample_points,
)
def state_round_trip(plan: Plan, trace: Trace) -> Found:
    from warmplan.schedule.simulate import simulate

    points = sample_points(plan)
    saved = trace.checkpoints
    if not saved.keys() >= set(points):
        # a trace simulated without pausing there (the library's simulate(plan)):
        # run it again, saving at the points (check_file asks for them up front)
        saved = simulate(plan, max_steps=sys.maxsize, checkpoints=points).checkpoints
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # simulate() already captured them (WP110)
        for k in points:
            problem = _resume_problem(plan, trace, k, saved[k])
            if problem:
                yield phase_key(plan, trace.phase_at(k)), problem
                return


def _resume_problem(plan: Plan, trace: Trace, k: int, saved: bytes | str) -> str:
    """Resume from the state saved at interval k (pickled, as a checkpoint is) in fresh
    objects, continue, and compare with the uninterrupted LRs; '' when they agree."""
    import numpy as np

    from warmplan.schedule.build import apply_targets, build_schedule
    from warmplan.schedule.simulate import continue_schedule, dummy_optimizer

    if isinstance(saved, str):
        return f"the scheduler's state_dict cannot be saved ({saved})"
    state, groups = pickle.loads(saved)
    optimizer = dummy_optimizer(plan.target_lrs)
    apply_targets(optimizer, plan)
    scheduler = build_schedule(optimizer, plan)
    # what optimizer.load_state_dict restores for groups without parameters (calling
    # it would import torch._dynamo, as long again as importing torch)
    for group, kept in zip(optimizer.param_groups, groups, strict=True):
        group.update(kept)
    scheduler.load_state_dict(state)
    end = window_end(trace, k)
    resumed = continue_schedule(optimizer, scheduler, end - k)
    agree = np.isclose(resumed, trace.lr[k:end], rtol=1e-9, atol=0).all(axis=1)
    if agree.all():
        return ""
    off = int(np.argmin(agree))
    return (
        f"resumed from a state_dict saved at {plan.interval} {k}, the scheduler "
        f"gives LR {fmt(resumed[off, 0])} at {plan.interval} {k + off} where the "
        f"uninterrupted run gives {fmt(trace.lr[k + off, 0])}: a checkpoint would not "
        "resume this schedule; use a scheduler whose state_dict holds all of its state"
    )

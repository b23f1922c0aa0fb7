"""Watch the learning rate while training: stop a run at the first update that strays.

``watch(optimizer, plan)`` registers a pre-step hook on the optimizer, so every
``optimizer.step()`` compares the LR of each param group with the plan's LR for that
update. The plan is simulated once, at the start, with torch's own schedulers (the
same trace `warmplan show` prints); each check is then an index into a flat array of
floats: no Python object is kept per update and nothing grows while training runs.

The watch only reads LRs; it never sets them. With ``on_divergence="warn"`` or
``"log"`` a run goes on exactly as it would without the watch.

What counts as an update: a call of the optimizer's ``step()`` (the one the hook sees).
Under gradient accumulation that is one per accumulated batch, as in the plan. A
``GradScaler`` that skips ``optimizer.step()`` after an fp16 overflow skips an update:
if the loop still calls ``scheduler.step()``, the schedule really runs one interval
ahead of the updates from then on, and the watch reports it as a ``shift``.
"""

from __future__ import annotations

import logging
import math
import warnings
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from warmplan.text import counted
from warmplan.text import lr as lr_text

if TYPE_CHECKING:
    from torch.optim import Optimizer

    from warmplan.config.models import Plan

OnDivergence = Literal["raise", "warn", "log"]
#: Relative tolerance of "the LR the plan says": a real optimizer's LRs come from the
#: same torch scheduler classes as the plan's, so they agree to the last bits; this only
#: absorbs a framework that recomputes a product in another order.
RTOL = 1e-9
#: How far ahead a logged LR is looked for in the plan when naming a shift.
MAX_SHIFT = 8
#: The largest number of scheduler steps per update named as such (k processes).
MAX_FACTOR = 16

LOGGER = logging.getLogger("warmplan.watch")  # the name users know it by


class ScheduleDivergence(RuntimeError):
    """An update about to train with an LR the plan does not give it.

    ``update`` is the 0-based index of the optimizer update that would have used the
    wrong LR; ``kind`` names what most likely happened, with its parameter: ``factor``
    for ``scheduler-steps-per-update``, ``at_update`` for ``restart``, ``by`` for
    ``shift``, ``total`` for ``horizon`` (the updates the run's schedule was built
    for). ``planned`` is None for an update past the plan's end.
    """

    def __init__(
        self,
        update: int,
        actual: float,
        planned: float | None,
        group: int,
        kind: str,
        factor: int | None = None,
        at_update: int | None = None,
        by: int | None = None,
        total: int | None = None,
    ) -> None:
        self.update, self.actual, self.planned, self.group = update, actual, planned, group
        self.kind, self.factor, self.at_update, self.by = kind, factor, at_update, by
        self.total = total
        super().__init__(self._message())

    def _message(self) -> str:
        planned = "none (past the plan's end)" if self.planned is None else lr_text(self.planned)
        head = (
            f"update {self.update}, param group {self.group}: LR {lr_text(self.actual)}, "
            f"planned {planned}"
        )
        return f"{head}. {_advice(self)}"


def _advice(d: ScheduleDivergence) -> str:
    if d.kind == "past-plan-end":
        return (
            "The run is longer than its plan: make the plan's training length match "
            "the run's number of updates"
        )
    if d.kind == "scheduler-steps-per-update":
        return (
            f"The scheduler stepped {d.factor} times per update: call scheduler.step() "
            "once per optimizer.step() (with accelerate, an AcceleratedScheduler steps "
            "once per process: build the schedule for the total over all processes, or "
            "pass step_scheduler_with_optimizer=False; under gradient accumulation, step "
            "it after the optimizer only)"
        )
    if d.kind == "restart":
        return (
            f"The schedule started over at update {d.at_update}: the resume restored the "
            "optimizer but not the scheduler; save scheduler.state_dict() in the "
            "checkpoint and load it when resuming"
        )
    if d.kind == "shift":
        return (
            f"The LR is the plan's LR {counted(d.by or 0, 'update')} later: "
            "scheduler.step() ran before optimizer.step() (or an extra time at the "
            "start), or an update was skipped (a GradScaler overflow) while the "
            "scheduler still stepped"
        )
    if d.kind == "horizon":
        return (
            f"The LRs so far are the plan's schedule over {d.total:,} updates: the run's "
            "scheduler was built for another total than the plan's (num_training_steps, "
            "T_max, or max_steps from another dataset, world or batch size); build it "
            "for the run's real number of updates, or plan for that"
        )
    if d.kind == "per-epoch-stepping":
        return (
            "The scheduler steps once per epoch where the plan steps per update: "
            'with Lightning, return {"scheduler": ..., "interval": "step"}'
        )
    return "None of the usual causes fits; compare the run's scheduler with `warmplan code`"


@dataclass
class _PlannedLRs:
    """The plan's LR of every update, one flat float array per param group."""

    groups: list[array[float]]
    updates: int

    def at(self, group: int, update: int) -> float:
        return self.groups[group][update]


@dataclass
class Watch:
    """A live watch over one optimizer (see :func:`watch`)."""

    plan: Plan
    on_divergence: OnDivergence
    start: int
    _planned: _PlannedLRs
    _handle: Any = None
    #: the next update's index
    update: int = 0
    divergences: list[ScheduleDivergence] = field(default_factory=list)

    def close(self) -> None:
        """Remove the hook: later steps are no longer checked."""
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def checked(self) -> int:
        """How many updates the hook has checked (the updates since ``start``)."""
        return self.update - self.start

    def report(self) -> str:
        """What was checked, in one line."""
        seen = f"{counted(self.checked, 'update')} checked (updates {self.start}-"
        seen += f"{self.update - 1})" if self.checked else ")"
        if self.checked == 0:
            seen = f"no update checked yet (starting at update {self.start})"
        if not self.divergences:
            return f"{seen}: every LR as planned"
        first = self.divergences[0]
        more = len(self.divergences) - 1
        tail = f" ({counted(more, 'more divergence')})" if more else ""
        return f"{seen}: first divergence at {first}{tail}"

    def check(self, param_groups: Sequence[dict[str, Any]]) -> None:
        """Compare the LRs about to be used by update ``self.update`` with the plan.

        The hot path of every training step: one index and one float comparison per
        group when the LR is the plan's (the usual case), nothing allocated to keep.
        """
        update = self.update
        self.update = update + 1
        planned = self._planned
        if update >= planned.updates:
            lr = float(param_groups[0]["lr"])
            self.diverged(ScheduleDivergence(update, lr, None, 0, "past-plan-end"))
            return
        for group, column in enumerate(planned.groups):
            actual = param_groups[group]["lr"]
            expected = column[update]
            if actual != expected and not math.isclose(actual, expected, rel_tol=RTOL):
                self.diverged(self._diagnosis(group, update, float(actual)))
                return

    def _diagnosis(self, group: int, update: int, actual: float) -> ScheduleDivergence:
        found = _diagnose(self._planned, group, update, actual, self.start)
        if found.kind == "other" and not self.divergences:  # once: it simulates
            total = self._horizon(group, update, actual)
            if total is not None:
                found = ScheduleDivergence(
                    update, actual, found.planned, group, "horizon", total=total
                )
        return found

    def _horizon(self, group: int, update: int, actual: float) -> int | None:
        """The total of updates whose plan gives every LR seen so far: the plan's own
        until this update (they agreed), ``actual`` at it. The candidates and the
        simulation budget are `warmplan verify`'s."""
        import numpy as np

        from warmplan.runs.compare import replanner
        from warmplan.runs.diagnose import horizon_candidates

        seen = np.frombuffer(self._planned.groups[group], dtype=np.float64)[self.start : update]
        replan = replanner(self.plan, group)
        for total in horizon_candidates(self._planned.updates):
            lrs = replan(total) if total > update else None
            if (
                lrs is not None
                and math.isclose(float(lrs[update]), actual, rel_tol=RTOL)
                and np.allclose(lrs[self.start : update], seen, rtol=RTOL, atol=0.0)
            ):
                return total
        return None

    def planned_lr(self, update: int, group: int = 0) -> float | None:
        """The plan's LR of ``update`` for ``group`` (None past the plan's end)."""
        planned = self._planned
        return planned.at(group, update) if update < planned.updates else None

    def diverged(self, divergence: ScheduleDivergence) -> None:
        """Record a divergence and act on it as ``on_divergence`` says."""
        self.divergences.append(divergence)
        if self.on_divergence == "raise":
            raise divergence
        if self.on_divergence == "warn":
            warnings.warn(str(divergence), RuntimeWarning, stacklevel=4)
        else:
            LOGGER.warning("%s", divergence)


def _diagnose(
    planned: _PlannedLRs, group: int, update: int, actual: float, start: int
) -> ScheduleDivergence:
    """Which law the LR follows, from this one observation and what the run has done.

    Tried in order: a restart (after a resume at ``start``, the plan's row
    ``update - start``), k scheduler steps per update (row ``k * update``), a shift
    (row ``update + c``); otherwise ``other`` (which :meth:`Watch._diagnosis` may
    still name a ``horizon``).
    """
    lrs = planned.groups[group]
    expected = lrs[update]

    def is_row(row: int) -> bool:
        return 0 <= row < planned.updates and math.isclose(actual, lrs[row], rel_tol=RTOL)

    found: dict[str, int] = {}
    kind = "other"
    if start > 0 and update >= start and is_row(update - start):
        kind, found = "restart", {"at_update": start}
    elif update > 0 and (k := _factor(is_row, update)):
        kind, found = "scheduler-steps-per-update", {"factor": k}
    elif c := next((c for c in range(1, MAX_SHIFT + 1) if is_row(update + c)), 0):
        kind, found = "shift", {"by": c}
    return ScheduleDivergence(update, actual, expected, group, kind, **found)


def _factor(is_row: Callable[[int], bool], update: int) -> int:
    return next((k for k in range(2, MAX_FACTOR + 1) if is_row(k * update)), 0)


def watch(
    optimizer: Optimizer,
    plan: Any,
    *,
    on_divergence: OnDivergence = "raise",
    start: int | None = None,
) -> Watch:
    """Check every ``optimizer.step()`` against ``plan`` (anything ``load_plan`` takes).

    ``start``: the number of updates already done, when resuming; by default read from
    the optimizer's state (Adam-like optimizers keep a per-parameter ``step``), else 0.
    A plan without param groups applies to every group of the optimizer. An
    accelerate ``AcceleratedOptimizer`` is watched through the optimizer it wraps, so
    only the updates that really happen are counted.
    """
    from warmplan.config.models import Plan
    from warmplan.errors import UsageError
    from warmplan.formats.load import load_plan

    if on_divergence not in ("raise", "warn", "log"):
        raise UsageError(f"on_divergence must be raise, warn or log, got {on_divergence!r}")
    the_plan = plan if isinstance(plan, Plan) else load_plan(plan)
    inner = _unwrap(optimizer)
    groups = len(inner.param_groups)
    planned = planned_lrs(the_plan, groups)
    begin = _updates_done(inner) if start is None else start
    watcher = Watch(the_plan, on_divergence, begin, planned, update=begin)

    check = watcher.check

    def pre_step(opt: Any, args: Any, kwargs: Any) -> None:
        check(opt.param_groups)

    watcher._handle = inner.register_step_pre_hook(pre_step)
    return watcher


def planned_lrs(plan: Plan, groups: int) -> _PlannedLRs:
    """The plan's LR of every optimizer update, per param group (simulated once)."""
    from warmplan.errors import UsageError
    from warmplan.schedule.simulate import simulate

    trace = simulate(plan)
    width = trace.lr.shape[1]
    if width not in (1, groups):
        raise UsageError(
            f"the plan has {counted(width, 'param group')}, the optimizer "
            f"{counted(groups, 'param group')}: give the plan one group per optimizer "
            "group, or none"
        )
    per_interval = plan.steps_per_interval
    columns = []
    for g in range(groups):
        column = trace.lr[:, 0 if width == 1 else g]
        if per_interval > 1:  # a per-epoch plan: every update of an epoch has its LR
            column = column.repeat(per_interval)[: plan.total_steps]
        columns.append(array("d", column.tobytes()))
    return _PlannedLRs(columns, len(columns[0]))


def _unwrap(optimizer: Any) -> Any:
    """The torch optimizer whose ``step()`` really updates: accelerate's
    ``AcceleratedOptimizer`` (and Lightning's ``LightningOptimizer``) wrap it, and call
    its step only when the accumulated gradients are applied."""
    from torch.optim import Optimizer

    from warmplan.errors import UsageError

    inner = optimizer
    for attribute in ("optimizer", "_optimizer"):
        while isinstance(getattr(inner, attribute, None), Optimizer):
            inner = getattr(inner, attribute)
    if not isinstance(inner, Optimizer):
        raise UsageError(f"watch needs a torch optimizer, got {type(optimizer).__name__}")
    return inner


def _updates_done(optimizer: Any) -> int:
    """Updates already done, from the optimizer's per-parameter ``step`` (Adam & co.)."""
    for state in optimizer.state.values():
        step = state.get("step") if isinstance(state, dict) else None
        if step is not None:
            return int(step)
    return 0

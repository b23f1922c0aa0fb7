"""Compare a run's logged LRs with the plan's simulated Trace -> a :class:`Verdict`."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmplan.runs.diagnose import Diagnosis, diagnose, equal
from warmplan.runs.series import RunLog, Series

if TYPE_CHECKING:
    import numpy as np

    from warmplan.config.models import Plan
    from warmplan.schedule.simulate import Trace


@dataclass(frozen=True)
class Divergence:
    update: int  # 0-based index of the optimizer update that used the LR
    logged: float
    planned: float | None  # None: the update is past the plan's end
    series: str
    group: int


@dataclass(frozen=True)
class Verdict:
    log: RunLog
    planned_updates: int
    compared: int
    differ: int
    first_divergence: Divergence | None
    diagnosis: Diagnosis | None

    @property
    def status(self) -> str:
        return "ok" if self.first_divergence is None else "diverged"


def planned_per_update(trace: Trace, group: int) -> np.ndarray:
    """The LR every optimizer update uses under the plan (a row lasts its interval)."""
    import numpy as np

    column = trace.lr[:, group]
    per = trace.plan.steps_per_interval
    return (np.repeat(column, per) if per > 1 else column)[: trace.plan.total_steps]


def verify(trace: Trace, log: RunLog, horizons: bool = True) -> Verdict:
    """The verdict on every logged point of every param group both have: the first
    divergence is the earliest update that differs (the lowest group on a tie), and the
    diagnosis is made on that group's series."""
    groups = len(trace.plan.target_lrs)
    series = [s for s in log.series if s.group < groups]
    if not series:
        from warmplan.errors import UsageError

        raise UsageError(
            f"the log's LRs are of param groups {[s.group for s in log.series]}, "
            f"and the plan has {groups}"
        )
    compared = differ = 0
    first: tuple[Divergence, Series] | None = None
    for one in series:
        planned = planned_per_update(trace, one.group)
        same = _agree(one, planned, log.precision)
        compared += int(one.update.size)
        differ += int((~same).sum())
        if not same.all():
            found = _divergence(one, planned, same)
            if first is None or found.update < first[0].update:
                first = (found, one)
    diagnosis = None
    if first is not None:
        one = first[1]
        replan = replanner(trace.plan, one.group) if horizons else None
        diagnosis = diagnose(
            planned_per_update(trace, one.group),
            one.update,
            one.lr,
            log.precision,
            trace.plan.steps_per_epoch,
            trace.plan.interval == "epoch",
            replan,
        )
    divergence = first[0] if first else None
    return Verdict(log, trace.plan.total_steps, compared, differ, divergence, diagnosis)


def _agree(one: Series, planned: np.ndarray, precision: str) -> np.ndarray:
    import numpy as np

    inside = one.update < planned.size
    same = np.zeros(one.update.size, dtype=bool)
    same[inside] = equal(one.lr[inside], planned[one.update[inside]], precision)
    return same


def _divergence(one: Series, planned: np.ndarray, same: np.ndarray) -> Divergence:
    import numpy as np

    at = int(np.argmin(same))
    update = int(one.update[at])
    expected = float(planned[update]) if update < planned.size else None
    return Divergence(update, float(one.lr[at]), expected, one.name, one.group)


def replanner(plan: Plan, group: int) -> Any:
    """The same plan over another total of updates (for the horizon diagnosis): the
    transformers preset's num_training_steps, or else the training length in steps."""
    from warmplan.errors import WarmplanError

    def planned(total: int) -> np.ndarray | None:
        from warmplan.config.load import load_plan
        from warmplan.schedule.simulate import simulate

        data = copy.deepcopy(plan.source.data) if plan.source is not None else None
        if not isinstance(data, dict):
            return None
        args = (data.get("preset") or {}).get("args") or {}
        if "num_training_steps" in args:
            args["num_training_steps"] = total
        else:
            spe = plan.steps_per_epoch
            data["training"] = {"steps": total, "interval": plan.interval}
            if spe > 1:
                data["training"]["steps_per_epoch"] = spe
        try:
            return planned_per_update(simulate(load_plan(data)), group)
        except WarmplanError:
            return None

    return planned

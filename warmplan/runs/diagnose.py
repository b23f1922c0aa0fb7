"""Why logged LRs left the plan: which law the logged values follow.

A pure function of the planned LR of every update and the logged (update, lr) points.
The live watch (:mod:`warmplan.watcher`) names the same kinds from the one LR it has
just seen, and shares the horizon search (:func:`horizon_candidates`). Each kind is a law saying
which planned update's LR the run used at update u; a kind is the diagnosis when every
logged point where its law is defined follows it, the first divergence included:

- ``shift`` by c: plan(u + c) (read after ``scheduler.step()``: c = 1);
- ``scheduler-steps-per-update`` with ``factor`` k: plan(k u + b), 0 <= b <= k
  (k processes' prepared schedulers; stepping on every micro-batch);
- ``per-epoch-stepping``: plan(floor(u / E) ) with E updates per epoch, the plan
  stepping per update (``direction: per-epoch``); or plan(E u), the plan stepping per
  epoch and the run per update (``direction: per-update``);
- ``restart`` at s: plan(u) before s, plan(u - s) from s on (``clean: false``: only
  plan(0) at s, then neither);
- ``horizon``: the plan's shape over another total (a second simulation, ``replan``);
- ``other``: none of these.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: the largest shift, and scheduler steps per update, tried
MAX_SHIFT, MAX_FACTOR = 8, 16
#: restarts tried between the last agreeing point and the first divergence, at most
MAX_RESTART_GAP = 1024
#: horizon candidates: the plan's total times p/q for these p, q
_RATIOS = range(1, 9)
#: simulate at most this many updates in all while looking for a horizon
HORIZON_BUDGET = 2_000_000


@dataclass(frozen=True)
class Diagnosis:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.params}


def equal(logged: np.ndarray, planned: np.ndarray, precision: str) -> np.ndarray:
    """Logged == planned at the precision the log stores: float32 logs hold
    float32(planned) exactly; float64 text within 1e-12 relative (the repr of the
    same double, or another library's last-bit rounding)."""
    import numpy as np

    if precision == "float32":
        return logged.astype(np.float32) == planned.astype(np.float32)
    return np.abs(logged - planned) <= 1e-12 * np.maximum(np.abs(planned), np.abs(logged))


class _Tester:
    def __init__(self, planned: np.ndarray, update: np.ndarray, logged: np.ndarray, precision: str):
        self.planned, self.update, self.logged, self.precision = planned, update, logged, precision
        import numpy as np

        inside = update < planned.size
        same = np.zeros(update.size, dtype=bool)
        same[inside] = equal(logged[inside], planned[update[inside]], precision)
        self.first = int(np.argmin(same))  # index of the first divergent point
        self.follows_plan = same

    def follows(self, index: np.ndarray, planned: np.ndarray | None = None) -> bool:
        """Every point whose law index lies in the plan equals it, the first divergence
        among them, and at least two points at or after it (else anything fits)."""
        planned = self.planned if planned is None else planned
        valid = (index >= 0) & (index < planned.size)
        if not valid[self.first] or int(valid[self.first :].sum()) < min(
            2, self.update.size - self.first
        ):
            return False
        same = equal(self.logged[valid], planned[index[valid]], self.precision)
        return bool(same.all())


def diagnose(
    planned: np.ndarray,
    update: np.ndarray,
    logged: np.ndarray,
    precision: str = "float64",
    steps_per_epoch: int = 1,
    plan_per_epoch: bool = False,
    replan: Callable[[int], np.ndarray | None] | None = None,
) -> Diagnosis | None:
    """The diagnosis of logged points (``update`` increasing, 0-based) against
    ``planned[u]``, the LR the plan gives update u; None when they all agree.

    ``steps_per_epoch`` and ``plan_per_epoch`` say how the plan steps (for
    ``per-epoch-stepping``); ``replan(total)``, if given, is the planned LR of every
    update of the same plan over ``total`` updates (None if that plan is invalid).
    """
    tester = _Tester(planned, update, logged, precision)
    if tester.follows_plan.all():
        return None
    for test in (_shift, _per_epoch, _factor, _restart):
        found = test(tester, steps_per_epoch, plan_per_epoch)
        if found is not None:
            return found
    if replan is not None:
        total = _horizon(tester, replan)
        if total is not None:
            return Diagnosis("horizon", {"total": total, "planned_total": int(planned.size)})
    return _started_over(tester) or Diagnosis("other")


def _shift(tester: _Tester, *_: Any) -> Diagnosis | None:
    for by in sorted(range(-MAX_SHIFT, MAX_SHIFT + 1), key=lambda c: (abs(c), -c)):
        if by and tester.follows(tester.update + by):
            return Diagnosis("shift", {"by": by})
    return None


def _per_epoch(tester: _Tester, per_epoch: int, plan_per_epoch: bool) -> Diagnosis | None:
    if per_epoch <= 1:
        return None
    if plan_per_epoch:
        if tester.follows(tester.update * per_epoch):
            return Diagnosis("per-epoch-stepping", {"direction": "per-update"})
    elif tester.follows(tester.update // per_epoch):
        return Diagnosis("per-epoch-stepping", {"direction": "per-epoch"})
    return None


def _factor(tester: _Tester, *_: Any) -> Diagnosis | None:
    for factor in range(2, MAX_FACTOR + 1):
        for offset in range(factor + 1):
            if tester.follows(tester.update * factor + offset):
                return Diagnosis("scheduler-steps-per-update", {"factor": factor, "offset": offset})
    return None


def _restart(tester: _Tester, *_: Any) -> Diagnosis | None:
    """At some s after the last agreeing point before the first divergence, up to it
    (a sparse log leaves a range); the latest that fits."""
    import numpy as np

    update, first = tester.update, tester.first
    earliest = int(update[first - 1]) + 1 if first else 1
    # a log that starts late leaves every earlier s open: try the nearest ones only
    earliest = max(earliest, int(update[first]) - MAX_RESTART_GAP)
    for at in range(int(update[first]), earliest - 1, -1):
        if tester.follows(np.where(update < at, update, update - at)):
            return Diagnosis("restart", {"at_update": at, "clean": True})
    return None


def _started_over(tester: _Tester) -> Diagnosis | None:
    """A restart that is not clean: the first divergent point is the plan's first LR,
    but what follows is neither plan (a scheduler built before
    ``optimizer.load_state_dict`` scales the checkpoint's stale LR)."""
    at = tester.first
    update = int(tester.update[at])
    start = tester.planned[:1]
    if update == 0 or not equal(tester.logged[at : at + 1], start, tester.precision)[0]:
        return None
    return Diagnosis("restart", {"at_update": update, "clean": False})


def horizon_candidates(total: int) -> list[int]:
    """Other totals a run's schedule may have been built for: ``total`` times p/q
    (p, q <= 8), nearest first; only as many as :data:`HORIZON_BUDGET` simulated
    updates allow."""
    ratios = {p / q for p in _RATIOS for q in _RATIOS if p != q and math.gcd(p, q) == 1}
    candidates = sorted(
        {round(total * r) for r in ratios} - {total, 0}, key=lambda m: abs(math.log(m / total))
    )
    kept, spent = [], 0
    for candidate in candidates:
        spent += candidate
        if spent > HORIZON_BUDGET:
            break
        kept.append(candidate)
    return kept


def _horizon(tester: _Tester, replan: Callable[[int], np.ndarray | None]) -> int | None:
    for candidate in horizon_candidates(tester.planned.size):
        planned = replan(candidate)
        if planned is not None and tester.follows(tester.update, planned):
            return candidate
    return None

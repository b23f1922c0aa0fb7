"""The replay of mmengine's chained param schedulers (mmengine 0.10.7,
``optim/scheduler/param_scheduler.py``, ``hooks/param_scheduler_hook.py``), operation for
operation, so the LRs are mmengine's to the last bit. The schedulers are built and
checked by :mod:`warmplan.presets.mmengine`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from warmplan.presets import PresetArgumentError


@dataclass
class Scheduler:
    """One built scheduler, as mmengine holds it (after build_iter_from_epoch)."""

    kind: str
    by_epoch: bool
    begin: float
    end: float
    args: dict[str, Any]
    index: int
    derived: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Group:
    """One param group's state: its LR and the ``initial_lr`` & co mmengine keeps."""

    lr: float
    values: dict[str, float]


class Chain:
    """The schedulers of one config, replayed per param group (its target LR).

    ``lr(t, target)``: the LR of iteration ``t``. The replay moves forward; a
    snapshot every ``_EVERY`` iterations keeps going back cheap.
    """

    _EVERY = 4096

    def __init__(self, schedulers: list[Scheduler], epoch_length: int, by_epoch: bool) -> None:
        self.schedulers = schedulers
        self.epoch_length = epoch_length
        self.by_epoch = by_epoch
        self.states: dict[float, tuple[int, Any]] = {}
        self.snapshots: dict[float, dict[int, Any]] = {}

    def __reduce__(self) -> Any:  # pickled without its caches
        return (Chain, (self.schedulers, self.epoch_length, self.by_epoch))

    def lr(self, t: int, target: float) -> float:
        at, state = self.states.get(target) or self._start(target)
        if t < at:
            saved = self.snapshots[target]
            at = max(k for k in saved if k <= t)
            state = _copy(saved[at])
        while at < t:
            self._iteration(state, at)
            at += 1
            if at % self._EVERY == 0:
                self.snapshots[target][at] = _copy(state)
        self.states[target] = (at, state)
        return state[0].lr

    def _start(self, target: float) -> tuple[int, Any]:
        group = _Group(lr=target, values={})
        steppers = []
        for scheduler in self.schedulers:  # built in list order; each steps once
            stepper = _Stepper(scheduler, group)
            steppers.append(stepper)
            stepper.step(group)
        state = (group, steppers)
        self.snapshots[target] = {0: _copy(state)}
        return 0, state

    def _iteration(self, state: Any, i: int) -> None:
        """After iteration ``i``: the per-iteration steps, then at an epoch's end the
        per-epoch ones (ParamSchedulerHook.after_train_iter / after_train_epoch)."""
        group, steppers = state
        for stepper in steppers:
            if not stepper.s.by_epoch:
                stepper.step(group)
        if self.by_epoch and (i + 1) % self.epoch_length == 0:
            for stepper in steppers:
                if stepper.s.by_epoch:
                    stepper.step(group)


def _copy(state: Any) -> Any:
    group, steppers = state
    twin = _Group(group.lr, dict(group.values))
    return twin, [_Stepper(s.s, twin, s.global_step, s.last_step, s.base) for s in steppers]


class _Stepper:
    """One scheduler's counters: ``_global_step`` and ``last_step`` as in mmengine."""

    def __init__(
        self,
        s: Scheduler,
        group: _Group,
        global_step: int = -1,
        last_step: int = -1,
        base: float | None = None,
    ) -> None:
        self.s = s
        self.global_step, self.last_step = global_step, last_step
        if base is None:
            if s.kind == "OneCycleLR":  # it overwrites initial_lr for the schedulers after
                eta_max = s.args["eta_max"]
                group.values["initial"] = eta_max / s.args["div_factor"]
                group.values["max"] = eta_max
                group.values["min"] = group.values["initial"] / s.args["final_div_factor"]
            group.values.setdefault("initial", group.lr)
            base = group.values["initial"]
        self.base = base

    def step(self, group: _Group) -> None:
        self.global_step += 1
        if self.s.begin <= self.global_step < self.s.end:
            self.last_step += 1
            group.lr = _VALUES[self.s.kind](self, group)


def _eta_min(s: Scheduler, base: float) -> float:
    ratio = s.args["eta_min_ratio"]
    return s.args["eta_min"] if ratio is None else base * ratio


def _linear(st: _Stepper, g: _Group) -> float:
    a, n, k = st.s.args, st.s.derived["total_iters"], st.last_step
    if k == 0:
        return g.lr * a["start_factor"]
    change = a["end_factor"] - a["start_factor"]
    return g.lr * (1.0 + change / (n * a["start_factor"] + (k - 1) * change))


def _constant(st: _Stepper, g: _Group) -> float:
    factor, n, k = st.s.args["factor"], st.s.derived["total_iters"], st.last_step
    if k == 0:
        return g.lr * factor
    if k > n or k != n:
        return g.lr
    return g.lr * (1.0 / factor)


def _cosine(st: _Stepper, g: _Group) -> float:
    t_max, k, base = st.s.derived["T_max"], st.last_step, st.base
    eta_min = _eta_min(st.s, base)
    if k == 0:
        return g.lr
    if (k - 1 - t_max) % (2 * t_max) == 0:
        return g.lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
    ratio = (1 + math.cos(math.pi * k / t_max)) / (1 + math.cos(math.pi * (k - 1) / t_max))
    return ratio * (g.lr - eta_min) + eta_min


def _exponential(st: _Stepper, g: _Group) -> float:
    return g.lr if st.last_step == 0 else g.lr * st.s.args["gamma"]


def _multistep(st: _Stepper, g: _Group) -> float:
    milestones = st.s.derived["milestones"]
    if st.last_step not in milestones:
        return g.lr
    return g.lr * st.s.args["gamma"] ** milestones[st.last_step]


def _step(st: _Stepper, g: _Group) -> float:
    k = st.last_step
    if k == 0 or k % st.s.args["step_size"] != 0:
        return g.lr
    return g.lr * st.s.args["gamma"]


def _poly(st: _Stepper, g: _Group) -> float:
    a, n, k = st.s.args, st.s.derived["total_iters"], st.last_step
    if k == 0:
        return g.lr
    return (g.lr - a["eta_min"]) * (1 - 1 / (n - k + 1)) ** a["power"] + a["eta_min"]


def _one_cycle_value(st: _Stepper, g: _Group) -> float:
    d, k = st.s.derived, st.last_step
    if k > d["total_steps"]:
        raise PresetArgumentError(
            "schedulers",
            f"schedulers[{st.s.index}]: OneCycleLR: Tried to step {k + 1} times. The "
            f"specified number of total steps is {d['total_steps']} (mmengine raises)",
        )
    start_step: float = 0
    phases = d["phases"]
    for i, (end_step, start, end) in enumerate(phases):
        if k <= end_step or i == len(phases) - 1:
            pct = (k - start_step) / (end_step - start_step)
            lo, hi = g.values[start], g.values[end]
            if st.s.args["anneal_strategy"] == "cos":
                return hi + (lo - hi) / 2.0 * (math.cos(math.pi * pct) + 1)
            return (hi - lo) * pct + lo
        start_step = end_step
    raise AssertionError("unreachable")  # pragma: no cover


def _restart(st: _Stepper, g: _Group) -> float:
    a, d, k = st.s.args, st.s.derived, st.last_step
    index = next((i for i, p in enumerate(d["cumulative"]) if k < p), None)
    if index is None:
        return g.lr
    nearest = 0 if index == 0 else d["cumulative"][index - 1]
    period, step = a["periods"][index], k - nearest
    eta_min = _eta_min(st.s, st.base)
    if step == 0:
        return st.base * a["restart_weights"][index]
    ratio = (1 + math.cos(math.pi * step / period)) / (1 + math.cos(math.pi * (step - 1) / period))
    return ratio * (g.lr - eta_min) + eta_min


_VALUES = {
    "LinearLR": _linear,
    "ConstantLR": _constant,
    "CosineAnnealingLR": _cosine,
    "ExponentialLR": _exponential,
    "MultiStepLR": _multistep,
    "StepLR": _step,
    "PolyLR": _poly,
    "OneCycleLR": _one_cycle_value,
    "CosineRestartLR": _restart,
}

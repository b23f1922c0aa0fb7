"""mmengine's ``param_scheduler`` list (mmdetection, mmpretrain, ...), replayed as its
Runner runs it (mmengine 0.10.7, ``optim/scheduler/param_scheduler.py`` and
``hooks/param_scheduler_hook.py``).

Every scheduler is chainable: it rewrites the group's current LR from the LR the
schedulers before it left, inside its own ``[begin, end)`` of steps. Each one is
built in list order and steps once when built; then a ``by_epoch=False`` one steps
after every iteration, a ``by_epoch=True`` one after every epoch (never, in an
``IterBasedTrainLoop``). ``convert_to_iter_based`` scales an epoch-based one's
``begin``, ``end``, ``T_max``, ``milestones``, ``step_size``, ``periods`` and
``total_steps`` by ``epoch_length`` (``len(train_dataloader)``) and makes it per
iteration. The replay below repeats mmengine's own arithmetic, operation for
operation, so the LRs are mmengine's to the last bit; step ``t`` of the plan is
iteration ``t``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError
from warmplan.text import closest, hint

INF = int(1e9)  # mmengine's default ``end``

#: each scheduler type -> its arguments beyond begin/end/by_epoch, with mmengine's defaults
TYPES: dict[str, dict[str, Any]] = {
    "LinearLR": {"start_factor": 1.0 / 3, "end_factor": 1.0},
    "ConstantLR": {"factor": 1.0 / 3},
    "CosineAnnealingLR": {"T_max": None, "eta_min": None, "eta_min_ratio": None},
    "ExponentialLR": {"gamma": None},
    "MultiStepLR": {"milestones": None, "gamma": 0.1},
    "StepLR": {"step_size": None, "gamma": 0.1},
    "PolyLR": {"eta_min": 0, "power": 1.0},
    "OneCycleLR": {
        "eta_max": 0,
        "total_steps": None,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "div_factor": 25.0,
        "final_div_factor": 1e4,
        "three_phase": False,
    },
    "CosineRestartLR": {
        "periods": None,
        "restart_weights": [1],
        "eta_min": None,
        "eta_min_ratio": None,
    },
}
REQUIRED = {"ExponentialLR": ("gamma",), "MultiStepLR": ("milestones",), "StepLR": ("step_size",)}
REQUIRED["CosineRestartLR"] = ("periods",)
COMMON = ("type", "begin", "end", "by_epoch", "convert_to_iter_based")
#: arguments convert_to_iter_based multiplies by epoch_length
SCALED = {"T_max", "step_size", "total_steps"}


class SchedulerError(PresetArgumentError):
    """A scheduler mmengine refuses; ``where`` = (index in the list, key or None)."""

    def __init__(self, index: int, key: str | None, message: str) -> None:
        super().__init__("schedulers", f"schedulers[{index}]: {message}")
        self.where = (index, key)
        self.reason = message


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


def build(index: int, spec: Any, epoch_length: int) -> Scheduler:
    """A scheduler from its config dict (``end`` already defaulted), checked as
    mmengine's constructor checks it."""

    def fail(key: str | None, message: str) -> SchedulerError:
        return SchedulerError(index, key, message)

    if not isinstance(spec, dict):
        raise fail(None, f"a scheduler is a dict(type=..., ...), got {spec!r}")
    kind = spec.get("type")
    if kind not in TYPES:
        close = closest(str(kind), list(TYPES))
        raise fail("type", f"{kind!r} is not an mmengine LR scheduler{hint(close)}")
    known = TYPES[kind]
    for key in spec:
        if key not in known and key not in COMMON:
            close = closest(str(key), [*known, *COMMON])
            takes = ", ".join([*known, "begin", "end", "by_epoch", "convert_to_iter_based"])
            raise fail(
                key,
                f"{kind} has no argument {key}{hint(close)} (mmengine raises "
                f"TypeError); it takes: {takes}",
            )
    for key in REQUIRED.get(kind, ()):
        if key not in spec:
            raise fail(None, f"{kind} needs {key}")
    args = {key: spec.get(key, default) for key, default in known.items()}
    by_epoch = spec.get("by_epoch", True)
    begin, end = spec.get("begin", 0), spec.get("end", INF)
    for key, value in (("begin", begin), ("end", end), *args.items()):
        _check_type(fail, key, value)
    if not isinstance(by_epoch, bool):
        raise fail("by_epoch", f"by_epoch must be True or False, got {by_epoch!r}")
    if spec.get("convert_to_iter_based", False):
        if not by_epoch:
            raise fail(
                "convert_to_iter_based",
                "only an epoch-based scheduler (by_epoch=True) can be converted to "
                "iter-based (mmengine asserts)",
            )
        by_epoch = False
        args, begin, end = _to_iterations(kind, args, begin, end, epoch_length)
    if end <= begin:
        raise fail("end", f"end should be larger than begin, but got begin={begin}, end={end}")
    scheduler = Scheduler(kind, by_epoch, begin, end, args, index)
    _derive(scheduler, fail)
    return scheduler


def _check_type(fail: Any, key: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and key == "anneal_strategy"):
        return
    if key == "three_phase":
        if not isinstance(value, bool):
            raise fail(key, f"three_phase must be True or False, got {value!r}")
        return
    items = value if key in ("milestones", "periods", "restart_weights") else [value]
    if not isinstance(items, list):
        raise fail(key, f"{key} must be a list of numbers, got {value!r}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise fail(key, f"{key} must be a number, got {item!r}")


def _to_iterations(
    kind: str, args: dict[str, Any], begin: float, end: float, length: int
) -> tuple[dict[str, Any], float, float]:
    """``build_iter_from_epoch``: the same scheduler counted in iterations."""
    args = dict(args)
    for key in SCALED:
        if args.get(key) is not None:
            args[key] = args[key] * length
    if kind == "MultiStepLR":
        args["milestones"] = [m * length for m in args["milestones"]]
    if kind == "CosineRestartLR":
        args["periods"] = [p * length for p in args["periods"]]
    return args, int(begin * length), (int(end * length) if end != INF else end)


def _derive(s: Scheduler, fail: Any) -> None:
    """What each constructor computes (and what it refuses)."""
    a, d = s.args, s.derived
    span = s.end - s.begin
    if s.kind == "LinearLR":
        for key in ("start_factor", "end_factor"):
            if not 0 <= a[key] <= 1:
                raise fail(key, f"{key} must be between 0 and 1, got {a[key]!r}")
        d["total_iters"] = span - 1
    elif s.kind == "ConstantLR":
        if not 0 <= a["factor"] <= 1:
            raise fail("factor", f"factor must be between 0 and 1, got {a['factor']!r}")
        d["total_iters"] = span - 1
    elif s.kind == "CosineAnnealingLR":
        _eta_min_xor(a, fail, default_zero=True)
        d["T_max"] = a["T_max"] or span
    elif s.kind == "PolyLR":
        d["total_iters"] = span - 1
    elif s.kind == "StepLR" and a["step_size"] == 0:
        raise fail("step_size", "step_size 0: mmengine divides by it (ZeroDivisionError)")
    elif s.kind == "MultiStepLR":
        d["milestones"] = Counter(a["milestones"])
    elif s.kind == "OneCycleLR":
        _one_cycle(s, fail)
    elif s.kind == "CosineRestartLR":
        _eta_min_xor(a, fail, default_zero=False)
        if len(a["periods"]) != len(a["restart_weights"]):
            raise fail("periods", "periods and restart_weights should have the same length")
        d["cumulative"] = [sum(a["periods"][: i + 1]) for i in range(len(a["periods"]))]


def _eta_min_xor(a: dict[str, Any], fail: Any, default_zero: bool) -> None:
    if default_zero and a["eta_min"] is None and a["eta_min_ratio"] is None:
        a["eta_min"] = 0.0
    if (a["eta_min"] is None) == (a["eta_min_ratio"] is None):
        raise fail("eta_min", "give one of eta_min and eta_min_ratio (mmengine asserts)")


def _one_cycle(s: Scheduler, fail: Any) -> None:
    a, d = s.args, s.derived
    total = a["total_steps"]
    if total is not None and (not isinstance(total, int) or total <= 0):
        raise fail("total_steps", f"Expected positive integer total_steps, but got {total}")
    total = total if total is not None else s.end - s.begin
    pct = a["pct_start"]
    if not isinstance(pct, float) or not 0 <= pct <= 1:
        raise fail("pct_start", f"Expected float between 0 and 1 pct_start, but got {pct}")
    if a["anneal_strategy"] not in ("cos", "linear"):
        raise fail("anneal_strategy", 'anneal_strategy must be one of "cos" or "linear"')
    if isinstance(a["eta_max"], list):
        raise fail("eta_max", "an eta_max per param group is not supported")
    ends = [float(pct * total) - 1]
    ends += [float(2 * pct * total) - 2, total - 1] if a["three_phase"] else [total - 1]
    marks = ["initial", "max", "initial", "min"] if a["three_phase"] else ["initial", "max", "min"]
    d["total_steps"] = total
    d["phases"] = [(end, marks[i], marks[i + 1]) for i, end in enumerate(ends)]


# -- the replay ---------------------------------------------------------------------


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


# -- the preset ---------------------------------------------------------------------


def chain_of(args: dict[str, Any]) -> Chain:
    length = args["epoch_length"]
    built = [build(i, spec, length) for i, spec in enumerate(args["schedulers"])]
    return Chain(built, length, args["by_epoch"])


def _derive_chain(args: dict[str, Any], lr: float) -> dict[str, Any]:
    counts, iterations = args["accumulative_counts"], args["iterations"]
    if counts > 1 and iterations is None:
        raise PresetArgumentError(
            "iterations", "accumulative_counts > 1 needs iterations (the loop's max_iters)"
        )
    return {"chain": chain_of(args), "counts": counts, "iterations": iterations}


def param_scheduler(
    t: int, *, target: float, chain: Chain, counts: int = 1, iterations: int | None = None
) -> float:
    """``lr(t) / target``: the replayed LR of update ``t`` over the group's LR.

    With ``accumulative_counts`` k, OptimWrapper updates after every k-th backward of
    the whole loop (the count runs across epochs) and after the last iteration; the
    schedulers still step every iteration."""
    if counts > 1:  # the update's iteration; past the end, the last one's
        t = min((t + 1) * counts - 1, (iterations or 1) - 1)
    return chain.lr(t, target) / target


def _phases(args: Any) -> list[tuple[str, int]]:
    """A phase where each scheduler begins (in iterations), and after a warm-up."""
    try:
        chain = chain_of(dict(args))
    except PresetArgumentError:
        return []
    marks = []
    for s in chain.schedulers:
        unit = chain.epoch_length if s.by_epoch else 1
        if s.begin > 0:
            marks.append((s.kind, int(s.begin * unit)))
    first = chain.schedulers[0] if chain.schedulers else None
    if first is not None and first.begin == 0 and first.kind in ("LinearLR", "ConstantLR"):
        unit = chain.epoch_length if first.by_epoch else 1
        marks.append(("decay", int(first.end * unit)))
    counts = args.get("accumulative_counts", 1)  # marks count updates, not iterations
    return sorted(((name, start // counts) for name, start in marks), key=lambda m: m[1])


PRESETS = {
    "param_scheduler": Preset(
        param_scheduler,
        {
            "schedulers": Arg("mappings"),
            "epoch_length": Arg("int", 1, minimum=1),
            "by_epoch": Arg("bool", True),
            "accumulative_counts": Arg("int", 1, minimum=1),
            "iterations": Arg("int", None, nullable=True, minimum=1),
        },
        phases=_phases,
        derive=_derive_chain,
        hidden=("schedulers", "epoch_length", "by_epoch", "accumulative_counts", "iterations"),
    ),
}

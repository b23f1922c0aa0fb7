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
iteration. The replay (:mod:`warmplan.presets.mmengine_chain`) repeats its arithmetic, operation for
operation, so the LRs are mmengine's to the last bit; step ``t`` of the plan is
iteration ``t``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError
from warmplan.presets.mmengine_chain import Chain, Scheduler
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
    for key, value in (("begin", begin), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            # mmengine compares them (end <= begin) and raises TypeError
            raise fail(key, f"{key} must be a number, got {value!r}")
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


def _peaks_at_the_lr(args: Mapping[str, Any]) -> bool:
    """OneCycleLR in the chain sets every LR from its own eta_max, whatever the
    optimizer's lr says (mmengine, as torch)."""
    return not any(s.get("type") == "OneCycleLR" for s in args["schedulers"])


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
        peaks_at_the_lr=_peaks_at_the_lr,
    ),
}

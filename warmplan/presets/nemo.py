"""NeMo's LR policies (``nemo/core/optim/lr_scheduler.py``, nemo_toolkit 3.0.0), the
names of ``model.optim.sched.name``: WarmupPolicy, WarmupHoldPolicy, CosineAnnealing
(its two branches: ``constant_steps`` 0 and above 0), NoamAnnealing, WarmupAnnealing,
InverseSquareRootAnnealing, PolynomialDecayAnnealing, SquareAnnealing,
SquareRootAnnealing.

They are torch ``_LRScheduler``s in closed form, stepped by Lightning once per update,
so update ``t`` uses ``get_lr`` at ``last_epoch = t``. Their warm-up is
``lr x (t + 1) / (W + 1)`` (CosineAnnealing with constant steps: Megatron's ``lr x t / W``);
after ``max_steps`` the LR holds ``min_lr`` (absolute). ``warmup_ratio`` / ``hold_ratio``
/ ``constant_ratio`` are resolved by the reader (``int(ratio x max_steps)``, as NeMo).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from warmplan.presets import Arg, Preset, PresetArgumentError


def nemo_lr(
    step: int,
    name: str,
    base: float,
    warmup_steps: int,
    max_steps: int | None,
    min_lr: float,
    constant_steps: int,
    hold_steps: int,
    d_model: int | None,
    power: float,
    cycle: bool,
) -> float:
    """The policy's ``get_lr`` for one group at ``last_epoch = step``."""
    if name == "NoamAnnealing":
        return _noam(step, base, warmup_steps, min_lr, d_model)  # type: ignore[arg-type]
    if name == "CosineAnnealing":
        return _cosine(step, base, warmup_steps, max_steps, min_lr, constant_steps)  # type: ignore[arg-type]
    if step <= warmup_steps and warmup_steps > 0:
        return base * ((step + 1) / (warmup_steps + 1))
    hold_end = hold_steps + warmup_steps if hold_steps else 0
    if name == "WarmupHoldPolicy" and warmup_steps <= step < hold_end:
        return base
    if max_steps is not None and step > max_steps:
        return min_lr
    if name in ("SquareAnnealing", "SquareRootAnnealing"):
        assert max_steps is not None  # the reader gives every annealing policy its total
        if name == "SquareAnnealing":
            span = max_steps - warmup_steps
            mult = ((span - (step - warmup_steps)) / span) ** 2
        else:
            mult = ((max_steps - step) / max_steps) ** 0.5
        return max(base * mult, min_lr)
    if name == "WarmupAnnealing":
        mult = (step - warmup_steps) / (max_steps - warmup_steps)  # type: ignore[operator]
        return min_lr + (1 - mult) * (base - min_lr)
    if name == "InverseSquareRootAnnealing":
        return base / ((step + 1) / (warmup_steps + 1)) ** 0.5
    if name == "PolynomialDecayAnnealing":
        return _poly(base, step - warmup_steps, max_steps - warmup_steps, power, min_lr, cycle)  # type: ignore[operator]
    return base  # WarmupPolicy, WarmupHoldPolicy: the LR itself


def _noam(step: int, base: float, warmup: int, min_lr: float, d_model: int) -> float:
    step = max(1, step)
    normalize = d_model ** (-0.5)
    if warmup > 0:
        mult = normalize * min(step ** (-0.5), step * (warmup ** (-1.5)))
    else:
        mult = normalize * step ** (-0.5)
    out = base * mult
    return max(out, min_lr) if step > warmup else out


def _cosine(step: int, base: float, warmup: int, total: int, min_lr: float, constant: int) -> float:
    decay = total - (constant + warmup)
    if warmup > 0 and step <= warmup:
        if constant == 0:
            return base * ((step + 1) / (warmup + 1))
        return _megatron_cosine(base, warmup, step, decay, min_lr)
    if constant > 0 and (warmup + decay) < step <= total:
        return _megatron_cosine(base, warmup, step, decay, min_lr)
    if step > total:
        return min_lr
    if constant == 0:
        mult = 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
        return (base - min_lr) * mult + min_lr
    return _megatron_cosine(base, warmup, step, decay, min_lr)


def _megatron_cosine(max_lr: float, warmup: int, step: int, decay: int, min_lr: float) -> float:
    """NeMo's _linear_warmup_with_cosine_annealing (Megatron's warm-up, then its cosine)."""
    if warmup > 0 and step <= warmup:
        return max_lr * float(step) / float(warmup)
    if step > warmup + decay:
        return min_lr
    ratio = float(step - warmup) / float(decay)
    return min_lr + 0.5 * (math.cos(math.pi * ratio) + 1.0) * (max_lr - min_lr)


def _poly(base: float, step: int, decay: int, power: float, min_lr: float, cycle: bool) -> float:
    span = float(decay)  # NeMo multiplies it by a float
    if cycle:
        span *= 1.0 if step == 0 else math.ceil(step / decay)
    else:
        step = min(step, decay)
    return (base - min_lr) * math.pow(1.0 - step / span, power) + min_lr


def nemo_policy(t: int, *, target: float, name: str, **args: Any) -> float:
    """The factor of update ``t``: the policy's LR there over the group's target."""
    return nemo_lr(t, name, target, **args) / target


NAMES = (
    "WarmupPolicy",
    "WarmupHoldPolicy",
    "CosineAnnealing",
    "NoamAnnealing",
    "WarmupAnnealing",
    "InverseSquareRootAnnealing",
    "PolynomialDecayAnnealing",
    "SquareAnnealing",
    "SquareRootAnnealing",
)
#: the policies whose formula divides by max_steps (the others run without one)
NEEDS_MAX_STEPS = {
    n for n in NAMES if n not in ("WarmupPolicy", "WarmupHoldPolicy", "NoamAnnealing")
}


def _derive(name: str) -> Any:
    def derive(args: dict[str, Any], lr: float) -> dict[str, Any]:
        total, warmup = args["max_steps"], args["warmup_steps"]
        if name in NEEDS_MAX_STEPS and total is None:
            raise PresetArgumentError("max_steps", f"{name} needs max_steps")
        if name in NEEDS_MAX_STEPS and name != "SquareRootAnnealing" and not total > warmup:
            raise PresetArgumentError("warmup_steps", "warmup_steps must be below max_steps")
        if name == "CosineAnnealing" and lr < args["min_lr"]:
            raise PresetArgumentError("min_lr", "the LR is below min_lr (NeMo raises ValueError)")
        if (
            name == "CosineAnnealing"
            and args["constant_steps"]
            and not total - warmup - args["constant_steps"] > 0
        ):
            raise PresetArgumentError(
                "constant_steps", "no decay steps are left after warm-up and constant steps"
            )
        if name == "NoamAnnealing" and not args["d_model"]:
            raise PresetArgumentError("d_model", "NoamAnnealing needs d_model")
        return {"name": name}

    return derive


def _phases(name: str) -> Any:
    def phases(args: Any) -> list[tuple[str, int]]:
        warmup = args["warmup_steps"]
        after = warmup + 1 if warmup else 0
        marks = [("decay", after)]
        if name == "WarmupHoldPolicy" and args["hold_steps"]:
            marks = [("constant", after), ("decay", warmup + args["hold_steps"])]
        if name in ("WarmupPolicy", "WarmupHoldPolicy") and not args["hold_steps"]:
            marks = [("constant", after)]
        if args["max_steps"] is not None and name != "NoamAnnealing":
            marks.append(("constant", args["max_steps"] + 1))
        return marks

    return phases


_ARGS = {
    "warmup_steps": Arg("int", 0),
    "max_steps": Arg("int", minimum=1),  # the reader passes trainer.max_steps (or --steps)
    "min_lr": Arg("float", 0.0),
    "constant_steps": Arg("int", 0),
    "hold_steps": Arg("int", 0),
    "d_model": Arg("int", None, nullable=True, minimum=1),
    "power": Arg("float", 1.0),
    "cycle": Arg("bool", False),
}


def _args(name: str) -> dict[str, Arg]:
    if name == "SquareAnnealing":  # its own default floor
        return {**_ARGS, "min_lr": Arg("float", 1e-5)}
    return _ARGS


def _scaled_by_noam(args: Mapping[str, Any]) -> bool:
    """Noam's lr is a scale: the peak is lr x d_model^-0.5 x warmup_steps^-0.5."""
    return False


PRESETS: dict[str, Preset] = {
    name: Preset(
        nemo_policy,
        _args(name),
        _phases(name),
        _derive(name),
        peaks_at_the_lr=_scaled_by_noam if name == "NoamAnnealing" else None,
    )
    for name in NAMES
}

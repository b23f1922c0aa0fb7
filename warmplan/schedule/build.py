"""build_scheduler: a plan -> the real torch.optim.lr_scheduler objects.

A registry maps each decay kind to a builder (no if/elif chain), in the manner of
transformers' ``TYPE_TO_SCHEDULER_FUNCTION``. Warm-up and decay are chained with
``SequentialLR(milestones=[W])``, torch's own way to hand over at the end of warm-up;
a linear warm-up from 0, which ``LinearLR`` refuses, goes through
:class:`warmplan.schedule.warmup.WarmupWrapper`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmplan.errors import WarmplanError

if TYPE_CHECKING:
    import numpy as np
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler

    from warmplan.config.models import Plan


@dataclass(frozen=True)
class Phase:
    """A named stretch of the schedule, in intervals: ``start <= t < end``."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Layout:
    """Where the schedule's parts sit, in intervals (for tables, plots and checks)."""

    phases: tuple[Phase, ...]
    #: intervals at which the plan asks for a step change (step/multistep decays,
    #: cosine restarts), sorted: a ``range`` when they are evenly spaced (a step decay
    #: with step_size 1 has one per interval: a range costs 48 bytes, not 10M ints),
    #: else a short tuple (multistep milestones; restarts of growing periods)
    boundaries: Sequence[int] = ()

    def asked_between(self, start: int, stop: int) -> np.ndarray:
        """A boolean per interval of ``start:stop``: is it an asked-for boundary?
        (One byte an interval, however dense the boundaries.)"""
        import numpy as np

        mask = np.zeros(max(stop - start, 0), dtype=bool)
        marks = self.boundaries
        if isinstance(marks, range):
            if marks and start < stop:
                behind = max(start - marks.start, 0)
                first = marks.start + -(-behind // marks.step) * marks.step
                mask[first - start : min(marks.stop, stop) - start : marks.step] = True
            return mask
        inside = [m - start for m in marks if start <= m < stop]
        mask[inside] = True
        return mask


# -- decay builders: (optimizer, plan) -> a torch scheduler for the part after warm-up ---


def _constant(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import ConstantLR

    return ConstantLR(optimizer, factor=1.0, total_iters=0)


def _floor_ratios(plan: Plan) -> list[float]:
    """Each group's floor as a fraction of its target."""
    ratio = getattr(plan.decay, "min_lr_ratio", None)
    if ratio is not None:
        return [ratio] * len(plan.target_lrs)
    return [plan.decay.eta_min / target for target in plan.target_lrs]  # type: ignore[union-attr]


def _one_floor(plan: Plan) -> float | None:
    """The floor LR when every group shares it (torch's classes take one eta_min)."""
    floors = plan.floor_lrs or [0.0]
    return floors[0] if len(set(floors)) == 1 else None


def _per_group(plan: Plan, factor: Callable[..., float], **bound: Any) -> Any:
    """``factor`` bound to each group's floor ratio: one partial when they agree."""
    ratios = _floor_ratios(plan)
    if len(set(ratios)) == 1:
        return functools.partial(factor, **bound, floor=ratios[0])
    return [functools.partial(factor, **bound, floor=r) for r in ratios]


def _cosine(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import CosineAnnealingLR, LambdaLR

    from warmplan.schedule.factors import cosine_factor, held_cosine_factor

    period, floor = plan.decay_length("T_max") or plan.decay_intervals, _one_floor(plan)
    if plan.decay.hold_floor and period < plan.decay_intervals:  # type: ignore[union-attr]
        # torch's cosine is periodic past T_max; a held floor is its own curve
        return LambdaLR(optimizer, _per_group(plan, held_cosine_factor, period=period))
    if floor is not None:
        return CosineAnnealingLR(optimizer, T_max=period, eta_min=floor)
    # min_lr_ratio with different targets: a floor per group, which
    # CosineAnnealingLR (one eta_min) cannot hold; the same curve as a LambdaLR
    return LambdaLR(optimizer, _per_group(plan, cosine_factor, period=period))


def _cosine_restarts(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts, LambdaLR

    from warmplan.schedule.factors import cosine_restarts_factor

    decay, floor, first = plan.decay, _one_floor(plan), plan.decay_length("T_0")
    if floor is not None:
        return CosineAnnealingWarmRestarts(
            optimizer,
            T_0=first,  # type: ignore[arg-type]
            T_mult=decay.T_mult,  # type: ignore[union-attr]
            eta_min=floor,
        )
    bound = _per_group(plan, cosine_restarts_factor, first=first, mult=decay.T_mult)  # type: ignore[union-attr]
    return LambdaLR(optimizer, bound)


def _linear(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import LinearLR

    decay = plan.decay
    return LinearLR(
        optimizer,
        start_factor=1.0,
        end_factor=decay.end_factor,  # type: ignore[union-attr]
        total_iters=plan.decay_length("total_iters") or plan.decay_intervals,
    )


def _step(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import StepLR

    step_size = plan.decay_length("step_size")
    return StepLR(optimizer, step_size=step_size, gamma=plan.decay.gamma)  # type: ignore[arg-type, union-attr]


def _multistep(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import MultiStepLR

    # Users write milestones from the start of training (ResNet's 30/60/80);
    # SequentialLR restarts the decay's count at the end of warm-up.
    warmup = plan.warmup_intervals
    milestones = [m - warmup for m in plan.milestones]
    return MultiStepLR(optimizer, milestones=milestones, gamma=plan.decay.gamma)  # type: ignore[union-attr]


def _exponential(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import ExponentialLR

    return ExponentialLR(optimizer, gamma=plan.decay.gamma)  # type: ignore[union-attr]


def _polynomial(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import PolynomialLR

    total = plan.decay_length("total_iters") or plan.decay_intervals
    return PolynomialLR(optimizer, total_iters=total, power=plan.decay.power)  # type: ignore[union-attr]


def _inverse_sqrt(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import LambdaLR

    from warmplan.schedule.factors import inverse_sqrt_factor

    timescale = plan.decay.timescale or plan.warmup_intervals  # type: ignore[union-attr]
    return LambdaLR(optimizer, functools.partial(inverse_sqrt_factor, timescale=timescale))


def _wsd(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import LambdaLR

    from warmplan.schedule.factors import wsd_factor

    length = plan.final_decay_intervals
    bound = _per_group(
        plan,
        wsd_factor,
        stable=plan.decay_intervals - length,
        length=length,
        shape=plan.decay.shape,  # type: ignore[union-attr]
    )
    return LambdaLR(optimizer, bound)


def _onecycle(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import OneCycleLR

    decay = plan.decay
    targets = plan.target_lrs
    defaults = getattr(optimizer, "defaults", {})
    return OneCycleLR(
        optimizer,
        max_lr=targets if plan.optimizer.groups else targets[0],
        total_steps=plan.intervals,
        pct_start=decay.pct_start,  # type: ignore[union-attr]
        anneal_strategy=decay.anneal_strategy,  # type: ignore[union-attr]
        # torch's default (True) where the optimizer has momentum to cycle; the
        # preview's dummy optimizer has none, and the LRs do not depend on it
        cycle_momentum="momentum" in defaults or "betas" in defaults,
        div_factor=decay.div_factor,  # type: ignore[union-attr]
        final_div_factor=decay.final_div_factor,  # type: ignore[union-attr]
        three_phase=decay.three_phase,  # type: ignore[union-attr]
    )


def _yolo(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    from torch.optim.lr_scheduler import LambdaLR

    from warmplan.schedule.factors import yolo_factor

    decay = plan.decay
    names: list[str | None] = [group.name for group in plan.optimizer.groups or []] or [None]
    factors: list[Callable[[int], float]] = [
        functools.partial(
            yolo_factor,
            per_epoch=plan.steps_per_epoch,
            epochs=plan.epochs,
            lrf=decay.lrf,  # type: ignore[union-attr]
            shape=decay.shape,  # type: ignore[union-attr]
            warmup=decay.warmup_steps,  # type: ignore[union-attr]  # the slope's, even past N
            start=decay.warmup_bias_lr / target if name == decay.bias_group else 0.0,  # type: ignore[union-attr]
        )
        for name, target in zip(names, plan.target_lrs, strict=True)
    ]
    return LambdaLR(optimizer, factors[0] if len(factors) == 1 else factors)


DecayBuilder = Callable[[Any, Any], Any]

#: decay kind -> builder. Each builds with torch's own class, or a LambdaLR over a
#: module-level function of :mod:`warmplan.schedule.factors` where torch has none.
DECAY_BUILDERS: dict[str, DecayBuilder] = {
    "constant": _constant,
    "cosine": _cosine,
    "linear": _linear,
    "step": _step,
    "multistep": _multistep,
    "exponential": _exponential,
    "polynomial": _polynomial,
    "cosine_restarts": _cosine_restarts,
    "inverse_sqrt": _inverse_sqrt,
    "wsd": _wsd,
    "onecycle": _onecycle,
    "yolo": _yolo,
}


def _decay_scheduler(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    return DECAY_BUILDERS[plan.decay_kind](optimizer, plan)


def build_schedule(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    """Build the plan's scheduler over an optimizer whose groups hold the targets."""
    from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

    from warmplan.schedule.warmup import WarmupWrapper

    if plan.preset is not None:
        from torch.optim.lr_scheduler import LambdaLR

        from warmplan.presets import factors

        # one functools.partial per group: the scheduler pickles, state_dict round-trips
        return LambdaLR(optimizer, factors(plan.preset, plan.optimizer.lr, plan.target_lrs))
    warmup_length = plan.warmup_intervals
    has_decay = plan.decay_kind != "constant"
    if warmup_length == 0 or (plan.decay is not None and plan.decay.owns_warmup):
        return _decay_scheduler(optimizer, plan)
    kind, start = plan.warmup.kind, plan.start_factor  # type: ignore[union-attr]
    if kind in ("exponential", "cosine") or (kind == "linear" and start == 0.0):
        # curves torch has no class for (LinearLR refuses start_factor=0)
        decay = _decay_scheduler(optimizer, plan) if has_decay else None
        return WarmupWrapper(optimizer, decay, warmup_length, start, kind)
    if kind == "linear":
        warm: Any = LinearLR(
            optimizer, start_factor=start, end_factor=1.0, total_iters=warmup_length
        )
    else:
        warm = ConstantLR(optimizer, factor=start, total_iters=warmup_length)
    if not has_decay:
        return warm
    decay = _decay_scheduler(optimizer, plan)
    return SequentialLR(optimizer, schedulers=[warm, decay], milestones=[warmup_length])


def layout(plan: Plan) -> Layout:
    """The plan's phases and asked-for step changes, in intervals."""
    if plan.preset is not None:
        from warmplan.presets import phase_marks

        marks = phase_marks(plan.preset, plan.intervals)
        ends = [start for _, start in marks[1:]] + [plan.intervals]
        return Layout(tuple(Phase(n, s, e) for (n, s), e in zip(marks, ends, strict=True)))
    warmup, total = plan.warmup_intervals, plan.intervals
    phases = []
    if warmup:
        phases.append(Phase("warmup", 0, warmup))
    decay_start = total - plan.final_decay_intervals if plan.decay_kind == "wsd" else warmup
    if decay_start > warmup:
        phases.append(Phase("stable", warmup, decay_start))
    phases.append(
        Phase("decay" if plan.decay_kind != "constant" else "constant", decay_start, total)
    )
    return Layout(tuple(phases), _boundaries(plan))


def _boundaries(plan: Plan) -> Sequence[int]:
    """Intervals where the plan asks for a jump: step drops and cosine restarts."""
    decay, warmup, total = plan.decay, plan.warmup_intervals, plan.intervals
    if decay is None:
        return ()
    if decay.kind == "multistep":
        return tuple(sorted({m for m in plan.milestones if 0 < m < total}))
    if decay.kind == "yolo":  # lf(epoch) changes at every epoch's first iteration
        return range(plan.steps_per_epoch, total, plan.steps_per_epoch)
    if decay.kind == "step":
        size: int = plan.decay_length("step_size")  # type: ignore[assignment]
        return range(warmup + size, total, size)
    period: int = plan.decay_length("T_0") if decay.kind == "cosine_restarts" else 0  # type: ignore[assignment]
    if decay.kind == "cosine_restarts" and decay.T_mult == 1:
        return range(warmup + period, total, period)
    restarts = []
    if decay.kind == "cosine_restarts":  # periods grow T_mult-fold: log(total) restarts
        at = warmup + period
        while at < total:
            restarts.append(at)
            period *= decay.T_mult
            at += period
    return tuple(restarts)


def apply_targets(optimizer: Optimizer, plan: Plan) -> None:
    """Set each param group's LR to the plan's target for it.

    A plan without ``optimizer.groups`` gives its one target to every group; a plan
    with groups needs exactly as many in the optimizer, in the same order.
    """
    groups = optimizer.param_groups
    targets = plan.target_lrs
    if plan.optimizer.groups and len(groups) != len(targets):
        names = ", ".join(plan.group_names)
        raise WarmplanError(
            f"the plan has {len(targets)} param groups ({names}) but the optimizer has "
            f"{len(groups)}; give the optimizer one param group per plan group, in order"
        )
    for index, group in enumerate(groups):
        target = targets[index] if plan.optimizer.groups else targets[0]
        group["lr"] = target
        group["initial_lr"] = target


def build_scheduler(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    """The real torch scheduler of ``plan`` over the user's ``optimizer``.

    Sets the optimizer's param-group LRs to the plan's targets first, then builds the
    scheduler exactly as :func:`warmplan.schedule.simulate` does, so a training loop calling
    ``optimizer.step(); scheduler.step()`` sees the previewed LRs. When resuming,
    call this first, then load the optimizer's and the scheduler's state dicts.
    """
    apply_targets(optimizer, plan)
    return build_schedule(optimizer, plan)

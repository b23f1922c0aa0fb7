"""build_scheduler: a plan -> the real torch.optim.lr_scheduler objects.

A registry maps each decay kind to a builder (no if/elif chain), in the manner of
transformers' ``TYPE_TO_SCHEDULER_FUNCTION``. Warm-up and decay are chained with
``SequentialLR(milestones=[W])`` exactly as the document does; a linear warm-up from
0, which ``LinearLR`` refuses, goes through :class:`warmplan.warmup.WarmupWrapper`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmplan.errors import WarmplanError

if TYPE_CHECKING:
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LRScheduler

    from warmplan.plan import Plan


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
    #: intervals at which the plan asks for a step change (step/multistep decays)
    boundaries: tuple[int, ...] = ()


# -- decay builders: (optimizer, decay spec, R = intervals after warm-up) -------------


def _constant(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import ConstantLR

    return ConstantLR(optimizer, factor=1.0, total_iters=0)


def _cosine(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import CosineAnnealingLR

    return CosineAnnealingLR(optimizer, T_max=decay.T_max or remaining, eta_min=decay.eta_min)


def _linear(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import LinearLR

    return LinearLR(
        optimizer,
        start_factor=1.0,
        end_factor=decay.end_factor,
        total_iters=decay.total_iters or remaining,
    )


def _step(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import StepLR

    return StepLR(optimizer, step_size=decay.step_size, gamma=decay.gamma)


def _exponential(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import ExponentialLR

    return ExponentialLR(optimizer, gamma=decay.gamma)


def _polynomial(optimizer: Optimizer, decay: Any, remaining: int) -> LRScheduler:
    from torch.optim.lr_scheduler import PolynomialLR

    return PolynomialLR(optimizer, total_iters=decay.total_iters or remaining, power=decay.power)


DecayBuilder = Callable[[Any, Any, int], Any]

#: decay kind -> builder. Multistep is built in :func:`_decay_scheduler`, because its
#: milestones are counted from the start of training and need the warm-up length.
DECAY_BUILDERS: dict[str, DecayBuilder] = {
    "constant": _constant,
    "cosine": _cosine,
    "linear": _linear,
    "step": _step,
    "exponential": _exponential,
    "polynomial": _polynomial,
}


def _decay_scheduler(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    decay = plan.decay
    warmup = plan.warmup_intervals
    remaining = plan.intervals - warmup
    if decay is None:
        return _constant(optimizer, None, remaining)
    if decay.kind == "multistep":
        from torch.optim.lr_scheduler import MultiStepLR

        # Users write milestones from the start of training (ResNet's 30/60/80);
        # SequentialLR restarts the decay's count at the end of warm-up.
        return MultiStepLR(
            optimizer, milestones=[m - warmup for m in decay.milestones], gamma=decay.gamma
        )
    return DECAY_BUILDERS[decay.kind](optimizer, decay, remaining)


def build_schedule(optimizer: Optimizer, plan: Plan) -> LRScheduler:
    """Build the plan's scheduler over an optimizer whose groups hold the targets."""
    from torch.optim.lr_scheduler import ConstantLR, LinearLR, SequentialLR

    from warmplan.warmup import WarmupWrapper

    if plan.preset is not None:
        from warmplan.presets import build

        return build(optimizer, plan)
    warmup_length = plan.warmup_intervals
    has_decay = plan.decay_kind != "constant"
    if warmup_length == 0:
        return _decay_scheduler(optimizer, plan)
    kind, start = plan.warmup.kind, plan.start_factor  # type: ignore[union-attr]
    if kind == "linear" and start == 0.0:
        decay = _decay_scheduler(optimizer, plan) if has_decay else None
        return WarmupWrapper(optimizer, decay, warmup_length, 0.0, "linear")
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

        marks = phase_marks(plan)
        ends = [start for _, start in marks[1:]] + [plan.intervals]
        return Layout(tuple(Phase(n, s, e) for (n, s), e in zip(marks, ends, strict=True)))
    warmup, total = plan.warmup_intervals, plan.intervals
    phases = []
    if warmup:
        phases.append(Phase("warmup", 0, warmup))
    phases.append(Phase("decay" if plan.decay_kind != "constant" else "constant", warmup, total))
    boundaries: list[int] = []
    decay = plan.decay
    if decay is not None and decay.kind == "multistep":
        boundaries = sorted(m for m in decay.milestones if 0 < m < total)
    elif decay is not None and decay.kind == "step":
        boundaries = list(range(warmup + decay.step_size, total, decay.step_size))
    return Layout(tuple(phases), tuple(boundaries))


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
    scheduler exactly as :func:`warmplan.simulation` does, so a training loop calling
    ``optimizer.step(); scheduler.step()`` sees the previewed LRs. When resuming,
    call this first, then load the optimizer's and the scheduler's state dicts.
    """
    apply_targets(optimizer, plan)
    return build_schedule(optimizer, plan)

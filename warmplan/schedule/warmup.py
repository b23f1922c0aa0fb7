"""WarmupWrapper: a custom warm-up wrapper around any decay, as a real torch LRScheduler.

torch has no class for a warm-up that starts at 0 (``LinearLR`` refuses
``start_factor=0``) nor for curved warm-ups. The wrapper scales each param group's
target LR along a curve for the first ``warmup_length`` scheduler steps, then hands
over to the wrapped scheduler exactly as ``SequentialLR`` hands over at a milestone:
the wrapped scheduler's count starts at the end of warm-up.

torch is imported only where this module is used; `warmplan --help` never loads it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from torch import Tensor
from torch.optim.lr_scheduler import LRScheduler

#: A warm-up curve: (progress p in [0, 1), start factor s) -> factor of the target LR.
Curve = Callable[[float, float], float]


def linear_curve(progress: float, start: float) -> float:
    """The document's rule: ``lr_t = lr_init + t * (lr_target - lr_init) / W``."""
    return start + (1.0 - start) * progress


def constant_curve(progress: float, start: float) -> float:
    return start


def exponential_curve(progress: float, start: float) -> float:
    """Geometric from ``start`` to 1 (``start`` must be > 0)."""
    return start ** (1.0 - progress)


def cosine_curve(progress: float, start: float) -> float:
    """Half-cosine ramp from ``start`` to 1."""
    return start + (1.0 - start) * (1.0 - math.cos(math.pi * progress)) / 2.0


CURVES: dict[str, Curve] = {
    "linear": linear_curve,
    "constant": constant_curve,
    "exponential": exponential_curve,
    "cosine": cosine_curve,
}


class WarmupWrapper(LRScheduler):
    """Warm up for ``warmup_length`` steps, then run ``scheduler`` (or hold the target).

    Args:
        optimizer: the optimizer whose param groups' ``initial_lr`` are the targets.
        scheduler: any torch scheduler built over the same optimizer, or None to hold
            the target after warm-up. It is paused during warm-up and its own count
            starts at the hand-over, as with ``SequentialLR``.
        warmup_length: W, in scheduler steps; step t < W uses
            ``target * curve(t / W, start_factor)``.
        start_factor: the factor at t = 0.
        curve: a name from :data:`CURVES` or a function ``(progress, start) -> factor``.
            Give a module-level function if the scheduler must be pickled.
    """

    def __init__(
        self,
        optimizer: Any,
        scheduler: LRScheduler | None = None,
        warmup_length: int = 0,
        start_factor: float = 0.0,
        curve: str | Curve = "linear",
        last_epoch: int = -1,
    ) -> None:
        if warmup_length < 0:
            raise ValueError(f"warmup_length must be >= 0, got {warmup_length=}")
        if not 0.0 <= start_factor <= 1.0:
            raise ValueError(f"start_factor must be in [0, 1], got {start_factor=}")
        if isinstance(curve, str):
            if curve not in CURVES:
                raise ValueError(f"unknown curve {curve!r}; one of {', '.join(CURVES)}")
            self.curve_name: str | None = curve
            self.curve: Curve = CURVES[curve]
        else:
            self.curve_name, self.curve = None, curve
        if scheduler is not None and scheduler.optimizer is not optimizer:
            raise ValueError("the wrapped scheduler must belong to the same optimizer")
        self.scheduler = scheduler
        self.warmup_length = warmup_length
        self.start_factor = start_factor
        super().__init__(optimizer, last_epoch)

    def factor(self, t: int) -> float:
        """The multiple of the target LR at warm-up step ``t`` (< warmup_length)."""
        return self.curve(t / self.warmup_length, self.start_factor)

    def step(self, epoch: int | None = None) -> None:
        if epoch is not None:
            raise TypeError("WarmupWrapper.step() takes no epoch; call it once per step")
        self._step_count = getattr(self, "_step_count", 0) + 1
        self.last_epoch += 1
        t = self.last_epoch
        groups = self.optimizer.param_groups
        if t < self.warmup_length:
            f = self.factor(t)
            for group, base in zip(groups, self.base_lrs, strict=True):
                group["lr"] = base * f
        elif t == self.warmup_length:
            self._hand_over()
        elif self.scheduler is not None:
            self.scheduler.step()
        self._last_lr = [group["lr"] for group in groups]

    def _hand_over(self) -> None:
        """Start the wrapped scheduler at its step 0 as ``SequentialLR`` does at its
        milestone W: at W = 0 with the scheduler's own first step; after a warm-up with
        its closed form at step 0 where the class has one (``MultiStepLR``'s counts
        every milestone <= 0 there, so one inside the warm-up has passed)."""
        groups = self.optimizer.param_groups
        if self.scheduler is None or self.warmup_length == 0:
            handover = self.scheduler.get_last_lr() if self.scheduler else self.base_lrs
            for group, lr in zip(groups, handover, strict=True):
                group["lr"] = lr
            return
        update = getattr(self.scheduler, "_update_lr", None)
        if update is not None:  # what SequentialLR calls in recent torch
            update(0)
            return
        with warnings.catch_warnings():  # older torch: SequentialLR calls step(0)
            warnings.simplefilter("ignore", UserWarning)  # its epoch-argument deprecation
            self.scheduler.step(0)

    def get_lr(self) -> list[float | Tensor]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        state = {
            k: v for k, v in self.__dict__.items() if k not in ("optimizer", "scheduler", "curve")
        }
        state["scheduler"] = self.scheduler.state_dict() if self.scheduler else None
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        inner = state.pop("scheduler", None)
        if state.get("curve_name") is not None:
            self.curve = CURVES[state["curve_name"]]
        self.__dict__.update(state)
        if self.scheduler is not None and inner is not None:
            self.scheduler.load_state_dict(inner)

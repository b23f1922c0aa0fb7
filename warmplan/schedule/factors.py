"""The LR factors torch has no scheduler class for, as module-level functions.

``LambdaLR`` multiplies each group's target by ``factor(k)``, k counted from the
scheduler's own start. They are bound with ``functools.partial`` (never lambdas), so a
scheduler built from them pickles and its ``state_dict`` round-trips; and they are
self-contained (only ``math``), so ``warmplan code`` copies their source into the
snippet it prints.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def cosine_factor(k: int, period: int, floor: float) -> float:
    """CosineAnnealingLR's closed form, with the floor a fraction of the target."""
    return floor + (1.0 - floor) * (1.0 + math.cos(math.pi * k / period)) / 2.0


def held_cosine_factor(k: int, period: int, floor: float) -> float:
    """The cosine to ``floor`` over ``period`` intervals, then the floor held (Megatron-LM,
    NeMo and OLMo hold min_lr after the horizon; CosineAnnealingLR would come back up)."""
    if k >= period:
        return floor
    return floor + (1.0 - floor) * (1.0 + math.cos(math.pi * k / period)) / 2.0


def cosine_restarts_factor(k: int, first: int, mult: int, floor: float) -> float:
    """CosineAnnealingWarmRestarts' closed form (periods first, first*mult, ...)."""
    position, period = k, first
    while position >= period:
        position -= period
        period *= mult
    return floor + (1.0 - floor) * (1.0 + math.cos(math.pi * position / period)) / 2.0


def inverse_sqrt_factor(k: int, timescale: int) -> float:
    """sqrt(tau / (tau + k)): with tau = W, sqrt(W / t) at global interval t = W + k."""
    return math.sqrt(timescale / (timescale + k))


def wsd_factor(k: int, stable: int, length: int, shape: str, floor: float) -> float:
    """Hold 1 for ``stable`` intervals, then decay over ``length`` towards ``floor``."""
    if k < stable:
        return 1.0
    progress = (k - stable) / length
    if progress >= 1.0:
        remaining = 0.0
    elif shape == "cosine":
        remaining = (1.0 + math.cos(math.pi * progress)) / 2.0
    elif shape == "1-sqrt":
        remaining = 1.0 - math.sqrt(progress)
    else:
        remaining = 1.0 - progress
    return floor + (1.0 - floor) * remaining


def yolo_factor(
    k: int, per_epoch: int, epochs: int, lrf: float, shape: str, warmup: int, start: float
) -> float:
    """ultralytics' LR over target at iteration k: lf(epoch), after a straight line from
    ``start`` (the warm-up start over the target) while k <= warmup (np.interp's form)."""
    epoch = k // per_epoch
    if shape == "cosine":  # one_cycle(1, lrf, epochs)
        target = max((1 - math.cos(epoch * math.pi / epochs)) / 2, 0) * (lrf - 1) + 1
    else:
        target = max(1 - epoch / epochs, 0) * (1.0 - lrf) + lrf
    if warmup and k <= warmup:
        return (target - start) / warmup * k + start
    return target


def warmup_factor(
    t: int, length: int, start: float, curve: Callable[[float, float], float]
) -> float:
    """A warm-up curve as a LambdaLR factor: ``curve(t / length, start)`` while
    ``t < length``, then the target (a SequentialLR hands over to the decay there)."""
    return curve(t / length, start) if t < length else 1.0

"""Training budgets in the user's units -> the plan's intervals, with the derivation.

The plan's derived properties (:class:`warmplan.config.models.Plan`) call these and
nothing else does the arithmetic. They read a plan through :class:`Budgeted`, the few
things the arithmetic needs, so this module sits below the plan model.

Warm-up lengths, decay lengths (``T_max: {epochs: 3}``) and multistep milestones go
through the same three conversions. Conversions to a coarser unit that are not exact
round *up* (a warm-up or a decay is never shorter than asked, a milestone never
earlier); fractions of training round to the nearest interval (Python's ``round``:
ties to even). Every conversion that is not a plain copy leaves a note, which
``warmplan show`` prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any, Protocol

from warmplan.text import counted, numbers


class Budgeted(Protocol):
    """What the budget arithmetic reads of a plan (the plan model has these)."""

    @property
    def training(self) -> Any: ...
    @property
    def optimizer(self) -> Any: ...
    @property
    def warmup(self) -> Any: ...
    @property
    def decay(self) -> Any: ...
    @property
    def interval(self) -> str: ...
    @property
    def intervals(self) -> int: ...
    @property
    def steps_per_epoch(self) -> int: ...
    @property
    def steps_per_interval(self) -> int: ...


#: Adam's default beta2 (torch's Adam and AdamW), used by ``length: auto`` and by
#: `check`'s WP109 when ``optimizer.betas`` is absent: the one definition.
DEFAULT_BETA2 = 0.999


@dataclass(frozen=True)
class Length:
    """A length in intervals, and how it was derived (empty when given as is)."""

    intervals: int
    notes: tuple[str, ...] = ()


def batches_per_epoch(dataset_size: int, batch_size: int, world_size: int, drop_last: bool) -> int:
    """Batches each device sees per epoch: ceil (floor with drop_last) of the split."""
    global_batch = batch_size * world_size
    if drop_last:
        return dataset_size // global_batch
    return -(-dataset_size // global_batch)


def optimizer_steps_per_epoch(batches: int, grad_accum: int) -> int:
    """One optimizer step per ``grad_accum`` batches, the last partial accumulation
    included, at least one: ``ceil(batches / grad_accum)``, as transformers 5's Trainer
    and Lightning count them (1,000 samples, batch 32, grad_accum 3: 32 batches, 11
    updates; measured in tests/data/formats/transformers.json)."""
    return max(1, -(-batches // grad_accum))


def steps_per_epoch(training: Any) -> int:
    """Optimizer steps per epoch: given, derived from the data, or (budget in steps,
    no epoch size) the whole run as one epoch."""
    if training.steps_per_epoch is not None:
        return training.steps_per_epoch
    if training.dataset_size is not None and training.batch_size is not None:
        batches = batches_per_epoch(
            training.dataset_size, training.batch_size, training.world_size, training.drop_last
        )
        return optimizer_steps_per_epoch(batches, training.grad_accum)
    if training.steps is not None:
        return training.steps
    return 1


def epoch_notes(training: Any) -> tuple[str, ...]:
    """How steps per epoch (and epochs, for a budget in steps) were derived."""
    notes = []
    if training.steps_per_epoch is None and training.dataset_size is not None:
        t = training
        rounding = "floor (drop_last)" if t.drop_last else "ceil"
        batches = batches_per_epoch(t.dataset_size, t.batch_size, t.world_size, t.drop_last)
        steps = optimizer_steps_per_epoch(batches, t.grad_accum)
        devices = counted(t.world_size, "device")
        notes.append(
            f"steps per epoch: {rounding}({t.dataset_size:,} samples / ({t.batch_size} per "
            f"device x {devices})) = {batches:,} batches; ceil({batches:,} / "
            f"grad_accum {t.grad_accum}) = {steps:,} optimizer steps (the last partial "
            "accumulation is an update)"
        )
    if training.steps is not None:
        per_epoch = steps_per_epoch(training)
        if training.steps % per_epoch:
            epochs = -(-training.steps // per_epoch)
            notes.append(
                f"epochs: {training.steps:,} steps / {per_epoch:,} per epoch = "
                f"{training.steps / per_epoch:.4g}, rounded up to {epochs:,} (the last one partial)"
            )
    return tuple(notes)


def exact(value: float | int | Fraction) -> Fraction:
    """The number as the user wrote it, exactly: a float's shortest decimal (what YAML
    or a flag parsed, ``0.28`` and not 0.28000000000000002665), as a fraction. Binary
    products land an interval off: 0.28 x 25 is 7.000000000000001 in floats."""
    if isinstance(value, Fraction):
        return value
    return Fraction(str(value))


def decimal_text(value: Fraction) -> str:
    """``value`` in decimals: exactly when it has a finite expansion, else 6 digits
    after ``~``."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return f"~{float(value):.6g}"
    with localcontext() as context:
        context.prec = 2 * len(str(value.denominator)) + len(str(value.numerator)) + 2
        text = f"{Decimal(value.numerator) / Decimal(value.denominator):f}"
    return text.rstrip("0").rstrip(".")


def steps_to_intervals(plan: Budgeted, steps: float | Fraction, what: str) -> Length:
    """``steps`` optimizer steps in the plan's intervals (epochs round up)."""
    steps, per = exact(steps), plan.steps_per_interval
    intervals = math.ceil(steps / per)
    if intervals * per == steps:
        return Length(intervals)
    return Length(
        intervals,
        (
            f"{what}: {decimal_text(steps)} steps / {per:,} per epoch = "
            f"{decimal_text(steps / per)} epochs, rounded up to {intervals:,}",
        ),
    )


def epochs_to_intervals(plan: Budgeted, epochs: float | Fraction, what: str) -> Length:
    epochs = exact(epochs)
    written = f"{decimal_text(epochs)} epoch{'' if epochs == 1 else 's'}"
    if plan.interval == "epoch":
        intervals = math.ceil(epochs)
        if intervals == epochs:
            return Length(intervals)
        return Length(intervals, (f"{what}: {written}, rounded up to {intervals:,}",))
    per_epoch = plan.steps_per_epoch
    steps = epochs * per_epoch
    intervals = math.ceil(steps)
    note = f"{what}: {written} x {per_epoch:,} = {decimal_text(steps)} steps"
    if intervals != steps:
        note += f", rounded up to {intervals:,}"
    return Length(intervals, (note,))


def fraction_to_intervals(plan: Budgeted, fraction: float | Fraction, what: str) -> Length:
    fraction, total = exact(fraction), plan.intervals
    product = fraction * total
    intervals = round(product)  # Fraction rounds exactly, ties to even
    note = (
        f"{what}: {decimal_text(fraction)} x {total:,} {plan.interval}s = {decimal_text(product)}"
    )
    if intervals != product:
        tie = " (a tie: to the even one)" if product.denominator == 2 else ""
        note += f", rounded to {intervals:,}{tie}"
    return Length(intervals, (note,))


def adam_warmup_steps(beta2: float) -> int:
    """Ma & Yarats (2019), "On the adequacy of untuned warmup for adaptive optimization":
    warm up for 2 / (1 - beta2) optimizer steps, rounded up (never shorter than the rule:
    1,334 for 0.9985). ``length: auto`` and `check`'s WP109 both use this one function.

    Computed on beta2 as written (its shortest decimal), exactly: in floats 2 / (1 -
    0.999) is 2000.0000000000018, whose ceiling would be 2001."""
    return math.ceil(Fraction(2) / (1 - Fraction(repr(float(beta2)))))


def beta2_of(optimizer: Any) -> float:
    """The optimizer's beta2: given in ``betas``, or Adam's default."""
    return optimizer.betas[1] if optimizer.betas else DEFAULT_BETA2


def warmup_length(plan: Budgeted) -> Length:
    """W: the warm-up's length in intervals, from whichever unit the plan gave."""
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none":
        return Length(0)
    if warmup.length == "auto":
        beta2 = beta2_of(plan.optimizer)
        steps = adam_warmup_steps(beta2)
        origin = "optimizer.betas" if plan.optimizer.betas else "Adam's default"
        rule = (
            f"warm-up length auto: ceil(2 / (1 - beta2 {beta2:g} from {origin})) = "
            f"{steps:,} optimizer steps (Ma & Yarats, 2019)"
        )
        length = steps_to_intervals(plan, steps, "warm-up")
        return Length(length.intervals, (rule, *length.notes))
    if warmup.length is not None:
        return Length(warmup.length)
    return _in_unit(plan, warmup.steps, warmup.epochs, warmup.fraction, "warm-up")


def _in_unit(
    plan: Budgeted, steps: float | None, epochs: float | None, fraction: float | None, what: str
) -> Length:
    """Whichever of steps, epochs or fraction of training is given, in intervals."""
    if steps is not None:
        return steps_to_intervals(plan, steps, what)
    if epochs is not None:
        return epochs_to_intervals(plan, epochs, what)
    return fraction_to_intervals(plan, fraction or 0.0, what)


def span_length(plan: Budgeted, value: Any, what: str) -> Length:
    """A decay length: intervals as given (an int), or a ``Span`` in another unit."""
    if isinstance(value, int):
        return Length(value)
    return _in_unit(plan, value.steps, value.epochs, value.fraction, what)


def decay_lengths(plan: Budgeted) -> dict[str, Length]:
    """The decay's lengths that were given (``T_max``, ``step_size``, ...), in intervals."""
    from warmplan.config.decays import SPAN_KEYS

    given = ((key, getattr(plan.decay, key, None)) for key in SPAN_KEYS)
    return {key: span_length(plan, v, f"decay.{key}") for key, v in given if v is not None}


@dataclass(frozen=True)
class Positions:
    """Points in intervals counted from the start of training, and their derivation."""

    intervals: tuple[int, ...]
    notes: tuple[str, ...] = ()


UNITS = ("steps", "epochs", "fraction")


def milestone_positions(plan: Budgeted) -> Positions:
    """A multistep decay's milestones in intervals (none for other kinds)."""
    decay = plan.decay
    if decay is None or decay.kind != "multistep":
        return Positions(())
    points = decay.milestones
    if isinstance(points, list):
        return Positions(tuple(points))
    unit = next((u for u in UNITS if getattr(points, u) is not None), None)
    if unit is None:  # refused by the consistency rules
        return Positions(())
    values = getattr(points, unit)
    converted = tuple(
        _in_unit(plan, **{u: v if u == unit else None for u in UNITS}, what="").intervals
        for v in values
    )
    per_interval = {
        "steps": Fraction(1, plan.steps_per_interval),
        "epochs": Fraction(plan.steps_per_epoch, plan.steps_per_interval),
        "fraction": Fraction(plan.intervals),
    }[unit]
    whole = all(c == exact(v) * per_interval for c, v in zip(converted, values, strict=True))
    if whole and unit == "steps" and plan.interval == "step":
        return Positions(converted)
    note = (
        f"decay.milestones: {unit} {'; '.join(decimal_text(exact(v)) for v in values)} = "
        f"{plan.interval}s {numbers(converted)}"
    )
    if not whole:
        note += " (rounded: steps and epochs up, fractions to the nearest)"
    return Positions(converted, (note,))


def decay_notes(plan: Budgeted) -> tuple[str, ...]:
    """How the decay's lengths and milestones came from the user's units."""
    lengths = decay_lengths(plan)
    notes = [
        note for key, length in lengths.items() if key != "decay_length" for note in length.notes
    ]
    return (*notes, *milestone_positions(plan).notes, *final_decay_length(plan).notes)


def final_decay_length(plan: Budgeted) -> Length:
    """D: the length of a wsd plan's final decay, in intervals (0 for other kinds)."""
    from warmplan.config.decays import DEFAULT_WSD_FRACTION

    decay = plan.decay
    if decay is None or decay.kind != "wsd":
        return Length(0)
    if decay.decay_length is not None:
        return span_length(plan, decay.decay_length, "wsd decay")
    if decay.decay_fraction is not None:
        return fraction_to_intervals(plan, decay.decay_fraction, "decay.decay_fraction")
    return fraction_to_intervals(plan, DEFAULT_WSD_FRACTION, "decay.decay_fraction (default)")


def yolo_warmup(plan: Budgeted) -> Length:
    """The yolo kind's per-iteration warm-up: its own ``warmup_steps``, within training."""
    steps = min(plan.decay.warmup_steps, plan.intervals)
    return Length(steps, (f"yolo warm-up: {steps:,} iterations",) if steps else ())


def onecycle_warmup(plan: Budgeted) -> Length:
    """OneCycleLR's own warm-up: it peaks at interval pct_start x N - 1 (rounded)."""
    decay, total = plan.decay, plan.intervals
    peak = max(0, round(decay.pct_start * total - 1))
    return Length(
        peak,
        (
            f"onecycle warm-up: pct_start {decay.pct_start:g} x {total:,} - 1 = peak at "
            f"{plan.interval} {peak:,}",
        ),
    )

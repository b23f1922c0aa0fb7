"""Cross-key rules of the training budget and of the warm-up and decay kinds that need
more than one key (see :mod:`warmplan.config.consistency`, which runs them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.budget import UNITS
from warmplan.config.source import Source
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan

WARMUP_UNITS = ("length", *UNITS)
_DATA_KEYS = ("world_size", "grad_accum", "drop_last")


def training_findings(plan: Plan, source: Source) -> list[Finding]:
    t = plan.training
    given = t.model_fields_set
    found = []

    def add(code: str, key: str | None, message: str) -> None:
        found.append(source.finding(code, ("training", key) if key else ("training",), message))

    if t.epochs is not None and t.steps is not None:
        add(errors.INCONSISTENT, "steps", "give training.epochs or training.steps, not both")
    elif t.epochs is None and t.steps is None:
        add(errors.MISSING_KEY, None, "training needs epochs, or steps (optimizer steps)")
    by_data = t.dataset_size is not None or t.batch_size is not None
    if t.steps_per_epoch is not None and by_data:
        add(
            errors.INCONSISTENT,
            "steps_per_epoch",
            "give training.steps_per_epoch or dataset_size and batch_size, not both",
        )
    elif by_data and (t.dataset_size is None or t.batch_size is None):
        given_key, missing = (
            ("dataset_size", "batch_size")
            if t.batch_size is None
            else ("batch_size", "dataset_size")
        )
        add(
            errors.MISSING_KEY,
            given_key,
            f"training.{given_key} needs training.{missing} too: steps per epoch come from the two",
        )
    for key in _DATA_KEYS:
        # a non-default value would be silently ignored: that is the mistake to catch
        ignored = getattr(t, key) != type(t).model_fields[key].default
        if key in given and ignored and t.dataset_size is None:
            add(
                errors.INCONSISTENT,
                key,
                f"training.{key} applies when steps per epoch come from dataset_size and "
                "batch_size; steps_per_epoch already counts optimizer steps",
            )
    if found:
        return found
    if t.drop_last and t.dataset_size is not None and t.dataset_size < t.batch_size * t.world_size:  # type: ignore[operator]
        add(
            errors.BAD_VALUE,
            "dataset_size",
            f"with drop_last, {t.dataset_size} samples make no full batch of "
            f"{t.batch_size} x {t.world_size} devices; an epoch would have no step",
        )
    if t.steps is not None and plan.interval == "epoch" and not (by_data or t.steps_per_epoch):
        add(
            errors.INCONSISTENT,
            "interval",
            "a budget in training.steps with interval: epoch needs the size of an epoch: "
            "steps_per_epoch, or dataset_size and batch_size",
        )
    return found


def warmup_unit_findings(plan: Plan, source: Source) -> list[Finding]:
    """Exactly one of the warm-up's length units; ``auto`` only where beta2 exists."""
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none":
        return []
    given = [unit for unit in WARMUP_UNITS if getattr(warmup, unit) is not None]
    if len(given) > 1:
        return [
            source.finding(
                errors.INCONSISTENT,
                ("warmup", given[1]),
                f"give one warm-up length, not {' and '.join('warmup.' + u for u in given)}",
            )
        ]
    if not given:
        return [
            source.finding(
                errors.MISSING_KEY,
                ("warmup",),
                f"a {warmup.kind} warm-up needs warmup.length (intervals, or auto), "
                "steps, epochs or fraction",
            )
        ]
    if warmup.length != "auto":
        return []
    optimizer = plan.optimizer
    if optimizer.kind == "sgd":
        return [
            source.finding(
                errors.INCONSISTENT,
                ("warmup", "length"),
                "warmup.length auto follows Adam's beta2 (2 / (1 - beta2) steps, Ma & Yarats "
                "2019); optimizer.kind sgd has no beta2: give a length",
            )
        ]
    if optimizer.betas is not None and optimizer.betas[1] >= 1.0:
        return [
            source.finding(
                errors.BAD_VALUE,
                ("optimizer", "betas"),
                "warmup.length auto needs beta2 below 1 (2 / (1 - beta2) steps), got 1",
            )
        ]
    return []


def decay_kind_findings(plan: Plan, source: Source) -> list[Finding]:
    decay = plan.decay
    if decay is None:
        return []
    if decay.kind == "reduce_on_plateau":
        return [
            source.finding(
                errors.BAD_VALUE,
                ("decay", "kind"),
                "decay.kind reduce_on_plateau lowers the LR when a validation metric stops "
                "improving, which only training can tell: it cannot be previewed. Preview "
                "the drops you expect with multistep, or step ReduceLROnPlateau yourself",
            )
        ]
    found = []
    if "eta_min" in decay.model_fields_set and getattr(decay, "min_lr_ratio", None) is not None:
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("decay", "min_lr_ratio"),
                "give decay.eta_min or decay.min_lr_ratio, not both",
            )
        )
    warmup = plan.warmup
    if decay.owns_warmup and warmup is not None and warmup.kind != "none":
        found.append(
            source.finding(
                errors.INCONSISTENT,
                ("warmup",),
                f"decay {decay.kind} warms up by itself (from lr / div_factor over pct_start "
                "of training); remove the warmup block",
            )
        )
    found += _unit_findings(decay, source)
    return found or _length_findings(plan, source)


def _unit_findings(decay: Any, source: Source) -> list[Finding]:
    """Lengths and milestones in another unit: exactly one of steps, epochs, fraction."""
    from warmplan.config.decays import SPAN_KEYS

    found = []
    for key in (*SPAN_KEYS, "milestones"):
        value = getattr(decay, key, None)
        if value is None or isinstance(value, (int, list)):
            continue
        given = [unit for unit in UNITS if getattr(value, unit) is not None]
        if len(given) != 1:
            where = ("decay", key, given[1]) if given else ("decay", key)
            units = " and ".join(given) if given else "none"
            found.append(
                source.finding(
                    errors.INCONSISTENT if given else errors.MISSING_KEY,
                    where,
                    f"decay.{key} takes one unit: steps, epochs or fraction (got {units})",
                )
            )
    return found


def converted_length_findings(plan: Plan, source: Source) -> list[Finding]:
    """A decay length or milestone whose conversion rounds to 0 intervals."""
    from warmplan.config import budget

    found = []
    for key, length in budget.decay_lengths(plan).items():
        if length.intervals < 1:
            found.append(
                source.finding(
                    errors.BAD_VALUE,
                    ("decay", key),
                    f"decay.{key} rounds to 0 {plan.interval}s ({'; '.join(length.notes)}); "
                    f"it must be at least 1 {plan.interval}",
                )
            )
    if 0 in plan.milestones:
        found.append(
            source.finding(
                errors.BAD_VALUE,
                ("decay", "milestones"),
                f"a decay.milestones entry rounds to {plan.interval} 0, the start of "
                "training; milestones come after it",
            )
        )
    return found


def _length_findings(plan: Plan, source: Source) -> list[Finding]:
    converted = converted_length_findings(plan, source)
    if converted:
        return converted
    decay = plan.decay
    unit = plan.interval + "s"
    if decay.kind == "inverse_sqrt" and decay.timescale is None and plan.warmup_intervals == 0:  # type: ignore[union-attr]
        return [
            source.finding(
                errors.MISSING_KEY,
                ("decay",),
                "inverse_sqrt decays as sqrt(W / t) from the end of a warm-up of W; "
                "give a warm-up, or decay.timescale",
            )
        ]
    if decay.kind == "wsd":  # type: ignore[union-attr]
        if decay.decay_length is not None and decay.decay_fraction is not None:  # type: ignore[union-attr]
            key, message = "decay_fraction", "give decay.decay_length or decay_fraction, not both"
            return [source.finding(errors.INCONSISTENT, ("decay", key), message)]
        length, room = plan.final_decay_intervals, plan.decay_intervals
        if not 1 <= length <= room:
            key = "decay_length" if decay.decay_length is not None else "decay_fraction"  # type: ignore[union-attr]
            message = (
                f"the wsd decay must last 1 to {room} {unit} (all after warm-up), got {length}"
            )
            return [source.finding(errors.INCONSISTENT, ("decay", key), message)]
    if (
        decay.kind == "onecycle"
        and decay.three_phase
        and (  # type: ignore[union-attr]
            2 * decay.pct_start * plan.intervals >= plan.intervals + 1  # type: ignore[union-attr]
        )
    ):
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "pct_start"),
                f"a three-phase onecycle rises and falls over 2 x pct_start of training, "
                f"leaving nothing for its final phase (OneCycleLR divides by it); "
                f"use pct_start below {(plan.intervals + 1) / (2 * plan.intervals):.3g}",
            )
        ]
    if decay.kind == "onecycle" and decay.pct_start * plan.intervals < 2:  # type: ignore[union-attr]
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "pct_start"),
                f"onecycle's warm-up, pct_start x {plan.intervals} {unit}, must last at least "
                f"2 {unit} (OneCycleLR divides by it)",
            )
        ]
    return []

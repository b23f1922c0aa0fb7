"""Validation of the ``decay`` block: its kind's keys, units and lengths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.budget import UNITS
from warmplan.config.decays import InverseSqrtDecay, OneCycleDecay, WsdDecay
from warmplan.config.source import Source
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan


def decay_findings(plan: Plan, source: Source) -> list[Finding]:
    decay = plan.decay
    eta_min = getattr(decay, "eta_min", None)
    lowest = min(plan.target_lrs)
    if eta_min is not None and eta_min >= lowest:
        which = "optimizer.lr" if not plan.optimizer.groups else "the lowest group lr"
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "eta_min"),
                f"decay.eta_min must be below {which} ({lowest:g}), got {eta_min:g}",
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
    if (
        isinstance(decay, InverseSqrtDecay)
        and decay.timescale is None
        and plan.warmup_intervals == 0
    ):
        return [
            source.finding(
                errors.MISSING_KEY,
                ("decay",),
                "inverse_sqrt decays as sqrt(W / t) from the end of a warm-up of W; "
                "give a warm-up, or decay.timescale",
            )
        ]
    if isinstance(decay, WsdDecay):
        if decay.decay_length is not None and decay.decay_fraction is not None:
            key, message = "decay_fraction", "give decay.decay_length or decay_fraction, not both"
            return [source.finding(errors.INCONSISTENT, ("decay", key), message)]
        length, room = plan.final_decay_intervals, plan.decay_intervals
        if not 1 <= length <= room:
            key = "decay_length" if decay.decay_length is not None else "decay_fraction"
            message = (
                f"the wsd decay must last 1 to {room} {unit} (all after warm-up), got {length}"
            )
            return [source.finding(errors.INCONSISTENT, ("decay", key), message)]
    if (
        isinstance(decay, OneCycleDecay)
        and decay.three_phase
        and (2 * decay.pct_start * plan.intervals >= plan.intervals + 1)
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
    if isinstance(decay, OneCycleDecay) and decay.pct_start * plan.intervals < 2:
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "pct_start"),
                f"onecycle's warm-up, pct_start x {plan.intervals} {unit}, must last at least "
                f"2 {unit} (OneCycleLR divides by it)",
            )
        ]
    return []

"""Validation of the ``decay`` block: its kind's keys, units and lengths."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.budget import UNITS
from warmplan.config.decays import InverseSqrtDecay, OneCycleDecay, WsdDecay, YoloDecay
from warmplan.config.source import Source
from warmplan.errors import Finding
from warmplan.text import counted

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
                f"decay {decay.kind} warms up by itself ("
                + (
                    "over its warmup_steps iterations"
                    if decay.kind == "yolo"
                    else "from lr / div_factor over pct_start of training"
                )
                + "); remove the warmup block",
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
    if (
        isinstance(decay, InverseSqrtDecay)
        and decay.timescale is None
        and plan.warmup_intervals == 0
    ):
        return [source.finding(errors.MISSING_KEY, ("decay",), _inverse_sqrt_message(plan))]
    if isinstance(decay, WsdDecay):
        return _wsd_findings(plan, decay, source)
    if isinstance(decay, OneCycleDecay):
        return _onecycle_findings(plan, decay, source)
    if isinstance(decay, YoloDecay):
        return _yolo_findings(plan, decay, source)
    return []


def _yolo_findings(plan: Plan, decay: YoloDecay, source: Source) -> list[Finding]:
    """The yolo kind sets the LR per iteration from the epoch: it steps per step."""
    if plan.interval != "step":
        return [
            source.finding(
                errors.INCONSISTENT,
                ("decay", "kind"),
                "decay yolo sets the LR every iteration from its epoch: write "
                "training.interval: step (and steps_per_epoch, the batches of an epoch)",
            )
        ]
    names = [group.name for group in plan.optimizer.groups or []]
    if decay.bias_group is not None and decay.bias_group not in names:
        shown = ", ".join(str(n) for n in names) or "none (the plan has no optimizer.groups)"
        return [
            source.finding(
                errors.BAD_VALUE,
                ("decay", "bias_group"),
                f"decay.bias_group {decay.bias_group} names no param group; the groups: {shown}",
            )
        ]
    return []


def _onecycle_findings(plan: Plan, decay: OneCycleDecay, source: Source) -> list[Finding]:
    """What OneCycleLR cannot run: a phase it divides by that has length 0 in torch's
    own float arithmetic, and that a step reaches (any other pct_start runs)."""
    total, pct, interval = plan.intervals, decay.pct_start, plan.interval
    rise = float(pct * total)  # OneCycleLR's first phase ends at step pct x N - 1
    if rise - 1 == 0:
        message = (
            f"decay.pct_start {pct:g} x {counted(total, interval)} = 1: OneCycleLR's "
            f"warm-up would end at {interval} pct_start x N - 1 = 0, where it starts, and it "
            f"divides by that length; use a pct_start other than {pct:g}"
        )
        return [source.finding(errors.INCONSISTENT, ("decay", "pct_start"), message)]
    three = decay.three_phase
    # the last phase runs from the previous one's end to step N - 1: step N (after the
    # last interval) divides by its length
    before_last = float(2 * pct * total) - 2 if three else rise - 1
    if before_last == total - 1:
        product = f"2 x pct_start {pct:g} x {total:,} = {2 * pct * total:g}" if three else ""
        product = product or f"pct_start {pct:g} x {total:,} = {rise:g}"
        message = (
            f"onecycle's {'second' if three else 'first'} phase ({product}) ends at "
            f"{interval} {total - 1:,}, the last, leaving its final phase empty; OneCycleLR "
            f"divides by that phase's length at the last scheduler step; use a pct_start "
            f"other than {pct:g}"
        )
        return [source.finding(errors.INCONSISTENT, ("decay", "pct_start"), message)]
    return []


def _inverse_sqrt_message(plan: Plan) -> str:
    rule = "inverse_sqrt decays as sqrt(W / t) from the end of a warm-up of W"
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none":
        return f"{rule}; give a warm-up, or decay.timescale"
    how = "; ".join(plan.warmup_length.notes) or f"warmup.length {warmup.length}"
    return (
        f"{rule}, and the warm-up is 0 {plan.interval}s ({how}); lengthen it, or give "
        "decay.timescale"
    )


def _wsd_findings(plan: Plan, decay: WsdDecay, source: Source) -> list[Finding]:
    from warmplan.config.budget import final_decay_length

    if decay.decay_length is not None and decay.decay_fraction is not None:
        key, message = "decay_fraction", "give decay.decay_length or decay_fraction, not both"
        return [source.finding(errors.INCONSISTENT, ("decay", key), message)]
    length, room, interval = final_decay_length(plan), plan.decay_intervals, plan.interval
    key = "decay_length" if decay.decay_length is not None else "decay_fraction"
    how = f" ({'; '.join(length.notes)})" if length.notes else ""
    if length.intervals < 1:
        message = f"the wsd decay rounds to 0 {interval}s{how}; it must last at least 1 {interval}"
    elif length.intervals > room:
        message = (
            f"the wsd decay ({counted(length.intervals, interval)}{how}) must fit in the "
            f"{counted(room, interval)} after warm-up"
        )
    else:
        return []
    return [source.finding(errors.INCONSISTENT, ("decay", key), message)]

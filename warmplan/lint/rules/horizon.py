"""Rules on the lengths of the phases: empty phases, a decay horizon that does not fit
the training, multistep milestones out of place."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING

from warmplan.errors import Fix
from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import fmt, warmup_length_key
from warmplan.text import counted, number, with_article

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

Found = Iterator[tuple["KeyPath", str]]
#: findings with their fix: (keypath, message, fix)
Fixable = Iterator[tuple["KeyPath", str, Fix] | tuple["KeyPath", str]]
#: findings graded by size, with their fix: (keypath, message, severity, fix)
Graded = Iterator[tuple["KeyPath", str, str, Fix]]

#: decay keys that set its length, in intervals after the warm-up
HORIZON_KEYS = ("T_max", "total_iters")


@rule("WP101", "error", "a phase that was asked for but has zero length")
def empty_phase(plan: Plan, trace: Trace) -> Found:
    warmup, unit = plan.warmup, plan.interval
    if warmup is not None and warmup.kind != "none" and plan.warmup_intervals == 0:
        if warmup.fraction is not None:
            total = counted(plan.intervals, unit)
            how = f"warmup.fraction {warmup.fraction:g} of {total} rounds to 0"
        else:
            given = next(u for u in ("length", "steps", "epochs") if getattr(warmup, u) == 0)
            how = f"warmup.{given} is 0"
        yield (
            warmup_length_key(plan),
            f"{with_article(warmup.kind)} warm-up was asked for but {how}: there is no warm-up; "
            f"give it at least 1 {plan.interval}, or write warmup.kind: none",
        )
    decay = plan.decay
    remaining = plan.intervals - plan.warmup_intervals
    step_size = plan.decay_length("step_size")
    if (
        decay is not None
        and decay.kind == "step"
        and step_size is not None
        and step_size >= remaining
    ):
        yield (
            ("decay", "step_size"),
            f"decay.step_size ({counted(step_size, unit)}) is not shorter than the decay "
            f"phase ({counted(remaining, unit)}): the LR never steps down; use a step_size "
            f"below {remaining}",
        )


def _horizon(plan: Plan) -> tuple[str, int] | None:
    """(key, length) of a decay's explicit horizon, if it has one."""
    for key in HORIZON_KEYS:
        length = plan.decay_length(key)
        if length is not None:
            return key, length
    return None


#: WP106 is an error from this share on (of the target-to-floor range risen back, or of
#: training spent at the floor); below it, a warning: a sliver of training off the plan
#: costs little, a tenth of it is a different schedule.
HORIZON_ERROR_SHARE = 0.1


@rule(
    "WP106",
    "error",
    "a decay that ends before training does: the LR comes back up or sits at the floor",
)
def decay_ends_early(plan: Plan, trace: Trace) -> Graded:
    horizon = _horizon(plan)
    n, unit = plan.intervals, plan.interval
    if horizon is None:
        return
    key, length = horizon
    floor_at = plan.warmup_intervals + length  # the interval where the horizon is reached
    if floor_at >= n - 1:
        return  # the floor on the last update (T_max = decay phase - 1) or never: fine
    lr = trace.lr[:, 0]
    floor, after = float(lr[floor_at]), trace.lr[floor_at + 1 :, 0]
    span = max(plan.target_lrs[0] - floor, 0.0)
    noise = 1e-9 * plan.target_lrs[0]
    rise = float(after.max()) - floor
    held = int((abs(after - floor) <= noise).sum())
    remaining = n - plan.warmup_intervals
    fix = f"set {key}: {remaining} (or {remaining - 1}: the floor on the last update) or remove it"
    # --fix writes the first: the decay then ends with training, as it does without the key
    edit = Fix(("decay", key), remaining)
    given = (
        f"decay.{key} is {_given(plan, key, length)} but the decay phase is "
        f"{counted(remaining, unit, ',')}"
    )
    if rise > noise:
        share = rise / span if span else 1.0
        yield (
            ("decay", key),
            f"{given}: the LR reaches its floor {fmt(floor)} at {unit} {number(floor_at)} and "
            f"comes back up over the last {counted(n - 1 - floor_at, unit, ',')}, to "
            f"{fmt(lr[-1])} at the end (highest {fmt(floor + rise)}, {share:.0%} of the way "
            f"back to the target); {fix}",
            "error" if share >= HORIZON_ERROR_SHARE else "warning",
            edit,
        )
    elif held and not getattr(plan.decay, "hold_floor", False):  # a held floor is asked for
        share = held / n
        yield (
            ("decay", key),
            f"{given}: the LR reaches its floor {fmt(floor)} at {unit} {number(floor_at)} and "
            f"stays there for the last {counted(held, unit, ',')} ({share:.0%} of training); {fix}",
            "error" if share >= HORIZON_ERROR_SHARE else "warning",
            edit,
        )


@rule("WP107", "warning", "a decay that ends after training does (the floor never reached)")
def decay_ends_late(plan: Plan, trace: Trace) -> Fixable:
    horizon = _horizon(plan)
    remaining = plan.intervals - plan.warmup_intervals
    if horizon is None or horizon[1] <= remaining:
        return
    key, length = horizon
    yield (
        ("decay", key),
        f"decay.{key} is {_given(plan, key, length)} but the decay phase is only "
        f"{counted(remaining, plan.interval, ',')}: training ends at LR {fmt(trace.lr[-1, 0])}, "
        f"above the decay's floor; set {key}: {remaining} or remove it",
        Fix(("decay", key), remaining),
    )


@rule("WP108", "error", "multistep milestones in the warm-up, after training, or unsorted")
def milestones(plan: Plan, trace: Trace) -> Fixable:
    decay = plan.decay
    if decay is None or decay.kind != "multistep":
        return
    w, n, unit = plan.warmup_intervals, plan.intervals, plan.interval
    points = plan.milestones
    given = decay.milestones
    unit_key = () if isinstance(given, list) else (_unit(given),)
    # the milestones as written: intervals, or the values under steps/epochs/fraction
    written: list[float] = list(given) if isinstance(given, list) else getattr(given, _unit(given))
    in_order = sorted(points)
    # sorting is the one fix only when it leaves nothing else wrong: a repeat or a
    # milestone out of range has no single right place (a typo of which digit?)
    sortable = all(w < m < n for m in points) and all(a < b for a, b in pairwise(in_order))
    sort = Fix(("decay", "milestones", *unit_key), sorted(written)) if sortable else None

    def shown(index: int) -> str:
        """Milestone ``index`` as written, with the interval it became if it differs."""
        if not unit_key:
            return str(points[index])
        value = written[index]
        words = f"{unit_key[0].removesuffix('s')} {value:g}"  # epoch 6, fraction 0.5
        same = unit_key[0] == f"{unit}s" and value == points[index]
        return words if same else f"{words} = {unit} {points[index]}"

    for index, m in enumerate(points):
        key = ("decay", "milestones", *unit_key, index)
        if w and m <= w:
            yield (
                key,
                f"milestone {shown(index)} is at or before the end of warm-up ({unit} {w}); "
                "milestones count from the start of training: move it after the warm-up",
            )
        elif m >= n:
            yield (
                key,
                f"milestone {shown(index)} is not before the end of training "
                f"({counted(n, unit)}): it never applies; move it below {counted(n, unit)} "
                "or remove it",
            )
        elif index and m < points[index - 1]:
            found = (
                key,
                f"milestones are not sorted ({shown(index - 1)}, then {shown(index)}); write "
                "them in order, an unsorted list usually hides a typo",
            )
            yield (*found, sort) if sort else found
        elif m in points[:index]:
            yield (
                key,
                f"milestone {shown(index)} is listed twice: torch then multiplies by gamma "
                f"twice there (x{fmt(decay.gamma**2)}); remove the copy",
            )


def _unit(points: object) -> str:
    """The unit key of milestones given in steps, epochs or fractions."""
    from warmplan.config.budget import UNITS

    return next(u for u in UNITS if getattr(points, u) is not None)


def _given(plan: Plan, key: str, length: int) -> str:
    """A decay length as the plan gave it: ``20``, or ``{epochs: 2} = 200 steps``."""
    value = getattr(plan.decay, key)
    if isinstance(value, int):
        return str(length)
    unit = _unit(value)
    return f"{{{unit}: {number(getattr(value, unit))}}} = {counted(length, plan.interval, ',')}"

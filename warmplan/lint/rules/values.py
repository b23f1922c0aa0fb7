"""Rules on the LR values themselves: zero, negative or non-finite, the target, the
groups' ratios, and jumps the plan does not ask for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from warmplan.lint.registry import rule
from warmplan.lint.rules.locate import fmt, group_label, phase_key, target_key, warmup_length_key
from warmplan.presets import peaks_at_the_lr
from warmplan.text import counted

if TYPE_CHECKING:
    import numpy as np

    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath
    from warmplan.schedule.simulate import Trace

Found = Iterator[tuple["KeyPath", str]]

#: Relative tolerance of "reaches the target": float noise of the schedulers' products,
#: and peaks that fall between two updates: warm-ups counted in samples or tokens
#: (Megatron, OLMo, Composer) end mid-update, and torch's OneCycleLR peaks at
#: pct_start x total_steps - 1, rarely a whole step (99.98 % of max_lr on a Lightning
#: recipe). A miss of 0.1 % is less than anyone trains by; a real miss is percents.
TARGET_RTOL = 1e-3
#: Decay keys that set an absolute LR shared by every group: they change the groups'
#: ratios on purpose, so ratios are only compared where no such floor is set.
ABSOLUTE_FLOORS = ("eta_min", "min_lr", "end_lr")


@rule("WP102", "warning", "an optimizer step trains with LR 0 (a wasted update)")
def zero_lr(plan: Plan, trace: Trace) -> Found:
    import numpy as np

    zero_rows = np.flatnonzero((trace.lr == 0).any(axis=1))
    if not zero_rows.size:
        return
    first = int(zero_rows[0])
    steps = zero_rows.size * plan.steps_per_interval
    group = int(np.flatnonzero(trace.lr[first] == 0)[0])
    phase = trace.phase_at(first)
    where = f"{plan.interval} {first}" if plan.interval == "epoch" else f"step {first}"
    many = f"{steps:,} optimizer steps train" if steps > 1 else "1 optimizer step trains"
    if phase == "warmup" and first == 0 and plan.preset is not None:
        yield (
            ("preset",),
            f"{many} with LR 0{group_label(plan, group)}, first at {where}: wasted "
            f"updates; {_preset_start_hint(plan.preset)}",
        )
        return
    if phase == "warmup" and first == 0:
        start = "start_lr" if plan.warmup and plan.warmup.start_lr is not None else "start_factor"
        yield (
            ("warmup", start),
            f"{many} with LR 0{group_label(plan, group)}, first at {where}: wasted updates; "
            f"start the warm-up above 0 (warmup.{start})",
        )
        return
    yield (
        phase_key(plan, phase),
        f"{many} with LR 0{group_label(plan, group)}, first at {where} ({phase}): wasted "
        "updates; keep the floor above 0 or end training where the LR reaches 0",
    )


#: The argument that starts each framework's warm-up above 0.
_START_ARGUMENTS = {
    "timm": "preset.args.warmup_lr_init",
    "deepspeed": "preset.args.warmup_min_lr",
    "optax": "preset.args.init_value",
    "keras": "preset.args.initial_learning_rate",
    "megatron": "--lr-warmup-init, preset.args.init_lr",
    "nemo": "CosineAnnealing starts at 0 only with constant_steps > 0: set it to 0",
}


def _preset_start_hint(spec: object) -> str:
    framework, name = spec.framework, spec.name  # type: ignore[attr-defined]
    if framework == "transformers":
        if name == "cosine_warmup_with_min_lr":
            return "start the warm-up above 0 (preset.args.warmup_lr_rate)"
        return (
            f"transformers' {name} warm-up starts at LR 0 (factor step / num_warmup_steps), "
            "so the first update does nothing; a torch warm-up (warmup.start_factor) or "
            "cosine_warmup_with_min_lr's warmup_lr_rate starts above 0"
        )
    if framework == "axolotl":
        return f"axolotl's {name} warm-up starts at LR 0 (factor step / num_warmup_steps)"
    if framework == "composer":
        return (
            f"Composer's {name} warm-up starts at LR 0 (a LinearScheduler from alpha_i 0), "
            "and its Trainer steps the scheduler before it moves the timestamp on, so "
            "updates 0 and 1 do nothing whatever the arguments"
        )
    if name == "WarmupCosineLR":
        return (
            "DeepSpeed's WarmupCosineLR runs its first update at LR 0 whatever its "
            "arguments; preset.args.warmup_min_ratio lifts the ones after it"
        )
    where = _START_ARGUMENTS.get(framework)
    if where is None:  # a framework with no start argument warmplan knows of
        return f"{framework}'s warm-up starts at LR 0 here: start it above 0 if {framework} can"
    return f"start the warm-up above 0 ({where})"


@rule("WP103", "error", "an LR that is negative or not finite")
def bad_lr(plan: Plan, trace: Trace) -> Found:
    import numpy as np

    bad = ~np.isfinite(trace.lr) | (trace.lr < 0)
    rows = np.flatnonzero(bad.any(axis=1))
    if not rows.size:
        return
    first = int(rows[0])
    group = int(np.flatnonzero(bad[first])[0])
    value = float(trace.lr[first, group])
    phase = trace.phase_at(first)
    yield (
        phase_key(plan, phase),
        f"LR {value!r}{group_label(plan, group)} at {plan.interval} {first} ({phase}), and "
        f"{counted(rows.size - 1, 'more ' + plan.interval)} like it: an LR must be finite "
        "and >= 0; "
        "fix this block's values",
    )


@rule("WP105", "error", "a target LR never reached, or exceeded")
def target_reached(plan: Plan, trace: Trace) -> Found:
    if plan.decay_kind == "yolo":
        # ultralytics' lr0 is where lf starts, not a peak: a warm-up over several epochs
        # aims at lr0 x lf(epoch) < lr0, and its bias group starts above (by design)
        return
    if plan.preset is not None and not peaks_at_the_lr(plan.preset):
        return  # the LR is a scale (Noam) or the schedule sets its own peak (OneCycleLR)
    for group, target in enumerate(plan.target_lrs):
        column = trace.lr[:, group]
        at = int(column.argmax())
        peak = float(column[at])
        if peak < target * (1 - TARGET_RTOL):
            yield (
                target_key(plan, group),
                f"the target LR {fmt(target)}{group_label(plan, group)} is never reached: the "
                f"highest is {fmt(peak)} ({peak / target:.2%} of it) at {plan.interval} {at}; "
                "end the warm-up at the target",
            )
        elif peak > target * (1 + TARGET_RTOL):
            yield (
                target_key(plan, group),
                f"the LR exceeds its target {fmt(target)}{group_label(plan, group)}: "
                f"{fmt(peak)} ({peak / target:.2%} of it) at {plan.interval} {at}; no phase "
                "should rise above the target",
            )


@rule("WP112", "error", "param groups whose LR ratios change where the plan keeps them")
def group_ratios(plan: Plan, trace: Trace) -> Found:
    import numpy as np

    targets = plan.target_lrs
    if len(targets) < 2 or plan.preset is not None:
        # a preset's groups follow the framework's own arithmetic, absolute values
        # included (Megatron's shared --lr-warmup-init, each group's min_lr)
        return
    start, end = 0, trace.intervals
    if any(getattr(plan.decay, name, 0) for name in ABSOLUTE_FLOORS):
        end = plan.warmup_intervals  # a shared floor changes the ratios in the decay
    if getattr(plan.decay, "bias_group", None) is not None:
        start = plan.warmup_intervals  # yolo's bias group warms down from its own start
    lr = trace.lr[start:end]
    for group in range(1, len(targets)):
        # lr_g / lr_0 == target_g / target_0, cross-multiplied so LR 0 is no division
        left, right = lr[:, group] * targets[0], lr[:, 0] * targets[group]
        off = np.flatnonzero(~np.isclose(left, right, rtol=1e-9, atol=0))
        if off.size:
            t = int(off[0])
            names = plan.group_names
            yield (
                ("optimizer", "groups"),
                f"groups {names[group]} and {names[0]} should keep the LR ratio "
                f"{fmt(targets[group] / targets[0])} but at {plan.interval} {start + t} it is "
                f"{fmt(lr[t, group] / lr[t, 0]) if lr[t, 0] else 'undefined'}; "
                "give every group the same schedule",
            )


@rule("WP104", "error", "a jump in the LR the plan does not ask for")
def jumps(plan: Plan, trace: Trace) -> Found:
    for found in _handover_jump(plan, trace):
        yield found
        return
    for found in _phase_jumps(plan, trace):
        yield found
        return


def _handover_jump(plan: Plan, trace: Trace) -> Found:
    """A linear warm-up climbs in equal steps, the last one landing on the decay's start."""
    w = plan.warmup_intervals
    if plan.warmup is None or plan.warmup.kind != "linear" or w < 2 or w >= trace.intervals:
        return
    for group in range(trace.lr.shape[1]):
        lr = trace.lr[:, group]
        climb, last = lr[w - 1] - lr[w - 2], lr[w] - lr[w - 1]
        if abs(last - climb) > 1e-6 * abs(lr[w]) + 0.01 * abs(climb):
            yield (
                warmup_length_key(plan),
                f"the warm-up ends at {fmt(lr[w - 1])}{group_label(plan, group)} "
                f"({plan.interval} {w - 1}) and the next phase starts at {fmt(lr[w])}: a "
                f"jump of {fmt(last)} where the warm-up climbs {fmt(climb)} per "
                f"{plan.interval}; make the warm-up end where the decay starts",
            )
            return


def _phase_jumps(plan: Plan, trace: Trace) -> Found:
    import numpy as np

    if plan.preset is not None:
        # a preset is the framework's own arithmetic: its drops and restarts are what
        # that framework asks for (a hand-over short of the target is WP105's business)
        return
    scale = max(plan.target_lrs)
    for phase in trace.layout.phases:
        flat = _is_piecewise_constant(plan, phase.name)
        for group in range(trace.lr.shape[1]):
            lr = trace.lr[phase.start : phase.end, group]
            delta = np.diff(lr)
            if not delta.size:
                continue
            # delta[i] changes into interval phase.start + i + 1: asked for at a boundary
            asked = trace.layout.asked_between(phase.start + 1, phase.end)
            if flat:
                suspects = np.flatnonzero((np.abs(delta) > 1e-9 * scale) & ~asked)
            else:
                # an outlier both in size and in ratio: a geometric decay (exponential)
                # changes by shrinking amounts but by a steady ratio
                with np.errstate(divide="ignore", invalid="ignore"):
                    ratio = np.abs(np.diff(np.log(lr)))
                ratio = np.where(np.isfinite(ratio), ratio, np.inf)
                in_size = _outliers(np.abs(delta), 0.05 * scale)
                suspects = np.intersect1d(in_size, _outliers(ratio, 0.0))
                suspects = suspects[~asked[suspects]]
            if suspects.size:
                t = phase.start + int(suspects[0])
                column = trace.lr[:, group]
                yield (
                    phase_key(plan, phase.name),
                    f"the LR jumps from {fmt(column[t])} to {fmt(column[t + 1])}"
                    f"{group_label(plan, group)} between {plan.interval}s {t} and "
                    f"{t + 1} ({phase.name}), a change the plan does not ask for; "
                    "check this block's values",
                )
                return


def _is_piecewise_constant(plan: Plan, phase: str) -> bool:
    """Phases whose LR only changes where the layout says (asked boundaries)."""
    if phase == "warmup":
        return plan.warmup is not None and plan.warmup.kind == "constant"
    return plan.decay_kind in ("constant", "step", "multistep", "yolo")


def _outliers(size: np.ndarray, floor: float) -> np.ndarray:
    """Indices of changes over ``floor`` and over 3x each of their neighbours' (up to
    two on each side, within the phase): a smooth curve changes by similar amounts from
    one interval to the next. A change with no neighbour is not judged."""
    import numpy as np

    size = np.asarray(size)
    padded = np.concatenate(([np.nan, np.nan], size, [np.nan, np.nan]))
    # fmax skips NaN (no neighbour there): pairwise over shifted views, no 4 x N stack
    neighbours = np.fmax(np.fmax(padded[:-4], padded[1:-3]), np.fmax(padded[3:-1], padded[4:]))
    # a NaN neighbour maximum (no neighbour at all) compares False: not judged
    return np.flatnonzero((size > floor) & (size > 3 * neighbours))

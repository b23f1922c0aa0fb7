"""The traps of OLMo training configs (WP175-WP180), found by :mod:`warmplan.formats.olmo`
while it reads the file (the findings point at its keys); registered in
:mod:`warmplan.lint.rules.formats` so ``--ignore`` knows them.

Each is what ai2-olmo 0.6.0 does (``olmo/optim.py``: ``_linear_warmup``, the schedulers'
``get_lr``, ``build_scheduler``'s ``int(t_warmup)`` / ``int(t_max)``; ``olmo/train.py``:
the scheduler counted in steps or tokens after each update) against what the file reads
as: allenai/OLMo#542 (``warmup_min_lr``, 10 % of the LR before it), allenai/OLMo#887
(``t_max`` past the run's tokens: the LR stops mid-cosine), allenai/OLMo#411 (``units:
tokens``: every schedule count in tokens).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmplan.formats.draft import Draft
from warmplan.presets.olmo import olmo_lr
from warmplan.text import counted

WARMUP_FROM_TENTH = "WP175"  # warmup_min_lr unset: the warm-up starts at 0.1 x lr, not 0
ENDS_MID_DECAY = "WP176"  # t_max past the end of training: alpha_f x lr never reached
FLOOR_HELD = "WP177"  # t_max before the end of training: alpha_f x lr held for the rest
UNITS_MISMATCH = "WP178"  # t_warmup / t_max in the other unit than `units` says
ALPHA_F_ABSOLUTE = "WP179"  # alpha_f written as an LR (3e-5 beside 3e-4), not a ratio
FRACTION_TRUNCATED = "WP180"  # t_warmup: 0.05 -> int() -> 0: OLMo has no fractions
IGNORED_KEY = "WP181"  # a scheduler key the chosen name ignores (constant's t_warmup)

TITLES = {
    WARMUP_FROM_TENTH: "OLMo warm-up from warmup_min_lr's default, 0.1 x learning_rate (not 0)",
    ENDS_MID_DECAY: "OLMo t_max past the end of training: the run stops mid-decay",
    FLOOR_HELD: "OLMo t_max before the end of training: alpha_f x lr held for the rest",
    UNITS_MISMATCH: "OLMo t_warmup / t_max that look like the other `units` (steps vs tokens)",
    ALPHA_F_ABSOLUTE: "OLMo alpha_f written as an LR: it is a ratio of learning_rate",
    FRACTION_TRUNCATED: "OLMo t_warmup / t_max written as a fraction: int() makes it 0",
    IGNORED_KEY: "an OLMo scheduler key the chosen scheduler.name ignores",
}

#: the schedulers with a floor ``alpha_f x lr`` reached at ``t_max``
DECAYING = ("cosine_with_warmup", "linear_with_warmup", "cosine_linear_envelope", "max_scheduler")
#: what build_scheduler leaves out of each class (or the class never reads)
IGNORED = {
    "constant": ("t_warmup", "warmup_min_lr", "t_max", "alpha_f"),
    "constant_with_warmup": ("t_max", "alpha_f"),
    "inverse_sqrt_with_warmup": ("t_max", "alpha_f"),
}


@dataclass(frozen=True)
class Run:
    """What the reader computed: the schedule's arguments and the run's length."""

    name: str
    lr: float
    units: str
    warmup: int  # int(t_warmup), in units
    t_max: int | None  # int(t_max), in units
    alpha_f: float
    warmup_min_lr: float | None
    per_step: int  # units an update adds (1, or the tokens of a batch)
    updates: int
    maximum: int  # scheduler_max: max_steps or max_tokens

    @property
    def end(self) -> int:
        """The scheduler's count at the last update."""
        return self.updates * self.per_step

    def lr_at(self, current: int) -> float:
        args = (self.warmup, self.alpha_f, self.t_max, self.warmup_min_lr)
        return olmo_lr(self.name, self.lr, current, self.maximum, *args)


def find(draft: Draft, scheduler: dict[str, Any], run: Run) -> None:
    """Every trap of ``scheduler``, as warnings of ``draft``."""
    _ignored(draft, scheduler, run.name)
    truncated = _fractions(draft, scheduler, run)
    mismatched = _units(draft, scheduler, run)
    if run.name == "constant":
        return
    if "t_warmup" not in truncated | mismatched:
        _warmup_start(draft, scheduler, run)
    if run.name not in DECAYING:
        return
    if "t_max" not in truncated | mismatched:
        _horizon(draft, run)
    _alpha_f(draft, scheduler, run)


def _where(scheduler: dict[str, Any], key: str) -> tuple[str, ...]:
    return ("scheduler", key) if key in scheduler else ("scheduler", "name")


def _ignored(draft: Draft, scheduler: dict[str, Any], name: str) -> None:
    for key in IGNORED.get(name, ()):
        if scheduler.get(key) is not None:
            instead = (
                "constant_with_warmup for a warm-up"
                if key in ("t_warmup", "warmup_min_lr")
                else "cosine_with_warmup or linear_with_warmup for a decay"
            )
            draft.warn(
                IGNORED_KEY,
                ("scheduler", key),
                f"scheduler.{key} does nothing under {name}: OLMo's scheduler of that name "
                f"never reads it; use {instead}",
            )


def _fractions(draft: Draft, scheduler: dict[str, Any], run: Run) -> set[str]:
    found = set()
    for key, effect in (
        ("t_warmup", "there is no warm-up"),
        ("t_max", "the LR drops to alpha_f x learning_rate right after the warm-up"),
    ):
        value = scheduler.get(key)
        used = run.name in DECAYING if key == "t_max" else run.name != "constant"
        if isinstance(value, float) and 0 < value < 1 and used:
            found.add(key)
            draft.warn(
                FRACTION_TRUNCATED,
                ("scheduler", key),
                f"{key} {value:g} is not a fraction of training: OLMo takes int({key}) = 0 "
                f"{run.units}, so {effect}; give it in {run.units} "
                f"({value:g} of this run is {int(value * run.end):,} {run.units})",
            )
    return found


def _units(draft: Draft, scheduler: dict[str, Any], run: Run) -> set[str]:
    found = set()
    if run.units == "tokens":
        for key, value in (("t_warmup", run.warmup), ("t_max", run.t_max)):
            ignored = key in IGNORED.get(run.name, ())
            if key in scheduler and not ignored and value is not None and 0 < value <= run.per_step:
                found.add(key)
                draft.warn(
                    UNITS_MISMATCH,
                    ("scheduler", key),
                    f"{key} {value:,} is at most one batch ({run.per_step:,} tokens) but "
                    f"units: tokens counts {key} in tokens, so the first update is already "
                    f"past it; {value:,} steps would be {key}: {value * run.per_step:,}",
                )
    elif run.name != "constant" and run.warmup > run.updates:
        found.add("t_warmup")
        draft.warn(
            UNITS_MISMATCH,
            _where(scheduler, "t_warmup"),
            f"t_warmup {run.warmup:,} steps is longer than training ({run.updates:,} updates): "
            f"the LR never reaches learning_rate (it ends at {run.lr_at(run.end):.3g}); "
            "a count of tokens needs units: tokens",
        )
    return found


def _warmup_start(draft: Draft, scheduler: dict[str, Any], run: Run) -> None:
    if scheduler.get("warmup_min_lr") is not None or run.warmup <= run.per_step:
        return  # an explicit start, or no update inside the warm-up
    draft.warn(
        WARMUP_FROM_TENTH,
        _where(scheduler, "t_warmup"),
        f"the warm-up starts at 0.1 x learning_rate = {0.1 * run.lr:.3g}, not at 0: "
        "scheduler.warmup_min_lr is unset and OLMo defaults it to 10 % of the LR; set "
        "warmup_min_lr: 0.0 for a warm-up from 0 (OLMo 2's configs do), or to the start "
        "you mean",
    )


def _horizon(draft: Draft, run: Run) -> None:
    if run.t_max is None:
        return  # the decay ends with training (scheduler_max)
    floor = run.alpha_f * run.lr
    if run.t_max > run.end:
        last = run.lr_at(run.end)
        draft.warn(
            ENDS_MID_DECAY,
            ("scheduler", "t_max"),
            f"t_max {run.t_max:,} {run.units} is past the end of training ({run.end:,} "
            f"{run.units} at the last of {run.updates:,} updates): the run stops mid-decay at LR "
            f"{last:.3g} ({last / run.lr:.3g} x learning_rate), never reaching alpha_f x "
            f"learning_rate = {floor:.3g}; set t_max to the run's length, or drop it",
        )
        return
    # the first update whose count reaches t_max trains at the floor, and every one after
    first = max(-(-run.t_max // run.per_step) - 1, 0)
    held = run.updates - first
    if held > 1:
        draft.warn(
            FLOOR_HELD,
            ("scheduler", "t_max"),
            f"t_max {run.t_max:,} {run.units} ends the decay at update {first:,} of "
            f"{run.updates:,}: the LR then holds alpha_f x learning_rate = {floor:.3g} for the "
            f"last {counted(held, 'update', ',')} ({held / run.updates:.0%} of training)",
        )


def _alpha_f(draft: Draft, scheduler: dict[str, Any], run: Run) -> None:
    value = scheduler.get("alpha_f")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if 0 < value <= run.lr and value < 1e-3:
        draft.warn(
            ALPHA_F_ABSOLUTE,
            ("scheduler", "alpha_f"),
            f"alpha_f {value:g} is a ratio of learning_rate, not an LR: the decay ends at "
            f"{value:g} x {run.lr:g} = {value * run.lr:.3g}, next to nothing; for a floor of "
            f"{value:g} write alpha_f: {value / run.lr:.3g}",
        )

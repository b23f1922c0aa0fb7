"""The traps of Composer / llm-foundry configs (WP170-WP174), found by
:mod:`warmplan.formats.composer` while it reads the file (the findings point at its
keys); registered in :mod:`warmplan.lint.rules.formats` so ``--ignore`` knows them."""

from __future__ import annotations

from typing import Any

from warmplan import text
from warmplan.formats.draft import Draft

WARMUP_TRUNCATED_TO_ZERO = "WP170"  # t_warmup: 0.001dur of 500ba -> int(0.5) = 0: none
ALPHA_F_DEFAULT_ZERO = "WP171"  # alpha_f left out: Composer's default 0.0 decays to LR 0
ALPHA_F_AS_LR = "WP172"  # alpha_f: 6.0e-5 beside lr 6.0e-4: a ratio, so the end is 3.6e-8
WARMUP_AT_T_MAX = "WP173"  # t_warmup >= t_max: Composer's decay fraction is 0, no decay
SCALE_WARMUP_INERT = "WP174"  # scale_warmup under llm-foundry: its ratio is always 1.0

TITLES = {
    WARMUP_TRUNCATED_TO_ZERO: "Composer t_warmup that truncates to 0: no warm-up at all",
    ALPHA_F_DEFAULT_ZERO: "Composer alpha_f left at its default 0.0: the decay ends at LR 0",
    ALPHA_F_AS_LR: "Composer alpha_f written as a learning rate: it is a ratio of the LR",
    WARMUP_AT_T_MAX: "Composer t_warmup at or past t_max: the schedule never decays",
    SCALE_WARMUP_INERT: "Composer scale_warmup in an llm-foundry config: it changes nothing",
}
#: the decaying schedulers, and the keys whose value is a ratio of the LR
_DECAYING = ("cosine_with_warmup", "linear_decay_with_warmup")
_RATIOS = ("alpha_f", "alpha_f_decay", "alpha_f_cooldown")
#: a ratio this small beside an LR at least as large reads as an LR
_LR_LIKE_BELOW = 0.01


def find(
    draft: Draft, scheduler: dict[str, Any], lr: float, times: dict[str, int], unit: str
) -> None:
    """The traps of ``scheduler`` (read by the reader, its ``times`` converted to
    ``unit``), as warnings at their keys."""
    name = scheduler.get("name")
    given = str(scheduler.get("t_warmup")).strip()
    if times["t_warmup"] == 0 and given.endswith("dur") and float(given[:-3]) > 0:
        draft.warn(
            WARMUP_TRUNCATED_TO_ZERO,
            ("scheduler", "t_warmup"),
            f"t_warmup {given} is 0 {unit}: Composer truncates a fraction of max_duration "
            f"{draft.get('max_duration')} to whole {unit}, so there is no warm-up; give it "
            "in batches (e.g. 10ba)",
        )
    if name in _DECAYING and "alpha_f" not in scheduler:
        draft.warn(
            ALPHA_F_DEFAULT_ZERO,
            ("scheduler", "name"),
            f"alpha_f is not given: Composer's default 0.0 takes the {name} decay to LR 0, "
            "and the last updates barely train (llm-foundry's configs set alpha_f: 0.1)",
        )
    _ratio_traps(draft, scheduler, lr)
    if name != "inv_sqrt_with_warmup" and times["t_warmup"] >= times["t_max"] > 0:
        draft.warn(
            WARMUP_AT_T_MAX,
            ("scheduler", "t_max" if "t_max" in scheduler else "t_warmup"),
            f"t_warmup {times['t_warmup']:,} {unit} is not below t_max {times['t_max']:,} "
            f"{unit}: Composer counts the decay from t_warmup to t_max, so after the warm-up "
            f"the {name} schedule holds its peak and never decays; t_max is the whole "
            "schedule's length, warm-up included",
        )
    if scheduler.get("scale_warmup") is True:
        draft.warn(
            SCALE_WARMUP_INERT,
            ("scheduler", "scale_warmup"),
            "scale_warmup: true changes nothing here: it scales the warm-up by the "
            "Trainer's scale_schedule_ratio, which llm-foundry never sets (always 1.0)",
        )


def _ratio_traps(draft: Draft, scheduler: dict[str, Any], lr: float) -> None:
    for key in _RATIOS:
        value = scheduler.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if 0 < value < _LR_LIKE_BELOW and value <= lr:
            draft.warn(
                ALPHA_F_AS_LR,
                ("scheduler", key),
                f"{key} {text.describe(value)} is a ratio of optimizer.lr {text.lr(lr)}: the "
                f"schedule ends at {text.lr(value * lr)}; for a final LR of "
                f"{text.lr(value)} write {key}: {value / lr:g}",
            )

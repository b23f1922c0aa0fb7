"""The finding codes of the readers' traps, and near misses of a format's keys.

These are `warmplan check` rules too (registered in :mod:`warmplan.lint.rules.formats`,
so ``--ignore`` and ``ignore:`` know them); the readers find them while reading,
because they are about the original file's keys, not about the simulated schedule.
"""

from __future__ import annotations

import difflib

from warmplan.formats.draft import Draft

WARMUP_RATIO = "WP120"  # transformers 4's warmup_ratio, refused or dropped by 5
NEAR_MISS = "WP121"  # a key one typo away from a schedule key
DEEPSPEED_OVERRIDES = "WP122"  # a DeepSpeed scheduler replaces lr_scheduler_type
STEPS_AND_RATIO = "WP123"  # warmup_steps and warmup_ratio both given
FLOAT_WARMUP = "WP124"  # warmup_steps 0.1: a ratio in transformers 5, steps in 4
CONSTANT_RATIO_ZERO = "WP125"  # axolotl's cosine_constant_lr_ratio: 0, ignored
DEFAULT_MAX_LR = "WP126"  # DeepSpeed WarmupDecayLR's warmup_max_lr default (1e-3)
IGNORED_KEY = "WP127"  # a schedule key the tool ignores for this schedule
TIMM_MILESTONE_EARLY = "WP140"  # timm multistep drops at milestone - 1
TIMM_NOISE = "WP141"  # timm lr_noise: random, not shown
TIMM_ZERO_LR = "WP142"  # timm lr: 0 is falsy: the LR comes from lr_base
YOLO_AUTO_OPTIMIZER = "WP143"  # ultralytics optimizer: auto ignores lr0

TITLES = {
    WARMUP_RATIO: "warmup_ratio, which transformers 5 refuses or silently drops",
    NEAR_MISS: "a key one typo away from a schedule key (ignored by the tool)",
    DEEPSPEED_OVERRIDES: "a DeepSpeed scheduler block silently replacing lr_scheduler_type",
    STEPS_AND_RATIO: "warmup_steps given with warmup_ratio",
    FLOAT_WARMUP: "a float warmup_steps below 1: a ratio in transformers 5, steps in 4",
    CONSTANT_RATIO_ZERO: "axolotl's cosine_constant_lr_ratio: 0, which axolotl ignores",
    DEFAULT_MAX_LR: "DeepSpeed's default warmup_max_lr (0.001) overriding the optimizer LR",
    IGNORED_KEY: "a schedule key the tool ignores for the schedule chosen",
    TIMM_MILESTONE_EARLY: "timm multistep lowering the LR one epoch before each milestone",
    TIMM_NOISE: "timm lr_noise: random noise on the LR, not in the schedule shown",
    TIMM_ZERO_LR: "timm lr: 0, which train.py replaces with the LR from lr_base",
    YOLO_AUTO_OPTIMIZER: "ultralytics optimizer: auto, which ignores lr0",
}

#: real keys of the tools that resemble schedule keys (never near misses)
_OTHER = """
save_steps eval_steps logging_steps max_grad_norm save_total_limit eval_strategy save_strategy
logging_strategy num_processes max_seq_length max_length max_prompt_length eval_batch_size
per_device_eval_batch_size eval_accumulation_steps max_eval_samples max_train_samples
warmup_min_lr warmup_max_lr dataloader_num_workers lr_quadratic_warmup lr_div_factor
loraplus_lr_ratio loraplus_lr_embedding embedding_lr embedding_lr_scale
"""
OTHER_KEYS = frozenset(_OTHER.split())


def warn_near_misses(draft: Draft, schedule_keys: tuple[str, ...], what: str) -> None:
    """Top-level keys a typo away from one of ``schedule_keys``: the tool ignores
    (or refuses) them, so the schedule is not what the file says."""
    for key in draft.recipe.data:
        if not isinstance(key, str) or key in schedule_keys or key in OTHER_KEYS:
            continue
        close = difflib.get_close_matches(key, schedule_keys, n=1, cutoff=0.8)
        if close:
            draft.warn(
                NEAR_MISS,
                (key,),
                f"unknown key {key} (did you mean {close[0]}?): {what} has no {key}, so it "
                f"is not part of the schedule shown",
            )

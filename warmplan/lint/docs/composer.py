"""The pages of the traps of Composer / llm-foundry configs, WP170-WP174."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc


def foundry(scheduler: str, duration: str = "500ba") -> Example:
    text = (
        f"max_duration: {duration}\nglobal_train_batch_size: 256\nmax_seq_len: 2048\n"
        "optimizer:\n  name: decoupled_adamw\n  lr: 6.0e-4\nscheduler:\n"
        "  name: cosine_with_warmup\n" + scheduler
    )
    # Composer's warm-ups run update 0 at LR 0 whatever the arguments (WP102)
    return Example(text, name="recipe.yaml")


DOCS = [
    RuleDoc(
        "WP170",
        catches="Composer `t_warmup` given as a fraction of `max_duration` (`0.001dur`) "
        "that truncates to 0 batches: no warm-up at all",
        why="Composer's `_convert_time` takes `int(fraction x max_duration)`: a small "
        "fraction of a short run is 0, and training starts at the peak LR (Composer "
        "only logs a warning).",
        bad=foundry("  t_warmup: 0.001dur\n  alpha_f: 0.1\n"),
        fixed=foundry("  t_warmup: 0.02dur\n  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP171",
        catches="Composer `alpha_f` left out of a decaying scheduler: its default 0.0 "
        "ends the decay at LR 0",
        why="OLMo's schedulers default to `alpha_f: 0.1` and llm-foundry's example "
        "configs set it; Composer's own default is 0.0, so the last updates of the run "
        "barely train.",
        bad=foundry("  t_warmup: 10ba\n"),
        fixed=foundry("  t_warmup: 10ba\n  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP172",
        catches="Composer `alpha_f` (or inv_sqrt_with_warmup's `alpha_f_decay` / "
        "`alpha_f_cooldown`) written as a learning rate: a value below 0.01 and no larger "
        "than `optimizer.lr`",
        why="Composer's `alpha_f` is a multiplier of the LR, not an LR: `alpha_f: 6.0e-5` "
        "beside `lr: 6.0e-4` ends the decay at 3.6e-8, not at 6e-5. The finding names the "
        "ratio that gives the LR written (here 0.1).",
        bad=foundry("  t_warmup: 10ba\n  alpha_f: 6.0e-5\n"),
        fixed=foundry("  t_warmup: 10ba\n  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP173",
        catches="Composer `t_warmup` at or past `t_max`: after the warm-up the schedule "
        "holds its peak and never decays",
        why="Composer's warm-up schedulers decay over `t_max - t_warmup` (the fraction is 0 "
        "when that is not positive), so `t_max` is the length of the whole schedule, warm-up "
        "included. Composer refuses a `t_max` shorter than `max_duration` only in the same "
        "unit: a `t_max` in tokens or samples equal to the warm-up passes and the LR stays "
        "at its peak to the end.",
        bad=foundry("  t_warmup: 5242880tok\n  t_max: 5242880tok\n  alpha_f: 0.1\n", "50ba"),
        fixed=foundry("  t_warmup: 5242880tok\n  t_max: 26214400tok\n  alpha_f: 0.1\n", "50ba"),
    ),
    RuleDoc(
        "WP174",
        catches="Composer `scale_warmup: true` in an llm-foundry config: it changes nothing",
        why="`scale_warmup` lets the Trainer's `scale_schedule_ratio` stretch the warm-up "
        "too, but llm-foundry's train script never passes a ratio (its TrainConfig has no "
        "such key), so the ratio is always 1.0 and the flag is inert. A native plan's "
        "composer preset takes `scale_schedule_ratio` and `scale_warmup` for a Trainer "
        "built in Python.",
        bad=foundry("  t_warmup: 10ba\n  alpha_f: 0.1\n  scale_warmup: true\n"),
        fixed=foundry("  t_warmup: 10ba\n  alpha_f: 0.1\n"),
    ),
]

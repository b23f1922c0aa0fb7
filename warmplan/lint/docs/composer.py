"""The pages of the traps of Composer / llm-foundry configs, WP170-WP171."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc


def foundry(scheduler: str) -> Example:
    text = (
        "max_duration: 500ba\nglobal_train_batch_size: 256\nmax_seq_len: 2048\n"
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
]

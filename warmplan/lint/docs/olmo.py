"""The pages of the traps of OLMo training configs, WP175-WP181."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

#: a warm-up from an explicit start (OLMo's default start is WP175)
WARMUP = "  t_warmup: 100\n  warmup_min_lr: 4.0e-5\n"


def train(scheduler: str, duration: str = "2000", name: str = "cosine_with_warmup") -> Example:
    text = (
        "model:\n  max_sequence_length: 2048\noptimizer:\n  name: adamw\n"
        f"  learning_rate: 4.0e-4\nscheduler:\n  name: {name}\n"
        + scheduler
        + f"max_duration: {duration}\nglobal_train_batch_size: 512\n"
    )
    return Example(text, name="OLMo-1B.yaml")


TOKENS = "  units: tokens\n  t_warmup: 104857600\n  warmup_min_lr: 4.0e-5\n"

DOCS = [
    RuleDoc(
        "WP175",
        catches="OLMo's warm-up starting at `warmup_min_lr`'s default, 0.1 x "
        "`learning_rate`, where the file does not set it",
        why="OLMo's `_linear_warmup` starts from `warmup_min_lr`, and without it from 10 % "
        "of the LR (the only start before allenai/OLMo#542 added the key). A warm-up "
        "copied from another framework's recipe, which starts at 0, is not the one OLMo "
        "runs; OLMo 2's configs set `warmup_min_lr: 0.0`.",
        bad=train("  t_warmup: 100\n  alpha_f: 0.1\n"),
        fixed=train("  t_warmup: 100\n  alpha_f: 0.1\n  warmup_min_lr: 0.0\n"),
    ),
    RuleDoc(
        "WP176",
        catches="OLMo `t_max` past the end of training: the run stops partway down the "
        "decay, above `alpha_f` x `learning_rate`",
        why="The decay is spread over `t_max`, not over `max_duration`: when training stops "
        "first, the last updates train at an LR well above the floor the file names (as "
        "in allenai/OLMo#887, a schedule of 5e12 tokens trained on 4e12).",
        bad=train(WARMUP + "  t_max: 3000\n  alpha_f: 0.1\n"),
        fixed=train(WARMUP + "  t_max: 2000\n  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP177",
        catches="OLMo `t_max` before the end of training: `alpha_f` x `learning_rate` "
        "held for the rest of the run",
        why="OLMo's schedulers return the floor from `t_max` on: a `t_max` shorter than "
        "`max_duration` (often after `max_duration` was raised alone) trains the last "
        "updates at the floor.",
        bad=train(WARMUP + "  t_max: 1400\n  alpha_f: 0.1\n"),
        fixed=train(WARMUP + "  t_max: 2000\n  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP178",
        catches="OLMo `t_warmup` or `t_max` in steps under `units: tokens` (at most one "
        "batch of tokens), or a `t_warmup` longer than training under `units: steps`",
        why="`units` switches every count of the scheduler: with `units: tokens`, "
        "`t_warmup: 2000` is 2,000 tokens, past before the first update ends (no "
        "warm-up); with the default `units: steps`, a token count as `t_warmup` is a "
        "warm-up that never reaches the LR.",
        bad=train("  units: tokens\n  t_warmup: 100\n  warmup_min_lr: 4.0e-5\n"),
        fixed=train(TOKENS),
    ),
    RuleDoc(
        "WP179",
        catches="OLMo `alpha_f` written as a learning rate (`3.0e-5` beside "
        "`learning_rate: 3.0e-4`) rather than a ratio of it",
        why="The floor is `alpha_f` x `learning_rate`: an LR given as `alpha_f` makes a "
        "floor near 0 (9e-9), so the last updates barely train. Flagged when `alpha_f` "
        "is at most `learning_rate` and below 0.001: a floor that close to 0 is written "
        "`alpha_f: 0.0` when it is meant.",
        bad=train(WARMUP + "  alpha_f: 4.0e-5\n"),
        fixed=train(WARMUP + "  alpha_f: 0.1\n"),
    ),
    RuleDoc(
        "WP180",
        catches="OLMo `t_warmup` or `t_max` written as a fraction of training (`0.05`): "
        "`int()` makes it 0",
        why="OLMo's `build_scheduler` takes `int(t_warmup)` and `int(t_max)` in steps or "
        "tokens; it has no fractions. `t_warmup: 0.05` is no warm-up, `t_max: 0.9` drops "
        "the LR to the floor as soon as the warm-up ends.",
        bad=train("  t_warmup: 0.05\n  warmup_min_lr: 4.0e-5\n"),
        fixed=train(WARMUP),
    ),
    RuleDoc(
        "WP181",
        catches="an OLMo scheduler key the chosen `scheduler.name` ignores (`t_warmup` "
        "under `constant`, `t_max` or `alpha_f` under `constant_with_warmup`)",
        why="OLMo's `constant` scheduler has no warm-up and `constant_with_warmup` and "
        "`inverse_sqrt_with_warmup` no floor: keys that read as a schedule do nothing.",
        bad=train("  t_warmup: 100\n", name="constant"),
        fixed=train(WARMUP, name="constant_with_warmup"),
    ),
]

"""The pages of the traps of other tools' configs, WP120-WP127, found while reading the
original file (so the findings point at its keys)."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

HF = "learning_rate: 2.0e-5\nmax_steps: 1000\n"
AXOLOTL = "base_model: meta-llama/Llama-3.2-1B\nlearning_rate: 2.0e-4\nmax_steps: 300\n"
AXOLOTL += "micro_batch_size: 2\nwarmup_steps: 10\n"
HF_DS = "learning_rate: 2.0e-5\nwarmup_steps: 10\nmax_steps: 200\ndeepspeed: ds.json\n"
DS_OPTIMIZER = '{\n  "optimizer": {"type": "AdamW", "params": {"lr": "auto"}}%s\n}\n'
DS_SCHEDULER = ',\n  "scheduler": {"type": "WarmupDecayLR", "params": {%s'
DS_SCHEDULER += '"warmup_num_steps": "auto", "total_num_steps": "auto"}}'
DS_AUTO = DS_OPTIMIZER % (DS_SCHEDULER % '"warmup_max_lr": "auto", ')


def recipe(text: str, name: str = "args.yaml") -> Example:
    return Example(text, name=name)


def with_deepspeed(text: str, deepspeed: str) -> Example:
    return Example(text, name="args.yaml", beside=(("ds.json", deepspeed),))


DOCS = [
    RuleDoc(
        "WP120",
        catches="`warmup_ratio` in a TrainingArguments file: transformers 5 refuses it, or "
        "(allow_extra_keys) drops it and trains without warm-up",
        why="A transformers 4 recipe moved to transformers 5 either stops at start-up or, "
        "worse, trains with no warm-up at all. transformers 5 takes a float `warmup_steps` "
        "below 1 as the ratio.",
        bad=recipe(HF + "lr_scheduler_type: cosine\nwarmup_ratio: 0.03\n"),
        fixed=recipe(HF + "lr_scheduler_type: cosine\nwarmup_steps: 30\n"),
    ),
    RuleDoc(
        "WP121",
        catches="a key one typo away from a schedule key of the recipe's tool (`lr_scheduler_typ`)",
        why="The tool ignores (or refuses) the misspelt key, and trains with its default "
        "schedule instead of the one written.",
        bad=recipe(HF + "warmup_step: 100\n"),
        fixed=recipe(HF + "warmup_steps: 100\n"),
    ),
    RuleDoc(
        "WP122",
        catches="a DeepSpeed `scheduler` block silently replacing the Trainer's "
        "`lr_scheduler_type`",
        why="With a `scheduler` in the DeepSpeed config, the Trainer's own schedule is never "
        "built: the `lr_scheduler_type: cosine` in the recipe is dead text.",
        bad=with_deepspeed(HF_DS + "lr_scheduler_type: cosine\n", DS_AUTO),
        fixed=with_deepspeed(HF_DS + "lr_scheduler_type: cosine\n", DS_OPTIMIZER % ""),
    ),
    RuleDoc(
        "WP123",
        catches="`warmup_steps` given with `warmup_ratio` (transformers 4 takes warmup_steps; "
        "5 has no ratio)",
        why="Two warm-up lengths, of which each transformers version reads another: the "
        "schedule depends on the installed version.",
        bad=recipe(HF + "warmup_steps: 50\nwarmup_ratio: 0.1\n"),
        fixed=recipe(HF + "warmup_steps: 50\n"),
    ),
    RuleDoc(
        "WP124",
        catches="a float `warmup_steps` below 1: a ratio in transformers 5, a step count in 4",
        why="`warmup_steps: 0.05` is a 5% warm-up in transformers 5 and no warm-up at all in "
        "transformers 4 (it truncates to 0 steps).",
        bad=recipe(HF + "warmup_steps: 0.05\n"),
        fixed=recipe(HF + "warmup_steps: 50\n"),
    ),
    RuleDoc(
        "WP125",
        catches="axolotl's `cosine_constant_lr_ratio: 0`, which axolotl ignores",
        why="axolotl tests the ratio for truth: 0 is read as absent, so the constant phase "
        "the recipe asks for never happens.",
        bad=recipe(
            AXOLOTL + "lr_scheduler: cosine\ncosine_min_lr_ratio: 0.1\n"
            "cosine_constant_lr_ratio: 0\n"
        ),
        fixed=recipe(
            AXOLOTL + "lr_scheduler: cosine\ncosine_min_lr_ratio: 0.1\n"
            "cosine_constant_lr_ratio: 0.8\n"
        ),
    ),
    RuleDoc(
        "WP126",
        catches="DeepSpeed WarmupDecayLR without `warmup_max_lr`: its default 0.001 overrides "
        "the optimizer's LR",
        why="DeepSpeed's WarmupDecayLR warms up to `warmup_max_lr`, 0.001 unless given, "
        "whatever the optimizer's LR: a fine-tune meant for 2e-5 trains at 50 times that.",
        bad=with_deepspeed(HF_DS, DS_OPTIMIZER % (DS_SCHEDULER % "")),
        fixed=with_deepspeed(HF_DS, DS_AUTO),
    ),
    RuleDoc(
        "WP127",
        catches="a schedule key the tool ignores for the schedule chosen (`constant` and "
        "`warmup_steps`, axolotl's min ratio with `linear`)",
        why="The key reads as part of the schedule but changes nothing: the schedule is not "
        "what the file says.",
        bad=recipe(AXOLOTL + "lr_scheduler: linear\ncosine_min_lr_ratio: 0.1\n"),
        fixed=recipe(AXOLOTL + "lr_scheduler: cosine\ncosine_min_lr_ratio: 0.1\n"),
    ),
]

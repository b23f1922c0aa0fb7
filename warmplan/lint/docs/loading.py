"""The pages of the load and validation problems, WP001-WP012: the file could not be read
as a plan, so no rule ran over it. Every one is reported (there is no rule to silence)."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

SGD = "optimizer: {kind: sgd, lr: 0.1}\ntraining: {epochs: 10}\n"
RECIPE = """\
learning_rate: 2.0e-5
lr_scheduler_type: cosine
warmup_steps: 100
num_train_epochs: 3
per_device_train_batch_size: 8
"""

DOCS = [
    RuleDoc(
        "WP001",
        severity="error",
        title="a file that cannot be read, or a path that names no file",
        catches="a plan file that is missing, a folder, not text or not UTF-8, and a folder "
        "or glob given to `check` that matches no YAML file",
        why="A typo in a CI path must not pass silently: a check that checked nothing looks "
        "exactly like one that found nothing. `check` reports it and goes on with the other "
        "paths, so one run still reports everything.",
        bad=Example(SGD, paths=("plan.yml",)),
        fixed=Example(SGD, paths=("plan.yaml",)),
    ),
    RuleDoc(
        "WP002",
        severity="error",
        title="YAML (or JSON, or TOML) that does not parse",
        catches="YAML that does not parse (an unclosed bracket, a tab in the indentation, ...), "
        "JSON that does not parse, and a pyproject.toml whose TOML does not",
        why="Nothing else can be checked in a file that does not parse; the finding points at "
        "the line and column where the parser gave up.",
        bad=Example("optimizer: {kind: sgd, lr: 0.1\ntraining: {epochs: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP003",
        severity="error",
        title="a file or block that is not a mapping",
        catches="a plan whose top level, or one of whose blocks (`optimizer:`, `training:`, "
        "...), is not a mapping of keys to values",
        why="Each block is a set of named keys; a list or a bare value there is usually an "
        "indentation slip, and reading on would only produce confusing follow-up errors.",
        bad=Example("- optimizer: {kind: sgd, lr: 0.1}\n- training: {epochs: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP004",
        severity="error",
        title="an unknown key, with the key it most resembles",
        catches="a key the plan format (or `[tool.warmplan]` in pyproject.toml) does not have; "
        "the message names the known key it most resembles (`epoch` -> `epochs`)",
        why="A misspelt key is the most common schedule bug: the value is ignored and the "
        "default trains instead. Refusing unknown keys turns the typo into a one-line error.",
        bad=Example("optimizer: {kind: sgd, lr: 0.1}\ntraining: {epoch: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP005",
        severity="error",
        title="a required key that is missing",
        catches="a block or key the plan cannot do without: `optimizer:` and its `lr`, "
        "`training:` and its length, ...",
        why="warmplan never guesses a peak LR or a training length: either would make every "
        "number it shows a guess too.",
        bad=Example("optimizer: {kind: sgd}\ntraining: {epochs: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP006",
        severity="error",
        title="a value of the wrong type or out of range",
        catches="a value of the wrong type or out of range (a negative LR, a text where a "
        "number goes, a `start_factor` above 1, ...), said with the value found",
        why="torch accepts many of these values and trains with them (a negative LR ascends "
        "the loss); warmplan refuses them before the run, quoting the value.",
        bad=Example("optimizer: {kind: sgd, lr: -0.1}\ntraining: {epochs: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP007",
        severity="error",
        title="keys that cannot hold together",
        catches="(validation) warm-up as long as or longer than training, and other keys that "
        "cannot hold together",
        why="Each value may be fine on its own while the plan as a whole cannot run as "
        "written: a warm-up that never ends leaves no decay and never reaches the target.",
        bad=Example(SGD + "warmup: {kind: linear, length: 10}\ndecay: {kind: cosine}\n"),
        fixed=Example(SGD + "warmup: {kind: linear, length: 2}\ndecay: {kind: cosine}\n"),
    ),
    RuleDoc(
        "WP008",
        severity="error",
        title="a key given twice",
        catches="a key written twice in the same mapping",
        why="YAML parsers keep the last value and say nothing; which of the two the author "
        "meant is anybody's guess, so warmplan asks.",
        bad=Example("optimizer: {kind: sgd, lr: 0.1, lr: 0.01}\ntraining: {epochs: 10}\n"),
        fixed=Example(SGD),
    ),
    RuleDoc(
        "WP009",
        severity="error",
        title="a file or plan beyond warmplan's size guards",
        catches="a file beyond the size guards: YAML alias bombs, nesting deeper than 32, a "
        "file over 1 MB, or more optimizer steps than `--max-steps` (10,000,000 unless told)",
        why="A config is data, possibly from an untrusted pull request: the guards keep a "
        "hostile or mistaken file a one-line error instead of a hang. A real run longer than "
        "the guard raises it with `--max-steps` (or `max-steps` in pyproject.toml).",
        bad=Example(
            "optimizer: {kind: sgd, lr: 0.1}\ntraining: {steps: 20000}\n",
            args=("--max-steps", "10000"),
        ),
        fixed=Example(
            "optimizer: {kind: sgd, lr: 0.1}\ntraining: {steps: 20000}\n",
            args=("--max-steps", "50000"),
        ),
    ),
    RuleDoc(
        "WP010",
        severity="error",
        title="a --set override that does not parse",
        catches="a `--set key.path=value` of `show`, `plot` or `code` that does not parse "
        "(no `=`, an empty key)",
        why="An override that is dropped would show a schedule other than the one asked "
        "for; it is refused instead.",
        bad=Example(SGD, command="show", args=("--set", "decay.kind")),
        fixed=Example(SGD, command="show", args=("--set", "decay.kind=cosine")),
    ),
    RuleDoc(
        "WP011",
        severity="warning",
        title="another tool's config that leaves a run-time fact open",
        catches="another tool's config whose length depends on a fact it does not hold (a "
        "TrainingArguments file that trains for epochs needs the dataset size); the message "
        "names the flag (`--dataset-size`, `--world-size`, `--steps`, `--steps-per-epoch`, "
        "`--global-batch-size`, `--sequence-length`, `--interval`). "
        "An error in `show`; a warning in `check`, so CI over a folder of recipes works",
        why="The schedule of an epoch-based recipe depends on how many updates an epoch has, "
        "which only the data loader knows. warmplan says which fact is missing instead of "
        "assuming one; `per-file-facts` in pyproject.toml gives it for a folder of recipes.",
        bad=Example(RECIPE, name="args.yaml"),
        fixed=Example(RECIPE, name="args.yaml", args=("--dataset-size", "20000")),
    ),
    RuleDoc(
        "WP012",
        severity="error",
        title="another tool's config read as a native plan",
        catches="another tool's config forced to be read as a native plan (`--from warmplan`): "
        "one line saying what it looks like, instead of an unknown-key error per key",
        why="Forty unknown-key errors hide the one fact that matters: the file is of "
        "another format, which warmplan reads by itself when not forced.",
        bad=Example(RECIPE + "max_steps: 1000\n", name="args.yaml", args=("--from", "warmplan")),
        fixed=Example(RECIPE + "max_steps: 1000\n", name="args.yaml"),
    ),
]

"""The pages of the traps of class-path configs (Lightning CLI, torchtune), WP130-WP134."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

ADAMW = "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 3.0e-4\n"
COSINE = "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.CosineAnnealingLR\n"
COSINE += "  init_args:\n    eta_min: 1.0e-6\n    T_max: %d\n"
EPOCHS = "trainer:\n  max_epochs: 6\n  limit_train_batches: 10\n"
CUT = "trainer:\n  max_epochs: 10\n%s  limit_train_batches: 5\n"
CUT += "optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 0.1\n"
CUT += "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.StepLR\n  init_args:\n"
CUT += "    step_size: 1\n"
CYCLE = "trainer:\n  max_epochs: 20\n  limit_train_batches: 5\n"
CYCLE += "optimizer:\n  class_path: torch.optim.SGD\n%s"
CYCLE += "lr_scheduler:\n  class_path: torch.optim.lr_scheduler.OneCycleLR\n  init_args:\n"
CYCLE += "    max_lr: 0.05\n    total_steps: 20\n"
TUNE = "batch_size: 4\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 2.0e-4\n"
TUNE += "lr_scheduler:\n"
TUNE += "  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n"
TUNE += "  num_warmup_steps: 5\n%sepochs: 3\ngradient_accumulation_steps: 2\n"
FACT = ("--steps-per-epoch", "50")


def tune(text: str) -> Example:
    return Example(text, name="recipe.yaml", args=FACT)


DOCS = [
    RuleDoc(
        "WP130",
        catches="Lightning CLI: a top-level `lr_scheduler` (stepped once per epoch) whose "
        "horizon (`T_max`, `total_iters`, `step_size`, `T_0`, milestones) exceeds the epochs "
        "but fits the optimizer steps",
        why="LightningCLI steps a top-level scheduler once per epoch: a `T_max` counted in "
        "optimizer steps decays over ten times the run, and the LR barely moves.",
        bad=Example(EPOCHS + ADAMW + COSINE % 60, name="cli.yaml"),
        fixed=Example(EPOCHS + ADAMW + COSINE % 6, name="cli.yaml"),
    ),
    RuleDoc(
        "WP131",
        catches="Lightning CLI: `trainer.max_steps` and `max_epochs` both given, and one of "
        "them is never reached",
        why="Lightning stops at whichever limit comes first: the other one, and any "
        "schedule sized by it, is never reached.",
        bad=Example(CUT % "  max_steps: 17\n", name="cli.yaml"),
        fixed=Example(CUT % "", name="cli.yaml"),
    ),
    RuleDoc(
        "WP132",
        catches="OneCycleLR's `max_lr` replacing the optimizer's `lr` without a word",
        why="OneCycleLR overwrites every group's LR from `max_lr`: the optimizer's `lr` in "
        "the file is dead text, and reads as the peak when it is not.",
        bad=Example(CYCLE % "  init_args:\n    lr: 1.0e-3\n", name="cli.yaml"),
        fixed=Example(CYCLE % "", name="cli.yaml"),
    ),
    RuleDoc(
        "WP133",
        catches="torchtune's `max_steps_per_epoch` ending each epoch (and the cosine's "
        "horizon) early",
        why="A debugging cap left in a recipe cuts every epoch short, and with it the "
        "training's length the cosine is sized by.",
        bad=tune(TUNE % "" + "max_steps_per_epoch: 20\n"),
        fixed=tune(TUNE % ""),
    ),
    RuleDoc(
        "WP134",
        catches="a torchtune `lr_scheduler` argument the recipe replaces with its own "
        "(`num_training_steps`)",
        why="torchtune's recipe passes `num_training_steps` itself (epochs x updates per "
        "epoch): the value in the file is ignored, and the schedule is not what it says.",
        bad=tune(TUNE % "  num_training_steps: 1000\n"),
        fixed=tune(TUNE % ""),
    ),
]

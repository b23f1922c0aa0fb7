"""The pages of the traps of timm's and ultralytics' training configs, WP140-WP143."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

TIMM = "sched: cosine\nepochs: 100\nwarmup_epochs: 5\n"
STEPS = "epochs: 90\nwarmup_epochs: 0\nlr: 0.1\ndecay_rate: 0.1\n"
BATCHES = ("--steps-per-epoch", "100")  # len(train_loader), which only the data knows
YOLO = "epochs: 100\nbatch: 16\noptimizer: %s\nlr0: 0.02\nlrf: 0.01\nwarmup_epochs: 3.0\n"


def timm(text: str) -> Example:
    return Example(text, name="args.yaml")


DOCS = [
    RuleDoc(
        "WP140",
        catches="timm multistep `decay_milestones`: timm lowers the LR one epoch (or update) "
        "before each milestone, where torch's MultiStepLR does at it",
        why="timm's multistep counts the milestones passed by t + 1: `[30, 60]` drops at "
        "epochs 29 and 59, one earlier than the same list means to torch.",
        bad=timm("sched: multistep\n" + STEPS + "decay_milestones: [30, 60]\n"),
        fixed=timm("sched: step\n" + STEPS + "decay_epochs: 30\n"),
    ),
    RuleDoc(
        "WP141",
        catches="timm `lr_noise`: seeded random noise on the LR, which the schedule shown "
        "leaves out",
        why="The noise changes the LR of every noisy epoch; the schedule warmplan shows "
        "(and checks) is the one without it.",
        bad=timm(TIMM + "warmup_prefix: true\nlr_noise: [0.4, 0.9]\nlr: 0.1\n"),
        fixed=timm(TIMM + "warmup_prefix: true\nlr: 0.1\n"),
    ),
    RuleDoc(
        "WP142",
        catches="timm `lr: 0`: train.py tests `not args.lr` and computes the LR from "
        "`lr_base` and the global batch",
        why="`lr: 0` reads as no LR at all to timm's train.py, which then scales `lr_base` "
        "by the global batch: the run trains at an LR the file never names.",
        bad=timm(TIMM + "warmup_prefix: true\nlr: 0\nlr_base: 0.1\nbatch_size: 256\n"),
        fixed=timm(TIMM + "warmup_prefix: true\nlr: 0.1\nbatch_size: 256\n"),
    ),
    RuleDoc(
        "WP143",
        catches="ultralytics `optimizer: auto` (its default): `lr0` and `momentum` are "
        "ignored, and `warmup_bias_lr` set to 0",
        why="With `optimizer: auto` ultralytics picks the optimizer and its LR itself: the "
        "`lr0` written in the file is thrown away.",
        bad=Example(YOLO % "auto", name="args.yaml", args=BATCHES),
        fixed=Example(YOLO % "SGD", name="args.yaml", args=BATCHES),
    ),
]

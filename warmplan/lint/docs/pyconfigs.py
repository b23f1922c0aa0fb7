"""The pages of the traps of mmengine's and nanoGPT's Python configs, WP150-WP158."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

SGD = "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n"
EPOCHS = "train_cfg = dict(by_epoch=True, max_epochs=%d)\n"
ITERS = ("--steps-per-epoch", "100")  # len(train_dataloader), which only the data knows
GPT = "learning_rate = 6e-4\nmax_iters = 5000\nwarmup_iters = 100\n"


def mmengine(schedulers: str, epochs: int = 12) -> Example:
    text = SGD + "param_scheduler = [\n" + schedulers + "]\n" + EPOCHS % epochs
    return Example(text, name="config.py", args=ITERS)


def nanogpt(text: str) -> Example:
    return Example(text, name="train_gpt.py")


WARMUP = "    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=50),\n"
ITER_LOOP = (
    "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))\n"
    "param_scheduler = [dict(type='MultiStepLR', milestones=[100, 200], by_epoch=%s)]\n"
    "train_cfg = dict(type='IterBasedTrainLoop', max_iters=300)\n"
)

DOCS = [
    RuleDoc(
        "WP150",
        catches="an mmengine warm-up (LinearLR, ConstantLR) stepped once per epoch: one "
        "LR for a whole epoch, then a jump",
        why="With `by_epoch=True` the warm-up's LR changes only between epochs: the first "
        "epoch trains entirely at the smallest LR and the next ones jump. mmdet's configs "
        "warm up per iteration (`by_epoch=False`), or convert an epoch warm-up with "
        "`convert_to_iter_based=True`.",
        bad=mmengine(
            "    dict(type='LinearLR', start_factor=0.01, by_epoch=True, end=3),\n"
            "    dict(type='CosineAnnealingLR', by_epoch=True, begin=3),\n",
            20,
        ),
        fixed=mmengine(
            "    dict(type='LinearLR', start_factor=0.01, by_epoch=True, end=3,\n"
            "         convert_to_iter_based=True),\n"
            "    dict(type='CosineAnnealingLR', by_epoch=True, begin=3),\n",
            20,
        ),
    ),
    RuleDoc(
        "WP151",
        catches="an mmengine CosineAnnealingLR whose `T_max` is not its phase's "
        "`end - begin` (it comes back up, or never reaches `eta_min`)",
        why="mmengine's `T_max` defaults to the phase's length; a `T_max` written apart "
        "from `begin`/`end` (often copied from another schedule) makes the cosine turn "
        "back up inside its phase, or end it above its floor.",
        bad=mmengine(
            WARMUP + "    dict(type='CosineAnnealingLR', T_max=20, by_epoch=True, begin=0),\n"
        ),
        fixed=mmengine(WARMUP + "    dict(type='CosineAnnealingLR', by_epoch=True, begin=0),\n"),
    ),
    RuleDoc(
        "WP152",
        catches="an mmengine `by_epoch=True` scheduler in an `IterBasedTrainLoop`: it never steps",
        why="An iteration-based loop has no epochs, so the Runner never steps a "
        "per-epoch scheduler: the LR stays where it starts for the whole run.",
        bad=Example(ITER_LOOP % "True", name="config.py"),
        fixed=Example(ITER_LOOP % "False", name="config.py"),
    ),
    RuleDoc(
        "WP153",
        catches="an mmengine scheduler that begins when training is over, or whose "
        "`end` lies past it",
        why="A phase that begins after the last epoch never runs, and one whose `end` "
        "lies past training is cut short: its LR never reaches what the phase is "
        "written to reach (usually after `max_epochs` was shortened alone).",
        bad=mmengine(
            WARMUP + "    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=30),\n"
        ),
        fixed=mmengine(
            WARMUP + "    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=12),\n"
        ),
    ),
    RuleDoc(
        "WP155",
        catches="nanoGPT `lr_decay_iters` different from `max_iters` (min_lr held at the "
        "end, or never reached)",
        why="train.py's cosine reaches `min_lr` at `lr_decay_iters`; shorter than "
        "`max_iters`, the last iterations train at the floor, longer, the floor is never "
        "reached. Its own comment says to make them equal, usually.",
        bad=nanogpt(GPT + "lr_decay_iters = 4000\nmin_lr = 6e-5\n"),
        fixed=nanogpt(GPT + "lr_decay_iters = 5000\nmin_lr = 6e-5\n"),
    ),
    RuleDoc(
        "WP156",
        catches="nanoGPT `min_lr` far from `learning_rate` / 10 (train.py's default 6e-5 "
        "kept with another LR)",
        why="train.py's `min_lr` default, 6e-5, is a tenth of its default LR; a config "
        "that changes `learning_rate` alone keeps it, and decays to a floor that has "
        "nothing to do with its LR (or, equal to the LR, does not decay at all).",
        bad=nanogpt(
            "learning_rate = 2e-3\nmax_iters = 500\nlr_decay_iters = 500\nwarmup_iters = 50\n"
        ),
        fixed=nanogpt(
            "learning_rate = 2e-3\nmax_iters = 500\nlr_decay_iters = 500\nwarmup_iters = 50\n"
            "min_lr = 2e-4\n"
        ),
    ),
    RuleDoc(
        "WP157",
        catches="nanoGPT `warmup_iters` at or past `lr_decay_iters`: no cosine, a drop to `min_lr`",
        why="train.py warms up to `warmup_iters` and then returns `min_lr` for every "
        "iteration past `lr_decay_iters`: with the warm-up ending after the decay there "
        "is no cosine at all, only a drop from the peak to the floor.",
        bad=nanogpt(
            "learning_rate = 1e-3\nmin_lr = 1e-4\nmax_iters = 300\nlr_decay_iters = 200\n"
            "warmup_iters = 250\n"
        ),
        fixed=nanogpt(
            "learning_rate = 1e-3\nmin_lr = 1e-4\nmax_iters = 300\nlr_decay_iters = 300\n"
            "warmup_iters = 50\n"
        ),
    ),
    RuleDoc(
        "WP158",
        catches="nanoGPT `decay_lr = False` with warm-up or decay keys, which it ignores",
        why="With `decay_lr = False` train.py trains at `learning_rate` throughout: "
        "`warmup_iters`, `lr_decay_iters` and `min_lr` in the same file do nothing, "
        "though they read as a schedule.",
        bad=nanogpt("learning_rate = 3e-5\ndecay_lr = False\nmax_iters = 20\nwarmup_iters = 5\n"),
        fixed=nanogpt("learning_rate = 3e-5\ndecay_lr = False\nmax_iters = 20\n"),
    ),
]

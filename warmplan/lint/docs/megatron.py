"""The pages of the traps of Megatron-LM launch scripts, NeMo and GPT-NeoX configs,
WP160-WP168."""

from __future__ import annotations

from warmplan.lint.docs.model import Example, RuleDoc

RUN = "torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 \\\n"
#: a warm-up from --lr-warmup-init (Megatron's default 0 wastes the first update, WP102)
COSINE = (
    "    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10 "
    "--lr-warmup-init 3.0e-5"
)


def script(flags: str) -> Example:
    return Example("#!/bin/bash\n" + RUN + flags + "\n", name="pretrain.sh")


def nemo(sched: str, lr: str = "2.0e-4") -> Example:
    text = (
        "trainer:\n  max_steps: 1000\nmodel:\n  optim:\n    name: fused_adam\n"
        f"    lr: {lr}\n    sched:\n" + sched
    )
    return Example(text, name="recipe.yaml")  # NeMo's warm-ups start at LR 0 (WP102)


def neox(decay_iters: int) -> Example:
    text = (
        '{"optimizer": {"type": "Adam", "params": {"lr": 0.0006}}, "train_iters": 1000,\n'
        f' "lr_decay_style": "cosine", "lr_decay_iters": {decay_iters}, "warmup": 0.01,\n'
        ' "min_lr": 0.00006}\n'
    )
    return Example(text, name="neox.yml")


NEMO_COSINE = (
    "      name: CosineAnnealing\n      warmup_steps: 50\n      constant_steps: %d\n"
    "      min_lr: 2.0e-5\n"
)

DOCS = [
    RuleDoc(
        "WP160",
        catches="Megatron `--lr-decay-iters` (or samples) shorter than training: "
        "`--min-lr` held for the rest of the run",
        why="Megatron decays over `--lr-decay-iters` and holds `--min-lr` after it: a "
        "decay shorter than `--train-iters` trains its last updates at the floor, often "
        "after `--train-iters` was raised alone.",
        bad=script("    --lr-decay-iters 700 \\\n" + COSINE),
        fixed=script("    --lr-decay-iters 1000 \\\n" + COSINE),
    ),
    RuleDoc(
        "WP161",
        catches="Megatron `--lr-decay-iters` (or samples) longer than training: the "
        "floor is never reached",
        why="Training stops partway down the decay: the last LR is well above `--min-lr`, "
        "and the schedule is not the one the numbers describe.",
        bad=script("    --lr-decay-iters 2000 \\\n" + COSINE),
        fixed=script("    --lr-decay-iters 1000 \\\n" + COSINE),
    ),
    RuleDoc(
        "WP162",
        catches="Megatron `--lr-warmup-fraction`, a fraction of the decay iterations, "
        "not of training",
        why="Megatron multiplies `--lr-warmup-fraction` by the decay's length: with a decay "
        "shorter than training the warm-up is shorter than the fraction suggests.",
        bad=script(
            "    --lr-decay-iters 500 --lr-warmup-fraction 0.01 \\\n"
            "    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine"
        ),
        fixed=script(
            "    --lr-decay-iters 1000 --lr-warmup-iters 10 --lr-warmup-init 3.0e-5 \\\n"
            "    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine"
        ),
    ),
    RuleDoc(
        "WP163",
        catches="Megatron `--min-lr` 0 (its default) under a decay: the last updates "
        "train at an LR near 0",
        why="Without `--min-lr` the cosine or linear decay ends at 0: the last updates "
        "barely train. Pretraining recipes set a floor, often a tenth of `--lr`.",
        bad=script("    --lr 3.0e-4 --lr-decay-style cosine --lr-warmup-iters 10"),
        fixed=script(COSINE),
    ),
    RuleDoc(
        "WP164",
        catches="a Megatron flag the chosen `--lr-decay-style` ignores",
        why="`--lr-decay-style constant` ignores `--min-lr` and `--lr-decay-iters`: "
        "flags that read as a schedule do nothing.",
        bad=script(
            "    --lr 3.0e-4 --lr-decay-style constant --min-lr 3.0e-5 --lr-warmup-iters 10 \\\n"
            "    --lr-decay-iters 1000"
        ),
        fixed=script(
            "    --lr 3.0e-4 --lr-decay-style constant --lr-warmup-iters 10 --lr-warmup-init 3.0e-5"
        ),
    ),
    RuleDoc(
        "WP165",
        catches="NeMo CosineAnnealing with `constant_steps` above 0: another formula",
        why="With `constant_steps` > 0 NeMo's CosineAnnealing switches to Megatron's "
        "cosine (a hold at `min_lr` at the end) instead of its own: the curve is not "
        "the usual cosine with a constant phase.",
        bad=nemo(NEMO_COSINE % 200),
        fixed=nemo(NEMO_COSINE % 0),
    ),
    RuleDoc(
        "WP166",
        catches="NeMo NoamAnnealing's `lr`: a multiplier of the Noam formula, not the peak",
        why="NoamAnnealing scales `d_model ** -0.5 * min(step ** -0.5, step * "
        "warmup ** -1.5)` by `lr`: `lr: 2.0` peaks far below 2.0. Another policy "
        "(CosineAnnealing, WarmupAnnealing) takes `lr` as the peak.",
        bad=nemo(
            "      name: NoamAnnealing\n      d_model: 512\n      warmup_steps: 100\n"
            "      min_lr: 1.0e-6\n",
            lr="2.0",
        ),
        fixed=nemo(NEMO_COSINE % 0),
    ),
    RuleDoc(
        "WP167",
        catches="GPT-NeoX's cosine ending before training: it comes back up",
        why="NeoX's cosine has no floor after `lr_decay_iters`: past it the LR rises "
        "again, as torch's periodic cosine does.",
        bad=neox(600),
        fixed=neox(1000),
    ),
    RuleDoc(
        "WP168",
        catches="Megatron `--decoupled-min-lr` without `--decoupled-lr`: ignored",
        why="megatron-core makes the embedding and output-layer param group (its own peak "
        "and floor) only for `--decoupled-lr`; `--decoupled-min-lr` alone changes nothing, "
        "and those layers decay to `--min-lr` with the rest. Megatron says nothing.",
        bad=script("    --decoupled-min-lr 1.0e-4 \\\n" + COSINE),
        fixed=script("    --decoupled-lr 1.0e-3 --decoupled-min-lr 1.0e-4 \\\n" + COSINE),
    ),
]

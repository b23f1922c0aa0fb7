"""The traps of Megatron-LM launch scripts, NeMo and GPT-NeoX configs (WP160-WP168), found by
:mod:`warmplan.formats.megatron` and :mod:`warmplan.formats.nemo` while they read the
file (the findings point at its keys); registered in :mod:`warmplan.lint.rules.formats`
so ``--ignore`` knows them."""

from __future__ import annotations

DECAY_SHORTER = "WP160"  # --lr-decay-iters below --train-iters: min-lr held at the end
DECAY_LONGER = "WP161"  # --lr-decay-iters above --train-iters: min-lr never reached
WARMUP_FRACTION_OF_DECAY = "WP162"  # --lr-warmup-fraction counts the decay, not training
MIN_LR_ZERO = "WP163"  # --min-lr 0 (the default) with a decay to it: the last updates at ~0
IGNORED_FLAG = "WP164"  # a flag the decay style chosen ignores
NEMO_CONSTANT_STEPS = "WP165"  # CosineAnnealing constant_steps > 0: another formula
NEMO_NOAM_MULTIPLIER = "WP166"  # NoamAnnealing's lr is a multiplier, not the peak
NEOX_COSINE_RISES = "WP167"  # NeoX's cosine past lr_decay_iters comes back up
DECOUPLED_MIN_LR_ALONE = "WP168"  # --decoupled-min-lr without --decoupled-lr: ignored

TITLES = {
    DECAY_SHORTER: "Megatron's LR decay ending before training: min-lr held for the rest",
    DECAY_LONGER: "Megatron's LR decay ending after training: min-lr never reached",
    WARMUP_FRACTION_OF_DECAY: "--lr-warmup-fraction, a fraction of the decay, not of training",
    MIN_LR_ZERO: "--min-lr 0 (Megatron's default) under a decay that ends at it",
    IGNORED_FLAG: "a Megatron schedule flag the chosen --lr-decay-style ignores",
    NEMO_CONSTANT_STEPS: "NeMo CosineAnnealing with constant_steps: Megatron's formula",
    NEMO_NOAM_MULTIPLIER: "NeMo NoamAnnealing's lr, a multiplier rather than the peak",
    NEOX_COSINE_RISES: "GPT-NeoX's cosine ending before training: the LR comes back up",
    DECOUPLED_MIN_LR_ALONE: "Megatron --decoupled-min-lr without --decoupled-lr: ignored",
}

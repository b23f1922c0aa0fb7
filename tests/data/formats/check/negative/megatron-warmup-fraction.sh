#!/bin/bash
# expect: WP162@8, WP160@7
# --lr-warmup-fraction 0.01 of 500 decay iterations is 5 warm-up iterations, not 10.
TRAINING_ARGS=(
    --global-batch-size 32
    --train-iters 1000
    --lr-decay-iters 500
    --lr-warmup-fraction 0.01
    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine
)
torchrun pretrain_gpt.py ${TRAINING_ARGS[@]}

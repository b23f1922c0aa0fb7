#!/bin/bash
# expect: WP160@6
# The decay ends at iteration 700 of 1,000: --min-lr held for the last 30%.
torchrun pretrain_gpt.py \
    --global-batch-size 32 --train-iters 1000 \
    --lr-decay-iters 700 \
    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10

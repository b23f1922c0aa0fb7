#!/bin/bash
# expect: WP161@5
# The decay is 2,000 iterations; training stops at 1,000, halfway down the cosine.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 \
    --lr-decay-iters 2000 \
    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10

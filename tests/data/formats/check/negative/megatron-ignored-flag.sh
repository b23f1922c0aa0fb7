#!/bin/bash
# expect: WP164@5, WP164@6
# A constant LR: Megatron ignores the floor and the decay length.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 --lr 3.0e-4 \
    --lr-decay-style constant --min-lr 3.0e-5 --lr-warmup-iters 10 \
    --lr-decay-iters 1000

#!/bin/bash
# expect: WP163@5
# No --min-lr: Megatron's default 0 ends the cosine at LR 0.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 --lr 3.0e-4 \
    --lr-decay-style cosine --lr-warmup-iters 10

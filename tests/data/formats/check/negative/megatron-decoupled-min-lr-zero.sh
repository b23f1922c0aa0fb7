#!/bin/bash
# expect: WP163@5
# The embedding/output floor set to 0: those layers end at LR 0, the rest at --min-lr.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 \
    --decoupled-lr 1.0e-3 --decoupled-min-lr 0 \
    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10 \
    --lr-warmup-init 3.0e-5

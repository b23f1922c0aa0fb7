#!/bin/bash
# The decay as long as training, a floor, a warm-up in iterations: no trap.
LR=3.0e-4
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 --lr-decay-iters 1000 \
    --lr $LR --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10 --lr-warmup-init 3.0e-5

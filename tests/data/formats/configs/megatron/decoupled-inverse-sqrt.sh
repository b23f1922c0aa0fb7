#!/bin/bash
# inverse-square-root clipped at each group's floor; the decoupled floor is reached first
torchrun pretrain_t5.py --global-batch-size 32 --train-iters 120 --lr 1.0e-3 --min-lr 1.0e-4 \
    --decoupled-lr 2.0e-3 --decoupled-min-lr 8.0e-4 \
    --lr-decay-style inverse-square-root --lr-warmup-iters 8 --lr-decay-iters 100

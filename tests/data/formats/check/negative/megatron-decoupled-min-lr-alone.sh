#!/bin/bash
# expect: WP168@6
# The embedding/output floor is given, but without --decoupled-lr Megatron makes no such
# group: --decoupled-min-lr does nothing and every parameter decays to --min-lr.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 \
    --decoupled-min-lr 1.0e-4 \
    --lr 3.0e-4 --min-lr 3.0e-5 --lr-decay-style cosine --lr-warmup-iters 10 \
    --lr-warmup-init 3.0e-5

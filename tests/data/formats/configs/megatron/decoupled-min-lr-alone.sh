#!/bin/bash
# --decoupled-min-lr without --decoupled-lr: Megatron makes no second group and ignores it
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 60 --lr 3.0e-4 --min-lr 3.0e-5 \
    --decoupled-min-lr 1.0e-4 --lr-decay-style cosine --lr-warmup-iters 6

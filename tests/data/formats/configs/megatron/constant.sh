#!/bin/bash
torchrun pretrain_gpt.py --global-batch-size 8 --train-iters 50 --lr 2.0e-4 \
    --lr-decay-style constant --lr-warmup-iters 5

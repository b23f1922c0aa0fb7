#!/bin/bash
# Warm-up in iterations from a positive start; decay as long as training
python pretrain_gpt.py --global-batch-size 16 --train-iters 80 --lr 3.0e-4 --min-lr 3.0e-5 \
    --lr-warmup-iters 10 --lr-warmup-init 1.0e-5 --lr-decay-style cosine

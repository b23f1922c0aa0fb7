#!/bin/bash
# The embeddings and output layer at their own peak and floor: two param groups.
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 1000 \
    --lr 3.0e-4 --min-lr 3.0e-5 --decoupled-lr 1.0e-3 --decoupled-min-lr 1.0e-4 \
    --lr-decay-style cosine --lr-warmup-iters 10 --lr-warmup-init 3.0e-5

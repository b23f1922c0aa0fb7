#!/bin/bash
# the survey's launch line: embeddings and output layer at --decoupled-lr, their floor --min-lr
TRAINING_ARGS=(
    --global-batch-size 32
    --train-iters 120
    --lr 1.5e-4
    --min-lr 1.0e-5
    --decoupled-lr 5.0e-4
    --lr-decay-style cosine
    --lr-warmup-iters 12
    --lr-warmup-init 1.0e-5
)
torchrun --nproc_per_node 8 pretrain_gpt.py ${TRAINING_ARGS[@]} --save $1

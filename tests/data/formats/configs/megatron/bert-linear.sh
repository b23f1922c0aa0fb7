#!/bin/bash
# BERT-style: linear decay, warm-up fraction of the decay iterations
LR=1.0e-4
torchrun --nproc_per_node 4 pretrain_bert.py \
    --micro-batch-size 4 \
    --global-batch-size 32 \
    --train-iters 100 \
    --lr $LR \
    --lr-decay-iters 99 \
    --lr-decay-style linear \
    --min-lr 1.0e-5 \
    --lr-warmup-fraction .01

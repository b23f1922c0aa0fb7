#!/bin/bash
# A GPT-3-style run, scaled down: cosine to a tenth, warm-up as a fraction of the decay
CHECKPOINT_PATH=$1
GPUS_PER_NODE=8

DISTRIBUTED_ARGS=(
    --nproc_per_node $GPUS_PER_NODE
    --nnodes 1
)

TRAINING_ARGS=(
    --micro-batch-size 1
    --global-batch-size 64
    --train-iters 120
    --weight-decay 0.1
    --lr 6.0e-5
    --lr-decay-style cosine
    --min-lr 6.0e-6
    --lr-warmup-fraction .05
    --lr-decay-iters 100
)

torchrun ${DISTRIBUTED_ARGS[@]} pretrain_gpt.py \
    ${TRAINING_ARGS[@]} \
    --save $CHECKPOINT_PATH \
    --load $CHECKPOINT_PATH

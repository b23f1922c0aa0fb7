#!/bin/bash
# Llama-style: every length in samples
GLOBAL_BATCH_SIZE=128
MICRO_BATCH_SIZE=${MICRO_BATCH_SIZE:-1}
torchrun pretrain_gpt.py \
    --micro-batch-size $MICRO_BATCH_SIZE \
    --global-batch-size ${GLOBAL_BATCH_SIZE} \
    --train-samples 12800 \
    --lr-decay-samples 12000 \
    --lr-warmup-samples 1000 \
    --lr 0.00015 \
    --min-lr 0.00001 \
    --lr-decay-style cosine

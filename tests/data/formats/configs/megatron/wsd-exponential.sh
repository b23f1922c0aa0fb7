#!/bin/bash
# warmup-stable-decay: the last 30 iterations of the decay anneal (exponential)
torchrun pretrain_gpt.py --global-batch-size 16 --train-iters 100 --lr 4.0e-4 --min-lr 4.0e-5 \
    --lr-decay-style WSD --lr-wsd-decay-style exponential --lr-wsd-decay-iters 30 \
    --lr-warmup-iters 10

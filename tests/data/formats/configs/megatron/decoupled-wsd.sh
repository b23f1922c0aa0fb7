#!/bin/bash
# warmup-stable-decay with both decoupled flags: the anneal runs to each group's own floor
torchrun pretrain_gpt.py --global-batch-size 16 --train-iters 100 --lr 4.0e-4 --min-lr 4.0e-5 \
    --decoupled-lr 8.0e-4 --decoupled-min-lr 1.0e-4 \
    --lr-decay-style WSD --lr-wsd-decay-style cosine --lr-wsd-decay-iters 30 \
    --lr-warmup-iters 10 --lr-warmup-init 1.0e-5

#!/bin/bash
torchrun pretrain_gpt.py --global-batch-size 8 --train-iters 100 --lr 3.0e-4 \
    --lr-decay-iter 90 --lr-decay-style cosine

#!/bin/bash
torchrun pretrain_gpt.py --global-batch-size 32 --train-iters 100 \
    --lr 1.5e-4 --min-lr 1.0e-5 --decoupled-lr abc --lr-decay-style cosine

#!/bin/bash
torchrun pretrain_gpt.py --use-legacy-models --global-batch-size 32 --train-iters 100 \
    --lr 1.5e-4 --min-lr 1.0e-5 --decoupled-lr 5.0e-4 --lr-decay-style cosine

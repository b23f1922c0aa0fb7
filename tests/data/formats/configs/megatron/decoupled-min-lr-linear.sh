#!/bin/bash
# the embedding/output group with its own floor, sample-based, decay ending before training
torchrun pretrain_gpt.py --global-batch-size 16 --train-samples 1600 \
    --lr 3.0e-4 --min-lr 3.0e-5 --decoupled-lr 1.0e-3 --decoupled-min-lr 2.0e-4 \
    --lr-decay-style linear --lr-warmup-samples 160 --lr-decay-samples 1280

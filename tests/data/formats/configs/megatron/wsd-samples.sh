#!/bin/bash
torchrun pretrain_gpt.py --global-batch-size 24 --train-samples 2400 --lr 4.0e-4 --min-lr 0.0 \
    --lr-decay-style WSD --lr-wsd-decay-samples 600 --lr-warmup-fraction 0.1

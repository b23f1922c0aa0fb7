#!/bin/bash
# LR comes from the environment: the script never sets it
torchrun pretrain_gpt.py --global-batch-size 8 --train-iters 100 \
    --lr $LR --lr-decay-style cosine

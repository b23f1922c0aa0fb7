#!/bin/bash
# Samples throughout, the warm-up fraction of a decay that is the whole run: no trap.
torchrun pretrain_gpt.py --global-batch-size 32 --train-samples 32000 --lr 3.0e-4 --min-lr 3.0e-5 \
    --lr-decay-style WSD --lr-wsd-decay-samples 6400 --lr-wsd-decay-style linear \
    --lr-warmup-fraction 0.01 --lr-warmup-init 3.0e-6

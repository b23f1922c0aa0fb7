#!/bin/bash
# no --lr-decay-style: Megatron's default is linear, to --min-lr 0
torchrun pretrain_gpt.py --global-batch-size 4 --train-iters 40 --lr 1.0e-3 --lr-warmup-iters 4

#!/bin/bash
# no --global-batch-size: it is --micro-batch-size x the data-parallel ranks
torchrun pretrain_gpt.py --micro-batch-size 4 --train-iters 100 --lr 3.0e-4

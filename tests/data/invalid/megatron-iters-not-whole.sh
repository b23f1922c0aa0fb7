#!/bin/bash
torchrun pretrain_gpt.py --global-batch-size 8 --train-iters 1e5 --lr 3.0e-4

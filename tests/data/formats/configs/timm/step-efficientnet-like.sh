#!/bin/bash
# EfficientNet-B2 recipe from timm's docs, 12 epochs: a fractional step every 2.4 epochs,
# and train.py's default 5-epoch warm-up from --warmup-lr (no --warmup-epochs given).
./distributed_train.sh 2 --data-dir /imagenet/ --model efficientnet_b2 -b 128 \
    --sched step --epochs 12 --decay-epochs 2.4 --decay-rate .97 \
    --opt rmsproptf --opt-eps .001 -j 8 --warmup-lr 1e-6 --lr .016

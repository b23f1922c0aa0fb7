#!/bin/bash
# A seresnet34-style ImageNet run from timm's training docs, shortened to 15 epochs:
# per-epoch cosine whose 3-epoch warm-up counts inside --epochs (no --warmup-prefix).
./distributed_train.sh 4 --data-dir /data/imagenet --model seresnet34 --sched cosine --epochs 15 --warmup-epochs 3 --lr 0.4 --batch-size 256

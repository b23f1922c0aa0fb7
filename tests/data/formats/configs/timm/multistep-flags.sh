# multistep drops at epochs 4 and 8 of 10, as timm counts them
python train.py --data-dir /data --model resnet18 \
  --sched multistep --decay-milestones 4 8 --decay-rate 0.2 \
  --epochs 10 --warmup-epochs 2 --lr 0.1   # per-epoch

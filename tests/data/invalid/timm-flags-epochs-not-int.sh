# timm's argparse takes --epochs as an int
python train.py --sched cosine \
    --epochs 1.5 --warmup-epochs 0 --lr 0.1

# learning_rate changed, min_lr left at train.py's 6e-5 (sized for 6e-4)
learning_rate = 5e-3
max_iters = 250
lr_decay_iters = 250
warmup_iters = 25

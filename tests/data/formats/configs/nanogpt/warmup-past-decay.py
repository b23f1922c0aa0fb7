learning_rate = 1e-3
max_iters = 100
lr_decay_iters = 40
warmup_iters = 60
min_lr = 1e-4

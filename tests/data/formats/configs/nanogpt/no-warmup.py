learning_rate = 1e-3
max_iters = 200
lr_decay_iters = 200
warmup_iters = 0
min_lr = 1e-4

learning_rate = 1e-3
max_iters = 100
lr_decay_iters = 50
warmup_iters = 50
min_lr = 1e-4

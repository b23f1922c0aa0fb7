learning_rate = 3e-4
max_iters = 300
lr_decay_iters = 1000
warmup_iters = 30
min_lr = 3e-5

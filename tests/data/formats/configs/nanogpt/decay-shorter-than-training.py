learning_rate = 6e-4
max_iters = 500
lr_decay_iters = 400
warmup_iters = 50
min_lr = 6e-5

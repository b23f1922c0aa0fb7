# expect: WP156@3
learning_rate = 1e-3
min_lr = 1e-3
max_iters = 500
lr_decay_iters = 500
warmup_iters = 50

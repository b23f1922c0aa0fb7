# expect: WP155@5
learning_rate = 6e-4
min_lr = 6e-5
max_iters = 5000
lr_decay_iters = 4000
warmup_iters = 100

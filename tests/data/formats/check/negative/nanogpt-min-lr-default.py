# expect: WP156@2
learning_rate = 2e-3
max_iters = 500
lr_decay_iters = 500
warmup_iters = 50

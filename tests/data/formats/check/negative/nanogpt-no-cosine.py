# expect: WP157@6
learning_rate = 1e-3
min_lr = 1e-4
max_iters = 300
lr_decay_iters = 200
warmup_iters = 250

# expect: WP158@5
learning_rate = 3e-5
decay_lr = False
max_iters = 20
warmup_iters = 5

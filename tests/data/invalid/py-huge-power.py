learning_rate = 1e-3
max_iters = 9 ** 9 ** 9

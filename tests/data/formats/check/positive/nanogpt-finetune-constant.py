init_from = 'gpt2-xl'
max_iters = 20
learning_rate = 3e-5
decay_lr = False

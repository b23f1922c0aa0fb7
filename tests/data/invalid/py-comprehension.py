learning_rate = 1e-3
max_iters = 100
milestones = [i * 10 for i in range(3)]

# train.py's defaults for the schedule, but a short run: warm-up 2000 of 600000 is kept
batch_size = 12
block_size = 1024
gradient_accumulation_steps = 5 * 8
max_iters = 3000
lr_decay_iters = 3000
warmup_iters = 200

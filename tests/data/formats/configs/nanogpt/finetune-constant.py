# fine-tuning at a constant LR (nanoGPT's config/finetune_shakespeare.py does so)
init_from = 'gpt2'
eval_interval = 5
always_save_checkpoint = False
batch_size = 1
gradient_accumulation_steps = 32
max_iters = 20
learning_rate = 3e-5
decay_lr = False

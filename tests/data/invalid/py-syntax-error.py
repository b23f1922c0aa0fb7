optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01)
train_cfg = dict(max_epochs=12)

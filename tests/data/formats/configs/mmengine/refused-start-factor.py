optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='LinearLR', start_factor=1.5, by_epoch=False, end=10)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100)

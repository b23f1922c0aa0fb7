optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=50)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100)

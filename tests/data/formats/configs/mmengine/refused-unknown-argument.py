optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='CosineAnnealingLR', T_mx=100, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=100)

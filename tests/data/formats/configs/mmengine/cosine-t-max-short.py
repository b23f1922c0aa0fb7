optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=100, eta_min_ratio=0.05, by_epoch=False, begin=0, end=300),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300)

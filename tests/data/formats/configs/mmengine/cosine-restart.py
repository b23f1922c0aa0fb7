optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=20),
    dict(type='CosineRestartLR', periods=[60, 120], restart_weights=[1, 0.5], eta_min=1e-4,
         by_epoch=False, begin=20, end=200),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200)

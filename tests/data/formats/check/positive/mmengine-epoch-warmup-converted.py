optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, end=3, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=3),
]
train_cfg = dict(by_epoch=True, max_epochs=20)

# expect: WP153@5, WP153@6
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=20),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=30),
    dict(type='ExponentialLR', gamma=0.5, by_epoch=True, begin=12, end=20),
]
train_cfg = dict(by_epoch=True, max_epochs=12)

# expect: WP151@5
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=50),
    dict(type='CosineAnnealingLR', T_max=20, by_epoch=True, begin=0),
]
train_cfg = dict(by_epoch=True, max_epochs=12)

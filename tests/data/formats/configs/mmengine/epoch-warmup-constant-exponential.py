# A warm-up stepped per epoch (by_epoch defaults to True): ConstantLR, then a decay.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=3e-4))
param_scheduler = [
    dict(type='ConstantLR', factor=0.5, end=3),
    dict(type='ExponentialLR', gamma=0.9, begin=3),
]
train_cfg = dict(by_epoch=True, max_epochs=10)

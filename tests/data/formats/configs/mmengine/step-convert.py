optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='StepLR', step_size=2, gamma=0.5, by_epoch=True, begin=1, end=8, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=8)

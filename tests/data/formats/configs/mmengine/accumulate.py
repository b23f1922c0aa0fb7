# Gradient accumulation: the optimizer updates every 3rd iteration (counted across
# epochs, and after the last one), the schedulers step every iteration.
optim_wrapper = dict(type='OptimWrapper', accumulative_counts=3, optimizer=dict(type='SGD', lr=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=25),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, eta_min=1e-4),
]
train_cfg = dict(by_epoch=True, max_epochs=4)

# Two schedulers at once: a per-iteration warm-up inside the first epochs of a per-epoch
# cosine (mmengine chains them: each rewrites the LR the other left).
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.04))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.25, by_epoch=False, begin=0, end=40),
    dict(type='CosineAnnealingLR', eta_min=1e-3, by_epoch=True, begin=0),
]
train_cfg = dict(by_epoch=True, max_epochs=8)

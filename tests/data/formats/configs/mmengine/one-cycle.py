optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))
param_scheduler = [
    dict(type='OneCycleLR', eta_max=0.01, pct_start=0.25, anneal_strategy='linear', by_epoch=False),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200)

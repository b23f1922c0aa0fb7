optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [
    dict(type='OneCycleLR', eta_max=0.2, total_steps=150, three_phase=True, by_epoch=False),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=150)

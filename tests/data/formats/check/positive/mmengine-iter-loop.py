optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [
    dict(type='MultiStepLR', milestones=[100, 200], by_epoch=False),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=300)

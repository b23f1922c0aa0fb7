optim_wrapper = dict(accumulative_counts=4, optimizer=dict(type='AdamW', lr=2e-4))
param_scheduler = [dict(type='PolyLR', power=1.0, eta_min=0, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=50)

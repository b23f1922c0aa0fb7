optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='LinearLR', end=len([1, 2, 3]))]

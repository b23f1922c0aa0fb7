# An epoch scheduler in an iteration loop: it never steps after it is built.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='MultiStepLR', milestones=[1, 2], gamma=0.1)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=60)

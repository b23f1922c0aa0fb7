# One scheduler as a dict (not a list), as mmpretrain's ImageNet schedules write it.
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001))
param_scheduler = dict(type='MultiStepLR', by_epoch=True, milestones=[3, 6, 9], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=1)

optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))
param_scheduler = [dict(type='MultiStepLR', milestones=[8, 11])]
train_cfg = dict(by_epoch=True, max_epochs=12)

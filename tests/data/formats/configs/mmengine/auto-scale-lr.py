# auto_scale_lr enabled (mmdetection's --auto-scale-lr): lr x processes x batch / base.
_base_ = ['_base_/schedules/epoch-12-step.py']
train_dataloader = dict(batch_size=4, num_workers=2)
auto_scale_lr = dict(enable=True, base_batch_size=16)
train_cfg = dict(max_epochs=3)
param_scheduler = [dict(type='LinearLR', start_factor=0.5, by_epoch=False, end=8)]

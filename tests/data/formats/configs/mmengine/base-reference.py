# {{_base_.key}} takes a value of the merged bases.
_base_ = '_base_/schedules/epoch-12-step.py'
param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=True, T_max={{_base_.max_epochs}}, eta_min=1e-4),
]

# A dict over the base's list: mmengine's merge raises TypeError.
_base_ = ['_base_/schedules/epoch-12-step.py']
param_scheduler = dict(type='MultiStepLR', milestones=[6, 9])

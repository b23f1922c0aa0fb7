# A detector config: three bases, relative to this file; only the LR is changed here.
_base_ = [
    '../_base_/model.py',
    '../_base_/schedules/epoch-12-step.py',
    '../_base_/runtime.py',
]
optim_wrapper = dict(optimizer=dict(lr=0.01))

_base_ = 'py-base-cycle-b.py'
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))

# expect: WP152@base-iter-loop.py:3
_base_ = './base-iter-loop.py'
optim_wrapper = dict(optimizer=dict(lr=0.02))

import os
optim_wrapper = dict(optimizer=dict(type='SGD', lr=float(os.environ['LR'])))

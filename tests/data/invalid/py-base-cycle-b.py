# includes the file that includes it
_base_ = 'py-base-cycle-a.py'
train_cfg = dict(max_epochs=2)

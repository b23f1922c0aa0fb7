_base_ = ['./schedules/no-such-schedule.py']
optim_wrapper = dict(optimizer=dict(lr=0.01))

from mmengine.config import read_base

with read_base():
    from .schedules.schedule_1x import *

_base_ = ['_base_/swin-adamw.py', '_base_/runtime.py']

#!/bin/bash
# sets variables, never launches training
LR=3.0e-4
export CUDA_DEVICE_MAX_CONNECTIONS=1

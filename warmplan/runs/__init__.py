"""Readers of training logs (trainer_state.json, TensorBoard, Lightning CSV, ...):
the logged LRs per optimizer update."""

"""Callbacks that put a :func:`warmplan.watch` on a framework's training loop.

Each module imports its framework only when it is used, so ``import warmplan`` stays
light: ``from warmplan.integrations.transformers import WatchCallback``.
"""

"""Torch schedulers from a plan: build, layout, factors, WarmupWrapper, simulate -> Trace,
codegen."""

"""warmplan: plan, preview and check learning-rate warm-up and decay schedules.

The public API is imported lazily, so ``import warmplan`` (and ``warmplan --help``)
costs neither pydantic nor torch until a name is used::

    from warmplan import load_plan, build_scheduler
    plan = load_plan("configs/linear-warmup-cosine.yaml")
    scheduler = build_scheduler(optimizer, plan)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Plan": "warmplan.config.models",
    "load_plan": "warmplan.config.load",
    "build_scheduler": "warmplan.schedule.build",
    "simulate": "warmplan.schedule.simulate",
    "Trace": "warmplan.schedule.simulate",
    "WarmupWrapper": "warmplan.schedule.warmup",
    "WarmplanError": "warmplan.errors",
    "ConfigError": "warmplan.errors",
    "Finding": "warmplan.errors",
    "watch": "warmplan.watcher",
    "Watch": "warmplan.watcher",
    "ScheduleDivergence": "warmplan.watcher",
}

__all__ = [*_EXPORTS, "__version__"]

if TYPE_CHECKING:
    from warmplan.config.load import load_plan
    from warmplan.config.models import Plan
    from warmplan.errors import ConfigError, Finding, WarmplanError
    from warmplan.schedule.build import build_scheduler
    from warmplan.schedule.simulate import Trace, simulate
    from warmplan.schedule.warmup import WarmupWrapper
    from warmplan.watcher import ScheduleDivergence, Watch, watch


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'warmplan' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

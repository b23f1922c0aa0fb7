"""``WatchCallback`` for the transformers ``Trainer``: stop training at the first update
whose LR strays from the plan.

With no plan, the callback watches that the Trainer follows what its own
``TrainingArguments`` mean: ``lr_scheduler_type`` and ``lr_scheduler_kwargs`` as the
transformers preset, the warm-up as ``args.get_warmup_steps`` counts it, and the exact
total the Trainer computed (``state.max_steps``). Adding the callback is all it takes::

    trainer = Trainer(..., callbacks=[WatchCallback()])

A resumed run (``resume_from_checkpoint``) is watched from ``state.global_step`` on.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from warmplan.watcher import OnDivergence, Watch, watch


class WatchCallback(TrainerCallback):
    """Watch every optimizer update of a ``Trainer`` run (see :func:`warmplan.watch`)."""

    def __init__(self, plan: Any = None, on_divergence: OnDivergence = "raise") -> None:
        self.plan = plan
        self.on_divergence: OnDivergence = on_divergence
        self.watch: Watch | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        optimizer = kwargs.get("optimizer")
        if optimizer is None:  # the Trainer passes it; a bare call may not
            return
        plan = self.plan if self.plan is not None else plan_of_training_arguments(args, state)
        self.watch = watch(
            optimizer, plan, on_divergence=self.on_divergence, start=state.global_step
        )

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.watch is not None:
            self.watch.close()


def plan_of_training_arguments(args: Any, state: Any) -> dict[str, Any]:
    """The plan a ``Trainer`` with these arguments means, over ``state.max_steps``."""
    import json

    from warmplan.presets import registry

    name = getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type)
    total = int(state.max_steps)
    kwargs = args.lr_scheduler_kwargs or {}
    if isinstance(kwargs, str):  # transformers accepts a JSON object as text
        kwargs = json.loads(kwargs)
    preset = registry("transformers")[name]
    given: dict[str, Any] = {
        "num_warmup_steps": int(args.get_warmup_steps(total)),
        "num_training_steps": total,
    }
    chosen = {k: v for k, v in given.items() if k in preset.args}
    if name != "constant_with_warmup":  # transformers drops the kwargs for this one
        chosen.update({k: v for k, v in kwargs.items() if k in preset.args})
    return {
        "name": f"TrainingArguments ({name})",
        "optimizer": {"kind": "adamw", "lr": float(args.learning_rate)},
        "training": {"steps": total, "interval": "step"},
        "preset": {"framework": "transformers", "name": name, "args": chosen},
    }

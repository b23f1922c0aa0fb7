"""The defaults a plan leaves to warmplan, named so `show` can say which it filled in
(a Llama plan that silently started its warm-up at 0.1 x the target taught us to).

The README's table of defaults lists the same values; the tests compare the two."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan.text import lr

if TYPE_CHECKING:
    from warmplan.config.models import Plan


def filled_defaults(plan: Plan) -> list[str]:
    """``key value`` for every default the plan relied on, in block order."""
    from warmplan.config.decays import DEFAULT_WSD_FRACTION
    from warmplan.config.models import DEFAULT_START_FACTOR

    filled: list[str] = []
    if "kind" not in plan.optimizer.model_fields_set:
        filled.append("optimizer.kind adam")
    t = plan.training
    if t.interval is None:
        filled.append(f"training.interval {plan.interval}")
    if t.epochs is not None and t.steps_per_epoch is None and t.dataset_size is None:
        filled.append("training.steps_per_epoch 1")
    warmup = plan.warmup
    if warmup is not None:
        if "kind" not in warmup.model_fields_set:
            filled.append("warmup.kind linear")
        uses_start = warmup.kind in ("linear", "constant", "exponential", "cosine")
        if uses_start and warmup.start_factor is None and warmup.start_lr is None:
            filled.append(f"warmup.start_factor {DEFAULT_START_FACTOR:g}")
    decay = plan.decay
    if decay is not None:
        for name, field in type(decay).model_fields.items():
            if name == "kind" or name in decay.model_fields_set or field.default is None:
                continue
            if name == "eta_min" and getattr(decay, "min_lr_ratio", None) is not None:
                continue  # the floor is the ratio's
            if name == "hold_floor" and not {"T_max", "total_iters"} & decay.model_fields_set:
                continue  # without a horizon of its own the decay ends with training
            filled.append(f"decay.{name} {_shown(field.default)}")
        wsd_length = ("decay_fraction", "decay_length")
        if decay.kind == "wsd" and all(getattr(decay, k) is None for k in wsd_length):
            filled.append(f"decay.decay_fraction {DEFAULT_WSD_FRACTION:g}")
    return filled


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return lr(value)
    return str(value)

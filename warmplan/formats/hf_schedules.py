"""transformers' schedule functions as the Trainer calls them: the SchedulerType names,
``lr_scheduler_kwargs`` (a mapping, or JSON text whose numeric strings become numbers,
as ``_convert_str_dict`` does) and the preset block they make. Shared by the
transformers and axolotl readers (axolotl hands other names on to transformers)."""

from __future__ import annotations

import json
from typing import Any

from warmplan import errors
from warmplan.formats import keys
from warmplan.formats.draft import Draft
from warmplan.presets import REQUIRED, registry
from warmplan.text import closest

#: transformers 5.24's SchedulerType values
SCHEDULER_TYPES = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
    "reduce_lr_on_plateau",
    "cosine_with_min_lr",
    "cosine_warmup_with_min_lr",
    "warmup_stable_decay",
    "greedy",
)
#: schedules that follow a measured metric, not the step count
METRIC_DRIVEN = {"reduce_lr_on_plateau": "an evaluation metric", "greedy": "the training loss"}
#: the arguments the Trainer passes itself (the rest come from lr_scheduler_kwargs)
FILLED = ("num_warmup_steps", "num_training_steps")


def scheduler_kwargs(draft: Draft, name: str) -> dict[str, Any]:
    """lr_scheduler_kwargs as the Trainer hands them to the schedule function."""
    raw = draft.get("lr_scheduler_kwargs")
    where = ("lr_scheduler_kwargs",)
    if raw is None:
        return {}
    if isinstance(raw, str):
        if not raw.startswith("{"):
            draft.error(where, f"lr_scheduler_kwargs must be a mapping or JSON text, got {raw!r}")
            return {}
        try:
            raw = _numbers_from_text(json.loads(raw))
        except ValueError as exc:
            draft.error(where, f"lr_scheduler_kwargs is not valid JSON: {exc}")
            return {}
        if not isinstance(raw, dict):
            draft.error(where, "lr_scheduler_kwargs must be a JSON object")
            return {}
    if not isinstance(raw, dict):
        draft.error(
            where, f"lr_scheduler_kwargs must be a mapping, got {draft.describe(*where, raw)}"
        )
        return {}
    if raw and name in ("constant", "constant_with_warmup"):
        draft.warn(
            keys.IGNORED_KEY,
            where,
            f"lr_scheduler_kwargs are ignored by {name}: transformers' get_scheduler does "
            "not pass them on",
        )
        return {}
    return raw


def _numbers_from_text(value: Any) -> Any:
    """transformers' ``_convert_str_dict``: "true"/"false", digits, and digits with one
    point become bool, int and float; anything else stays text."""
    if isinstance(value, dict):
        return {key: _numbers_from_text(item) for key, item in value.items()}
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        if value.isdigit():
            return int(value)
        if value.replace(".", "", 1).isdigit():
            return float(value)
    return value


def preset_args(draft: Draft, name: str, kwargs: dict[str, Any], warmup: int, total: int) -> None:
    """The preset block: the Trainer's two arguments, then lr_scheduler_kwargs."""
    preset = registry("transformers")[name]
    draft.put(("preset", "framework"), "transformers", ("lr_scheduler_type",))
    draft.put(("preset", "name"), name, ("lr_scheduler_type",))
    draft.put(("preset", "args"), {}, ("lr_scheduler_type",))
    if "num_warmup_steps" in preset.args:
        draft.put(("preset", "args", "num_warmup_steps"), warmup, ("warmup_steps",))
    if "num_training_steps" in preset.args:
        draft.put(("preset", "args", "num_training_steps"), total, ("max_steps",))
    allowed = [key for key in preset.args if key not in FILLED]
    for key, value in kwargs.items():
        origin = ("lr_scheduler_kwargs", key)
        if key not in allowed:
            close = closest(str(key), allowed)
            hint = f" (did you mean {close}?)" if close else ""
            takes = ", ".join(allowed) or "none"
            draft.error(
                origin,
                f"lr_scheduler_kwargs.{key} is not an argument of transformers' {name} "
                f"schedule{hint}; it takes: {takes}",
            )
            continue
        draft.put(("preset", "args", key), value, origin)
    for key in allowed:
        if preset.args[key].default is REQUIRED and key not in kwargs:
            draft.error(
                ("lr_scheduler_kwargs",)
                if draft.has("lr_scheduler_kwargs")
                else ("lr_scheduler_type",),
                f"lr_scheduler_type {name} needs lr_scheduler_kwargs.{key} (a required "
                "argument of its schedule function)",
                errors.MISSING_KEY,
            )
    draft.note(_call_text(name, draft.data["preset"]["args"]))


def _call_text(name: str, args: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
    return f"lr_scheduler_type {name}: transformers' {name} schedule({shown})"

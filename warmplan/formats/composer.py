"""A Composer / llm-foundry training YAML (``optimizer.lr``, ``scheduler`` with
``name``, ``t_warmup``, ``t_max`` (default ``1dur``), ``alpha_f``, ``max_duration``)
-> a plan with a composer preset (:mod:`warmplan.presets.composer`).

Time strings as mosaicml 0.32.1's ``_convert_time`` reads them: ``100ba`` (batches =
optimizer updates), ``2ep`` (epochs: needs ``--steps-per-epoch``), ``0.05dur`` (a
fraction of ``max_duration``, truncated), ``512sp`` / ``1e6tok`` (samples, tokens: a
batch is llm-foundry's ``global_train_batch_size`` samples of ``max_seq_len`` tokens, or
``--global-batch-size`` and ``--sequence-length`` where the file has none).
``max_duration`` in samples or tokens: the trainer stops after the first batch whose
timestamp reaches it, ceil(max_duration / per batch) updates (or ``--steps``).
"""

from __future__ import annotations

import re
from typing import Any

from warmplan import errors
from warmplan.formats import composer_traps as traps
from warmplan.formats.draft import FACT_FLAGS, Draft
from warmplan.presets.composer import NAMES
from warmplan.text import describe, did_you_mean

_TIME = re.compile(r"((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)(ba|ep|sp|tok|dur)")
#: the llm-foundry keys (and the run-time facts) of one batch in samples and in tokens
_BATCH_KEYS = {
    "sp": (("global_train_batch_size", "global_batch_size"),),
    "tok": (("global_train_batch_size", "global_batch_size"), ("max_seq_len", "sequence_length")),
}
_UNIT_WORDS = {"sp": "samples", "tok": "tokens"}


#: each scheduler's keys, as its class's __init__ takes them (llm-foundry passes the
#: block's other keys as keyword arguments): a time string, a number, or a flag
_WARMUP_KEYS = {"t_warmup": "time", "t_max": "time", "scale_warmup": "bool"}
KEYS: dict[str, dict[str, str]] = {
    "cosine_with_warmup": {**_WARMUP_KEYS, "alpha_f": "number"},
    "linear_decay_with_warmup": {**_WARMUP_KEYS, "alpha_i": "number", "alpha_f": "number"},
    "constant_with_warmup": {**_WARMUP_KEYS, "alpha": "number"},
    "inv_sqrt_with_warmup": {
        "t_warmup": "time",
        "t_scale": "time",
        "t_cooldown": "time",
        "t_max": "time",
        "alpha_f_decay": "number",
        "alpha_f_cooldown": "number",
    },
}
CLASSES = {
    "cosine_with_warmup": "Composer's CosineAnnealingWithWarmupScheduler",
    "linear_decay_with_warmup": "Composer's LinearWithWarmupScheduler",
    "constant_with_warmup": "Composer's ConstantWithWarmupScheduler",
    "inv_sqrt_with_warmup": "llm-foundry's InverseSquareRootWithWarmupScheduler",
}
_REQUIRED = {"t_warmup", "t_scale", "t_cooldown"}
#: the times of inv_sqrt_with_warmup that must be in max_duration's unit, never dur
_INV_SQRT_TIMES = ("t_warmup", "t_scale", "t_cooldown")


def read(draft: Draft) -> None:
    scheduler = draft.get("scheduler") or {}
    optimizer = draft.get("optimizer") or {}
    lr = optimizer.get("lr") if isinstance(optimizer, dict) else None
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(("optimizer", "lr"), f"optimizer.lr must be a positive number, got {lr!r}")
    name = scheduler.get("name") if isinstance(scheduler, dict) else None
    if name not in NAMES:
        draft.error(
            ("scheduler", "name"),
            f"scheduler.name {name!r} is not in llm-foundry's scheduler registry"
            f"{did_you_mean(str(name), list(NAMES))}; its build_scheduler has: {', '.join(NAMES)} "
            "(Composer's other classes are composer presets of a native plan, by class name)",
        )
    if draft.has("scale_schedule_ratio"):
        draft.error(
            ("scale_schedule_ratio",),
            "llm-foundry has no scale_schedule_ratio: its TrainConfig refuses the key "
            "(Unused parameters) and its Trainer always runs at ratio 1.0 (a native plan's "
            "composer preset takes scale_schedule_ratio)",
        )
    draft.raise_problems()
    assert isinstance(name, str) and isinstance(lr, (int, float))  # refused above if not
    _check_keys(draft, name, scheduler)
    draft.raise_problems()
    updates = _updates(draft)
    times, unit = _times(draft, name, scheduler)
    draft.raise_problems()
    per_step = _per_batch(draft, unit, ("scheduler", "t_warmup"))
    draft.raise_problems()
    draft.put(("optimizer", "lr"), float(lr), ("optimizer", "lr"))
    draft.put(("training", "steps"), updates, ("max_duration",))
    draft.put(("training", "interval"), "step")
    draft.put(("preset", "framework"), "composer", ("scheduler", "name"))
    draft.put(("preset", "name"), name, ("scheduler", "name"))
    draft.put(("preset", "args"), {}, ("scheduler",))
    for key, value in times.items():
        draft.put(("preset", "args", key), value, ("scheduler", key))
    draft.put(("preset", "args", "units_per_step"), per_step, ("scheduler", "t_warmup"))
    for key, kind in KEYS[name].items():
        default = 0.0 if key == "alpha_f" else None  # the reader states what WP171 warns of
        given = scheduler.get(key, default)
        if kind != "time" and given is not None:
            draft.put(("preset", "args", key), given, ("scheduler", key))
    traps.find(draft, scheduler, float(lr), times, unit)
    draft.note(
        f"Composer steps its scheduler after every batch, before the timestamp moves on: "
        f"updates 0 and 1 at 0 {unit}, update t at (t - 1) x {per_step:,} {unit}; "
        + ", ".join(f"{key} {value:,} {unit}" for key, value in times.items())
    )


def _check_keys(draft: Draft, name: str, scheduler: dict[str, Any]) -> None:
    """What the class's constructor refuses: an unknown or missing keyword argument,
    a value of the wrong kind."""
    known = KEYS[name]
    for key, value in scheduler.items():
        where = ("scheduler", str(key))
        if key == "name":
            continue
        if key not in known:
            draft.error(
                where,
                f"{name} has no argument {key}{did_you_mean(str(key), list(known))} "
                f"({CLASSES[name]} raises TypeError); it takes: {', '.join(known)}",
                errors.UNKNOWN_KEY,
            )
        elif known[key] == "number" and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value != value
        ):
            draft.error(where, f"scheduler.{key} must be a number, got {describe(value)}")
        elif known[key] == "bool" and not isinstance(value, bool):
            draft.error(where, f"scheduler.{key} must be true or false, got {describe(value)}")
    for key in sorted(_REQUIRED & set(known) - set(scheduler)):
        draft.error(
            ("scheduler",),
            f"{name} needs scheduler.{key} (a time string such as 100ba): "
            f"{CLASSES[name]} raises TypeError without it",
            errors.MISSING_KEY,
        )


def _times(draft: Draft, name: str, scheduler: dict[str, Any]) -> tuple[dict[str, int], str]:
    """The scheduler's times as ``_convert_time`` makes them, all in one unit."""
    if name == "inv_sqrt_with_warmup":
        return _inv_sqrt_times(draft, scheduler)
    warmup, unit = _time(draft, ("scheduler", "t_warmup"), scheduler.get("t_warmup"))
    t_max, max_unit = _time(draft, ("scheduler", "t_max"), scheduler.get("t_max", "1dur"))
    if unit != max_unit:
        draft.error(
            ("scheduler", "t_max" if "t_max" in scheduler else "t_warmup"),
            f"t_max is in {max_unit} and t_warmup in {unit}: Composer subtracts one from the "
            "other and raises (write both in the same unit)",
        )
    _check_t_max(draft, t_max, max_unit)
    return {"t_warmup": warmup, "t_max": t_max}, unit


def _inv_sqrt_times(draft: Draft, scheduler: dict[str, Any]) -> tuple[dict[str, int], str]:
    """llm-foundry refuses ``dur`` for the warm-up, scale and cooldown (their length
    must not move with max_duration) and any unit but max_duration's."""
    _, total_unit = _parse(draft, ("max_duration",), draft.get("max_duration"))
    times: dict[str, int] = {}
    units: dict[str, str] = {}
    for key in (*_INV_SQRT_TIMES, "t_max"):
        where = ("scheduler", key)
        value = scheduler.get(key, "1dur")
        known = len(draft.problems)
        _, given = _parse(draft, where, value)
        if len(draft.problems) > known:  # not a time string: said once
            continue
        if key != "t_max" and given == "dur":
            draft.error(where, f"{key} {value}: llm-foundry refuses dur here (ValueError)")
        elif key != "t_max" and given != total_unit:
            draft.error(
                where,
                f"{key} {value} is in {given} and max_duration {draft.get('max_duration')} in "
                f"{total_unit}: llm-foundry refuses it (ValueError; write them in one unit)",
            )
        times[key], units[key] = _time(draft, where, value)
    if len(units) == len(_INV_SQRT_TIMES) + 1 and units["t_max"] != units["t_cooldown"]:
        draft.error(
            ("scheduler", "t_max"),
            f"t_max {scheduler.get('t_max')} is not in the unit of t_cooldown: llm-foundry "
            "subtracts one from the other and raises (RuntimeError)",
        )
    if scheduler.get("alpha_f_decay", 0.0) < scheduler.get("alpha_f_cooldown", 0.0):
        draft.error(
            ("scheduler", "alpha_f_cooldown"),
            "alpha_f_cooldown is above alpha_f_decay: llm-foundry refuses it "
            "(Required: alpha_f_decay >= alpha_f_cooldown)",
        )
    return times, units.get("t_warmup", "ba")


def _check_t_max(draft: Draft, t_max: int, unit: str) -> None:
    """Composer's ``_raise_if_max_duration_exceeds_t_max``, where the units compare."""
    total, total_unit = _parse(draft, ("max_duration",), draft.get("max_duration"))
    limit = int(total) if unit == total_unit else None
    per_epoch = draft.facts.steps_per_epoch
    if unit == "ba" and total_unit == "ep" and per_epoch is not None:
        limit = int(total) * per_epoch
    if limit is not None and t_max < limit:
        draft.error(
            ("scheduler", "t_max"),
            f"t_max {t_max:,}{unit} is shorter than max_duration {draft.get('max_duration')}: "
            "Composer refuses it (the schedule would end before training)",
        )


def _parse(draft: Draft, where: tuple[str, ...], value: Any) -> tuple[float, str]:
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        draft.error(
            where,
            f"{'.'.join(where)} must be a Composer time string (100ba, 2ep, 0.05dur, 512sp, "
            f"1e6tok), got {value!r}",
        )
        return 1.0, "ba"
    number, unit = float(match.group(1)), match.group(2)
    if unit != "dur" and not number.is_integer():
        draft.error(where, f"{'.'.join(where)} {value!r}: {unit} must be a whole number")
    return number, unit


def _updates(draft: Draft) -> int:
    number, unit = _parse(draft, ("max_duration",), draft.get("max_duration"))
    if unit == "dur":  # composer/core/state.py, State.max_duration's setter
        draft.error(
            ("max_duration",),
            f"max_duration {draft.get('max_duration')}: Composer raises ValueError "
            "('TimeUnit.DURATION is not allowed as a unit for max_duration')",
        )
    draft.raise_problems()
    if draft.facts.steps is not None:
        return draft.facts.steps
    if unit == "ba":
        return int(number)
    if unit == "ep":
        return int(number) * _per_epoch(draft, ("max_duration",))
    per_batch = _per_batch(draft, unit, ("max_duration",))
    draft.raise_problems()
    # the trainer's loop: a batch, its samples/tokens added, stop once they reach the end
    updates = -(-int(number) // per_batch)  # ceil, in whole numbers (exact past 2**53)
    draft.note(
        f"max_duration {draft.get('max_duration')}: Composer stops after the first batch "
        f"that reaches it, ceil({int(number):,} / {per_batch:,} {unit} a batch) = "
        f"{updates:,} updates"
    )
    return updates


def _per_epoch(draft: Draft, where: tuple[str, ...]) -> int:
    if draft.facts.steps_per_epoch is None:
        raise draft.needs(
            where,
            f"{'.'.join(where)} in epochs needs the batches of an epoch: pass --steps-per-epoch N",
        )
    return draft.facts.steps_per_epoch


def _time(draft: Draft, where: tuple[str, ...], value: Any) -> tuple[int, str]:
    """``value`` as ``_convert_time`` makes it: whole units of ba, sp or tok."""
    number, unit = _parse(draft, where, value)
    if unit == "ep":
        return int(number) * _per_epoch(draft, where), "ba"
    if unit != "dur":
        return int(number), unit
    total, total_unit = _parse(draft, ("max_duration",), draft.get("max_duration"))
    if total_unit == "ep":  # Composer counts batches: fraction x dataloader_len x epochs
        return int(number * _per_epoch(draft, ("max_duration",)) * total), "ba"
    return int(number * total), total_unit


def _per_batch(draft: Draft, unit: str, where: tuple[str, ...]) -> int:
    """The ``unit``s one update adds to Composer's timestamp: the global batch, times the
    sequence length for tokens (the file's keys, else the run-time flags)."""
    per_step, missing = 1, []
    for key, fact in _BATCH_KEYS.get(unit, ()):
        value = _batch_value(draft, key, fact)
        if value is None:
            missing.append((key, fact))
        else:
            per_step *= value
    if missing:
        keys = " x ".join(key for key, _ in _BATCH_KEYS[unit])
        absent = " and no ".join(key for key, _ in missing)
        flags = " and ".join(f"{FACT_FLAGS[fact]} N" for _, fact in missing)
        raise draft.needs(
            where,
            f"{where[-1]} {_given(draft, where)} needs the {_UNIT_WORDS[unit]} of a batch "
            f"({keys}); this file has no {absent}: pass {flags}",
        )
    return per_step


def _given(draft: Draft, where: tuple[str, ...]) -> Any:
    node: Any = draft.recipe.data
    for part in where:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _batch_value(draft: Draft, key: str, fact: str) -> int | None:
    """``key``'s whole number >= 1 (an error, and 1, if not), checked against the fact."""
    if not draft.has(key):
        return draft.agreed(fact, (key,), None)
    value = draft.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        draft.error((key,), f"{key} must be a whole number >= 1, got {draft.describe(key, value)}")
        return 1
    return draft.agreed(fact, (key,), value)

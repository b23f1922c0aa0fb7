"""Preset arguments that refer to the plan's own budget instead of repeating it.

``num_training_steps: total`` is all the plan's intervals; ``{fraction: 0.1}`` a share
of them, rounded as the framework rounds a ratio of its steps (transformers ceils,
axolotl floors; elsewhere to the nearest, ties to even, as warmplan's own fractions);
``{steps: n}`` and ``{epochs: x}`` a length in another unit, rounded up (a phase is
never shorter than asked). Only a preset's lengths (its step counts, ``Arg.length``)
may refer to the budget. References are resolved once, when the plan is validated:
every later reader of ``plan.preset.args`` sees plain numbers, and the plan's data
keeps the references, so ``--steps`` (or a converted plan) moves them with the budget.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.budget import decimal_text, exact
from warmplan.errors import Finding
from warmplan.presets import Arg, fraction_rounding, registry

if TYPE_CHECKING:
    from warmplan.config.source import Source

#: a Plan (models.py imports this module's schema, so it is not imported back)
Plan = Any

#: the named reference: every interval of the plan
TOTAL = "total"
UNITS = ("fraction", "steps", "epochs")
#: the JSON Schema of a preset argument's value: anything but a mapping, or a reference
REFERENCE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"not": {"type": "object"}},
        {
            "type": "object",
            "description": "A length as a share of the plan's intervals, or in another unit",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "fraction": {"type": "number", "exclusiveMinimum": 0},
                "steps": {"type": "integer", "minimum": 1},
                "epochs": {"type": "number", "exclusiveMinimum": 0},
            },
        },
    ]
}
_FORMS = "total, {fraction: f}, {steps: n} or {epochs: x}"


def resolve_references(plan: Plan, source: Source) -> list[Finding]:
    """Replace the budget references of ``plan.preset.args`` by numbers; the findings
    of references that cannot be resolved (nothing is replaced then)."""
    spec = plan.preset
    preset = registry(spec.framework).get(spec.name) if spec is not None else None
    if spec is None or preset is None:
        return []
    resolved, notes, found = dict(spec.args), [], []
    for key, value in spec.args.items():
        arg = preset.args.get(key)
        if arg is None or not _is_reference(arg, value):
            continue
        where = ("preset", "args", key)
        problem = _problem(arg, value, f"{spec.framework} {spec.name}", key)
        if problem:
            found.append(source.finding(errors.BAD_VALUE, where, problem))
            continue
        resolved[key], note = _resolve(plan, arg, key, value)
        notes.append(note)
    if notes and not found:
        object.__setattr__(spec, "args", resolved)  # frozen model: resolved once, here
        spec._notes = tuple(notes)
    return found


def _is_reference(arg: Arg, value: Any) -> bool:
    return isinstance(value, dict) or (value == TOTAL and arg.kind != "str")


def _problem(arg: Arg, value: Any, title: str, key: str) -> str | None:
    if not arg.length:
        return (
            f"preset.args.{key} is not a length of {title}: only its step counts may refer "
            f"to the plan's budget ({_FORMS}), got {value!r}"
        )
    if value == TOTAL:
        return None
    if len(value) != 1 or next(iter(value)) not in UNITS:
        return f"preset.args.{key} must be a number or one of {_FORMS}, got {value!r}"
    unit, number = next(iter(value.items()))
    whole = unit == "steps"
    kinds = (int,) if whole else (int, float)
    if isinstance(number, bool) or not isinstance(number, kinds) or not number > 0:
        kind = "whole number" if whole else "number"
        return f"preset.args.{key}.{unit} must be a positive {kind}, got {number!r}"
    if not math.isfinite(number) or number > 1e12:
        return f"preset.args.{key}.{unit} must be at most 1e12, got {number!r}"
    return None


def _resolve(plan: Plan, arg: Arg, key: str, value: Any) -> tuple[int | float, str]:
    """The number a reference stands for, and the note saying how it was worked out."""
    assert plan.preset is not None
    total, unit_name = plan.intervals, f"{plan.interval}s"
    what = f"preset.args.{key}"
    if value == TOTAL:
        return total, f"{what}: total = {total:,} {unit_name}"
    unit, number = next(iter(value.items()))
    if unit == "fraction":
        product = exact(number) * total
        rounding = fraction_rounding(plan.preset.framework)
        how = f"{decimal_text(exact(number))} x {total:,} {unit_name} = {decimal_text(product)}"
    elif unit == "epochs":
        per = plan.steps_per_epoch if plan.interval == "step" else 1
        product, rounding = exact(number) * per, "ceil"
        epochs = decimal_text(exact(number))
        how = f"{epochs} epochs x {per:,} = {decimal_text(product)} {unit_name}"
    else:
        per = plan.steps_per_interval
        product, rounding = Fraction(number, per), "ceil"
        how = f"{number:,} steps / {per:,} per {plan.interval} = {decimal_text(product)}"
    if arg.kind == "float":
        return float(product), f"{what}: {how}"
    result = _rounded(product, rounding)
    if result != product:
        words = {"ceil": "up", "floor": "down", "nearest": "to the nearest"}[rounding]
        how += f", rounded {words} to {result:,}"
    return result, f"{what}: {how}"


def _rounded(value: Fraction, rounding: str) -> int:
    if rounding == "ceil":
        return math.ceil(value)
    if rounding == "floor":
        return math.floor(value)
    return round(value)  # Fraction rounds exactly, ties to even

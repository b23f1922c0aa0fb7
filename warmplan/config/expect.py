"""What `warmplan check` reads from a plan: expectations (`expect:`) and silenced rules.

Kept apart from the schedule's own models in :mod:`warmplan.config.models`: these keys change
what `check` reports, never the schedule itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from warmplan.config.blocks import NonNegativeInt, _Block


class _Bounds(_Block):
    """A number (exact) or ``{min, max}`` (inclusive, at least one of them)."""

    equals: float | None = None  # set from a bare number; see _expectation
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Bounds:
        low, high = self.min, self.max
        if self.equals is None and low is None and high is None:
            raise ValueError("must be a number, or {min, max} with at least one of them")
        if low is not None and high is not None and low > high:
            raise ValueError(f"must have min <= max (min {low:g}, max {high:g})")
        return self


class LrBounds(_Bounds):
    equals: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    min: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class StepBounds(_Bounds):
    equals: NonNegativeInt | None = None
    min: NonNegativeInt | None = None
    max: NonNegativeInt | None = None


def _expectation(bounds: type[_Bounds], number: str) -> Any:
    # A bare number becomes {equals: n}: one model, so a mistake gives one message
    # (a plain union would report each of its members' complaints).
    kinds, what = ((int,), "a whole number") if number == "integer" else ((int, float), "a number")

    def exact_or_bounds(value: Any) -> Any:
        if isinstance(value, kinds) and not isinstance(value, bool):
            return {"equals": value}
        if not isinstance(value, dict):
            raise ValueError(f"must be {what}, or a mapping {{min, max}}")
        return value

    return Annotated[bounds, BeforeValidator(exact_or_bounds), _NumberOrBounds(number)]


class _NumberOrBounds:
    """JSON Schema of an expectation: a bare number, or the bounds mapping."""

    def __init__(self, number: str) -> None:
        self.number = number

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"anyOf": [{"type": self.number, "minimum": 0}, handler(core_schema)]}


#: An exact LR matches within a relative 1e-6; an exact step count matches exactly.
if TYPE_CHECKING:  # what a validated value is; at run time, also how a bare number reads
    LrExpectation: TypeAlias = LrBounds
    StepExpectation: TypeAlias = StepBounds
else:
    LrExpectation = _expectation(LrBounds, "number")
    StepExpectation = _expectation(StepBounds, "integer")


class ExpectSpec(_Block):
    """What the team means; `warmplan check` fails when the simulation disagrees."""

    peak_lr: LrExpectation | None = Field(None, description="Highest LR (largest group)")
    warmup_end: StepExpectation | None = Field(
        None, description="First optimizer step trained at the peak LR"
    )
    final_lr: LrExpectation | None = Field(None, description="LR of the last optimizer step")
    total_steps: StepExpectation | None = Field(None, description="Optimizer steps in all")


def _rule_code(code: str) -> str:
    if not re.fullmatch(r"WP1[0-9][0-9]", code):
        raise ValueError("must be a `warmplan check` rule code such as WP102")
    return code


RuleCode = Annotated[
    str,
    AfterValidator(_rule_code),
    Field(json_schema_extra={"pattern": "^WP1[0-9][0-9]$"}),
]

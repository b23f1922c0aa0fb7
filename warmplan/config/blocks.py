"""The building blocks every plan model shares: the strict base model and value types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from warmplan.limits import MAX_WHOLE

#: Whole numbers in a plan stay below this: lengths and counts far past any training,
#: still exact as floats (torch's schedulers compute in float; 10**400 would overflow).
PositiveInt = Annotated[int, Field(ge=1, le=MAX_WHOLE, strict=True)]
NonNegativeInt = Annotated[int, Field(ge=0, le=MAX_WHOLE, strict=True)]
# Positive, finite learning rates; ``allow_inf_nan=False`` refuses .nan and .inf.
LearningRate = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Floor = Annotated[float, Field(ge=0, allow_inf_nan=False)]
UnitFactor = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Gamma = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
#: A share of something, below the whole: a fraction of training, a floor's ratio.
Share = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class _Block(BaseModel):
    # strict: `epochs: yes` or `lr: "1e-3"` are mistakes, not values to coerce;
    # floats still accept YAML integers (`lr: 1`).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

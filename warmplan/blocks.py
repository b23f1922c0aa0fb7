"""The building blocks every plan model shares: the strict base model and value types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

PositiveInt = Annotated[int, Field(ge=1, strict=True)]
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]
# Positive, finite learning rates; ``allow_inf_nan=False`` refuses .nan and .inf.
LearningRate = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Floor = Annotated[float, Field(ge=0, allow_inf_nan=False)]
UnitFactor = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Gamma = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
#: A share of something, below the whole: a fraction of training, a floor's ratio.
Share = Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Block(BaseModel):
    # strict: `epochs: yes` or `lr: "1e-3"` are mistakes, not values to coerce;
    # floats still accept YAML integers (`lr: 1`).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

"""The decay blocks of a plan, one model per ``kind`` (a discriminated union).

Parameters keep torch's own names (``T_max``, ``eta_min``, ``gamma``, ...). Rules that
relate several keys live in :mod:`warmplan.config.validate`; the torch classes each kind
builds are in :mod:`warmplan.schedule.build`.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field

from warmplan.config.blocks import (
    Floor,
    Gamma,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    Share,
    UnitFactor,
    _Block,
)

PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
#: A share of training, the whole included (a decay may span all of it).
Portion = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class Span(_Block):
    """A decay length in the user's unit instead of intervals (``T_max: {epochs: 3}``):
    exactly one key, converted by :mod:`warmplan.config.budget` as warm-up lengths are."""

    steps: PositiveInt | None = Field(None, description="In optimizer steps")
    epochs: PositiveFloat | None = Field(None, description="In epochs")
    fraction: Portion | None = Field(None, description="As a fraction of all intervals")


class Points(_Block):
    """Multistep milestones in the user's unit (``milestones: {epochs: [30, 60, 80]}``),
    counted from the start of training: exactly one key."""

    steps: list[PositiveInt] | None = Field(None, min_length=1, description="Optimizer steps")
    epochs: list[PositiveFloat] | None = Field(None, min_length=1, description="Epochs")
    fraction: list[Portion] | None = Field(
        None, min_length=1, description="Fractions of all intervals"
    )


#: A length in intervals, or a Span in steps, epochs or a fraction of training.
DecayLength = PositiveInt | Span
#: The decay keys that take a :class:`Span` (torch's own names, and wsd's).
SPAN_KEYS = ("T_max", "total_iters", "step_size", "T_0", "decay_length")
MIN_LR_RATIO = Field(
    None, description="The floor as a fraction of each group's target (instead of eta_min)"
)
#: after the horizon (T_max, total_iters) the LR stays at the floor to the end, as
#: Megatron-LM, NeMo and OLMo hold min_lr; torch's CosineAnnealingLR comes back up
HOLD_FLOOR = Field(
    False,
    description=(
        "Hold the floor from the horizon (T_max / total_iters) to the end of training, as "
        "Megatron-LM, NeMo and OLMo do (torch's cosine is periodic; LinearLR and "
        "PolynomialLR hold already: true says the hold is meant)"
    ),
)


class _Decay(_Block):
    #: True for kinds that are a whole schedule, warm-up included (onecycle).
    owns_warmup: ClassVar[bool] = False


class ConstantDecay(_Decay):
    kind: Literal["constant"]


class CosineDecay(_Decay):
    kind: Literal["cosine"]
    T_max: DecayLength | None = Field(
        None, description="Half-period in intervals (default: all intervals after warm-up)"
    )
    eta_min: Floor = 0.0
    min_lr_ratio: Share | None = MIN_LR_RATIO
    hold_floor: bool = HOLD_FLOOR


class LinearDecay(_Decay):
    kind: Literal["linear"]
    end_factor: UnitFactor = 0.0
    total_iters: DecayLength | None = Field(
        None, description="Default: all intervals after warm-up"
    )
    hold_floor: bool = HOLD_FLOOR


class StepDecay(_Decay):
    kind: Literal["step"]
    step_size: DecayLength = Field(description="Intervals between two drops")
    gamma: Gamma = 0.1


class MultiStepDecay(_Decay):
    kind: Literal["multistep"]
    milestones: Annotated[list[PositiveInt], Field(min_length=1)] | Points = Field(
        description="Intervals counted from the start of training"
    )
    gamma: Gamma = 0.1


class ExponentialDecay(_Decay):
    kind: Literal["exponential"]
    gamma: Gamma


class PolynomialDecay(_Decay):
    kind: Literal["polynomial"]
    total_iters: DecayLength | None = Field(
        None, description="Default: all intervals after warm-up"
    )
    power: PositiveFloat = 1.0
    hold_floor: bool = HOLD_FLOOR


class CosineRestartsDecay(_Decay):
    kind: Literal["cosine_restarts"]
    T_0: DecayLength = Field(description="Intervals until the first restart")
    T_mult: PositiveInt = Field(1, description="Each period is T_mult times the last")
    eta_min: Floor = 0.0
    min_lr_ratio: Share | None = MIN_LR_RATIO


class InverseSqrtDecay(_Decay):
    kind: Literal["inverse_sqrt"]
    timescale: PositiveInt | None = Field(
        None, description="tau in sqrt(tau / (tau + k)), k intervals after warm-up (default W)"
    )


class WsdDecay(_Decay):
    kind: Literal["wsd"]
    decay_length: DecayLength | None = Field(
        None, description="Intervals of the final decay (instead of decay_fraction)"
    )
    decay_fraction: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)] | None = Field(
        None, description="The final decay's share of all intervals (default 0.1)"
    )
    shape: Literal["linear", "cosine", "1-sqrt"] = "linear"
    eta_min: Floor = 0.0
    min_lr_ratio: Share | None = MIN_LR_RATIO


class OneCycleDecay(_Decay):
    owns_warmup: ClassVar[bool] = True
    kind: Literal["onecycle"]
    pct_start: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 0.3
    anneal_strategy: Literal["cos", "linear"] = "cos"
    # >= 1: the cycle starts at max_lr / div_factor and ends below that start; smaller
    # factors would start above the peak (or overflow: 5e-324 gives inf, then NaN)
    div_factor: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 25.0
    final_div_factor: Annotated[float, Field(ge=1, allow_inf_nan=False)] = 1e4
    three_phase: bool = False


class YoloDecay(_Decay):
    """ultralytics / YOLOv5: per epoch e, target x lf(e); for the first ``warmup_steps``
    optimizer steps (iterations), a straight line from the start (0, or
    ``warmup_bias_lr`` for ``bias_group``) to that epoch's value, re-aimed every epoch."""

    owns_warmup: ClassVar[bool] = True
    kind: Literal["yolo"]
    lrf: PositiveFloat = Field(0.01, description="lf's final factor: the LR ends at lrf x target")
    shape: Literal["linear", "cosine"] = Field(
        "linear", description="lf: linear, or cosine (ultralytics' cos_lr)"
    )
    warmup_steps: NonNegativeInt = Field(
        0, description="Iterations of the per-iteration warm-up (nw; 0: none)"
    )
    warmup_bias_lr: Floor = Field(
        0.1, description="The absolute LR bias_group starts its warm-up from"
    )
    bias_group: str | None = Field(
        None, description="The param group (name) that warms from warmup_bias_lr; others from 0"
    )


class ReduceOnPlateauDecay(_Decay):
    """Accepted so that the error can explain itself: it needs a metric to preview."""

    kind: Literal["reduce_on_plateau"]
    mode: Literal["min", "max"] = "min"
    factor: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 0.1
    patience: NonNegativeInt = 10
    threshold: NonNegativeFloat = 1e-4
    cooldown: NonNegativeInt = 0
    min_lr: Floor = 0.0


DECAY_MODELS: tuple[type[_Decay], ...] = (
    ConstantDecay,
    CosineDecay,
    LinearDecay,
    StepDecay,
    MultiStepDecay,
    ExponentialDecay,
    PolynomialDecay,
    CosineRestartsDecay,
    InverseSqrtDecay,
    WsdDecay,
    OneCycleDecay,
    YoloDecay,
    ReduceOnPlateauDecay,
)
#: One decay block, told apart by ``kind``. Spelled out (not ``Union[DECAY_MODELS]``) so a
#: type checker sees every member; a test checks that the two lists agree.
AnyDecay = (
    ConstantDecay
    | CosineDecay
    | LinearDecay
    | StepDecay
    | MultiStepDecay
    | ExponentialDecay
    | PolynomialDecay
    | CosineRestartsDecay
    | InverseSqrtDecay
    | WsdDecay
    | OneCycleDecay
    | YoloDecay
    | ReduceOnPlateauDecay
)
DecaySpec = Annotated[AnyDecay, Field(discriminator="kind")]
DEFAULT_WSD_FRACTION = 0.1


def decay_model(kind: object) -> type[_Decay] | None:
    """The model of the decay block of this kind, or None for an unknown kind."""
    for model in DECAY_MODELS:
        if kind in get_args(model.model_fields["kind"].annotation):
            return model
    return None

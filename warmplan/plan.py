"""The plan: a validated description of a warm-up and decay schedule.

Field names are the canonical keys of the YAML format; decay parameters keep torch's
own names (``T_max``, ``eta_min``, ``gamma``, ...). Shape and ranges are checked by
pydantic here; rules that relate several keys live in :mod:`warmplan.validation`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Interval = Literal["epoch", "step"]

PositiveInt = Annotated[int, Field(ge=1, strict=True)]
NonNegativeInt = Annotated[int, Field(ge=0, strict=True)]
# Positive, finite learning rates; ``allow_inf_nan=False`` refuses .nan and .inf.
LearningRate = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Floor = Annotated[float, Field(ge=0, allow_inf_nan=False)]
UnitFactor = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Gamma = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class _Block(BaseModel):
    # strict: `epochs: yes` or `lr: "1e-3"` are mistakes, not values to coerce;
    # floats still accept YAML integers (`lr: 1`).
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class GroupSpec(_Block):
    name: str
    lr: LearningRate | None = Field(
        None, description="This group's target LR (default: optimizer.lr)"
    )


class OptimizerSpec(_Block):
    kind: Literal["sgd", "adam", "adamw"] = "adam"
    lr: LearningRate = Field(description="The target (peak) learning rate")
    betas: Annotated[list[UnitFactor], Field(min_length=2, max_length=2)] | None = Field(
        None, description="Adam/AdamW betas; beta2 sets the warm-up rule of thumb"
    )
    groups: list[GroupSpec] | None = Field(
        None, min_length=1, description="Param groups, each with its own target LR"
    )


class TrainingSpec(_Block):
    epochs: PositiveInt
    steps_per_epoch: PositiveInt = Field(1, description="Optimizer steps per epoch")
    interval: Interval = Field(
        "epoch", description="The scheduler steps once per `epoch` or per optimizer `step`"
    )


class WarmupSpec(_Block):
    kind: Literal["none", "linear", "constant"] = "linear"
    length: NonNegativeInt | None = Field(None, description="Warm-up length in intervals")
    fraction: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] | None = Field(
        None, description="Warm-up length as a fraction of all intervals"
    )
    start_factor: UnitFactor | None = Field(
        None, description="LR at t=0 as a multiple of the target (default 0.1)"
    )
    start_lr: Floor | None = Field(None, description="LR at t=0 (instead of start_factor)")


class ConstantDecay(_Block):
    kind: Literal["constant"]


class CosineDecay(_Block):
    kind: Literal["cosine"]
    T_max: PositiveInt | None = Field(
        None, description="Half-period in intervals (default: all intervals after warm-up)"
    )
    eta_min: Floor = 0.0


class LinearDecay(_Block):
    kind: Literal["linear"]
    end_factor: UnitFactor = 0.0
    total_iters: PositiveInt | None = Field(
        None, description="Default: all intervals after warm-up"
    )


class StepDecay(_Block):
    kind: Literal["step"]
    step_size: PositiveInt
    gamma: Gamma = 0.1


class MultiStepDecay(_Block):
    kind: Literal["multistep"]
    milestones: list[PositiveInt] = Field(
        min_length=1, description="Intervals counted from the start of training"
    )
    gamma: Gamma = 0.1


class ExponentialDecay(_Block):
    kind: Literal["exponential"]
    gamma: Gamma


class PolynomialDecay(_Block):
    kind: Literal["polynomial"]
    total_iters: PositiveInt | None = None
    power: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0


DECAY_MODELS: tuple[type[_Block], ...] = (
    ConstantDecay,
    CosineDecay,
    LinearDecay,
    StepDecay,
    MultiStepDecay,
    ExponentialDecay,
    PolynomialDecay,
)
DecaySpec = Annotated[Union[DECAY_MODELS], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007


def decay_model(kind: object) -> type[_Block] | None:
    """The model of the decay block of this kind, or None for an unknown kind."""
    for model in DECAY_MODELS:
        if kind in get_args(model.model_fields["kind"].annotation):
            return model
    return None


DEFAULT_START_FACTOR = 0.1


class PresetSpec(_Block):
    """A schedule as a framework writes it (see :mod:`warmplan.presets`)."""

    framework: Literal["transformers", "timm", "deepspeed", "optax", "keras"]
    name: str = Field(description="The framework's own name for the schedule")
    args: dict[str, Any] = Field(
        default_factory=dict, description="The framework's own argument names and units"
    )


class Plan(_Block):
    """A whole schedule: optimizer targets, training length, warm-up and decay."""

    name: str | None = Field(None, description="Label for tables, legends and messages")
    optimizer: OptimizerSpec
    training: TrainingSpec
    warmup: WarmupSpec | None = None
    decay: DecaySpec | None = None
    preset: PresetSpec | None = Field(
        None, description="Instead of warmup/decay: a transformers/timm/... schedule"
    )

    _source: Any = PrivateAttr(default=None)

    # -- derived quantities, in one place so every consumer agrees ------------------
    @property
    def source(self) -> Any:
        """The :class:`warmplan.source.Source` the plan was read from (positions)."""
        return self._source

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self._source is not None and self._source.path:
            from pathlib import Path

            return Path(self._source.path).stem
        return "plan"

    @property
    def interval(self) -> Interval:
        return self.training.interval

    @property
    def intervals(self) -> int:
        """N: how many times the scheduler steps over the whole training."""
        t = self.training
        return t.epochs * t.steps_per_epoch if t.interval == "step" else t.epochs

    @property
    def total_steps(self) -> int:
        """Optimizer steps over the whole training."""
        return self.training.epochs * self.training.steps_per_epoch

    @property
    def steps_per_interval(self) -> int:
        return 1 if self.interval == "step" else self.training.steps_per_epoch

    @property
    def warmup_intervals(self) -> int:
        """W: warm-up length in intervals (0 without warm-up)."""
        if self.preset is not None and self.warmup is None:
            from warmplan.presets import warmup_intervals

            return warmup_intervals(self)
        w = self.warmup
        if w is None or w.kind == "none":
            return 0
        if w.length is not None:
            return w.length
        return round((w.fraction or 0.0) * self.intervals)

    @property
    def decay_kind(self) -> str:
        return self.decay.kind if self.decay is not None else "constant"

    @property
    def group_names(self) -> list[str]:
        groups = self.optimizer.groups
        return [g.name for g in groups] if groups else ["lr"]

    @property
    def target_lrs(self) -> list[float]:
        groups = self.optimizer.groups
        if not groups:
            return [self.optimizer.lr]
        return [g.lr if g.lr is not None else self.optimizer.lr for g in groups]

    @property
    def start_factor(self) -> float:
        """The warm-up's LR at t=0 as a multiple of the target."""
        w = self.warmup
        if w is None or w.kind == "none":
            return 1.0
        if w.start_lr is not None:
            return w.start_lr / self.optimizer.lr
        return w.start_factor if w.start_factor is not None else DEFAULT_START_FACTOR

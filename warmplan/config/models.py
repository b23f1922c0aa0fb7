"""The plan: a validated description of a warm-up and decay schedule.

Field names are the canonical keys of the YAML format; decay parameters keep torch's
own names (``T_max``, ``eta_min``, ``gamma``, ...). Shape and ranges are checked by
pydantic here; rules that relate several keys live in :mod:`warmplan.validation`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr

from warmplan.config import budget
from warmplan.config.blocks import (
    Floor,
    LearningRate,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    Share,
    UnitFactor,
    _Block,
)
from warmplan.config.decays import DECAY_MODELS, DecaySpec, decay_model
from warmplan.config.expect import ExpectSpec, RuleCode
from warmplan.config.references import REFERENCE_SCHEMA
from warmplan.presets import Framework

__all__ = ["DECAY_MODELS", "Plan", "decay_model"]

Interval = Literal["epoch", "step"]


class GroupSpec(_Block):
    name: str
    lr: LearningRate | None = Field(
        None, description="This group's target LR (default: optimizer.lr)"
    )


class OptimizerSpec(_Block):
    """The optimizer: its kind, target LR and torch's own arguments (validated per
    kind in :mod:`warmplan.config.validate.optimizer`; they do not change the LRs, and
    go into `warmplan code`'s optimizer and :attr:`torch_kwargs`)."""

    kind: Literal["sgd", "adam", "adamw"] = "adam"
    lr: LearningRate = Field(description="The target (peak) learning rate")
    betas: Annotated[list[UnitFactor], Field(min_length=2, max_length=2)] | None = Field(
        None, description="Adam/AdamW betas; beta2 sets the warm-up rule of thumb"
    )
    eps: PositiveFloat | None = Field(None, description="Adam/AdamW eps (torch: 1e-8)")
    weight_decay: NonNegativeFloat | None = Field(
        None, description="Weight decay (torch: 0 for sgd and adam, 0.01 for adamw)"
    )
    amsgrad: bool | None = Field(None, description="Adam/AdamW: the AMSGrad variant")
    momentum: NonNegativeFloat | None = Field(None, description="SGD momentum (torch: 0)")
    dampening: UnitFactor | None = Field(None, description="SGD dampening (torch: 0)")
    nesterov: bool | None = Field(
        None, description="SGD Nesterov momentum (needs momentum > 0 and dampening 0)"
    )
    maximize: bool | None = Field(None, description="Maximize the objective (torch: false)")
    foreach: bool | None = Field(None, description="torch's foreach implementation")
    fused: bool | None = Field(None, description="torch's fused implementation")
    groups: list[GroupSpec] | None = Field(
        None, min_length=1, description="Param groups, each with its own target LR"
    )

    @property
    def torch_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the torch optimizer: ``lr`` and the arguments given,
        in torch's order: ``torch.optim.AdamW(params, **plan.optimizer.torch_kwargs)``."""
        given = {name: getattr(self, name) for name in TORCH_ARGUMENTS[self.kind]}
        kwargs: dict[str, Any] = {"lr": self.lr}
        kwargs |= {name: value for name, value in given.items() if value is not None}
        if "betas" in kwargs:
            kwargs["betas"] = tuple(kwargs["betas"])
        return kwargs


#: each optimizer kind's arguments, in the order of torch's signature
TORCH_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "sgd": ("momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "fused"),
    "adam": ("betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "fused"),
    "adamw": ("betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "fused"),
}


class TrainingSpec(_Block):
    epochs: PositiveInt | None = Field(None, description="Training length in epochs")
    steps: PositiveInt | None = Field(
        None, description="Training length in optimizer steps (instead of epochs)"
    )
    steps_per_epoch: PositiveInt | None = Field(
        None, description="Optimizer steps per epoch (default 1, or derived from the data)"
    )
    dataset_size: PositiveInt | None = Field(None, description="Samples per epoch")
    batch_size: PositiveInt | None = Field(None, description="Samples per batch per device")
    world_size: PositiveInt = Field(1, description="Devices (data-parallel processes)")
    grad_accum: PositiveInt = Field(1, description="Batches per optimizer step")
    drop_last: bool = Field(False, description="The data loader drops a last partial batch")
    interval: Interval | None = Field(
        None,
        description="The scheduler steps once per `epoch` or per optimizer `step` "
        "(default: step with a budget in steps, else epoch)",
    )


class WarmupSpec(_Block):
    kind: Literal["none", "linear", "constant", "exponential", "cosine"] = "linear"
    length: NonNegativeInt | Literal["auto"] | None = Field(
        None,
        description="Warm-up length in intervals, or `auto`: 2 / (1 - beta2) steps (adam, adamw)",
    )
    steps: NonNegativeInt | None = Field(None, description="Warm-up length in optimizer steps")
    epochs: NonNegativeFloat | None = Field(None, description="Warm-up length in epochs")
    fraction: Share | None = Field(
        None, description="Warm-up length as a fraction of all intervals"
    )
    start_factor: UnitFactor | None = Field(
        None, description="LR at t=0 as a multiple of the target (default 0.1)"
    )
    start_lr: Floor | None = Field(None, description="LR at t=0 (instead of start_factor)")


DEFAULT_START_FACTOR = 0.1


class PresetSpec(_Block):
    """A schedule as a framework writes it (see :mod:`warmplan.presets`)."""

    framework: Framework
    name: str = Field(description="The framework's own name for the schedule")
    args: dict[str, Any] = Field(
        default_factory=dict,
        description="The framework's own argument names and units; a length may refer to "
        "the plan's budget: `total`, or one of {fraction: f} / {steps: n} / {epochs: x}",
        json_schema_extra={"additionalProperties": REFERENCE_SCHEMA},
    )
    #: how budget references among ``args`` were resolved (for `show`)
    _notes: tuple[str, ...] = PrivateAttr(default=())


class Plan(_Block):
    """A whole schedule: optimizer targets, training length, warm-up and decay."""

    name: str | None = Field(None, description="Label for tables, legends and messages")
    optimizer: OptimizerSpec
    training: TrainingSpec
    warmup: WarmupSpec | None = None
    decay: DecaySpec | None = None
    expect: ExpectSpec | None = Field(None, description="Values `warmplan check` must see")
    ignore: list[RuleCode] = Field(
        default_factory=list, description="`warmplan check` rule codes to silence (WP1xx)"
    )
    preset: PresetSpec | None = Field(
        None, description="Instead of warmup/decay: a transformers/timm/... schedule"
    )

    _source: Any = PrivateAttr(default=None)

    # -- derived quantities, in one place so every consumer agrees ------------------
    @property
    def source(self) -> Any:
        """The :class:`warmplan.config.source.Source` the plan was read from (positions)."""
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
        t = self.training
        if t.interval is not None:
            return t.interval
        return "step" if t.steps is not None else "epoch"

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps per epoch: given, or derived (see :mod:`warmplan.config.budget`)."""
        return budget.steps_per_epoch(self.training)

    @property
    def epochs(self) -> int:
        """Epochs of training; a budget in steps ends with a partial epoch if need be."""
        if self.training.epochs is not None:
            return self.training.epochs
        return -(-self.total_steps // self.steps_per_epoch)

    @property
    def total_steps(self) -> int:
        """Optimizer steps over the whole training."""
        if self.training.steps is not None:
            return self.training.steps
        return self.training.epochs * self.steps_per_epoch  # type: ignore[operator]

    @property
    def intervals(self) -> int:
        """N: how many times the scheduler steps over the whole training."""
        return self.total_steps if self.interval == "step" else self.epochs

    @property
    def steps_per_interval(self) -> int:
        return 1 if self.interval == "step" else self.steps_per_epoch

    @property
    def warmup_length(self) -> budget.Length:
        """W with its derivation: the plan's warm-up, or a onecycle decay's own."""
        if self.decay is not None and self.decay.kind == "yolo":
            return budget.yolo_warmup(self)
        if self.decay is not None and self.decay.owns_warmup:
            return budget.onecycle_warmup(self)
        return budget.warmup_length(self)

    @property
    def warmup_intervals(self) -> int:
        """W: warm-up length in intervals (0 without warm-up)."""
        if self.preset is not None and self.warmup is None:
            from warmplan.presets import warmup_intervals

            return warmup_intervals(self.preset, self.intervals)
        return self.warmup_length.intervals

    @property
    def decay_intervals(self) -> int:
        """R: the intervals after warm-up, the default length of a decay."""
        return self.intervals - self.warmup_intervals

    @property
    def final_decay_intervals(self) -> int:
        """D: the final decay of a wsd plan (0 for other kinds)."""
        return budget.final_decay_length(self).intervals

    @property
    def derivation(self) -> list[str]:
        """How the plan's numbers came from the user's units (for `show`)."""
        notes = budget.epoch_notes(self.training) + self.warmup_length.notes
        read = tuple(self._source.notes) if self._source is not None else ()
        preset = self.preset._notes if self.preset is not None else ()
        return list(read + notes + budget.decay_notes(self) + preset)

    def decay_length(self, key: str) -> int | None:
        """A decay length given in the plan (``T_max``, ``total_iters``, ``step_size``,
        ``T_0``, ``decay_length``) in intervals, whatever its unit; None if not given."""
        length = budget.decay_lengths(self).get(key)
        return None if length is None else length.intervals

    @property
    def milestones(self) -> list[int]:
        """A multistep decay's milestones in intervals from the start of training."""
        return list(budget.milestone_positions(self).intervals)

    @property
    def floor_lrs(self) -> list[float] | None:
        """Each group's floor LR (eta_min, or min_lr_ratio x target); None: no floor."""
        decay = self.decay
        if decay is None or not hasattr(decay, "eta_min"):
            return None
        ratio = getattr(decay, "min_lr_ratio", None)
        if ratio is not None:
            return [ratio * target for target in self.target_lrs]
        return [decay.eta_min] * len(self.target_lrs)

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

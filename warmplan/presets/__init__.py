"""Framework presets: a plan's schedule written as transformers, timm, DeepSpeed, optax
or Keras writes it, built as a real ``torch.optim.lr_scheduler.LambdaLR``.

Each framework module holds ``PRESETS``: the framework's own schedule name -> a
:class:`Preset` (its arguments, with the framework's names and defaults, and a
module-level factor function). The scheduler is ``LambdaLR`` over one
``functools.partial`` of that function per param group, so it pickles and its
``state_dict`` round-trips. A factor is ``lr / target``: frameworks whose LRs are
absolute (timm's ``warmup_lr_init``, DeepSpeed's ``warmup_min_lr``, optax's and
Keras' values) give every group the framework's LR, exactly as they would.

Step counting: interval ``t`` of the plan is the framework's step ``t``, the count
of updates done before the one that uses the LR (transformers' and DeepSpeed's
``scheduler.step()`` calls, optax's ``count``, Keras' ``optimizer.iterations``,
timm's ``t`` passed to ``step``/``step_update``). Step-counting frameworks need
``training.interval: step``; timm's ``t_in_epochs`` must agree with the interval.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, Protocol, get_args

#: the frameworks with presets: the plan model validates ``preset.framework`` against it
Framework = Literal[
    "transformers",
    "timm",
    "deepspeed",
    "optax",
    "keras",
    "axolotl",
    "mmengine",
    "nanogpt",
    "megatron",
    "nemo",
    "neox",
    "olmo",
    "composer",
]
FRAMEWORKS: tuple[Framework, ...] = get_args(Framework)

#: plans up to this long have every step's factor checked when they are loaded
PROBED_STEPS = 10_000

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "required"})()


@dataclass(frozen=True)
class Arg:
    """One argument: ``kind`` int | float | bool | str | ints | mappings (a list of
    mappings the preset checks itself, in ``derive``); ``nullable`` allows null.

    Numbers are ``>= minimum`` (0 unless said otherwise): the frameworks accept negative
    steps, rates or powers without a word and then compute negative or complex LRs.
    """

    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    nullable: bool = False
    minimum: float | None = 0
    #: a number of the framework's steps: it may refer to the plan's budget instead
    #: (``{fraction: 1.0}``, ``total``; :mod:`warmplan.config.references`)
    length: bool = False
    #: the value may be one per param group, a list in the order of
    #: ``optimizer.groups`` (Megatron's decoupled floor); group ``i`` gets item ``i``
    per_group: bool = False


def _none(args: Mapping[str, Any]) -> list[tuple[str, int]]:
    return []


def _no_derived(args: dict[str, Any], lr: float) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Preset:
    """A framework's schedule: its arguments and the factor of step ``t``."""

    factor: Callable[..., float]
    args: Mapping[str, Arg]
    #: args -> [(phase name, first framework step)] after the warm-up phase at 0
    phases: Callable[[Mapping[str, Any]], list[tuple[str, int]]] = _none
    #: (args, optimizer.lr) -> extra keyword arguments for ``factor``; raises
    #: PresetArgumentError for combinations the framework refuses
    derive: Callable[[dict[str, Any], float], dict[str, Any]] = _no_derived
    #: keys of ``args`` ``factor`` does not take (they only steer validation)
    hidden: tuple[str, ...] = field(default=())
    #: args -> whether the optimizer's LR is the schedule's peak; False where the LR is
    #: a scale (NeMo's Noam) or the schedule sets its own peak (OneCycleLR's max_lr).
    #: None: it always is
    peaks_at_the_lr: Callable[[Mapping[str, Any]], bool] | None = None


class PresetArgumentError(ValueError):
    """An argument value the framework refuses; ``key`` names it (None: the block)."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(message)
        self.key = key


def registry(framework: str) -> dict[str, Preset]:
    return importlib.import_module(f"warmplan.presets.{framework}").PRESETS


#: how a framework rounds a fraction of its steps (a module's ``FRACTION_ROUNDING``):
#: ceil, floor, or to the nearest (ties to even: warmplan's own, where it has none)
Rounding = Literal["ceil", "floor", "nearest"]


def fraction_rounding(framework: str) -> Rounding:
    module = importlib.import_module(f"warmplan.presets.{framework}")
    rounding: Rounding = getattr(module, "FRACTION_ROUNDING", "nearest")
    return rounding


class PresetCall(Protocol):
    """What a plan's ``preset`` block says: a framework, its schedule's name and the
    arguments given (the config layer's model has these attributes)."""

    @property
    def framework(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def args(self) -> Mapping[str, Any]: ...


def counts_epochs(spec: PresetCall) -> bool:
    """Whether the preset's step counter counts epochs (timm's ``t_in_epochs``)."""
    return spec.framework == "timm" and bool(resolved(spec)["t_in_epochs"])


def resolved(spec: PresetCall) -> dict[str, Any]:
    """The preset's arguments with the framework's defaults filled in."""
    preset = registry(spec.framework)[spec.name]
    return {key: spec.args.get(key, arg.default) for key, arg in preset.args.items()}


def peaks_at_the_lr(spec: PresetCall) -> bool:
    """Whether the schedule's peak is the optimizer's LR (what `check` compares with)."""
    decides = registry(spec.framework)[spec.name].peaks_at_the_lr
    return decides is None or decides(resolved(spec))


def factors(spec: PresetCall, lr: float, target_lrs: list[float]) -> list[Callable[[int], float]]:
    """One factor function per param group, ``lr(t) / target`` of that group."""
    preset = registry(spec.framework)[spec.name]
    args = resolved(spec)
    keywords = {k: v for k, v in args.items() if k not in preset.hidden}
    keywords.update(preset.derive(args, lr))
    return [
        partial(preset.factor, target=target, **_group_keywords(preset, keywords, index))
        for index, target in enumerate(target_lrs)
    ]


def _group_keywords(preset: Preset, keywords: dict[str, Any], index: int) -> dict[str, Any]:
    """``keywords`` with every per-group list replaced by group ``index``'s item."""
    return {
        key: value[index]
        if isinstance(value, list) and key in preset.args and preset.args[key].per_group
        else value
        for key, value in keywords.items()
    }


def phase_marks(spec: PresetCall, total: int) -> list[tuple[str, int]]:
    """[(phase name, first interval)], starting at 0, clipped to ``total`` intervals."""
    preset = registry(spec.framework)[spec.name]
    marks = [("warmup", 0), *preset.phases(resolved(spec))]
    kept: list[tuple[str, int]] = []
    for name, start in marks:
        start = min(max(start, 0), total)
        kept = [(n, s) for n, s in kept if s < start]
        kept.append((name, start))
    return kept


def warmup_intervals(spec: PresetCall, total: int) -> int:
    marks = phase_marks(spec, total)
    if marks[0][0] != "warmup":
        return 0
    return marks[1][1] if len(marks) > 1 else total

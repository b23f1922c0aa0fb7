"""The plan flags every plan-reading command shares, declared once.

Each flag sets one dotted key of the plan. :func:`plan_flags` appends them to a Typer
command's signature and hands the command the list of overrides they make, so
`show`, `plot` and `code` accept the very same flags without repeating them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from warmplan.formats import FORMATS


@dataclass(frozen=True)
class Flag:
    name: str  # the option, e.g. "--eta-min"
    key: str  # the plan key it sets, e.g. "decay.eta_min"
    type: type
    help: str
    minimum: int | None = None  # below it: a usage error (exit 2), as check's flags

    @property
    def param(self) -> str:
        return "flag_" + self.name.lstrip("-").replace("-", "_")


# Kinds first: a flag that changes decay.kind must land before that kind's keys.
FLAGS: tuple[Flag, ...] = (
    Flag("--optimizer", "optimizer.kind", str, "sgd | adam | adamw"),
    Flag(
        "--warmup",
        "warmup.kind",
        str,
        "Warm-up kind: none | linear | constant | exponential | cosine",
    ),
    Flag(
        "--decay",
        "decay.kind",
        str,
        "Decay kind: constant | cosine | linear | step | multistep | exponential | "
        "polynomial | cosine_restarts | inverse_sqrt | wsd | onecycle | yolo",
    ),
    Flag("--name", "name", str, "Label for tables, legends and messages"),
    Flag("--lr", "optimizer.lr", float, "Target (peak) learning rate"),
    Flag("--epochs", "training.epochs", int, "Training length in epochs"),
    Flag("--steps", "training.steps", int, "Training length in optimizer steps", minimum=1),
    Flag(
        "--steps-per-epoch", "training.steps_per_epoch", int, "Optimizer steps per epoch", minimum=1
    ),
    Flag("--dataset-size", "training.dataset_size", int, "Samples per epoch", minimum=1),
    Flag("--batch-size", "training.batch_size", int, "Samples per batch per device"),
    Flag(
        "--world-size", "training.world_size", int, "Devices (data-parallel processes)", minimum=1
    ),
    Flag("--grad-accum", "training.grad_accum", int, "Batches per optimizer step"),
    Flag(
        "--global-batch-size",
        "training.global_batch_size",
        int,
        "Samples per optimizer step over all processes, for recipes counting samples or tokens",
        minimum=1,
    ),
    Flag(
        "--sequence-length",
        "training.sequence_length",
        int,
        "Tokens per sample, for recipes counting tokens",
        minimum=1,
    ),
    Flag(
        "--interval",
        "training.interval",
        str,
        "The scheduler steps once per `epoch` or per optimizer `step`",
    ),
    Flag(
        "--warmup-length",
        "warmup.length",
        str,
        "Warm-up length in intervals, or auto: 2 / (1 - beta2) steps",
    ),
    Flag("--warmup-steps", "warmup.steps", int, "Warm-up length in optimizer steps"),
    Flag("--warmup-epochs", "warmup.epochs", float, "Warm-up length in epochs"),
    Flag(
        "--warmup-fraction",
        "warmup.fraction",
        float,
        "Warm-up length as a fraction of all intervals",
    ),
    Flag(
        "--start-factor",
        "warmup.start_factor",
        float,
        "Warm-up start as a multiple of the target LR",
    ),
    Flag("--start-lr", "warmup.start_lr", float, "Warm-up start LR"),
    Flag("--eta-min", "decay.eta_min", float, "Floor LR (cosine, cosine_restarts, wsd)"),
    Flag(
        "--min-lr-ratio",
        "decay.min_lr_ratio",
        float,
        "Floor as a fraction of each group's target (instead of --eta-min)",
    ),
    Flag("--decay-fraction", "decay.decay_fraction", float, "wsd: the final decay's share"),
    Flag("--t-max", "decay.T_max", int, "Cosine half-period in intervals"),
    Flag("--gamma", "decay.gamma", float, "Decay factor (step, multistep, exponential)"),
    Flag("--step-size", "decay.step_size", int, "Intervals between steps (step decay)"),
    Flag(
        "--milestones",
        "decay.milestones",
        str,
        "Comma-separated intervals from the start of training (multistep)",
    ),
    Flag("--end-factor", "decay.end_factor", float, "Final factor (linear decay)"),
    Flag("--total-iters", "decay.total_iters", int, "Decay length (linear, polynomial)"),
    Flag("--power", "decay.power", float, "Exponent (polynomial decay)"),
)


def _parameter(flag: Flag) -> inspect.Parameter:
    option = typer.Option(flag.name, help=flag.help, show_default=False, min=flag.minimum)
    return inspect.Parameter(
        flag.param,
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[flag.type | None, option],
    )


_SET = inspect.Parameter(
    "flag_set",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Set any plan key: --set decay.eta_min=0 (repeatable)",
            show_default=False,
        ),
    ],
)


_FROM = inspect.Parameter(
    "flag_from",
    inspect.Parameter.KEYWORD_ONLY,
    default=None,
    annotation=Annotated[
        str | None,
        typer.Option(
            "--from",
            help=f"Read the config as this format: {' | '.join(FORMATS)} (default: "
            "recognised from its keys)",
            show_default=False,
        ),
    ],
)


def collect_overrides(values: dict[str, Any]) -> list[Any]:
    """The overrides the given flag values make, in FLAGS order, then each --set."""
    from warmplan.config.overrides import Override, parse_set

    overrides = []
    for flag in FLAGS:
        value = values.get(flag.param)
        if value is None:
            continue
        if flag.key == "decay.milestones":
            value = _milestones(value)
        elif flag.key == "warmup.length":
            value = int(value) if value.isdigit() else value  # a number, or auto
        overrides.append(Override(flag.key, value, flag.name))
    overrides += [parse_set(text) for text in values.get("flag_set") or []]
    return overrides


def _milestones(text: str) -> list[int]:
    """``30,60,80`` -> [30, 60, 80]; an empty item (``3,,5``) is a typo, not [3, 5]."""
    from warmplan import errors
    from warmplan.errors import ConfigError, Finding

    try:
        return [int(p) for p in text.split(",")]
    except ValueError:
        message = f"--milestones expects comma-separated whole numbers (30,60,80), got {text!r}"
        raise ConfigError(
            [Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE)]
        ) from None


def plan_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` the plan flags; it receives their values as ``flags={...}``,
    to turn into overrides with :func:`collect_overrides` (where errors are reported)."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "flags"]
    flag_params = [_parameter(flag) for flag in FLAGS] + [_SET, _FROM]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        flag_values = {p.name: kwargs.pop(p.name, None) for p in flag_params}
        return command(**kwargs, flags=flag_values)

    params = own + flag_params
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    del wrapper.__wrapped__  # typer must read the new signature, not the original's
    return wrapper

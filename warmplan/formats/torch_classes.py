"""A scheduler or optimizer named by its class path (Lightning CLI ``class_path``, Hydra
``_target_``, torchtune ``_component_``) -> the plan's blocks that build the same one.

torch's ``torch.optim.lr_scheduler`` classes map to themselves (the native decays and
warm-ups are those classes, with torch's own defaults, as torch 2.13 has them);
transformers' and torchtune's schedule functions map to the transformers preset
(torchtune's cosine is transformers' formula, operation by operation). Anything
else is a project's own code, which no config can say what it does: refused by name.
"""

from __future__ import annotations

from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats.draft import Draft
from warmplan.presets import REQUIRED
from warmplan.text import closest, did_you_mean, hint

TORCH = "torch.optim.lr_scheduler."
LIGHTNING = ("lightning.pytorch.cli.", "pytorch_lightning.cli.")
#: torch 2.13's schedulers that are functions of the step: arguments and defaults
SCHEDULERS: dict[str, dict[str, Any]] = {
    "StepLR": {"step_size": REQUIRED, "gamma": 0.1},
    "MultiStepLR": {"milestones": REQUIRED, "gamma": 0.1},
    "ExponentialLR": {"gamma": REQUIRED},
    "CosineAnnealingLR": {"T_max": REQUIRED, "eta_min": 0.0},
    "LinearLR": {"start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5},
    "ConstantLR": {"factor": 1 / 3, "total_iters": 5},
    "PolynomialLR": {"total_iters": 5, "power": 1.0},
    "CosineAnnealingWarmRestarts": {"T_0": REQUIRED, "T_mult": 1, "eta_min": 0.0},
    "OneCycleLR": {
        "max_lr": REQUIRED,
        "total_steps": None,
        "epochs": None,
        "steps_per_epoch": None,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "cycle_momentum": True,
        "base_momentum": 0.85,
        "max_momentum": 0.95,
        "div_factor": 25.0,
        "final_div_factor": 1e4,
        "three_phase": False,
    },
}
#: torch classes whose LRs no config fixes, and why
UNPREVIEWABLE = {
    "ReduceLROnPlateau": "lowers the LR when a monitored metric stops improving, which only "
    "the training run measures: no schedule can be previewed before it",
    "LambdaLR": "multiplies the LR by a Python function (lr_lambda), which a config cannot hold",
    "MultiplicativeLR": "multiplies the LR by a Python function (lr_lambda), which a config "
    "cannot hold",
    "SequentialLR": "chains schedulers built in code; write the chain as a warmplan plan "
    "(warmup + decay)",
    "ChainedScheduler": "chains schedulers built in code; write the chain as a warmplan plan",
    "CyclicLR": "is not among warmplan's schedules yet",
    "LRScheduler": "is the base class of torch's schedulers: it keeps the LR",
}
_HF_FUNCTIONS = {
    "get_constant_schedule": "constant",
    "get_constant_schedule_with_warmup": "constant_with_warmup",
    "get_linear_schedule_with_warmup": "linear",
    "get_cosine_schedule_with_warmup": "cosine",
    "get_cosine_with_hard_restarts_schedule_with_warmup": "cosine_with_restarts",
    "get_polynomial_decay_schedule_with_warmup": "polynomial",
    "get_inverse_sqrt_schedule": "inverse_sqrt",
    "get_cosine_with_min_lr_schedule_with_warmup": "cosine_with_min_lr",
    "get_wsd_schedule": "warmup_stable_decay",
}
_HF_MODULES = ("transformers.", "transformers.optimization.")
#: torchtune's schedule functions: its cosine is transformers' (torchtune 0.6.1)
TORCHTUNE_COSINE = (
    "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup",
    "torchtune.training.get_cosine_schedule_with_warmup",
    "torchtune.modules.get_cosine_schedule_with_warmup",
)
#: arguments every torch scheduler takes that do not change the schedule's values
_IGNORED = ("last_epoch", "verbose")


def scheduler_name(path: str) -> str | None:
    """The torch class of ``path`` (``torch.optim.lr_scheduler.StepLR`` or ``StepLR``,
    as jsonargparse resolves short names), or None."""
    name = path.removeprefix(TORCH)
    for module in LIGHTNING:  # Lightning's ReduceLROnPlateau, with its monitor
        name = name.removeprefix(module)
    return name if name in SCHEDULERS or name in UNPREVIEWABLE else None


def hf_schedule(path: str) -> str | None:
    """The transformers SchedulerType of a schedule function's path, or None."""
    if path in TORCHTUNE_COSINE:
        return "cosine"
    for module in _HF_MODULES:
        name = path.removeprefix(module)
        if name != path and name in _HF_FUNCTIONS:
            return _HF_FUNCTIONS[name]
    return None


def refuse_unknown(draft: Draft, path: Any, where: KeyPath, what: str) -> None:
    """A class path no mapping knows: a project's own class (its code is elsewhere)."""
    if not isinstance(path, str) or not path:
        draft.error(where, f"{what} must be a class path (text), got {path!r}")
        return
    close = closest(path.rsplit(".", 1)[-1], [*SCHEDULERS, *UNPREVIEWABLE, *_HF_FUNCTIONS])
    draft.error(
        where,
        f"cannot know what {path} does: it is not a torch, transformers or torchtune "
        f"schedule, and its code is not in the config{hint(close)}; write the schedule it "
        "computes as a warmplan plan",
    )


def init_args(
    draft: Draft, name: str, given: dict[str, Any], where: KeyPath
) -> dict[str, Any] | None:
    """The class's arguments, defaults filled in; None after an error (located)."""
    known = SCHEDULERS[name]
    values = dict(known)
    ok = True
    for key, value in given.items():
        if key in _IGNORED:
            if key == "last_epoch" and value != -1:
                draft.error((*where, key), f"last_epoch {value!r}: a resumed schedule's count")
                ok = False
            continue
        if key not in known:
            draft.error(
                (*where, key),
                f"{name} has no argument {key}{did_you_mean(str(key), list(known))} (torch "
                f"raises TypeError); it takes: {', '.join(known)}",
            )
            ok = False
            continue
        values[key] = value
    missing = [key for key, value in values.items() if value is REQUIRED]
    if missing:
        draft.error(where, f"{name} needs {', '.join(missing)} (torch raises TypeError)")
        return None
    return values if ok else None


def write_scheduler(draft: Draft, name: str, args: dict[str, Any], where: KeyPath) -> None:
    """The native blocks of torch class ``name`` with ``args`` (the whole schedule)."""

    def at(key: str) -> KeyPath:
        return (*where, key)

    def decay(kind: str, **values: Any) -> None:
        draft.put(("decay", "kind"), kind, where)
        for key, value in values.items():
            draft.put(("decay", key), value, at(key))

    if name == "StepLR":
        decay("step", step_size=args["step_size"], gamma=args["gamma"])
    elif name == "MultiStepLR":
        decay("multistep", milestones=sorted(args["milestones"]), gamma=args["gamma"])
    elif name == "ExponentialLR":
        decay("exponential", gamma=args["gamma"])
    elif name == "CosineAnnealingLR":
        decay("cosine", T_max=args["T_max"], eta_min=args["eta_min"])
    elif name == "PolynomialLR":
        decay("polynomial", total_iters=args["total_iters"], power=args["power"])
    elif name == "CosineAnnealingWarmRestarts":
        decay("cosine_restarts", T_0=args["T_0"], T_mult=args["T_mult"], eta_min=args["eta_min"])
    elif name == "LinearLR":
        _linear(draft, args, where)
    elif name == "ConstantLR":
        _warmup(draft, "constant", args["factor"], args["total_iters"], where, "factor")
    draft.note(f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())}): torch's own class")


def _linear(draft: Draft, args: dict[str, Any], where: KeyPath) -> None:
    start, end = args["start_factor"], args["end_factor"]
    if start == 1.0:
        draft.put(("decay", "kind"), "linear", where)
        draft.put(("decay", "end_factor"), end, (*where, "end_factor"))
        draft.put(("decay", "total_iters"), args["total_iters"], (*where, "total_iters"))
    elif end == 1.0:
        _warmup(draft, "linear", start, args["total_iters"], where, "start_factor")
    else:
        draft.error(
            where,
            f"LinearLR from {start:g} to {end:g} (neither 1) is a warm-up and a decay at once, "
            "which a warmplan plan does not have; write the plan natively",
        )


def _warmup(draft: Draft, kind: str, factor: Any, length: Any, where: KeyPath, key: str) -> None:
    if factor == 1.0 or length == 0:
        return  # the target all along: no warm-up
    draft.put(("warmup", "kind"), kind, where)
    draft.put(("warmup", "start_factor"), factor, (*where, key))
    draft.put(("warmup", "length"), length, (*where, "total_iters"))

"""Reference LRs of Composer / llm-foundry configs, from mosaicml's own scheduler classes.

Not a test and not part of warmplan: run it in a side venv (the local CPU torch)::

    /work/venv-composer/bin/pip install -c /work/torch-constraints.txt torch==2.13.0
    /work/venv-composer/bin/pip install --no-deps mosaicml==0.32.1 llm-foundry==0.22.0
    /work/venv-composer/bin/python scripts/make_composer_references.py

``import composer`` pulls in the trainer, numpy, and more that are not installed, so the
script loads by path the files ``composer/utils/string_enum.py``,
``composer/core/serializable.py``, ``composer/core/time.py`` and
``composer/optim/scheduler.py`` of the installed package (their own code; only the
package modules around them are stubbed, in this script only; ``State`` is used by the
schedulers through ``max_duration``, ``timestamp`` and ``dataloader_len`` alone), and
llm-foundry's ``llmfoundry/utils/warnings.py`` and ``llmfoundry/optim/scheduler.py``
(InverseSquareRootWithWarmupScheduler) likewise. The scheduler is built as llm-foundry's
``build_scheduler`` does (its registry's name -> class, ``llmfoundry/optim/__init__.py``;
the YAML's other keys as keyword arguments), compiled by Composer's own
``compile_composer_scheduler`` into a LambdaLR over a torch SGD, and driven as
Composer's trainer does: the batch runs (a step pre-hook records the LRs), then
``scheduler.step()``, *then* the timestamp moves to the next batch (samples += global
batch, tokens += global batch x max_seq_len): the Trainer steps its schedulers before
it advances the timestamp, so batch t >= 1 trains at the LR of timestamp t - 1. The
number of batches is the trainer's loop (``Trainer._train_loop``, trainer.py of 0.32.1):
batches while ``timestamp < max_duration``, stopping after the first whose timestamp is
``>= max_duration`` (Composer's own ``Timestamp``/``Time`` comparisons), the timestamp
moved to the next epoch when a dataloader of ``dataloader_len`` batches runs out. A case
whose file has no ``global_train_batch_size`` / ``max_seq_len`` takes them from
``FACTS`` (what ``--global-batch-size`` / ``--sequence-length`` give warmplan; stored as
the case's ``facts``).
Output: tests/data/formats/composer.json (``derived``: ``_convert_time``'s t_warmup and
t_max, which scripts/make_family_preset_cases.py copies into tests/data/presets).

``ratio_cases``: schedulers that llm-foundry cannot give a ``scale_schedule_ratio`` (its
TrainConfig has no such key), run as Composer's Trainer runs them from Python with one:
``compile_composer_scheduler(scheduler, state, ratio)``, then ``max_duration`` scaled by
the ratio (the Trainer's ``_scale_max_duration_by_ssr``: ``int(value x ratio)``), which
is also the number of updates.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import types
from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs" / "composer"
#: run-time facts of a case (the epochs' batches); the other cases need none
STEPS_PER_EPOCH = {
    "cosine-epochs.yaml": 12,
    "inv-sqrt-epochs.yaml": 10,
    "inv-sqrt-mixed-units.yaml": 10,
}
#: the batch of a case whose file leaves it to the command line (llm-foundry's
#: global_train_batch_size / max_seq_len, as the flags give them)
FACTS = {
    "linear-max-samples-flags.yaml": {"global_batch_size": 8},
    "constant-max-tokens-flags.yaml": {"global_batch_size": 6, "sequence_length": 50},
    "cosine-max-tokens-batches.yaml": {"sequence_length": 40},
}
#: the keys of a scheduler block that are times (the others are numbers or flags)
TIMES = ("t_warmup", "t_scale", "t_cooldown", "t_max")
#: Trainer(scale_schedule_ratio=...) cases: (name, max_duration, lr, scheduler block, ratio)
RATIO_CASES = [
    (
        "cosine-ratio",
        "40ba",
        1e-3,
        {"name": "cosine_with_warmup", "t_warmup": "10ba", "alpha_f": 0.1},
        0.5,
    ),
    # t_max 40ba x 0.5 = 20ba < max_duration 40ba, not yet scaled when LambdaLR first calls
    (
        "cosine-ratio-refused",
        "40ba",
        1e-3,
        {"name": "cosine_with_warmup", "t_warmup": "10ba", "t_max": "40ba"},
        0.5,
    ),
    (
        "cosine-ratio-scale-warmup",
        "40ba",
        1e-3,
        {
            "name": "cosine_with_warmup",
            "t_warmup": "10ba",
            "t_max": "80ba",
            "alpha_f": 0.1,
            "scale_warmup": True,
        },
        0.5,
    ),
    (
        "linear-ratio-scale-warmup",
        "30ba",
        6e-4,
        {
            "name": "linear_decay_with_warmup",
            "t_warmup": "7ba",
            "alpha_i": 0.8,
            "alpha_f": 0.2,
            "scale_warmup": True,
        },
        1.5,
    ),
    (
        "constant-ratio",
        "20ba",
        2e-4,
        {"name": "constant_with_warmup", "t_warmup": "6ba", "alpha": 0.7},
        0.7,
    ),
    (
        "inv-sqrt-ratio",
        "60ba",
        1e-3,
        {
            "name": "inv_sqrt_with_warmup",
            "t_warmup": "8ba",
            "t_scale": "10ba",
            "t_cooldown": "20ba",
            "alpha_f_decay": 0.1,
        },
        0.75,
    ),
]

#: Composer classes llm-foundry has no name for, built in Python: (case, max_duration, lr,
#: {"class": its name, its keyword arguments}, the Trainer's scale_schedule_ratio)
CLASS_CASES = [
    ("step", "40ba", 1e-3, {"class": "StepScheduler", "step_size": "7ba", "gamma": 0.5}, 1.0),
    ("step-ratio", "40ba", 1e-3, {"class": "StepScheduler", "step_size": "7ba"}, 0.6),
    (
        "multistep",
        "40ba",
        1e-3,
        {"class": "MultiStepScheduler", "milestones": ["10ba", "25ba"], "gamma": 0.3},
        1.0,
    ),
    (
        "multistep-ratio",
        "40ba",
        1e-3,
        {"class": "MultiStepScheduler", "milestones": ["10ba", "25ba", "33ba"]},
        1.3,
    ),
    ("constant", "30ba", 2e-3, {"class": "ConstantScheduler", "alpha": 0.25, "t_max": "12ba"}, 1.0),
    (
        "linear",
        "30ba",
        1e-3,
        {"class": "LinearScheduler", "alpha_i": 0.2, "alpha_f": 1.0, "t_max": "13ba"},
        1.0,
    ),
    ("linear-ratio", "30ba", 1e-3, {"class": "LinearScheduler", "t_max": "30ba"}, 0.5),
    (
        "exponential",
        "30ba",
        1e-3,
        {"class": "ExponentialScheduler", "gamma": 0.8, "decay_period": "4ba"},
        1.0,
    ),
    (
        "cosine",
        "30ba",
        1e-3,
        {"class": "CosineAnnealingScheduler", "t_max": "30ba", "alpha_f": 0.05},
        1.0,
    ),
    ("cosine-ratio", "30ba", 1e-3, {"class": "CosineAnnealingScheduler", "t_max": "30ba"}, 0.8),
    (
        "restarts",
        "60ba",
        1e-3,
        {"class": "CosineAnnealingWarmRestartsScheduler", "t_0": "10ba", "alpha_f": 0.1},
        1.0,
    ),
    (
        "restarts-mult",
        "80ba",
        1e-3,
        {"class": "CosineAnnealingWarmRestartsScheduler", "t_0": "5ba", "t_mult": 1.7},
        1.0,
    ),
    (
        "restarts-mult-ratio",
        "80ba",
        1e-3,
        {"class": "CosineAnnealingWarmRestartsScheduler", "t_0": "6ba", "t_mult": 2.0},
        0.5,
    ),
    (
        "polynomial",
        "30ba",
        1e-3,
        {"class": "PolynomialScheduler", "power": 1.5, "t_max": "30ba", "alpha_f": 0.1},
        1.0,
    ),
    (
        "multistep-warmup",
        "40ba",
        1e-3,
        {
            "class": "MultiStepWithWarmupScheduler",
            "t_warmup": "8ba",
            "milestones": ["20ba", "30ba"],
            "gamma": 0.5,
        },
        1.0,
    ),
    (
        "multistep-warmup-ratio",
        "40ba",
        1e-3,
        {
            "class": "MultiStepWithWarmupScheduler",
            "t_warmup": "8ba",
            "milestones": ["20ba", "30ba"],
            "scale_warmup": True,
        },
        0.75,
    ),
    (
        "polynomial-warmup",
        "40ba",
        1e-3,
        {"class": "PolynomialWithWarmupScheduler", "t_warmup": "6ba", "alpha_f": 0.1},
        1.0,
    ),
    (
        "polynomial-warmup-ratio",
        "40ba",
        1e-3,
        {
            "class": "PolynomialWithWarmupScheduler",
            "t_warmup": "6ba",
            "power": 0.5,
            "t_max": "40ba",
            "scale_warmup": True,
        },
        1.25,
    ),
]


def _load(name: str, relative: str, package: str = "composer") -> types.ModuleType:
    site = next(Path(p) for p in sys.path if (Path(p) / package / relative).exists())
    spec = importlib.util.spec_from_file_location(name, site / package / relative)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_composer() -> tuple[types.ModuleType, types.ModuleType]:
    for name in ("composer", "composer.core", "composer.utils", "composer.optim"):
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
    sys.modules["composer.utils"].StringEnum = _load(
        "composer.utils.string_enum", "utils/string_enum.py"
    ).StringEnum
    _load("composer.core.serializable", "core/serializable.py")
    time = _load("composer.core.time", "core/time.py")
    core = sys.modules["composer.core"]
    core.Time, core.TimeUnit, core.Timestamp, core.State = (
        time.Time,
        time.TimeUnit,
        time.Timestamp,
        object,
    )
    schedulers = _load("composer.optim.scheduler", "optim/scheduler.py")
    optim = sys.modules["composer.optim"]
    optim.ComposerScheduler, optim.LinearScheduler = (
        schedulers.ComposerScheduler,
        schedulers.LinearScheduler,
    )
    return time, schedulers


def load_foundry() -> types.ModuleType:
    """llm-foundry's scheduler module, by path (``import llmfoundry`` needs transformers,
    omegaconf, ...); run after :func:`load_composer`."""
    for name in ("llmfoundry", "llmfoundry.utils", "llmfoundry.optim"):
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
    _load("llmfoundry.utils.warnings", "utils/warnings.py", "llmfoundry")
    return _load("llmfoundry.optim.scheduler", "optim/scheduler.py", "llmfoundry")


def build(scheduler_module: types.ModuleType, foundry: types.ModuleType, block: dict):
    """llm-foundry's build_scheduler: the name picks the class, the rest are kwargs."""
    classes = {  # llmfoundry/optim/__init__.py's schedulers.register calls
        "constant_with_warmup": scheduler_module.ConstantWithWarmupScheduler,
        "cosine_with_warmup": scheduler_module.CosineAnnealingWithWarmupScheduler,
        "linear_decay_with_warmup": scheduler_module.LinearWithWarmupScheduler,
        "inv_sqrt_with_warmup": foundry.InverseSquareRootWithWarmupScheduler,
    }
    kwargs = {k: v for k, v in block.items() if k != "name"}
    return classes[block["name"]](**kwargs)


def train_loop(state, batch: int, sequence: int, per_epoch, train_batch, step_scheduler) -> int:
    """Trainer._train_loop's timing: the batches it trains before max_duration."""
    batches = 0
    while state.timestamp < state.max_duration:
        for _ in range(per_epoch) if per_epoch else itertools.count():  # no length: endless
            train_batch()
            batches += 1
            # the Trainer steps its schedulers *before* it moves the timestamp on
            # (trainer.py, _train_loop): the next batch's LR is this batch's timestamp's
            step_scheduler()
            state.timestamp = state.timestamp.to_next_batch(samples=batch, tokens=batch * sequence)
            if state.timestamp >= state.max_duration:
                break
        if per_epoch and int(state.timestamp.batch_in_epoch) == per_epoch:
            state.timestamp = state.timestamp.to_next_epoch()
    return batches


def _class_times(schedulers, state, kwargs: dict) -> dict:
    """``_convert_time`` of every time argument (a string, or a list of them)."""
    out: dict = {}
    for key, value in kwargs.items():
        if isinstance(value, str):
            out[key] = schedulers._convert_time(value, state).value
        elif isinstance(value, list):
            out[key] = [schedulers._convert_time(v, state).value for v in value]
    return out


def class_cases(time, schedulers, foundry) -> list[dict]:
    cases = []
    for name, duration, lr, block, ratio in CLASS_CASES:
        config = {"max_duration": duration, "optimizer": {"lr": lr}, "scheduler": block}
        case = {"name": name, "args": config, "scale_schedule_ratio": ratio}
        case.update(_drive(time, schedulers, foundry, config, None, ratio))
        cases.append(case)
    return cases


def _drive(
    time, schedulers, foundry, config: dict, per_epoch, ratio: float = 1.0, facts=None
) -> dict:
    """The Trainer's loop over ``config``: LRs of every update, and what
    ``_convert_time`` made of the block's times (before the ratio)."""
    import torch

    facts = facts or {}
    batch = config.get("global_train_batch_size", facts.get("global_batch_size", 1))
    sequence = config.get("max_seq_len", facts.get("sequence_length", 1))
    state = types.SimpleNamespace(
        max_duration=time.Time.from_timestring(config["max_duration"]),
        timestamp=time.Timestamp(),
        dataloader_len=None if per_epoch is None else time.Time(per_epoch, time.TimeUnit.BATCH),
    )
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=config["optimizer"]["lr"])
    state.optimizers = [optimizer]
    block = config["scheduler"]
    if "class" in block:  # a Composer class by its name, as Python builds it
        kwargs = {k: v for k, v in block.items() if k != "class"}
        scheduler = getattr(schedulers, block["class"])(**kwargs)
        derived = _class_times(schedulers, state, kwargs)
        unit = "ba"
    else:
        scheduler = build(schedulers, foundry, block)
        derived = {k: schedulers._convert_time(block[k], state).value for k in TIMES if k in block}
        if "t_max" not in block:
            derived["t_max"] = schedulers._convert_time("1dur", state).value
        unit = schedulers._convert_time(block["t_warmup"], state).unit.value
    lambda_lr = schedulers.compile_composer_scheduler(scheduler, state, ratio)
    if ratio != 1.0:  # the Trainer scales max_duration after compiling its schedulers
        state.max_duration = state.max_duration * ratio
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(lambda o, a, k: lrs.append([g["lr"] for g in o.param_groups]))

    def train_batch() -> None:
        parameter.grad = torch.ones(1)
        optimizer.step()

    updates = train_loop(state, batch, sequence, per_epoch, train_batch, lambda_lr.step)
    derived["unit"] = unit
    derived["units_per_update"] = {"ba": 1, "sp": batch, "tok": batch * sequence}[unit]
    return {"updates": updates, "derived": derived, "lrs": lrs}


def run(time, schedulers, foundry, path: Path) -> dict:
    config = yaml.safe_load(path.read_text())
    per_epoch = STEPS_PER_EPOCH.get(path.name)
    facts = FACTS.get(path.name, {})
    driven = _drive(time, schedulers, foundry, config, per_epoch, facts=facts)
    return {
        "name": path.stem,
        "config": str(path.relative_to(OUT)),
        "config_text": path.read_text(),
        "args": config,
        "steps_per_epoch": per_epoch,
        "facts": facts,
        "updates": driven["updates"],
        # _convert_time's own results, in t_warmup's unit (the preset's arguments)
        "derived": driven["derived"],
        "lrs": driven["lrs"],
    }


def ratio_cases(time, schedulers, foundry) -> list[dict]:
    cases = []
    for name, duration, lr, block, ratio in RATIO_CASES:
        config = {"max_duration": duration, "optimizer": {"lr": lr}, "scheduler": block}
        case = {"name": name, "args": config, "scale_schedule_ratio": ratio}
        try:
            case.update(_drive(time, schedulers, foundry, config, None, ratio))
        except ValueError as error:  # LambdaLR's first call, before max_duration is scaled
            case["error"] = {"type": type(error).__name__, "message": str(error)}
        cases.append(case)
    return cases


def main() -> None:
    time, schedulers = load_composer()
    foundry = load_foundry()
    cases = []
    for path in sorted(CONFIGS.glob("*.yaml")):
        try:
            cases.append(run(time, schedulers, foundry, path))
        except ValueError as error:  # Composer refuses the config: its words
            cases.append(
                {
                    "name": path.stem,
                    "config": str(path.relative_to(OUT)),
                    "config_text": path.read_text(),
                    "steps_per_epoch": STEPS_PER_EPOCH.get(path.name),
                    "error": {"type": type(error).__name__, "message": str(error)},
                }
            )
    import torch

    data = {
        "versions": {
            "mosaicml": version("mosaicml"),
            "llm-foundry": version("llm-foundry"),
            "torch": torch.__version__,
        },
        "cases": cases,
        "ratio_cases": ratio_cases(time, schedulers, foundry),
        "class_cases": class_cases(time, schedulers, foundry),
    }
    (OUT / "composer.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(cases)} cases -> {OUT / 'composer.json'}")


if __name__ == "__main__":
    main()

"""Reference LRs of Composer / llm-foundry configs, from mosaicml's own scheduler classes.

Not a test and not part of warmplan: run it in a side venv (the local CPU torch)::

    /work/venv-composer/bin/pip install -c /work/torch-constraints.txt torch==2.13.0
    /work/venv-composer/bin/pip install --no-deps mosaicml==0.32.1
    /work/venv-composer/bin/python scripts/make_composer_references.py

``import composer`` pulls in the trainer, numpy, and more that are not installed, so the
script loads by path the files ``composer/utils/string_enum.py``,
``composer/core/serializable.py``, ``composer/core/time.py`` and
``composer/optim/scheduler.py`` of the installed package (their own code; only the
package modules around them are stubbed, in this script only; ``State`` is used by the
schedulers through ``max_duration``, ``timestamp`` and ``dataloader_len`` alone). The
scheduler is built as llm-foundry's ``build_scheduler`` does (name -> class, the YAML's
keys as keyword arguments), compiled by Composer's own ``compile_composer_scheduler``
into a LambdaLR over a torch SGD, and driven as Composer's trainer does: the batch
runs (a step pre-hook records the LRs), the timestamp moves to the next batch (samples +=
global batch, tokens += global batch x max_seq_len), then ``scheduler.step()``. The
number of batches is the trainer's loop (``Trainer._train_loop``, trainer.py of 0.32.1):
batches while ``timestamp < max_duration``, stopping after the first whose timestamp is
``>= max_duration`` (Composer's own ``Timestamp``/``Time`` comparisons), the timestamp
moved to the next epoch when a dataloader of ``dataloader_len`` batches runs out. A case
whose file has no ``global_train_batch_size`` / ``max_seq_len`` takes them from
``FACTS`` (what ``--global-batch-size`` / ``--sequence-length`` give warmplan; stored as
the case's ``facts``).
Output: tests/data/formats/composer.json (``derived``: ``_convert_time``'s t_warmup and
t_max, which scripts/make_family_preset_cases.py copies into tests/data/presets).
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
STEPS_PER_EPOCH = {"cosine-epochs.yaml": 12}
#: the batch of a case whose file leaves it to the command line (llm-foundry's
#: global_train_batch_size / max_seq_len, as the flags give them)
FACTS = {
    "linear-max-samples-flags.yaml": {"global_batch_size": 8},
    "constant-max-tokens-flags.yaml": {"global_batch_size": 6, "sequence_length": 50},
    "cosine-max-tokens-batches.yaml": {"sequence_length": 40},
}


def _load(name: str, relative: str) -> types.ModuleType:
    site = next(Path(p) for p in sys.path if (Path(p) / "composer" / relative).exists())
    spec = importlib.util.spec_from_file_location(name, site / "composer" / relative)
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
    return time, _load("composer.optim.scheduler", "optim/scheduler.py")


def build(scheduler_module: types.ModuleType, block: dict):
    """llm-foundry's build_scheduler: the name picks the class, the rest are kwargs."""
    classes = {
        "cosine_with_warmup": scheduler_module.CosineAnnealingWithWarmupScheduler,
        "linear_decay_with_warmup": scheduler_module.LinearWithWarmupScheduler,
        "constant_with_warmup": scheduler_module.ConstantWithWarmupScheduler,
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
            state.timestamp = state.timestamp.to_next_batch(samples=batch, tokens=batch * sequence)
            step_scheduler()
            if state.timestamp >= state.max_duration:
                break
        if per_epoch and int(state.timestamp.batch_in_epoch) == per_epoch:
            state.timestamp = state.timestamp.to_next_epoch()
    return batches


def run(time: types.ModuleType, schedulers: types.ModuleType, path: Path) -> dict:
    import torch

    config = yaml.safe_load(path.read_text())
    per_epoch = STEPS_PER_EPOCH.get(path.name)
    facts = FACTS.get(path.name, {})
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
    lambda_lr = schedulers.compile_composer_scheduler(build(schedulers, config["scheduler"]), state)
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(lambda o, a, k: lrs.append([g["lr"] for g in o.param_groups]))

    def train_batch() -> None:
        parameter.grad = torch.ones(1)
        optimizer.step()

    updates = train_loop(state, batch, sequence, per_epoch, train_batch, lambda_lr.step)
    block = config["scheduler"]
    t_warmup = schedulers._convert_time(block["t_warmup"], state)
    t_max = schedulers._convert_time(block.get("t_max", "1dur"), state)
    per_update = {"ba": 1, "sp": batch, "tok": batch * sequence}[t_warmup.unit.value]
    return {
        "name": path.stem,
        "config": str(path.relative_to(OUT)),
        "config_text": path.read_text(),
        "args": config,
        "steps_per_epoch": per_epoch,
        "facts": facts,
        "updates": updates,
        # _convert_time's own results, in t_warmup's unit (the preset's arguments)
        "derived": {
            "t_warmup": t_warmup.value,
            "t_max": t_max.value,
            "unit": t_warmup.unit.value,
            "units_per_update": per_update,
        },
        "lrs": lrs,
    }


def main() -> None:
    time, schedulers = load_composer()
    cases = []
    for path in sorted(CONFIGS.glob("*.yaml")):
        try:
            cases.append(run(time, schedulers, path))
        except ValueError as error:  # Composer refuses the config: its words
            cases.append(
                {
                    "name": path.stem,
                    "config": str(path.relative_to(OUT)),
                    "config_text": path.read_text(),
                    "error": {"type": type(error).__name__, "message": str(error)},
                }
            )
    import torch

    data = {
        "versions": {"mosaicml": version("mosaicml"), "torch": torch.__version__},
        "cases": cases,
    }
    (OUT / "composer.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"{len(cases)} cases -> {OUT / 'composer.json'}")


if __name__ == "__main__":
    main()

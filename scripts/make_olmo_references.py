"""Reference LRs of OLMo training configs, from ai2-olmo's own scheduler classes.

Not a test and not part of warmplan: run it in a side venv (the local CPU torch)::

    /work/venv-megatron/bin/pip install --no-deps ai2-olmo
    /work/venv-megatron/bin/python scripts/make_olmo_references.py

``import olmo`` pulls in the model, data and cloud-storage code (boto3, ...), so the
script loads the one file ``olmo/optim.py`` of the installed package by path, with what
its module-level imports ask for stubbed **in this script only** (``LayerNormBase``,
the config enums and dataclasses, ``torch_util``: used by its optimizer and
``build_scheduler`` code, never by the Scheduler classes' ``get_lr``). The name ->
class mapping of ``build_scheduler`` (``int(t_warmup)``, ``int(t_max)``) and the
Trainer's ``max_steps`` / ``max_tokens`` / ``scheduler_current`` / ``scheduler_max``
(``olmo/train.py``) are re-typed here from ai2-olmo 0.6.0. Each update, as the
Trainer's loop does it: count the step and its tokens first, then set every group's LR
to ``get_lr(learning_rate, current, maximum)``, then ``optimizer.step()`` (a torch SGD
with one dummy parameter; a step pre-hook records the LRs). Output:
tests/data/formats/olmo.json.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import types
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs" / "olmo"


def load_schedulers() -> types.ModuleType:
    package = types.ModuleType("olmo")
    package.__path__ = []  # a package, so "from . import" resolves
    package.LayerNormBase = object
    config = types.ModuleType("olmo.config")
    for name in ("OptimizerType", "SchedulerConfig", "SchedulerType", "TrainConfig"):
        setattr(config, name, object)
    torch_util = types.ModuleType("olmo.torch_util")
    torch_util.get_default_device = torch_util.is_distributed = lambda *a, **k: None
    sys.modules.update({"olmo": package, "olmo.config": config, "olmo.torch_util": torch_util})
    site = next(Path(p) for p in sys.path if (Path(p) / "olmo" / "optim.py").exists())
    loaded = importlib.util.spec_from_file_location("olmo.optim", site / "olmo" / "optim.py")
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def build(optim: types.ModuleType, sched: dict):
    """build_scheduler's mapping, for the names the configs use."""
    common = {
        "grad_clip_warmup_steps": None,
        "grad_clip_warmup_factor": None,
        "warmup_min_lr": sched.get("warmup_min_lr"),
    }
    name = sched.get("name", "cosine_with_warmup")
    warmup = int(sched.get("t_warmup", 100))
    t_max = None if sched.get("t_max") is None else int(sched["t_max"])
    alpha_f = sched.get("alpha_f", 0.1)
    if name == "cosine_with_warmup":
        return optim.CosWithWarmup(**common, warmup_steps=warmup, alpha_f=alpha_f, t_max=t_max)
    if name == "linear_with_warmup":
        return optim.LinearWithWarmup(**common, warmup_steps=warmup, alpha_f=alpha_f, t_max=t_max)
    if name == "inverse_sqrt_with_warmup":
        return optim.InvSqrtWithWarmup(**common, warmup_steps=warmup)
    if name == "max_scheduler":
        return optim.MaxScheduler(
            **common,
            sched1=build(optim, {**sched, "name": "cosine_with_warmup"}),
            sched2=build(optim, {**sched, "name": "inverse_sqrt_with_warmup"}),
        )
    if name == "constant":
        return optim.ConstantScheduler(**common)
    if name == "cosine_linear_envelope":
        return optim.CosLinearEnvelope(**common, warmup_steps=warmup, alpha_f=alpha_f, t_max=t_max)
    if name == "constant_with_warmup":
        return optim.ConstantWithWarmupScheduler(**common, warmup_steps=warmup)
    raise NotImplementedError(name)


def run(optim: types.ModuleType, path: Path) -> dict:
    import torch
    import yaml

    config = yaml.safe_load(path.read_text())
    sched = config["scheduler"]
    lr = config["optimizer"]["learning_rate"]
    per_batch = config.get("global_train_batch_size", 512) * config.get("model", {}).get(
        "max_sequence_length", 1024
    )
    duration = config["max_duration"]
    # Trainer.max_steps / max_tokens at the start (no step or token seen yet)
    if isinstance(duration, int):
        max_steps, max_tokens = duration, duration * per_batch
    elif duration.endswith("T"):
        max_tokens = int(float(duration[:-1].strip()))
        max_steps = math.ceil(max_tokens / per_batch)
    else:
        max_steps = int(float(duration))
        max_tokens = max_steps * per_batch
    tokens = sched.get("units", "steps") == "tokens"
    scheduler = build(optim, sched)
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(
        lambda opt, a, k: lrs.append([float(g["lr"]) for g in opt.param_groups])
    )
    global_step, tokens_seen = 0, 0
    while global_step < max_steps:
        global_step += 1
        tokens_seen += per_batch
        current, maximum = (tokens_seen, max_tokens) if tokens else (global_step, max_steps)
        for group in optimizer.param_groups:
            group["lr"] = scheduler.get_lr(lr, current, maximum)
        optimizer.step()
    return {
        "name": path.stem,
        "config": str(path.relative_to(OUT)),
        "derived": {
            "scheduler": type(scheduler).__name__,
            "max_steps": max_steps,
            "max_tokens": max_tokens,
            "tokens_per_batch": per_batch,
        },
        "updates": len(lrs),
        "lrs": lrs,
    }


def main() -> None:
    optim = load_schedulers()
    cases = [run(optim, path) for path in sorted(CONFIGS.glob("*.yaml"))]
    for case in cases:
        print(case["name"], case["updates"], case["derived"]["scheduler"], file=sys.stderr)
    data = {
        "versions": {"ai2-olmo": version("ai2-olmo"), "torch": version("torch")},
        "cases": cases,
    }
    (OUT / "olmo.json").write_text(json.dumps(data) + "\n")


if __name__ == "__main__":
    main()

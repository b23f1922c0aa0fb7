"""Reference LRs for warmplan's framework presets, computed by the real libraries.

Not a test and not part of warmplan: run it where transformers, timm, deepspeed, optax
(+ jax) and keras (JAX backend) are installed, in a venv of their own, e.g.::

    python3 -m venv /tmp/venv-ref
    /tmp/venv-ref/bin/pip install -c constraints.txt torch numpy transformers timm \
        optax jax keras && DS_BUILD_OPS=0 /tmp/venv-ref/bin/pip install deepspeed
    /tmp/venv-ref/bin/python scripts/make_preset_references.py [framework ...]

It writes tests/data/presets/<framework>.json (and optax-x64.json, with JAX's 64-bit
mode on: the same arithmetic without float32 rounding; Keras' ops.cos stays float32
whatever floatx says, so Keras has float32 references only).
Each case holds the framework, schedule name and arguments, the group LRs, the number
of steps and the LR of every param group at every step, recorded the way each
framework's own training loop sets it. tests/test_presets.py compares warmplan's
LambdaLR against these numbers; CI needs none of these libraries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "presets"
LR = 1e-3

# (name, args, group LRs, steps)
CASES: dict[str, list[tuple[str, dict, list[float], int]]] = {
    "transformers": [
        ("linear", {"num_warmup_steps": 10, "num_training_steps": 100}, [LR], 120),
        ("linear", {"num_warmup_steps": 0, "num_training_steps": 50}, [LR], 60),
        ("cosine", {"num_warmup_steps": 10, "num_training_steps": 100}, [LR], 120),
        (
            "cosine",
            {"num_warmup_steps": 5, "num_training_steps": 50, "num_cycles": 1.5},
            [LR, 1e-4],
            60,
        ),
        (
            "cosine_with_restarts",
            {"num_warmup_steps": 10, "num_training_steps": 100, "num_cycles": 3},
            [LR],
            120,
        ),
        ("polynomial", {"num_warmup_steps": 10, "num_training_steps": 100}, [LR], 120),
        (
            "polynomial",
            {"num_warmup_steps": 10, "num_training_steps": 100, "lr_end": 1e-5, "power": 2.0},
            [LR, 1e-4],
            120,
        ),
        ("constant", {}, [LR], 20),
        ("constant_with_warmup", {"num_warmup_steps": 20}, [LR], 40),
        ("inverse_sqrt", {"num_warmup_steps": 10}, [LR], 100),
        ("inverse_sqrt", {"num_warmup_steps": 10, "timescale": 50}, [LR], 100),
        ("inverse_sqrt", {"num_warmup_steps": 0}, [LR], 50),
        (
            "cosine_with_min_lr",
            {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr": 1e-5},
            [LR],
            120,
        ),
        (
            "cosine_with_min_lr",
            {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.1},
            [LR, 1e-4],
            120,
        ),
        (
            "cosine_warmup_with_min_lr",
            {"num_warmup_steps": 10, "num_training_steps": 100, "min_lr_rate": 0.05},
            [LR],
            120,
        ),
        (
            "cosine_warmup_with_min_lr",
            {
                "num_warmup_steps": 10,
                "num_training_steps": 100,
                "min_lr": 1e-5,
                "warmup_lr_rate": 0.1,
            },
            [LR],
            120,
        ),
        (
            "warmup_stable_decay",
            {"num_warmup_steps": 10, "num_decay_steps": 30, "num_training_steps": 100},
            [LR],
            110,
        ),
        (
            "warmup_stable_decay",
            {
                "num_warmup_steps": 10,
                "num_decay_steps": 20,
                "num_stable_steps": 40,
                "warmup_type": "cosine",
                "decay_type": "1-sqrt",
                "min_lr_ratio": 0.1,
            },
            [LR],
            80,
        ),
        (
            "warmup_stable_decay",
            {
                "num_warmup_steps": 10,
                "num_decay_steps": 30,
                "num_training_steps": 100,
                "warmup_type": "1-sqrt",
                "decay_type": "linear",
            },
            [LR],
            100,
        ),
    ],
    "timm": [
        ("cosine", {"t_initial": 50, "warmup_t": 5, "warmup_lr_init": 1e-4}, [0.1], 60),
        (
            "cosine",
            {
                "t_initial": 45,
                "warmup_t": 5,
                "warmup_lr_init": 1e-4,
                "warmup_prefix": True,
                "lr_min": 1e-5,
            },
            [0.1],
            60,
        ),
        (
            "cosine",
            {
                "t_initial": 10,
                "cycle_mul": 2.0,
                "cycle_decay": 0.5,
                "cycle_limit": 3,
                "lr_min": 1e-5,
                "k_decay": 1.5,
            },
            [0.1],
            80,
        ),
        (
            "cosine",
            {
                "t_initial": 20,
                "cycle_limit": 2,
                "cycle_decay": 0.8,
                "warmup_t": 3,
                "t_in_epochs": False,
            },
            [0.1, 0.01],
            60,
        ),
        ("tanh", {"t_initial": 50, "warmup_t": 5, "warmup_lr_init": 1e-4}, [0.1], 60),
        (
            "tanh",
            {
                "t_initial": 20,
                "cycle_mul": 1.5,
                "cycle_limit": 3,
                "warmup_t": 5,
                "warmup_prefix": True,
                "lb": -6.0,
                "ub": 4.0,
            },
            [0.1],
            80,
        ),
        (
            "poly",
            {"t_initial": 50, "power": 1.0, "warmup_t": 5, "warmup_lr_init": 1e-4, "lr_min": 1e-5},
            [0.1],
            60,
        ),
        ("poly", {"t_initial": 30, "k_decay": 2.0, "cycle_limit": 2}, [0.1, 0.05], 70),
        (
            "step",
            {"decay_t": 10, "decay_rate": 0.5, "warmup_t": 3, "warmup_lr_init": 1e-4},
            [0.1],
            50,
        ),
        (
            "step",
            {"decay_t": 7.5, "decay_rate": 0.7, "warmup_t": 3, "warmup_prefix": False},
            [0.1],
            50,
        ),
        (
            "multistep",
            {"decay_t": [10, 20, 30], "decay_rate": 0.1, "warmup_t": 2, "warmup_lr_init": 1e-3},
            [0.1],
            40,
        ),
        (
            "multistep",
            {"decay_t": [1, 15], "decay_rate": 0.5, "warmup_t": 5, "warmup_prefix": False},
            [0.1],
            30,
        ),
    ],
    "deepspeed": [
        ("WarmupLR", {"warmup_num_steps": 10}, [LR, 5e-4], 30),
        (
            "WarmupLR",
            {
                "warmup_min_lr": 1e-5,
                "warmup_max_lr": 2e-3,
                "warmup_num_steps": 10,
                "warmup_type": "linear",
            },
            [LR],
            30,
        ),
        ("WarmupLR", {"warmup_num_steps": 1}, [LR], 10),
        (
            "WarmupDecayLR",
            {"total_num_steps": 100, "warmup_num_steps": 10, "warmup_max_lr": 1e-3},
            [LR],
            120,
        ),
        (
            "WarmupDecayLR",
            {
                "total_num_steps": 100,
                "warmup_num_steps": 10,
                "warmup_type": "linear",
                "warmup_min_lr": 1e-5,
            },
            [LR, 1e-4],
            120,
        ),
        ("WarmupCosineLR", {"total_num_steps": 100, "warmup_num_steps": 10}, [LR], 120),
        (
            "WarmupCosineLR",
            {
                "total_num_steps": 100,
                "warmup_num_steps": 10,
                "warmup_type": "linear",
                "warmup_min_ratio": 0.1,
                "cos_min_ratio": 0.0,
            },
            [LR, 1e-4],
            120,
        ),
    ],
    "optax": [
        (
            "warmup_cosine_decay_schedule",
            {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 10, "decay_steps": 100},
            [LR],
            120,
        ),
        (
            "warmup_cosine_decay_schedule",
            {
                "init_value": 1e-5,
                "peak_value": 2e-3,
                "warmup_steps": 0,
                "decay_steps": 50,
                "end_value": 1e-5,
                "exponent": 2.0,
            },
            [LR],
            60,
        ),
        (
            "warmup_exponential_decay_schedule",
            {
                "init_value": 0.0,
                "peak_value": 1e-3,
                "warmup_steps": 10,
                "transition_steps": 10,
                "decay_rate": 0.5,
            },
            [LR],
            60,
        ),
        (
            "warmup_exponential_decay_schedule",
            {
                "init_value": 1e-4,
                "peak_value": 1e-3,
                "warmup_steps": 5,
                "transition_steps": 7,
                "decay_rate": 0.8,
                "transition_begin": 5,
                "staircase": True,
                "end_value": 2e-4,
            },
            [LR, 1e-4],
            60,
        ),
        ("linear_onecycle_schedule", {"transition_steps": 100, "peak_value": 1e-3}, [LR], 120),
        (
            "linear_onecycle_schedule",
            {
                "transition_steps": 50,
                "peak_value": 2e-3,
                "pct_start": 0.25,
                "pct_final": 0.9,
                "div_factor": 10.0,
                "final_div_factor": 100.0,
            },
            [LR],
            60,
        ),
        ("cosine_onecycle_schedule", {"transition_steps": 100, "peak_value": 1e-3}, [LR], 120),
        (
            "cosine_onecycle_schedule",
            {"transition_steps": 40, "peak_value": 1e-3, "pct_start": 0.5, "div_factor": 5.0},
            [LR],
            50,
        ),
    ],
    "keras": [
        (
            "CosineDecay",
            {
                "initial_learning_rate": 0.0,
                "decay_steps": 90,
                "warmup_target": 1e-3,
                "warmup_steps": 10,
            },
            [LR],
            120,
        ),
        (
            "CosineDecay",
            {"initial_learning_rate": 1e-3, "decay_steps": 100, "alpha": 0.1},
            [LR],
            120,
        ),
        (
            "CosineDecayRestarts",
            {"initial_learning_rate": 1e-3, "first_decay_steps": 10},
            [LR],
            100,
        ),
        (
            "CosineDecayRestarts",
            {
                "initial_learning_rate": 1e-3,
                "first_decay_steps": 20,
                "t_mul": 1.0,
                "m_mul": 0.8,
                "alpha": 0.05,
            },
            [LR, 1e-4],
            100,
        ),
        ("PolynomialDecay", {"initial_learning_rate": 1e-3, "decay_steps": 50}, [LR], 70),
        (
            "PolynomialDecay",
            {
                "initial_learning_rate": 1e-3,
                "decay_steps": 30,
                "end_learning_rate": 1e-5,
                "power": 2.0,
                "cycle": True,
            },
            [LR],
            100,
        ),
        (
            "InverseTimeDecay",
            {"initial_learning_rate": 1e-3, "decay_steps": 10, "decay_rate": 0.5},
            [LR],
            60,
        ),
        (
            "InverseTimeDecay",
            {
                "initial_learning_rate": 1e-3,
                "decay_steps": 10,
                "decay_rate": 0.5,
                "staircase": True,
            },
            [LR],
            60,
        ),
    ],
}


def _torch_optimizer(lrs: list[float]):
    import torch

    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0])


def _record(optimizer, advance, steps: int) -> list[list[float]]:
    """Each group's LR at steps 0..steps-1; ``advance(t)`` moves to step t."""
    rows = []
    for t in range(steps):
        if t:
            advance(t)
        rows.append([float(group["lr"]) for group in optimizer.param_groups])
    return rows


def transformers_lrs(name: str, args: dict, lrs: list[float], steps: int):
    from transformers.optimization import TYPE_TO_SCHEDULER_FUNCTION
    from transformers.trainer_utils import SchedulerType

    optimizer = _torch_optimizer(lrs)
    scheduler = TYPE_TO_SCHEDULER_FUNCTION[SchedulerType(name)](optimizer, **args)

    def advance(t: int) -> None:
        optimizer.step()
        scheduler.step()

    return _record(optimizer, advance, steps)


def _timm_schedulers():
    """timm's own scheduler modules, without ``timm/__init__`` (which needs a
    torchvision built for this torch; the schedulers need only torch)."""
    import importlib
    import importlib.util
    import types

    if "timm" not in sys.modules:
        root = Path(importlib.util.find_spec("timm").origin).parent
        for package, folder in (("timm", root), ("timm.scheduler", root / "scheduler")):
            module = types.ModuleType(package)
            module.__path__ = [str(folder)]
            sys.modules[package] = module
    files = {"cosine": "cosine_lr", "tanh": "tanh_lr", "poly": "poly_lr", "step": "step_lr"}
    files["multistep"] = "multistep_lr"
    classes = {"cosine": "CosineLRScheduler", "tanh": "TanhLRScheduler"}
    classes.update(poly="PolyLRScheduler", step="StepLRScheduler")
    classes["multistep"] = "MultiStepLRScheduler"
    return {
        name: getattr(importlib.import_module(f"timm.scheduler.{files[name]}"), cls)
        for name, cls in classes.items()
    }


def timm_lrs(name: str, args: dict, lrs: list[float], steps: int):
    classes = _timm_schedulers()
    optimizer = _torch_optimizer(lrs)
    scheduler = classes[name](optimizer, **args)
    in_epochs = args.get("t_in_epochs", True)

    def advance(t: int) -> None:  # timm's train loop: step(epoch + 1) / step_update(updates)
        optimizer.step()
        scheduler.step(t) if in_epochs else scheduler.step_update(t)

    return _record(optimizer, advance, steps)


def deepspeed_lrs(name: str, args: dict, lrs: list[float], steps: int):
    from deepspeed.runtime import lr_schedules

    optimizer = _torch_optimizer(lrs)
    scheduler = getattr(lr_schedules, name)(optimizer, **args)

    def advance(t: int) -> None:  # the engine steps the scheduler after each update
        optimizer.step()
        scheduler.step()

    return _record(optimizer, advance, steps)


def optax_lrs(name: str, args: dict, lrs: list[float], steps: int):
    import jax
    import jax.numpy as jnp
    import optax

    schedule = jax.jit(getattr(optax, name)(**args))
    # optax's own count is int32, which JAX divides in float32 even in 64-bit mode
    count = jnp.int64 if jax.config.jax_enable_x64 else jnp.int32
    return [[float(schedule(jnp.asarray(t, dtype=count)))] * len(lrs) for t in range(steps)]


def keras_lrs(name: str, args: dict, lrs: list[float], steps: int):
    import keras

    schedule = getattr(keras.optimizers.schedules, name)(**args)
    return [[float(schedule(t))] * len(lrs) for t in range(steps)]


LIBRARIES = {
    "transformers": transformers_lrs,
    "timm": timm_lrs,
    "deepspeed": deepspeed_lrs,
    "optax": optax_lrs,
    "keras": keras_lrs,
}


def version(framework: str) -> str:
    import importlib.metadata

    return importlib.metadata.version(framework)


def write(framework: str, x64: bool) -> Path:
    cases = []
    for name, args, lrs, steps in CASES[framework]:
        values = LIBRARIES[framework](name, args, lrs, steps)
        in_epochs = framework == "timm" and args.get("t_in_epochs", True)
        cases.append(
            {
                "name": name,
                "args": args,
                "group_lrs": lrs,
                "steps": steps,
                "interval": "epoch" if in_epochs else "step",
                "lrs": values,
            }
        )
    float32 = framework in ("optax", "keras") and not x64
    document = {
        "framework": framework,
        "library_version": version(framework),
        "dtype": "float32" if float32 else "float64",
        "made_by": "scripts/make_preset_references.py",
        "cases": cases,
    }
    path = OUT / f"{framework}{'-x64' if x64 else ''}.json"
    path.write_text(dumps(document))
    return path


def dumps(document: dict) -> str:
    """JSON with one line per case, so a diff of the data shows which cases changed."""
    head = {key: value for key, value in document.items() if key != "cases"}
    lines = [json.dumps(head)[:-1] + ', "cases": [']
    cases = [json.dumps(case) for case in document["cases"]]
    lines += [case + ("," if i < len(cases) - 1 else "") for i, case in enumerate(cases)]
    return "\n".join([*lines, "]}"]) + "\n"


def main(argv: list[str]) -> None:
    x64 = os.environ.get("WARMPLAN_REF_X64") == "1"
    if x64:  # must happen before jax computes anything
        import jax

        jax.config.update("jax_enable_x64", True)
    frameworks = argv or list(CASES)
    OUT.mkdir(parents=True, exist_ok=True)
    for framework in frameworks:
        print(f"wrote {write(framework, x64)}")
    # Keras' ops.cos returns float32 even for float64 input: 64-bit refs for optax only
    jax_ones = [f for f in frameworks if f == "optax"]
    if jax_ones and not x64:  # the 64-bit references need a fresh process
        env = {**os.environ, "WARMPLAN_REF_X64": "1", "KERAS_BACKEND": "jax"}
        subprocess.run([sys.executable, __file__, *jax_ones], env=env, check=True)


if __name__ == "__main__":
    os.environ.setdefault("KERAS_BACKEND", "jax")
    main(sys.argv[1:])

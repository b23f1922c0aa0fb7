"""Reference LRs of Megatron-LM launch scripts, from megatron-core's real scheduler.

Not a test and not part of warmplan: run it in a side venv of its own (the local CPU
torch, never a CUDA build)::

    python3 -m venv /work/venv-megatron
    /work/venv-megatron/bin/pip install -c /work/torch-constraints.txt torch megatron-core
    /work/venv-megatron/bin/python scripts/make_megatron_references.py

For every launch script in tests/data/formats/configs/megatron/:

1. **bash itself** runs the script with ``torchrun`` and ``python`` replaced by shell
   functions that print their arguments (nothing else in the scripts runs anything), so
   the arguments are what the shell would pass, variables and arrays expanded; the
   words after the ``.py`` script are the training arguments.
2. They are parsed with the schedule flags of Megatron-LM's ``arguments.py`` (types and
   defaults as there, ``allow_abbrev=False``), checked as its ``validate_args`` does, and
   turned into the scheduler's arguments as ``megatron/training/training.py``'s
   ``get_optimizer_param_scheduler`` does (NVIDIA/Megatron-LM@001b00c2; megatron-core
   does not ship ``megatron/training``, so these ~30 lines are repeated here).
3. The param groups are megatron-core's own: ``get_standard_config_overrides`` of an
   ``OptimizerConfig`` with the script's ``--lr``, ``--min-lr``, ``--decoupled-lr`` and
   ``--decoupled-min-lr``, applied by ``_get_param_groups`` (a one-process gloo group
   stands in for the ranks) to a model of two 2-D dummy parameters, one marked
   ``is_embedding_or_output_parameter``: one group without ``--decoupled-lr``, two with
   it (the default first), each carrying its ``max_lr`` and ``min_lr``.
4. megatron-core's real ``OptimizerParamScheduler`` drives a torch SGD optimizer over
   those groups: per update ``optimizer.step()`` then
   ``scheduler.step(increment=global_batch_size)``, as Megatron's ``train_step`` does;
   a step pre-hook records every param group's LR as the update uses it.

A case Megatron refuses (an ``assert`` in validate_args or the scheduler) records the
exception. Output: tests/data/formats/megatron.json. Floats are JSON reprs (exact).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs" / "megatron"
PRINT_ARGS = 'torchrun() { printf "%s\\n" "$@"; }; python() { printf "%s\\n" "$@"; }; '


def launch_arguments(script: Path) -> list[str]:
    """The arguments after the ``.py`` script, as bash passes them."""
    command = PRINT_ARGS + f'set -- /tmp/checkpoints; source "{script}"'
    words = subprocess.run(
        ["bash", "-c", command], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    start = next(i for i, w in enumerate(words) if w.endswith(".py"))
    return words[start + 1 :]


def parser() -> argparse.ArgumentParser:
    """The schedule flags of Megatron-LM's arguments.py, with its types and defaults."""
    p = argparse.ArgumentParser(allow_abbrev=False)
    add = p.add_argument
    add("--lr", type=float, default=None)
    add("--min-lr", type=float, default=0.0)
    add(
        "--lr-decay-style",
        type=str,
        default="linear",
        choices=["constant", "linear", "cosine", "inverse-square-root", "WSD"],
    )
    add(
        "--lr-wsd-decay-style",
        type=str,
        default="exponential",
        choices=["exponential", "linear", "cosine", "minus_sqrt"],
    )
    add("--lr-decay-iters", type=int, default=None)
    add("--lr-decay-samples", type=int, default=None)
    add("--lr-wsd-decay-iters", type=int, default=None)
    add("--lr-wsd-decay-samples", type=int, default=None)
    add("--lr-warmup-fraction", type=float, default=None)
    add("--lr-warmup-iters", type=int, default=0)
    add("--lr-warmup-samples", type=int, default=0)
    add("--lr-warmup-init", type=float, default=0.0)
    add("--train-iters", type=int, default=None)
    add("--train-samples", type=int, default=None)
    add("--global-batch-size", type=int, default=None)
    add("--micro-batch-size", type=int, default=None)
    add("--decoupled-lr", type=float, default=None)
    add("--decoupled-min-lr", type=float, default=None)
    return p


def validate(args: argparse.Namespace) -> None:
    """The schedule part of arguments.py's validate_args."""
    if args.train_iters:
        assert args.train_samples is None, "expected iteration-based training"
        assert args.lr_decay_samples is None, "expected iteration-based learning rate decay"
        assert args.lr_warmup_samples == 0, "expected iteration-based learning rate warmup"
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_iters == 0, (
                "can only specify one of lr-warmup-fraction and lr-warmup-iters"
            )
    if args.train_samples:
        assert args.train_iters is None, "expected sample-based training"
        assert args.lr_decay_iters is None, "expected sample-based learning rate decay"
        assert args.lr_warmup_iters == 0, "expected sample-based learnig rate warmup"
        if args.lr_warmup_fraction is not None:
            assert args.lr_warmup_samples == 0, (
                "can only specify one of lr-warmup-fraction and lr-warmup-samples"
            )


def scheduler_arguments(args: argparse.Namespace) -> dict:
    """training.py's get_optimizer_param_scheduler, without the weight-decay part."""
    gbs = args.global_batch_size
    if args.train_iters:
        if args.lr_decay_iters is None:
            args.lr_decay_iters = args.train_iters
        lr_decay_steps = args.lr_decay_iters * gbs
        wsd_decay_steps = None
        if args.lr_wsd_decay_iters is not None:
            wsd_decay_steps = args.lr_wsd_decay_iters * gbs
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_iters * gbs
    elif args.train_samples:
        args.train_iters = args.train_samples // gbs
        if args.lr_decay_samples is None:
            args.lr_decay_samples = args.train_samples
        lr_decay_steps = args.lr_decay_samples
        wsd_decay_steps = args.lr_wsd_decay_samples
        if args.lr_warmup_fraction is not None:
            lr_warmup_steps = args.lr_warmup_fraction * lr_decay_steps
        else:
            lr_warmup_steps = args.lr_warmup_samples
    else:
        raise Exception("either train-iters or train-samples should be provided.")
    return {
        "init_lr": args.lr_warmup_init,
        "max_lr": args.lr,
        "min_lr": args.min_lr,
        "lr_warmup_steps": lr_warmup_steps,
        "lr_decay_steps": lr_decay_steps,
        "lr_decay_style": args.lr_decay_style,
        "start_wd": 0.0,
        "end_wd": 0.0,
        "wd_incr_steps": args.train_iters * gbs,
        "wd_incr_style": "constant",
        "wsd_decay_steps": wsd_decay_steps,
        "lr_wsd_decay_style": args.lr_wsd_decay_style,
    }


def param_groups(args: argparse.Namespace) -> list[dict]:
    """megatron-core's param groups for a model with one ordinary and one embedding
    parameter (both 2-D, so the weight-decay override leaves them alone)."""
    import torch
    from megatron.core.optimizer import (
        OptimizerConfig,
        _get_param_groups,
        get_standard_config_overrides,
    )

    model = torch.nn.Module()
    model.weight = torch.nn.Parameter(torch.zeros(2, 2))
    model.embedding = torch.nn.Parameter(torch.zeros(2, 2))
    model.embedding.is_embedding_or_output_parameter = True
    config = OptimizerConfig(
        lr=args.lr,
        min_lr=args.min_lr,
        decoupled_lr=args.decoupled_lr,
        decoupled_min_lr=args.decoupled_min_lr,
    )
    groups = _get_param_groups([model], config, get_standard_config_overrides(config))
    return [g for g in groups if g["params"]]


def run(script: Path) -> dict:
    import torch
    from megatron.core.optimizer_param_scheduler import OptimizerParamScheduler

    argv = launch_arguments(script)
    case = {"name": script.stem, "config": str(script.relative_to(OUT)), "argv": argv}
    args, _ = parser().parse_known_args(argv)
    try:
        validate(args)
        derived = scheduler_arguments(args)
        groups = param_groups(args)
        optimizer = torch.optim.SGD(groups, lr=args.lr)
        case["groups"] = [{"max_lr": g["max_lr"], "min_lr": g["min_lr"]} for g in groups]
        scheduler = OptimizerParamScheduler(optimizer, **derived)
    except (AssertionError, Exception) as exc:  # Megatron refuses with asserts
        case["error"] = {"type": type(exc).__name__, "message": str(exc)}
        return case
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(
        lambda opt, a, k: lrs.append([float(g["lr"]) for g in opt.param_groups])
    )
    for _ in range(args.train_iters):  # train(): while iteration < args.train_iters
        optimizer.step()
        scheduler.step(increment=args.global_batch_size)
    case.update(derived=derived, updates=len(lrs), lrs=lrs)
    return case


def main() -> None:
    import tempfile
    from importlib.metadata import version

    import torch

    versions = {"megatron-core": version("megatron-core"), "torch": version("torch")}
    rendezvous = Path(tempfile.mkdtemp()) / "rendezvous"
    torch.distributed.init_process_group(
        "gloo", init_method=f"file://{rendezvous}", rank=0, world_size=1
    )
    cases = [run(script) for script in sorted(CONFIGS.glob("*.sh"))]
    for case in cases:
        print(case["name"], case.get("updates", case.get("error")), file=sys.stderr)
    data = {
        "versions": versions,
        "setup": "NVIDIA/Megatron-LM@001b00c2 megatron/training/training.py "
        "get_optimizer_param_scheduler; arguments.py validate_args; megatron-core "
        "get_standard_config_overrides + _get_param_groups",
        "cases": cases,
    }
    (OUT / "megatron.json").write_text(json.dumps(data, indent=None) + "\n")


if __name__ == "__main__":
    main()

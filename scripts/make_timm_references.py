"""Reference LRs for reading timm train.py configs (issue 19), from timm's own scheduler code.

Not a test and not part of warmplan: run it in a side venv of its own (never a CUDA torch;
timm needs torchvision, which does not load beside this torch, so timm goes in without
its dependencies)::

    python3 -m venv /work/venv-timmetc
    /work/venv-timmetc/bin/pip install -c /work/torch-constraints.txt torch numpy pyyaml
    /work/venv-timmetc/bin/pip install --no-deps timm==1.0.31
    /work/venv-timmetc/bin/python scripts/make_timm_references.py

``timm/__init__.py`` imports its models, which import torchvision; the script never runs
it: it registers a bare ``timm`` package whose ``__path__`` is the installed one, so
``import timm.scheduler`` loads timm's real scheduler modules (they import only torch).

Every case is a config as train.py reads it: an ``args.yaml`` (what train.py writes,
``yaml.safe_dump(vars(args))``; also what ``--config`` reads, through
``parser.set_defaults``) or a command line (``.sh``: the flags after ``train.py`` /
``distributed_train.sh N``). Both go through an argparse parser holding train.py's
schedule-relevant arguments with their names, types and defaults as train.py declares them
(huggingface/pytorch-image-models@aa4b5850, train.py lines 142-264; the other flags are
ignored, ``parse_known_args``). The LR is then train.py's (``lr: null`` -> lr_base x
global batch / lr_base_size, sqrt for optimizers named ada*/lamb), the scheduler is
``create_scheduler_v2(**scheduler_kwargs(args), updates_per_epoch=U)`` and the loop is
train.py's: per epoch ``range(num_epochs)`` (the count create_scheduler_v2 returns), U
optimizer updates each followed by ``step_update(num_updates)``, then ``step(epoch + 1)``.
Every update's LR is read by an optimizer step pre-hook, for both param groups.

Writes tests/data/formats/timm.json and the args.yaml files under
tests/data/formats/configs/timm/ (the .sh files are written by hand and only read here).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import sys
import traceback
import types
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
FOLDER = OUT / "configs" / "timm"


def _timm_scheduler() -> types.ModuleType:
    spec = importlib.util.find_spec("timm")
    if spec is None or spec.submodule_search_locations is None:
        raise SystemExit("timm is not installed in this venv")
    package = types.ModuleType("timm")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules["timm"] = package
    import timm.scheduler

    return timm.scheduler


def parser() -> argparse.ArgumentParser:
    """train.py's schedule arguments (same flags, dests, types, defaults)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("-b", "--batch-size", type=int, default=128)
    p.add_argument("--grad-accum-steps", type=int, default=1)
    p.add_argument("--opt", default="sgd", type=str)
    p.add_argument("--sched", type=str, default="cosine")
    p.add_argument("--sched-on-updates", action="store_true", default=False)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--lr-base", type=float, default=0.1)
    p.add_argument("--lr-base-size", type=int, default=256)
    p.add_argument("--lr-base-scale", type=str, default="")
    p.add_argument("--lr-noise", type=float, nargs="+", default=None)
    p.add_argument("--lr-noise-pct", type=float, default=0.67)
    p.add_argument("--lr-noise-std", type=float, default=1.0)
    p.add_argument("--lr-cycle-mul", type=float, default=1.0)
    p.add_argument("--lr-cycle-decay", type=float, default=0.5)
    p.add_argument("--lr-cycle-limit", type=int, default=1)
    p.add_argument("--lr-k-decay", type=float, default=1.0)
    p.add_argument("--warmup-lr", type=float, default=1e-5)
    p.add_argument("--min-lr", type=float, default=0)
    p.add_argument("--epochs", type=int, default=300)
    p.add_argument("--decay-milestones", default=[90, 180, 270], type=int, nargs="+")
    p.add_argument("--decay-epochs", type=float, default=90)
    p.add_argument("--warmup-epochs", type=int, default=5)
    p.add_argument("--warmup-prefix", action="store_true", default=False)
    p.add_argument("--cooldown-epochs", type=int, default=0)
    p.add_argument("--patience-epochs", type=int, default=10)
    p.add_argument("--decay-rate", "--dr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=42)
    return p


#: other keys of a saved args.yaml (train.py defaults), so the files look like the real one
OTHER_ARGS = {
    "model": "resnet50",
    "data_dir": "/data/imagenet",
    "dataset": "",
    "train_split": "train",
    "val_split": "validation",
    "num_classes": None,
    "img_size": None,
    "input_size": None,
    "pretrained": False,
    "momentum": 0.9,
    "weight_decay": 2.0e-05,
    "clip_grad": None,
    "layer_decay": None,
    "aa": None,
    "mixup": 0.0,
    "cutmix": 0.0,
    "smoothing": 0.1,
    "drop": 0.0,
    "drop_path": None,
    "amp": False,
    "channels_last": False,
    "workers": 4,
    "log_interval": 50,
    "checkpoint_hist": 10,
    "output": "",
    "experiment": "",
    "eval_metric": "top1",
    "model_ema": False,
    "model_ema_decay": 0.9998,
    "start_epoch": None,
    "resume": "",
    "val_interval": 1,
}

# (name, keys given (args.yaml) or None for a .sh file, updates per epoch, world size)
CASES: list[tuple[str, dict | None, int, int]] = [
    ("cosine-seresnet-like", None, 3, 4),
    ("step-efficientnet-like", None, 2, 2),
    ("multistep-flags", None, 2, 1),
    (
        "args-cosine-updates-prefix-cooldown",
        {
            "sched": "cosine",
            "sched_on_updates": True,
            "epochs": 6,
            "warmup_epochs": 2,
            "warmup_prefix": True,
            "warmup_lr": 0.0001,
            "min_lr": 0.0001,
            "cooldown_epochs": 1,
            "lr": 0.05,
        },
        4,
        1,
    ),
    (
        "args-cosine-cycles",
        {
            "sched": "cosine",
            "epochs": 4,
            "warmup_epochs": 1,
            "lr_cycle_limit": 3,
            "lr_cycle_mul": 1.5,
            "lr_cycle_decay": 0.5,
            "min_lr": 1.0e-05,
            "lr": 0.1,
        },
        2,
        1,
    ),
    ("args-cosine-no-warmup", {"epochs": 5, "warmup_epochs": 0, "min_lr": 0.01, "lr": 0.1}, 2, 1),
    ("args-tanh", {"sched": "tanh", "epochs": 10, "warmup_epochs": 2, "lr": 0.2}, 1, 1),
    (
        "args-tanh-updates-prefix",
        {
            "sched": "tanh",
            "sched_on_updates": True,
            "warmup_prefix": True,
            "epochs": 5,
            "warmup_epochs": 1,
            "min_lr": 0.001,
            "lr": 0.2,
        },
        3,
        1,
    ),
    (
        "args-poly-updates",
        {
            "sched": "poly",
            "sched_on_updates": True,
            "epochs": 5,
            "warmup_epochs": 1,
            "decay_rate": 2.0,
            "lr_k_decay": 0.5,
            "lr": 0.01,
            "opt": "adamw",
        },
        3,
        1,
    ),
    (
        "args-multistep-updates",
        {
            "sched": "multistep",
            "sched_on_updates": True,
            "decay_milestones": [3, 6],
            "decay_rate": 0.5,
            "epochs": 8,
            "warmup_epochs": 1,
            "lr": 0.1,
        },
        2,
        1,
    ),
    (
        "args-step-prefix-cooldown-ignored",
        {
            "sched": "step",
            "warmup_prefix": True,
            "decay_epochs": 3.0,
            "decay_rate": 0.5,
            "epochs": 9,
            "warmup_epochs": 2,
            "cooldown_epochs": 2,
            "lr": 0.1,
        },
        1,
        1,
    ),
    (
        "args-lr-from-base-sqrt",
        {
            "lr": None,
            "lr_base": 0.1,
            "lr_base_size": 256,
            "batch_size": 96,
            "grad_accum_steps": 2,
            "opt": "adamw",
            "epochs": 6,
            "warmup_epochs": 1,
        },
        2,
        2,
    ),
    (
        "args-lr-from-base-linear",
        {"lr": None, "lr_base": 0.05, "batch_size": 64, "epochs": 4, "warmup_epochs": 1},
        2,
        4,
    ),
    (
        "args-constant-updates",
        {"sched": "constant", "sched_on_updates": True, "epochs": 5, "warmup_epochs": 2, "lr": 0.3},
        2,
        1,
    ),
    ("args-none", {"sched": "none", "epochs": 3, "warmup_epochs": 2, "lr": 0.3}, 2, 1),
    ("args-unknown-sched", {"sched": "cosin", "epochs": 3, "lr": 0.1}, 2, 1),
]


def read_args(name: str, given: dict | None) -> tuple[argparse.Namespace, str, str]:
    """The namespace train.py would have, the file's name (relative) and its text."""
    p = parser()
    if given is None:
        path = FOLDER / f"{name}.sh"
        text = path.read_text()
        words = shlex.split(text, comments=True)
        start = next(i for i, w in enumerate(words) if w.startswith("-"))
        args, _ = p.parse_known_args(words[start:])
        return args, str(path.relative_to(OUT)), text
    saved = {**OTHER_ARGS, **given}
    defaults = vars(p.parse_args([]))
    dump = dict(defaults)
    dump.update(saved)
    text = yaml.safe_dump(dump, default_flow_style=False)  # as train.py writes args.yaml
    path = FOLDER / f"{name}.yaml"
    path.write_text(text)
    p.set_defaults(**yaml.safe_load(text))  # as train.py reads a --config file
    args, _ = p.parse_known_args([])
    return args, str(path.relative_to(OUT)), text


def train_lr(args: argparse.Namespace, world_size: int) -> float:
    """train.py: ``if not args.lr`` -> from lr_base and the global batch."""
    if args.lr:
        return args.lr
    global_batch_size = args.batch_size * world_size * args.grad_accum_steps
    batch_ratio = global_batch_size / args.lr_base_size
    scale = args.lr_base_scale
    if not scale:
        on = args.opt.lower()
        scale = "sqrt" if any(o in on for o in ("ada", "lamb")) else "linear"
    if scale == "sqrt":
        batch_ratio = batch_ratio**0.5
    return args.lr_base * batch_ratio


def run(scheduler, name: str, given: dict | None, upe: int, world_size: int) -> dict:
    import torch

    args, config, text = read_args(name, given)
    case = {"name": name, "config": config, "config_text": text, "updates_per_epoch": upe}
    case["world_size"] = world_size
    case["args"] = {k: v for k, v in vars(args).items()}
    lr = train_lr(args, world_size)
    params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
    optimizer = torch.optim.SGD([{"params": [params[0]]}, {"params": [params[1]]}], lr=lr)
    lrs: list[list[float]] = []
    optimizer.register_step_pre_hook(
        lambda opt, a, k: lrs.append([g["lr"] for g in opt.param_groups])
    )
    try:
        kwargs = scheduler.scheduler_kwargs(args, decreasing_metric=False)
        lr_scheduler, num_epochs = scheduler.create_scheduler_v2(
            optimizer, **kwargs, updates_per_epoch=upe
        )
    except Exception as exc:  # the library's refusal is the reference
        case["error"] = {"type": type(exc).__name__, "message": str(exc)}
        return case
    for epoch in range(num_epochs):  # train.py's loop
        num_updates = epoch * upe
        for _ in range(upe):
            optimizer.step()
            num_updates += 1
            if lr_scheduler is not None:
                lr_scheduler.step_update(num_updates=num_updates, metric=0.0)
        if lr_scheduler is not None:
            lr_scheduler.step(epoch + 1, 0.0)
    case["derived"] = {
        "lr": lr,
        "num_epochs": num_epochs,
        "scheduler": type(lr_scheduler).__name__ if lr_scheduler is not None else None,
        "t_in_epochs": getattr(lr_scheduler, "t_in_epochs", None),
    }
    case["updates"] = len(lrs)
    case["lrs"] = lrs
    return case


def main() -> None:
    scheduler = _timm_scheduler()
    from importlib.metadata import version

    FOLDER.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, given, upe, world in CASES:
        try:
            case = run(scheduler, name, given, upe, world)
        except Exception:
            traceback.print_exc()
            raise
        shown = case.get("error") or f"{case['updates']} updates"
        print(f"{name}: {shown}")
        cases.append(case)
    versions = {"timm": version("timm"), "torch": version("torch")}
    (OUT / "timm.json").write_text(json.dumps({"versions": versions, "cases": cases}) + "\n")


if __name__ == "__main__":
    main()

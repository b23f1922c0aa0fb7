"""Reference LRs for reading ultralytics training configs (issue 19), from ultralytics' code.

Not a test and not part of warmplan: run it in a side venv (never a CUDA torch)::

    python3 -m venv /work/venv-timmetc
    /work/venv-timmetc/bin/pip install -c /work/torch-constraints.txt torch numpy pyyaml
    /work/venv-timmetc/bin/pip install --no-deps ultralytics==8.4.190
    /work/venv-timmetc/bin/python scripts/make_ultralytics_references.py

ultralytics' trainer cannot be imported here: ``ultralytics.utils`` reads torchvision's
version at import and its models import torchvision, which does not load beside this
torch. So the script takes the schedule code out of the installed package's source, by
``ast``, and runs it as written: ``BaseTrainer._setup_scheduler`` (lf and the LambdaLR),
``BaseTrainer._get_warmup_iterations`` (nw) from ultralytics/engine/trainer.py and
``one_cycle`` from ultralytics/utils/torch_utils.py, on a stand-in trainer holding the
config's arguments and a torch SGD optimizer with ultralytics' three param groups
(weight, bn, bias, as ``build_optimizer`` orders them). The loop around them is
``BaseTrainer._do_train``'s, re-typed here from the same file (8.4.190, lines 474-604):
``scheduler.last_epoch = -1``; each epoch ``scheduler.step()``, then per batch the
warm-up (``np.interp`` from 0, or ``warmup_bias_lr`` for the bias group, to
``initial_lr x lf(epoch)`` while ni <= nw; ``accumulate`` ramped from 1 to
round(nbs / batch)) and an optimizer step when ``ni - last_opt_step >= accumulate``.
Every batch's LR is recorded (the LR is set per batch) and which batches stepped.

Writes tests/data/formats/ultralytics.json and the configs under
tests/data/formats/configs/ultralytics/.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
FOLDER = OUT / "configs" / "ultralytics"

#: keys of an args.yaml ultralytics saves (runs/detect/train/args.yaml), default values
BASE = {
    "task": "detect",
    "mode": "train",
    "model": "yolo11n.pt",
    "data": "coco8.yaml",
    "epochs": 100,
    "time": None,
    "patience": 100,
    "batch": 16,
    "imgsz": 640,
    "optimizer": "auto",
    "cos_lr": False,
    "close_mosaic": 10,
    "lr0": 0.01,
    "lrf": 0.01,
    "momentum": 0.937,
    "weight_decay": 0.0005,
    "warmup_epochs": 3.0,
    "warmup_momentum": 0.8,
    "warmup_bias_lr": 0.1,
    "box": 7.5,
    "cls": 0.5,
    "dfl": 1.5,
    "nbs": 64,
    "mosaic": 1.0,
}

# (name, keys given, batches per epoch)
CASES = [
    ("sgd-linear", {"epochs": 10, "batch": 64, "optimizer": "SGD"}, 5),
    (
        "sgd-cosine-fractional-warmup",
        {"epochs": 8, "batch": 64, "optimizer": "SGD", "cos_lr": True, "warmup_epochs": 2.5},
        5,
    ),
    ("no-warmup", {"epochs": 6, "batch": 64, "optimizer": "SGD", "warmup_epochs": 0.0}, 4),
    ("warmup-capped-before-last-epoch", {"epochs": 3, "batch": 64, "optimizer": "SGD"}, 6),
    (
        "adamw-lrf",
        {
            "epochs": 7,
            "batch": 64,
            "optimizer": "AdamW",
            "lr0": 0.001,
            "lrf": 0.1,
            "warmup_epochs": 1.5,
            "warmup_bias_lr": 0.0,
        },
        6,
    ),
    (
        "batch-below-nbs-accumulates",
        {"epochs": 6, "batch": 16, "optimizer": "SGD", "warmup_epochs": 2.0},
        10,
    ),
]


def _functions(path: Path, names: set[str]) -> dict:
    """The named functions (or methods) of a source file, compiled from its text."""
    tree = ast.parse(path.read_text())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            found[node.name] = ast.get_source_segment(path.read_text(), node)
    assert set(found) == names, names - set(found)
    return found


def library() -> tuple[dict, str]:
    import torch

    spec = importlib.util.find_spec("ultralytics")
    package = Path(spec.submodule_search_locations[0])
    namespace = {"math": math, "np": np, "optim": torch.optim}
    tools = _functions(package / "utils" / "torch_utils.py", {"one_cycle"})
    exec(compile(tools["one_cycle"], "one_cycle", "exec"), namespace)
    methods = _functions(
        package / "engine" / "trainer.py", {"_setup_scheduler", "_get_warmup_iterations"}
    )
    for name, text in methods.items():
        exec(compile(_dedent(text), name, "exec"), namespace)
    from importlib.metadata import version

    return namespace, version("ultralytics")


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text)


def run(code: dict, name: str, given: dict, nb: int) -> dict:
    import torch

    config = {**BASE, **given}
    text = yaml.safe_dump(config, sort_keys=False)
    path = FOLDER / f"{name}.yaml"
    path.write_text(text)
    args = SimpleNamespace(**yaml.safe_load(text))
    groups = [
        {"params": [torch.nn.Parameter(torch.zeros(1))], "param_group": kind}
        for kind in ("weight", "bn", "bias")
    ]
    optimizer = torch.optim.SGD(groups, lr=args.lr0, momentum=args.momentum, nesterov=True)
    trainer = SimpleNamespace(args=args, epochs=args.epochs, optimizer=optimizer)
    code["_setup_scheduler"](trainer)
    nw = code["_get_warmup_iterations"](trainer, nb)
    accumulate = max(round(args.nbs / args.batch), 1)
    accumulate = min(accumulate, nb * trainer.epochs)
    acc0, last_opt_step = accumulate, -1
    trainer.scheduler.last_epoch = -1  # start_epoch - 1
    lrs, stepped = [], []
    for epoch in range(trainer.epochs):
        trainer.scheduler.step()
        for i in range(nb):
            ni = i + nb * epoch
            if nw and ni <= nw:
                xi = [0, nw]
                accumulate = max(1, int(np.interp(ni, xi, [1, acc0]).round()))
                for x in optimizer.param_groups:
                    start = args.warmup_bias_lr if x.get("param_group") == "bias" else 0.0
                    x["lr"] = float(np.interp(ni, xi, [start, x["initial_lr"] * trainer.lf(epoch)]))
            lrs.append([g["lr"] for g in optimizer.param_groups])
            if ni - last_opt_step >= accumulate:
                optimizer.step()
                last_opt_step = ni
                stepped.append(ni)
    return {
        "name": name,
        "config": str(path.relative_to(OUT)),
        "config_text": text,
        "batches_per_epoch": nb,
        "args": config,
        "derived": {"nw": nw, "accumulate": acc0, "groups": ["weight", "bn", "bias"]},
        "iterations": len(lrs),
        "lrs": lrs,
        "optimizer_steps": stepped,
    }


def main() -> None:
    code, version = library()
    FOLDER.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, given, nb in CASES:
        case = run(code, name, given, nb)
        print(f"{name}: {case['iterations']} iterations, {len(case['optimizer_steps'])} steps")
        cases.append(case)
    import torch

    versions = {"ultralytics": version, "torch": torch.__version__}
    (OUT / "ultralytics.json").write_text(json.dumps({"versions": versions, "cases": cases}) + "\n")


if __name__ == "__main__":
    main()

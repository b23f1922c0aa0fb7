"""Reference LRs of mmengine and nanoGPT configs -> tests/data/formats/{mmengine,nanogpt}.json,
and some of them as preset cases -> tests/data/presets/{mmengine,nanogpt}.json.

    /work/venv-mmengine/bin/python scripts/make_mmengine_nanogpt_references.py [WHICH...]

(WHICH: mmengine, nanogpt, presets; all three by default.)

The side venv: ``python3 -m venv /work/venv-mmengine && /work/venv-mmengine/bin/pip
install -c /work/torch-constraints.txt torch mmengine`` (mmengine 0.10.7, the local
torch 2.13.0 CPU wheel).

mmengine: each config under tests/data/formats/configs/mmengine/ is read by
``mmengine.Config.fromfile`` and trained by a real ``mmengine.runner.Runner`` (its
own train loop, ParamSchedulerHook and scheduler building: default ``end``,
``convert_to_iter_based``) on a one-parameter model, with a dataloader of
``steps_per_epoch`` batches; a step pre-hook on the torch optimizer records every
param group's LR at every real update.

nanoGPT is not a package: its loop is repeated here from train.py of
karpathy/nanoGPT@3adf61e154c3fe3fca428ad6bc3818b27a3b8291 (lines 35-77 defaults,
231-242 get_lr, 255-333 the loop): the config file is exec'd over train.py's
defaults, as its configurator does, and the LR set before each update recorded.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "formats"

#: config (relative to DATA) -> len(train_dataloader) of the run
MMENGINE = {
    "configs/mmengine/detection/faster-rcnn-1x.py": 20,
    "configs/mmengine/detection/faster-rcnn-2x.py": 12,
    "configs/mmengine/_base_/schedules/epoch-12-step.py": 30,
    "configs/mmengine/swin-adamw-convert.py": 7,
    "configs/mmengine/adamw-delete-optimizer.py": 25,
    "configs/mmengine/base-reference.py": 9,
    "configs/mmengine/multistep-dict.py": 11,
    "configs/mmengine/iter-poly.py": 10,
    "configs/mmengine/cosine-t-max-short.py": 10,
    "configs/mmengine/step-convert.py": 13,
    "configs/mmengine/one-cycle.py": 10,
    "configs/mmengine/one-cycle-three-phase.py": 10,
    "configs/mmengine/cosine-restart.py": 10,
    "configs/mmengine/epoch-warmup-constant-exponential.py": 10,
    "configs/mmengine/overlapping-cosine-warmup.py": 15,
    "configs/mmengine/by-epoch-in-iter-loop.py": 10,
    "configs/mmengine/no-scheduler.py": 5,
    "configs/mmengine/accumulate.py": 10,
    "configs/mmengine/accumulate-iter.py": 10,
    "configs/mmengine/auto-scale-lr.py": 6,
    "configs/mmengine/refused-end-before-begin.py": 10,
    "configs/mmengine/refused-start-factor.py": 10,
    "configs/mmengine/refused-unknown-argument.py": 10,
    "configs/mmengine/refused-dict-over-list.py": 10,
}
NANOGPT = sorted(p.relative_to(DATA).as_posix() for p in (DATA / "configs/nanogpt").glob("*.py"))


def mmengine_case(config: str, steps_per_epoch: int) -> dict:
    import torch
    from mmengine.config import Config
    from mmengine.model import BaseModel
    from mmengine.runner import Runner
    from torch.utils.data import DataLoader

    class Toy(BaseModel):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, inputs=None, data_samples=None, mode="tensor"):
            loss = (self.w - 1.0).pow(2).sum()
            return {"loss": loss} if mode == "loss" else loss

    case = {"name": Path(config).stem, "config": config, "steps_per_epoch": steps_per_epoch}
    case["world_size"] = 1  # one process: auto_scale_lr's ratio is batch / base
    lrs: list[list[float]] = []
    try:
        cfg = Config.fromfile(str(DATA / config))
        batch = cfg.get("train_dataloader", {}).get("batch_size", 1)  # auto_scale_lr reads it
        loader = DataLoader(
            list(range(steps_per_epoch * batch)),
            batch_size=batch,
            collate_fn=lambda b: {"inputs": b},
        )
        with tempfile.TemporaryDirectory() as work:
            runner = Runner(
                model=Toy(),
                work_dir=work,
                train_dataloader=loader,
                optim_wrapper=cfg.optim_wrapper,
                auto_scale_lr=cfg.get("auto_scale_lr"),
                param_scheduler=cfg.get("param_scheduler"),
                train_cfg=cfg.train_cfg,
                default_hooks={"checkpoint": None, "logger": None},
                log_level="ERROR",
                default_scope="mmengine",
            )
            build = runner.build_optim_wrapper

            def hooked(*args, **kwargs):
                wrapper = build(*args, **kwargs)
                wrapper.optimizer.register_step_pre_hook(
                    lambda opt, a, k: lrs.append([g["lr"] for g in opt.param_groups])
                )
                return wrapper

            runner.build_optim_wrapper = hooked
            runner.train()
    except Exception as exc:  # the library's refusal is the reference
        case["error"] = {"type": type(exc).__name__, "message": str(exc)[:500]}
        return case
    case["updates"] = len(lrs)
    case["lrs"] = lrs
    return case


#: train.py's defaults that the schedule and the loop read
NANOGPT_DEFAULTS = {
    "learning_rate": 6e-4,
    "max_iters": 600000,
    "decay_lr": True,
    "warmup_iters": 2000,
    "lr_decay_iters": 600000,
    "min_lr": 6e-5,
    "eval_only": False,
    "init_from": "scratch",
    "gradient_accumulation_steps": 5 * 8,
}


def nanogpt_case(config: str) -> dict:
    text = (DATA / config).read_text()
    g = dict(NANOGPT_DEFAULTS)
    exec(text, {}, g)  # our own test configs, as nanoGPT's configurator runs them

    def get_lr(it):  # train.py lines 231-242
        if it < g["warmup_iters"]:
            return g["learning_rate"] * (it + 1) / (g["warmup_iters"] + 1)
        if it > g["lr_decay_iters"]:
            return g["min_lr"]
        decay_ratio = (it - g["warmup_iters"]) / (g["lr_decay_iters"] - g["warmup_iters"])
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return g["min_lr"] + coeff * (g["learning_rate"] - g["min_lr"])

    case = {"name": Path(config).stem, "config": config, "config_text": text}
    lrs = []
    iter_num = 0
    try:
        while True:  # train.py lines 255-333, the model and data left out
            lr = get_lr(iter_num) if g["decay_lr"] else g["learning_rate"]
            if iter_num == 0 and g["eval_only"]:
                break
            lrs.append([lr, lr])  # configure_optimizers: two groups (decay, no decay)
            iter_num += 1
            if iter_num > g["max_iters"]:
                break
    except Exception as exc:
        case["error"] = {"type": type(exc).__name__, "message": str(exc), "iter_num": iter_num}
        return case
    case["updates"] = len(lrs)
    case["lrs"] = lrs
    return case


#: mmengine cases also stored as preset cases (tests/data/presets/mmengine.json)
PRESET_CASES = ("iter-poly", "overlapping-cosine-warmup", "one-cycle", "accumulate", "step-convert")


def mmengine_preset_case(case: dict) -> dict:
    """A preset case of a run above: the config's schedulers with ``end`` filled as
    Runner._build_param_scheduler fills it (the loop's max_epochs / max_iters)."""
    from mmengine.config import Config

    cfg = Config.fromfile(str(DATA / case["config"]))
    loop = cfg.train_cfg.to_dict()
    by_epoch = LOOPS[loop["type"]] if "type" in loop else loop.get("by_epoch", True)
    length = case["steps_per_epoch"]
    max_epochs, max_iters = (
        (loop["max_epochs"], loop["max_epochs"] * length) if by_epoch else (1, loop["max_iters"])
    )
    schedulers = cfg.get("param_scheduler")
    schedulers = [schedulers] if isinstance(schedulers, dict) else list(schedulers)
    filled = []
    for scheduler in schedulers:
        scheduler = scheduler.to_dict()
        scheduler.setdefault("end", max_epochs if scheduler.get("by_epoch", True) else max_iters)
        filled.append(scheduler)
    args = {"schedulers": filled, "epoch_length": length, "by_epoch": by_epoch}
    counts = cfg.optim_wrapper.get("accumulative_counts", 1)
    if counts > 1:
        args.update(accumulative_counts=counts, iterations=max_iters)
    return {
        "name": "param_scheduler",
        "config": case["config"],
        "args": args,
        "group_lrs": [cfg.optim_wrapper.optimizer.lr],
        "steps": case["updates"],
        "interval": "step",
        "lrs": case["lrs"],
    }


LOOPS = {"EpochBasedTrainLoop": True, "IterBasedTrainLoop": False}


def nanogpt_preset_case(case: dict) -> dict:
    g = dict(NANOGPT_DEFAULTS)
    exec(case["config_text"], {}, g)
    keys = ("warmup_iters", "lr_decay_iters", "min_lr", "decay_lr")
    return {
        "name": "get_lr",
        "config": case["config"],
        "args": {k: g[k] for k in keys},
        "group_lrs": [g["learning_rate"], g["learning_rate"]],
        "steps": case["updates"],
        "interval": "step",
        "lrs": case["lrs"],
    }


def write_presets() -> None:
    """tests/data/presets/{mmengine,nanogpt}.json from the runs stored above."""
    import mmengine

    made_by = "scripts/make_mmengine_nanogpt_references.py"
    runs = json.loads((DATA / "mmengine.json").read_text())["cases"]
    cases = [mmengine_preset_case(c) for c in runs if c["name"] in PRESET_CASES]
    document = {
        "framework": "mmengine",
        "library_version": mmengine.__version__,
        "dtype": "float64",
        "made_by": made_by,
        "cases": cases,
    }
    (DATA.parent / "presets" / "mmengine.json").write_text(json.dumps(document))
    runs = json.loads((DATA / "nanogpt.json").read_text())["cases"]
    small = [c for c in runs if "lrs" in c and c["updates"] <= 700]
    document = {
        "framework": "nanogpt",
        "library_version": "3adf61e1",
        "dtype": "float64",
        "made_by": made_by,
        "cases": [nanogpt_preset_case(c) for c in small],
    }
    (DATA.parent / "presets" / "nanogpt.json").write_text(json.dumps(document))
    print(f"presets: {len(cases)} mmengine, {len(small)} nanogpt cases")


def main() -> None:
    import mmengine
    import torch

    which = sys.argv[1:] or ["mmengine", "nanogpt", "presets"]
    if "mmengine" in which:
        cases = [mmengine_case(c, n) for c, n in MMENGINE.items()]
        for case in cases:
            case["config_text"] = (DATA / case["config"]).read_text()
        versions = {"mmengine": mmengine.__version__, "torch": torch.__version__}
        (DATA / "mmengine.json").write_text(json.dumps({"versions": versions, "cases": cases}))
        print(f"mmengine: {len(cases)} cases, {sum('error' in c for c in cases)} refused")
    if "nanogpt" in which:
        cases = [nanogpt_case(c) for c in NANOGPT]
        source = "karpathy/nanoGPT@3adf61e154c3fe3fca428ad6bc3818b27a3b8291 train.py"
        (DATA / "nanogpt.json").write_text(json.dumps({"source": source, "cases": cases}))
        print(f"nanogpt: {len(cases)} cases, {sum('error' in c for c in cases)} refused")
    if "presets" in which:
        write_presets()


if __name__ == "__main__":
    main()

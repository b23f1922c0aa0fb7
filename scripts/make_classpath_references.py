"""Reference LRs for configs that name torch classes by path (issue 19), from the real tools.

Not a test and not part of warmplan: run it in a side venv with the local CPU torch
(never a CUDA one)::

    /work/venv-runs/bin/pip install -c /work/torch-constraints.txt \
        lightning "jsonargparse[signatures]"
    /work/venv-runs/bin/python scripts/make_classpath_references.py lightning

lightning: every case is a LightningCLI YAML (written to
tests/data/formats/configs/lightning/<case>.yaml as a user writes it) run by the real
``LightningCLI(..., args=["fit", "--config", FILE, ...])`` on a one-layer CPU model over
a synthetic data set; the data module's size and batch size, and the interval a model's
own configure_optimizers returns, are command-line arguments of the harness
(``harness_args``), as a project's code would hold them. At every real optimizer
update a step pre-hook on the torch optimizer records the LR of every param group. A
case the library refuses records the exception. Writes tests/data/formats/lightning.json;
case names after the tool run only those and print a summary.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
import tempfile
import textwrap
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs"

DEMO = '''
import torch
import lightning.pytorch as pl
from lightning.pytorch.cli import LRSchedulerCallable, OptimizerCallable
from torch.utils.data import DataLoader, TensorDataset

RECORD = []


class _Base(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)

    def training_step(self, batch, batch_idx):
        (x,) = batch
        return self.layer(x).pow(2).mean()

    def on_train_start(self):
        for optimizer in self.trainer.optimizers:
            optimizer.register_step_pre_hook(
                lambda opt, args, kwargs: RECORD.append(
                    ([g["lr"] for g in opt.param_groups], self.trainer.current_epoch)
                )
            )


class LitModel(_Base):
    """A model whose optimizer and scheduler LightningCLI adds (top-level blocks)."""


class OwnSchedule(_Base):
    """A model with its own configure_optimizers (the scheduler in its init_args)."""

    def __init__(self, optimizer: OptimizerCallable, lr_scheduler: LRSchedulerCallable = None,
                 interval: str = "epoch"):
        super().__init__()
        self.optimizer, self.lr_scheduler, self.interval = optimizer, lr_scheduler, interval

    def configure_optimizers(self):
        optimizer = self.optimizer(self.parameters())
        if self.lr_scheduler is None:
            return optimizer
        scheduler = self.lr_scheduler(optimizer)
        return {"optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": self.interval}}


class Data(pl.LightningDataModule):
    def __init__(self, size: int = 100, batch_size: int = 8):
        super().__init__()
        self.size, self.batch_size = size, batch_size

    def train_dataloader(self):
        return DataLoader(TensorDataset(torch.randn(self.size, 4)), batch_size=self.batch_size)
'''

QUIET = (
    "trainer:\n  accelerator: cpu\n  devices: 1\n  logger: false\n  enable_checkpointing: false\n"
    "  enable_progress_bar: false\n  enable_model_summary: false\n"
)


def _case(name, text, size=100, batch=8, interval=None, note=""):
    return {
        "name": name,
        "text": textwrap.dedent(text).lstrip(),
        "size": size,
        "batch": batch,
        "interval": interval,
        "note": note,
    }


ADAMW = "optimizer:\n  class_path: torch.optim.AdamW\n  init_args:\n    lr: 1.0e-3\n"
SGD = "optimizer:\n  class_path: torch.optim.SGD\n  init_args:\n    lr: 0.1\n"
MODEL = "model:\n  class_path: demo.LitModel\n"


def _top(trainer, optimizer, scheduler):
    return f"trainer:\n{trainer}{MODEL}data:\n  class_path: demo.Data\n{optimizer}{scheduler}"


def _own(trainer, optimizer, scheduler):
    inner = textwrap.indent(optimizer + scheduler, "    ")
    return (
        f"trainer:\n{trainer}model:\n  class_path: demo.OwnSchedule\n  init_args:\n{inner}"
        "data:\n  class_path: demo.Data\n"
    )


def _sched(cls, **args):
    lines = "".join(f"    {k}: {v}\n" for k, v in args.items())
    init = f"  init_args:\n{lines}" if args else ""
    return f"lr_scheduler:\n  class_path: {cls}\n{init}"


T = "torch.optim.lr_scheduler."
CASES = [
    _case(
        "cosine-epoch",
        _top(
            "  max_epochs: 6\n  accumulate_grad_batches: 3\n",
            ADAMW,
            _sched(T + "CosineAnnealingLR", T_max=5, eta_min="1.0e-5"),
        ),
        note="13 batches / accumulate 3 = 5 updates per epoch (the last partial one counts)",
    ),
    _case("step-lr", _top("  max_epochs: 7\n", SGD, _sched(T + "StepLR", step_size=2, gamma=0.5))),
    _case(
        "multistep",
        _top("  max_epochs: 8\n", SGD, _sched(T + "MultiStepLR", milestones="[2, 5]", gamma=0.1)),
    ),
    _case("exponential", _top("  max_epochs: 5\n", ADAMW, _sched(T + "ExponentialLR", gamma=0.8))),
    _case(
        "linear-decay",
        _top(
            "  max_epochs: 6\n",
            ADAMW,
            _sched(T + "LinearLR", start_factor=1.0, end_factor=0.1, total_iters=4),
        ),
    ),
    _case(
        "linear-warmup",
        _top("  max_epochs: 6\n", ADAMW, _sched(T + "LinearLR", start_factor=0.1, total_iters=3)),
    ),
    _case("linear-defaults", _top("  max_epochs: 7\n", ADAMW, _sched(T + "LinearLR"))),
    _case(
        "constant-lr",
        _top("  max_epochs: 5\n", ADAMW, _sched(T + "ConstantLR", factor=0.5, total_iters=2)),
    ),
    _case(
        "polynomial",
        _top("  max_epochs: 7\n", ADAMW, _sched(T + "PolynomialLR", total_iters=5, power=2.0)),
    ),
    _case(
        "warm-restarts",
        _top(
            "  max_epochs: 10\n",
            ADAMW,
            _sched(T + "CosineAnnealingWarmRestarts", T_0=3, T_mult=2, eta_min="1.0e-5"),
        ),
    ),
    _case(
        "short-class-names",
        _top(
            "  max_epochs: 4\n",
            "optimizer:\n  class_path: Adam\n  init_args:\n    lr: 2e-3\n",
            _sched("CosineAnnealingLR", T_max=4),
        ),
        note="jsonargparse resolves short names; it reads 2e-3 as a number",
    ),
    _case(
        "max-steps-cuts-epochs",
        _top(
            "  max_epochs: 10\n  max_steps: 17\n", SGD, _sched(T + "StepLR", step_size=1, gamma=0.9)
        ),
        size=40,
        note="5 updates per epoch: max_steps 17 ends training in epoch 4",
    ),
    _case(
        "max-steps-only",
        _top("  max_steps: 12\n", ADAMW, _sched(T + "CosineAnnealingLR", T_max=3)),
        size=40,
        note="max_epochs defaults to -1 (unbounded) beside max_steps",
    ),
    _case(
        "limit-train-batches",
        _top(
            "  max_epochs: 3\n  limit_train_batches: 7\n  accumulate_grad_batches: 2\n",
            ADAMW,
            _sched(T + "ExponentialLR", gamma=0.5),
        ),
        note="7 batches / 2 = 4 updates per epoch",
    ),
    _case(
        "epoch-horizon-in-steps",
        _top("  max_epochs: 6\n", ADAMW, _sched(T + "CosineAnnealingLR", T_max=60)),
        size=80,
        note="T_max 60 fits the 60 steps, but the scheduler steps per epoch",
    ),
    _case("no-scheduler", _top("  max_epochs: 2\n", ADAMW, "")),
    _case(
        "own-linear-per-step",
        _own(
            "  max_epochs: 3\n",
            SGD,
            _sched(T + "LinearLR", start_factor=1.0, end_factor=0.1, total_iters=30),
        ),
        interval="step",
    ),
    _case(
        "own-cosine-per-epoch",
        _own("  max_epochs: 5\n", ADAMW, _sched(T + "CosineAnnealingLR", T_max=5)),
        interval="epoch",
    ),
    _case(
        "own-onecycle",
        _own(
            "  max_steps: 39\n",
            SGD,
            _sched(T + "OneCycleLR", max_lr=0.05, total_steps=39, pct_start=0.25),
        ),
        interval="step",
    ),
    _case(
        "own-onecycle-three-phase",
        _own(
            "  max_steps: 40\n",
            SGD,
            _sched(
                T + "OneCycleLR",
                max_lr=0.05,
                epochs=4,
                steps_per_epoch=10,
                anneal_strategy="linear",
                three_phase="true",
            ),
        ),
        interval="step",
    ),
    _case(
        "onecycle-too-short",
        _own("  max_steps: 40\n", SGD, _sched(T + "OneCycleLR", max_lr=0.05, total_steps=30)),
        interval="step",
        note="torch raises when stepped past total_steps",
    ),
    _case(
        "reduce-on-plateau",
        _top(
            "  max_epochs: 3\n",
            ADAMW,
            _sched("lightning.pytorch.cli.ReduceLROnPlateau", monitor="val_loss", patience=1),
        ),
    ),
    _case(
        "project-class",
        _top("  max_epochs: 3\n", ADAMW, _sched("myproj.sched.Cosine", warmup_ratio=0.05)),
    ),
    _case(
        "unknown-init-arg",
        _top("  max_epochs: 3\n", ADAMW, _sched(T + "CosineAnnealingLR", T_max=3, eta_mni=0.0)),
    ),
]


def _run(case, path):
    import demo  # the harness module, on sys.path
    from lightning.pytorch.cli import LightningCLI

    demo.RECORD.clear()
    args = [
        "fit",
        "--config",
        str(path),
        "--config",
        str(path.parent / "quiet.yaml"),
        f"--data.size={case['size']}",
        f"--data.batch_size={case['batch']}",
    ]
    if case["interval"]:
        args.append(f"--model.interval={case['interval']}")
    import lightning.pytorch as pl

    LightningCLI(
        pl.LightningModule,
        pl.LightningDataModule,
        subclass_mode_model=True,
        subclass_mode_data=True,
        args=args,
        save_config_callback=None,
        seed_everything_default=0,
    )
    return list(demo.RECORD)


def main(only):
    import lightning
    import torch

    cases, folder = [], CONFIGS / "lightning"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "demo.py").write_text(DEMO)
        sys.path.insert(0, tmp)
        for case in CASES:
            if only and case["name"] not in only:
                continue
            path = folder / f"{case['name']}.yaml"
            path.write_text(case["text"])
            (folder / "quiet.yaml").write_text(QUIET)
            record = {
                "name": case["name"],
                "config": f"configs/lightning/{path.name}",
                "config_text": case["text"],
                "harness_args": {
                    "data.size": case["size"],
                    "data.batch_size": case["batch"],
                    **({"model.interval": case["interval"]} if case["interval"] else {}),
                },
                "note": case["note"],
            }
            said = io.StringIO()
            try:
                with contextlib.redirect_stderr(said):
                    seen = _run(case, path)
            except (Exception, SystemExit) as exc:
                message = str(exc) if not isinstance(exc, SystemExit) else said.getvalue()
                record["error"] = {
                    "type": type(exc).__name__,
                    "message": message[-600:],
                    "where": traceback.format_exc().splitlines()[-1][:300],
                }
            else:
                epochs = [epoch for _, epoch in seen]
                batches = math.ceil(case["size"] / case["batch"])
                record["derived"] = {
                    "batches_per_epoch": batches,
                    "updates_per_epoch": epochs.count(0),
                    "epochs_run": max(epochs) + 1 if epochs else 0,
                }
                record["updates"] = len(seen)
                record["lrs"] = [lrs for lrs, _ in seen]
            (folder / "quiet.yaml").unlink()
            cases.append(record)
            print(case["name"], record.get("updates", record.get("error")), flush=True)
    if only:
        return
    document = {
        "tool": "lightning",
        "lightning_version": lightning.__version__,
        "torch_version": torch.__version__,
        "made_by": "scripts/make_classpath_references.py",
        "how": __doc__.split("\n\n")[2],
        "harness_module": DEMO,
        "harness_config": QUIET,
        "cases": cases,
    }
    (OUT / "lightning.json").write_text(json.dumps(document, indent=1) + "\n")


# --------------------------------------------------------------------------------------
# torchtune
# --------------------------------------------------------------------------------------

TT_COSINE = "torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup"
#: libraries torchtune imports for data and tokenizers, none of which the schedule uses;
#: stubbed so that ``import torchtune`` (its config and scheduler code) runs without them
TT_STUBS = ("datasets", "sentencepiece", "tiktoken", "blobfile", "torchdata", "kagglehub", "PIL")


def _stub_imports():
    import importlib.abc
    import importlib.machinery
    import types

    class Stub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in TT_STUBS:
                return importlib.machinery.ModuleSpec(name, self, is_package=True)
            return None

        def create_module(self, spec):
            module = types.ModuleType(spec.name)
            module.__path__ = []
            getitem = classmethod(lambda cls, item: cls)
            module.__getattr__ = lambda attr: type(attr, (), {"__class_getitem__": getitem})
            return module

        def exec_module(self, module):
            pass

    sys.meta_path.insert(0, Stub())


def _tt(name, text, size, world=1, note=""):
    return {
        "name": name,
        "text": textwrap.dedent(text).lstrip(),
        "size": size,
        "world": world,
        "note": note,
    }


def _recipe(sched, epochs=1, batch=2, accum=8, cap="null", lr="3e-4"):
    return (
        "output_dir: /tmp/torchtune/run\nmodel:\n  _component_: "
        "torchtune.models.llama3_2.lora_llama3_2_1b\n  lora_rank: 8\n"
        f"batch_size: {batch}\noptimizer:\n  _component_: torch.optim.AdamW\n  fused: True\n"
        f"  weight_decay: 0.01\n  lr: {lr}\n{sched}epochs: {epochs}\n"
        f"max_steps_per_epoch: {cap}\ngradient_accumulation_steps: {accum}\n"
    )


def _tt_sched(component=TT_COSINE, **args):
    lines = "".join(f"  {k}: {v}\n" for k, v in args.items())
    return f"lr_scheduler:\n  _component_: {component}\n{lines}"


TT_CASES = [
    _tt(
        "cosine-lora-like",
        _recipe(_tt_sched(num_warmup_steps=10)),
        1001,
        note="500 batches // 8 = 62 updates (the 4 leftover batches make none)",
    ),
    _tt("cosine-two-epochs", _recipe(_tt_sched(num_warmup_steps=5), epochs=2, accum=4), 300),
    _tt(
        "max-steps-per-epoch-caps",
        _recipe(_tt_sched(num_warmup_steps=4), epochs=3, accum=2, cap=20),
        200,
        note="50 updates per epoch capped at 20: N = 60, the cosine too",
    ),
    _tt(
        "max-steps-per-epoch-above",
        _recipe(_tt_sched(num_warmup_steps=4), epochs=2, accum=2, cap=1000),
        100,
    ),
    _tt("num-cycles-one", _recipe(_tt_sched(num_warmup_steps=3, num_cycles=1.0), accum=1), 90),
    _tt("warmup-zero", _recipe(_tt_sched(num_warmup_steps=0), accum=1, lr="1.0e-3"), 50),
    _tt("no-scheduler", _recipe("", accum=2), 60),
    _tt(
        "two-processes",
        _recipe(_tt_sched(num_warmup_steps=5), accum=2),
        301,
        world=2,
        note="DistributedSampler: ceil(301 / 2) = 151 per rank, 75 batches, 37 updates",
    ),
    _tt(
        "transformers-linear",
        _recipe(
            _tt_sched("transformers.get_linear_schedule_with_warmup", num_warmup_steps=6), accum=1
        ),
        80,
    ),
    _tt(
        "torch-class-refused",
        _recipe(_tt_sched("torch.optim.lr_scheduler.CosineAnnealingLR", T_max=10), accum=1),
        40,
    ),
    _tt(
        "project-component-refused",
        _recipe(_tt_sched("myproj.sched.warmup_cosine", num_warmup_steps=10), accum=1),
        40,
    ),
]


def _tt_run(case, path):
    """The recipe's own arithmetic and loop (recipes/lora_finetune_single_device.py
    0.6.1: _setup_data drop_last=True, setup() _steps_per_epoch, train())."""
    import torch
    from omegaconf import OmegaConf
    from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
    from torchtune import config

    cfg = OmegaConf.load(path)
    model = torch.nn.Linear(4, 1)
    optimizer = config.instantiate(cfg.optimizer, model.parameters())
    data = TensorDataset(torch.randn(case["size"], 4))
    sampler = DistributedSampler(data, num_replicas=case["world"], rank=0, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=cfg.batch_size, sampler=sampler, drop_last=True)
    accum, cap = cfg.gradient_accumulation_steps, cfg.max_steps_per_epoch
    steps_per_epoch = len(loader) // accum
    if cap is not None and cap < steps_per_epoch:
        steps_per_epoch = cap
    scheduler = None
    if cfg.get("lr_scheduler", None) is not None:
        scheduler = config.instantiate(
            cfg.lr_scheduler,
            optimizer,
            num_training_steps=cfg.epochs * steps_per_epoch,
            last_epoch=-1,
        )
    seen = []
    optimizer.register_step_pre_hook(
        lambda opt, args, kwargs: seen.append([g["lr"] for g in opt.param_groups])
    )
    for epoch in range(cfg.epochs):
        sampler.set_epoch(epoch)
        for idx, (x,) in enumerate(loader):
            model(x).pow(2).mean().backward()
            if (idx + 1) % accum == 0:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                if scheduler is not None:
                    scheduler.step()
            if ((idx + 1) // accum) == cap:
                break
    return seen, {
        "batches_per_epoch": len(loader),
        "updates_per_epoch": steps_per_epoch,
        "num_training_steps": cfg.epochs * steps_per_epoch,
    }


def main_torchtune(only):
    _stub_imports()
    import torch
    import torchtune

    cases, folder = [], CONFIGS / "torchtune"
    folder.mkdir(parents=True, exist_ok=True)
    for case in TT_CASES:
        if only and case["name"] not in only:
            continue
        path = folder / f"{case['name']}.yaml"
        path.write_text(case["text"])
        record = {
            "name": case["name"],
            "config": f"configs/torchtune/{path.name}",
            "config_text": case["text"],
            "dataset_size": case["size"],
            "world_size": case["world"],
            "note": case["note"],
        }
        try:
            seen, derived = _tt_run(case, path)
        except Exception as exc:
            record["error"] = {"type": type(exc).__name__, "message": str(exc)[:600]}
        else:
            record["derived"], record["updates"], record["lrs"] = derived, len(seen), seen
        cases.append(record)
        print(case["name"], record.get("updates", record.get("error")), flush=True)
    if only:
        return
    document = {
        "tool": "torchtune",
        "torchtune_version": torchtune.__version__,
        "torch_version": torch.__version__,
        "made_by": "scripts/make_classpath_references.py torchtune",
        "how": "torchtune's own config.instantiate (OmegaConf) and scheduler code, "
        "driven by the recipe's step arithmetic and loop (_tt_run); the data and "
        f"tokenizer libraries {', '.join(TT_STUBS)} are stubbed out at import",
        "cases": cases,
    }
    (OUT / "torchtune.json").write_text(json.dumps(document, indent=1) + "\n")


# --------------------------------------------------------------------------------------
# hydra
# --------------------------------------------------------------------------------------

HYDRA_MODULE = '''
import lightning.pytorch as pl
import torch

RECORD = []


class HydraLit(pl.LightningModule):
    """lightning-hydra-template's MNISTLitModule, reduced: optimizer and scheduler are
    partials from the config; its configure_optimizers returns the interval given."""

    def __init__(self, optimizer, scheduler=None, interval="epoch"):
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.optimizer, self.scheduler, self.interval = optimizer, scheduler, interval

    def training_step(self, batch, batch_idx):
        (x,) = batch
        return self.layer(x).pow(2).mean()

    def on_train_start(self):
        for opt in self.trainer.optimizers:
            opt.register_step_pre_hook(
                lambda o, a, k: RECORD.append([g["lr"] for g in o.param_groups]))

    def configure_optimizers(self):
        optimizer = self.optimizer(params=self.parameters())
        if self.scheduler is None:
            return optimizer
        scheduler = self.scheduler(optimizer=optimizer)
        return {"optimizer": optimizer,
                "lr_scheduler": {"scheduler": scheduler, "interval": self.interval}}
'''


def _hy(name, text, size=100, batch=8, interval="epoch", steps=None, note=""):
    return {
        "name": name,
        "text": textwrap.dedent(text).lstrip(),
        "size": size,
        "batch": batch,
        "interval": interval,
        "steps": steps,
        "note": note,
    }


def _composed(trainer, scheduler, optimizer="torch.optim.AdamW", lr="1.0e-3"):
    block = "".join(f"    {line}\n" for line in scheduler.splitlines())
    return (
        "trainer:\n  _target_: lightning.pytorch.trainer.Trainer\n  accelerator: cpu\n"
        f"  devices: 1\n{trainer}model:\n  _target_: src.models.lit_module.LitModule\n"
        f"  optimizer:\n    _target_: {optimizer}\n    _partial_: true\n    lr: {lr}\n"
        f"    weight_decay: 0.0\n  scheduler:\n{block}"
        "data:\n  _target_: src.data.datamodule.DataModule\n  batch_size: 8\n"
    )


def _hsched(target, partial=True, **args):
    lines = f"_target_: {target}\n" + ("_partial_: true\n" if partial else "")
    return lines + "".join(f"{k}: {v}\n" for k, v in args.items())


HY_CASES = [
    _hy(
        "cosine-per-epoch",
        _composed("  max_epochs: 5\n", _hsched(T + "CosineAnnealingLR", T_max=5, eta_min=0.0)),
    ),
    _hy(
        "step-per-step",
        _composed(
            "  max_epochs: 3\n  accumulate_grad_batches: 2\n",
            _hsched(T + "StepLR", step_size=7, gamma=0.5),
        ),
        interval="step",
        note="13 batches / 2 = 7 updates per epoch",
    ),
    _hy(
        "multistep-per-epoch",
        _composed("  max_epochs: 6\n", _hsched(T + "MultiStepLR", milestones="[2, 4]")),
    ),
    _hy(
        "transformers-cosine",
        _composed(
            "  max_steps: 40\n",
            _hsched(
                "transformers.get_cosine_schedule_with_warmup",
                num_warmup_steps=5,
                num_training_steps=40,
            ),
        ),
        interval="step",
    ),
    _hy(
        "onecycle-per-step",
        _composed(
            "  max_epochs: 2\n",
            _hsched(T + "OneCycleLR", max_lr=0.01, total_steps=26),
            optimizer="torch.optim.SGD",
            lr=0.01,
        ),
        interval="step",
    ),
    _hy(
        "missing-partial",
        _composed("  max_epochs: 2\n", _hsched(T + "StepLR", partial=False, step_size=2)),
    ),
    _hy(
        "plateau",
        _composed("  max_epochs: 2\n", _hsched(T + "ReduceLROnPlateau", mode="min", patience=1)),
    ),
    _hy(
        "project-target",
        _composed("  max_epochs: 2\n", _hsched("src.utils.schedulers.WarmupCosine", warmup=3)),
    ),
]


def _hy_run(case, path):
    import hydra.utils
    import hydra_demo
    import lightning.pytorch as pl
    import torch
    from omegaconf import OmegaConf
    from torch.utils.data import DataLoader, TensorDataset

    hydra_demo.RECORD.clear()
    cfg = OmegaConf.load(path)
    optimizer = hydra.utils.instantiate(cfg.model.optimizer)
    scheduler = hydra.utils.instantiate(cfg.model.scheduler)
    model = hydra_demo.HydraLit(optimizer, scheduler, case["interval"])
    quiet = {
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    }
    trainer = hydra.utils.instantiate(cfg.trainer, **quiet)
    assert isinstance(trainer, pl.Trainer)
    data = DataLoader(TensorDataset(torch.randn(case["size"], 4)), batch_size=case["batch"])
    trainer.fit(model, data)
    return list(hydra_demo.RECORD)


def main_hydra(only):
    import hydra
    import lightning
    import torch

    cases, folder = [], CONFIGS / "hydra"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "hydra_demo.py").write_text(HYDRA_MODULE)
        sys.path.insert(0, tmp)
        for case in HY_CASES:
            if only and case["name"] not in only:
                continue
            path = folder / f"{case['name']}.yaml"
            path.write_text(case["text"])
            record = {
                "name": case["name"],
                "config": f"configs/hydra/{path.name}",
                "config_text": case["text"],
                "interval": case["interval"],
                "harness_args": {"dataset_size": case["size"], "batch_size": case["batch"]},
                "note": case["note"],
            }
            try:
                seen = _hy_run(case, path)
            except Exception as exc:
                record["error"] = {"type": type(exc).__name__, "message": str(exc)[:600]}
            else:
                batches = math.ceil(case["size"] / case["batch"])
                accum = yaml_trainer(case["text"]).get("accumulate_grad_batches") or 1
                record["derived"] = {
                    "batches_per_epoch": batches,
                    "updates_per_epoch": math.ceil(batches / accum),
                }
                record["updates"], record["lrs"] = len(seen), seen
            cases.append(record)
            print(case["name"], record.get("updates", record.get("error")), flush=True)
    if only:
        return
    document = {
        "tool": "hydra",
        "hydra_version": hydra.__version__,
        "lightning_version": lightning.__version__,
        "torch_version": torch.__version__,
        "made_by": "scripts/make_classpath_references.py hydra",
        "how": "OmegaConf.load + hydra.utils.instantiate of the optimizer, scheduler "
        "and trainer blocks; the module (harness_module) calls the partials and "
        "returns the case's interval; a step pre-hook records every update's LRs",
        "harness_module": HYDRA_MODULE,
        "cases": cases,
    }
    (OUT / "hydra.json").write_text(json.dumps(document, indent=1) + "\n")


def yaml_trainer(text):
    import yaml

    return yaml.safe_load(text)["trainer"]


if __name__ == "__main__":
    tool, *names = sys.argv[1:] or ["lightning"]
    sys.argv[1:] = []  # LightningCLI runs on its args= alone
    if tool == "torchtune":
        main_torchtune(set(names))
    elif tool == "hydra":
        main_hydra(set(names))
    else:
        main(set(names))

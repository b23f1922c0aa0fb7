"""Reference LRs for reading other tools' training configs (issue 15), from the real tools.

Not a test and not part of warmplan: run it in side venvs of its own, outside the repo
(never a CUDA torch: install the CPU torch first, then pin it for every later install)::

    echo torch==2.13.0 > /tmp/torch-pin.txt
    python3 -m venv /tmp/venv-hf
    /tmp/venv-hf/bin/pip install torch==2.13.0
    /tmp/venv-hf/bin/pip install -c /tmp/torch-pin.txt transformers accelerate pyyaml
    DS_BUILD_OPS=0 /tmp/venv-hf/bin/pip install -c /tmp/torch-pin.txt deepspeed
    /tmp/venv-hf/bin/python scripts/make_format_references.py transformers deepspeed

    python3 -m venv /tmp/venv-axolotl        # axolotl pins its own transformers
    /tmp/venv-axolotl/bin/pip install torch==2.13.0
    /tmp/venv-axolotl/bin/pip install -c /tmp/torch-pin.txt axolotl
    /tmp/venv-axolotl/bin/python scripts/make_format_references.py axolotl

It writes tests/data/formats/<tool>.json and the config files each case reads,
tests/data/formats/configs/<tool>/<case>.(yaml|json), written as users write them. Case
names after the tool (``... transformers cosine-ratio``) run only those and print a
summary without writing anything. Everything runs on CPU; the multi-process and DeepSpeed
cases start their own ``torch.distributed.run`` (gloo) children. About 3 minutes on 2 cores.

transformers: every case is a TrainingArguments file (YAML or JSON, read the way
HfArgumentParser.parse_yaml_file / parse_json_file read it) plus a dataset size; the
script runs the real ``Trainer.train()`` on a one-layer CPU model over a synthetic data
set of that size and records, at every real optimizer update, the LR of every param
group as the optimizer used it (a step pre-hook on the torch optimizer). A case the
library refuses records the exception instead. Keys the script adds so that the run is
quiet and local (``HARNESS``) are stored apart; none of them touches the schedule.

deepspeed: the LR of every update from DeepSpeed's own schedulers, driven by its engine
(``deepspeed.initialize`` with the config, one ``engine.step()`` per micro-batch, on CPU);
real ``Trainer.train()`` runs with a ``deepspeed:`` file; and what every "auto" becomes.

axolotl: axolotl's own config validation, step count, warm-up rule and scheduler choice
(``AxolotlTrainer.train()``) on the same one-layer model; see
tests/data/formats/axolotl-arithmetic.md.

Floats are written with ``json`` (repr, round-trips exactly). One line per case.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs"

# --------------------------------------------------------------------------------------
# transformers
# --------------------------------------------------------------------------------------

# Keys the script adds to every file for a quiet local run; none changes the schedule.
HARNESS = {
    "report_to": "none",
    "save_strategy": "no",
    "logging_strategy": "no",
    "eval_strategy": "no",
    "disable_tqdm": True,
    "use_cpu": True,
    "seed": 0,
    "dataloader_num_workers": 0,
}

# (case name, file format, config text as a user writes it, dataset size, note)
TRANSFORMERS_CASES: list[tuple[str, str, str, int, str]] = [
    # --- every scheduler type, epochs-based length -----------------------------------
    (
        "linear-warmup-steps",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 10
num_train_epochs: 3
per_device_train_batch_size: 8
""",
        400,
        "int warmup_steps; N = 3 epochs x 50 batches",
    ),
    (
        "linear-defaults",
        "yaml",
        """\
learning_rate: 2.0e-4
per_device_train_batch_size: 16
num_train_epochs: 2
""",
        300,
        "no lr_scheduler_type (default linear), no warm-up",
    ),
    (
        "cosine-ratio",
        "yaml",
        """\
learning_rate: 2.0e-5
lr_scheduler_type: cosine
warmup_steps: 0.1
num_train_epochs: 1
per_device_train_batch_size: 4
gradient_accumulation_steps: 2
""",
        1000,
        "float warmup_steps < 1 is a ratio of N: ceil(0.1 x 125)",
    ),
    (
        "cosine-num-cycles",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
lr_scheduler_kwargs:
  num_cycles: 1.5
warmup_steps: 5
max_steps: 60
per_device_train_batch_size: 8
""",
        100,
        "lr_scheduler_kwargs as a mapping",
    ),
    (
        "cosine-with-restarts",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine_with_restarts
lr_scheduler_kwargs: {num_cycles: 3}
warmup_steps: 8
max_steps: 90
per_device_train_batch_size: 8
""",
        64,
        "max_steps beyond one epoch: the data repeats",
    ),
    (
        "polynomial-defaults",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: polynomial
warmup_steps: 10
max_steps: 100
""",
        200,
        "polynomial defaults: lr_end 1e-7, power 1",
    ),
    (
        "polynomial-power",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: polynomial
lr_scheduler_kwargs:
  lr_end: 1.0e-5
  power: 2.0
warmup_steps: 0.05
num_train_epochs: 4
per_device_train_batch_size: 10
""",
        250,
        "ratio warm-up ceil(0.05 x 100) = 5",
    ),
    (
        "constant",
        "yaml",
        """\
learning_rate: 3.0e-4
lr_scheduler_type: constant
num_train_epochs: 1
per_device_train_batch_size: 8
""",
        160,
        "",
    ),
    (
        "constant-ignores-warmup",
        "yaml",
        """\
learning_rate: 3.0e-4
lr_scheduler_type: constant
warmup_steps: 10
num_train_epochs: 1
per_device_train_batch_size: 8
""",
        160,
        "constant ignores warmup_steps",
    ),
    (
        "constant-with-warmup-ratio",
        "yaml",
        """\
learning_rate: 1.0e-6
lr_scheduler_type: constant_with_warmup
warmup_steps: 0.1
num_train_epochs: 4
per_device_train_batch_size: 2
gradient_accumulation_steps: 8
""",
        500,
        "N = 4 x ceil(250 / 8) = 128; W = ceil(12.8) = 13",
    ),
    (
        "constant-with-warmup-ignores-kwargs",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: constant_with_warmup
lr_scheduler_kwargs:
  num_cycles: 7
warmup_steps: 4
max_steps: 20
""",
        80,
        "get_scheduler drops lr_scheduler_kwargs for constant_with_warmup (no error)",
    ),
    (
        "inverse-sqrt",
        "yaml",
        """\
learning_rate: 5.0e-6
lr_scheduler_type: inverse_sqrt
warmup_steps: 20
num_train_epochs: 3
per_device_train_batch_size: 8
""",
        400,
        "timescale defaults to the warm-up",
    ),
    (
        "inverse-sqrt-timescale",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: inverse_sqrt
lr_scheduler_kwargs:
  timescale: 50
warmup_steps: 10
max_steps: 100
""",
        100,
        "",
    ),
    (
        "cosine-with-min-lr-rate",
        "yaml",
        """\
learning_rate: 4.0e-5
lr_scheduler_type: cosine_with_min_lr
lr_scheduler_kwargs:
  min_lr_rate: 0.1
warmup_steps: 0.03
num_train_epochs: 5
per_device_train_batch_size: 2
gradient_accumulation_steps: 8
""",
        600,
        "min_lr_rate is relative; W = ceil(0.03 x 190) = 6",
    ),
    (
        "cosine-with-min-lr-absolute",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine_with_min_lr
lr_scheduler_kwargs:
  min_lr: 1.0e-5
warmup_steps: 10
max_steps: 120
""",
        100,
        "min_lr is absolute",
    ),
    (
        "cosine-warmup-with-min-lr",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine_warmup_with_min_lr
lr_scheduler_kwargs:
  min_lr_rate: 0.05
  warmup_lr_rate: 0.1
warmup_steps: 10
max_steps: 100
""",
        100,
        "",
    ),
    (
        "warmup-stable-decay",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: warmup_stable_decay
lr_scheduler_kwargs:
  num_decay_steps: 30
warmup_steps: 10
max_steps: 100
""",
        100,
        "stable phase = N - W - decay",
    ),
    (
        "warmup-stable-decay-kwargs",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: warmup_stable_decay
lr_scheduler_kwargs:
  num_decay_steps: 20
  num_stable_steps: 40
  warmup_type: cosine
  decay_type: 1-sqrt
  min_lr_ratio: 0.1
warmup_steps: 10
num_train_epochs: 3
per_device_train_batch_size: 4
""",
        120,
        "N = 90 > 10 + 40 + 20: the steps after decay stay at the minimum",
    ),
    # --- lr_scheduler_kwargs as a JSON string -------------------------------------------
    (
        "kwargs-json-string",
        "yaml",
        """\
learning_rate: 2.0e-5
lr_scheduler_type: cosine_with_min_lr
lr_scheduler_kwargs: '{"min_lr_rate": 0.1}'
warmup_steps: 0.1
num_train_epochs: 2
per_device_train_batch_size: 8
""",
        500,
        "a JSON string starting with '{' is json.loads'ed in __post_init__",
    ),
    (
        "kwargs-json-string-numbers-as-strings",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: polynomial
lr_scheduler_kwargs: '{"power": "2.0", "lr_end": "0.0001"}'
warmup_steps: 5
max_steps: 50
""",
        100,
        "inside the JSON string, '2.0' and '0.0001' become floats (_convert_str_dict)",
    ),
    # --- warm-up forms -----------------------------------------------------------------------
    (
        "warmup-float-ge-1-truncated",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 7.9
max_steps: 50
""",
        100,
        "float >= 1 is int()-truncated: 7",
    ),
    (
        "warmup-float-1.0",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 1.0
max_steps: 30
""",
        100,
        "1.0 is >= 1: one step, not a ratio of 100 %",
    ),
    (
        "warmup-ratio-ceil",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 0.05
num_train_epochs: 1
per_device_train_batch_size: 3
""",
        100,
        "N = 34, W = ceil(1.7) = 2",
    ),
    (
        "warmup-ratio-tiny",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 0.001
max_steps: 40
""",
        100,
        "W = ceil(0.04) = 1",
    ),
    (
        "warmup-ratio-allow-extra-keys",
        "yaml",
        """\
learning_rate: 2.0e-5
lr_scheduler_type: cosine
warmup_ratio: 0.1
num_train_epochs: 1
per_device_train_batch_size: 8
""",
        400,
        "transformers 4 key; read with allow_extra_keys=True it is dropped: no warm-up",
    ),
    (
        "warmup-ratio-refused",
        "yaml",
        """\
learning_rate: 2.0e-5
lr_scheduler_type: cosine
warmup_ratio: 0.1
num_train_epochs: 1
per_device_train_batch_size: 8
""",
        400,
        "the same file read the default way (allow_extra_keys=False)",
    ),
    # --- length: max_steps vs epochs, fractional epochs, accumulation, drop_last ------------
    (
        "max-steps-beats-epochs",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 5
max_steps: 40
num_train_epochs: 10
per_device_train_batch_size: 8
""",
        200,
        "max_steps > 0 wins over num_train_epochs (10 epochs would be 250 updates)",
    ),
    (
        "fractional-epochs",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 0.1
num_train_epochs: 2.5
per_device_train_batch_size: 32
gradient_accumulation_steps: 3
""",
        1000,
        "upe = ceil(32 / 3) = 11; N = ceil(2.5 x 11) = 28; stops partway through epoch 3",
    ),
    (
        "fractional-epochs-below-one",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 3
num_train_epochs: 0.3
per_device_train_batch_size: 4
""",
        200,
        "N = ceil(0.3 x 50) = 15",
    ),
    (
        "accum-remainder",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 2
num_train_epochs: 3
per_device_train_batch_size: 32
gradient_accumulation_steps: 3
""",
        1000,
        "32 batches / accum 3: 10 full updates + 1 of 2 batches = 11 per epoch",
    ),
    (
        "accum-remainder-drop-last",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 2
num_train_epochs: 3
per_device_train_batch_size: 32
gradient_accumulation_steps: 3
dataloader_drop_last: true
""",
        1000,
        "31 batches / accum 3: 10 full + 1 of 1 batch = 11 per epoch",
    ),
    (
        "accum-drop-last-changes-n",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 0.1
num_train_epochs: 5
per_device_train_batch_size: 8
gradient_accumulation_steps: 4
dataloader_drop_last: false
""",
        100,
        "13 batches / 4: upe 4, N 20, W 2",
    ),
    (
        "accum-drop-last-true-changes-n",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 0.1
num_train_epochs: 5
per_device_train_batch_size: 8
gradient_accumulation_steps: 4
dataloader_drop_last: true
""",
        100,
        "12 batches / 4: upe 3, N 15, W 2",
    ),
    (
        "accum-larger-than-epoch",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 1
num_train_epochs: 6
per_device_train_batch_size: 16
gradient_accumulation_steps: 8
""",
        50,
        "4 batches < accum 8: max(1, ceil(4/8)) = 1 update per epoch, of 4 batches",
    ),
    (
        "drop-last-partial-batch",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
num_train_epochs: 2
per_device_train_batch_size: 7
dataloader_drop_last: true
""",
        100,
        "floor(100 / 7) = 14 batches per epoch",
    ),
    (
        "fractional-epochs-accum-drop-last",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: warmup_stable_decay
lr_scheduler_kwargs: {num_decay_steps: 10, min_lr_ratio: 0.1}
warmup_steps: 0.2
num_train_epochs: 1.5
per_device_train_batch_size: 6
gradient_accumulation_steps: 5
dataloader_drop_last: true
""",
        301,
        "50 batches / 5 = 10 upe; N = 15; W = 3",
    ),
    # --- JSON files (dumped training_args.json style) ---------------------------------
    (
        "json-cosine",
        "json",
        """\
{
  "learning_rate": 5e-05,
  "lr_scheduler_type": "cosine",
  "warmup_steps": 0.1,
  "num_train_epochs": 3.0,
  "per_device_train_batch_size": 16,
  "gradient_accumulation_steps": 2,
  "max_steps": -1,
  "weight_decay": 0.01,
  "adam_beta1": 0.9,
  "adam_beta2": 0.95
}
""",
        700,
        "JSON reads 5e-05 as a float; 44 batches / 2 = 22 upe, N 66, W 7",
    ),
    (
        "json-kwargs-string",
        "json",
        """\
{
  "learning_rate": 0.001,
  "lr_scheduler_type": "cosine_with_restarts",
  "lr_scheduler_kwargs": "{\\"num_cycles\\": 2}",
  "warmup_steps": 6,
  "max_steps": 50
}
""",
        100,
        "lr_scheduler_kwargs as a JSON string inside JSON",
    ),
    # --- values the library refuses or misreads ------------------------------------------
    (
        "yaml-lr-without-dot",
        "yaml",
        """\
learning_rate: 5e-5
lr_scheduler_type: linear
max_steps: 10
""",
        100,
        "PyYAML (YAML 1.1) reads 5e-5 as the string '5e-5'",
    ),
    (
        "warmup-steps-string",
        "yaml",
        """\
learning_rate: 1.0e-3
warmup_steps: "0.1"
max_steps: 10
""",
        100,
        "a quoted number stays a string for top-level keys",
    ),
    (
        "wsd-missing-decay-steps",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: warmup_stable_decay
warmup_steps: 10
max_steps: 100
""",
        100,
        "num_decay_steps is required",
    ),
    (
        "unknown-scheduler",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine_annealing
max_steps: 10
""",
        100,
        "",
    ),
    (
        "unknown-kwarg",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
lr_scheduler_kwargs: {min_lr_rate: 0.1}
max_steps: 10
""",
        100,
        "cosine has no min_lr_rate",
    ),
    (
        "negative-warmup",
        "yaml",
        """\
learning_rate: 1.0e-3
warmup_steps: -1
max_steps: 10
""",
        100,
        "",
    ),
    (
        "misspelt-key",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_typ: cosine
max_steps: 10
""",
        100,
        "",
    ),
    (
        "reduce-lr-on-plateau-no-eval",
        "yaml",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: reduce_lr_on_plateau
warmup_steps: 5
max_steps: 20
""",
        100,
        "metric-driven; without evaluation it is never stepped",
    ),
]

# cases run again with 2 CPU processes (torchrun, gloo): (case name, world size)
WORLD_CASES = [
    ("accum-remainder", 2),
    ("accum-remainder-drop-last", 2),
    ("accum-drop-last-changes-n", 2),
    ("accum-drop-last-true-changes-n", 2),
    ("fractional-epochs", 2),
    ("drop-last-partial-batch", 2),
    ("cosine-ratio", 2),
]

# cases that read the file with allow_extra_keys=True
ALLOW_EXTRA = {"warmup-ratio-allow-extra-keys"}


class _Data:
    """A map-style data set of ``size`` rows for a one-input regression."""

    def __init__(self, size: int):
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int):
        import torch

        x = torch.tensor([float(i % 17) / 17.0])
        return {"x": x, "labels": 2.0 * x + 1.0}


def _tiny_model():
    import torch
    from torch import nn

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x, labels=None):
            out = self.linear(x)
            loss = nn.functional.mse_loss(out, labels)
            return {"loss": loss, "logits": out}

    torch.manual_seed(0)
    return Tiny()


def _lr_recorder(out: list):
    """A TrainerCallback that appends, at every real optimizer update, the LR of every
    param group as the torch optimizer reads it (a step pre-hook on the innermost one)."""
    import torch
    from transformers import TrainerCallback

    class Record(TrainerCallback):
        def on_train_begin(self, args, state, control, optimizer=None, **kw):
            inner = _innermost(optimizer)
            assert isinstance(inner, torch.optim.Optimizer), type(inner)
            inner.register_step_pre_hook(
                lambda opt, a, k: out.append([float(g["lr"]) for g in opt.param_groups])
            )

    return Record()


def _error(exc: BaseException) -> dict:
    """The exception as data; temporary paths (output_dir etc.) replaced by <tmp>."""
    message = re.sub(re.escape(tempfile.gettempdir()) + r"/tmp\w+", "<tmp>", str(exc))
    return {"type": type(exc).__name__, "message": message[:1500]}


def _load(fmt: str, text: str) -> dict:
    """What HfArgumentParser.parse_yaml_file / parse_json_file hand to parse_dict."""
    import yaml

    return yaml.safe_load(text) if fmt == "yaml" else json.loads(text)


def transformers_case(
    name: str, fmt: str, text: str, size: int, note: str, world_size: int = 1
) -> dict:
    from transformers import HfArgumentParser, Trainer, TrainingArguments

    args = _load(fmt, text)
    case: dict = {
        "name": name,
        "config": f"configs/transformers/{name}.{fmt}",
        "config_text": text,
        "format": fmt,
        "args": args,
        "parser": "HfArgumentParser(TrainingArguments).parse_"
        + ("yaml" if fmt == "yaml" else "json")
        + "_file"
        + ("(allow_extra_keys=True)" if name in ALLOW_EXTRA else ""),
        "dataset_size": size,
        "world_size": world_size,
        "note": note,
    }
    updates: list[list[float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            merged = {**args, **HARNESS, "output_dir": tmp}
            parser = HfArgumentParser(TrainingArguments)
            (training_args,) = parser.parse_dict(merged, allow_extra_keys=name in ALLOW_EXTRA)
            case["parsed"] = {
                "learning_rate": training_args.learning_rate,
                "lr_scheduler_type": str(
                    getattr(
                        training_args.lr_scheduler_type, "value", training_args.lr_scheduler_type
                    )
                ),
                "lr_scheduler_kwargs": training_args.lr_scheduler_kwargs,
                "warmup_steps": training_args.warmup_steps,
                "max_steps": training_args.max_steps,
                "num_train_epochs": training_args.num_train_epochs,
                "optim": str(getattr(training_args.optim, "value", training_args.optim)),
                "adam_beta1": training_args.adam_beta1,
                "adam_beta2": training_args.adam_beta2,
                "weight_decay": training_args.weight_decay,
            }

            trainer = Trainer(
                model=_tiny_model(),
                args=training_args,
                train_dataset=_Data(size),
                callbacks=[_lr_recorder(updates)],
            )
            trainer.train()
            if trainer.args.world_size != world_size:
                raise RuntimeError(f"ran with world size {trainer.args.world_size}")
            n = trainer.state.max_steps
            dl = trainer.get_train_dataloader()
            case["derived"] = {
                "batches_per_epoch": len(dl),
                "updates_per_epoch": max(
                    1, math.ceil(len(dl) / training_args.gradient_accumulation_steps)
                ),
                "max_steps": n,
                "num_warmup_steps": training_args.get_warmup_steps(n),
                "global_step": trainer.state.global_step,
                "scheduler": type(trainer.lr_scheduler).__name__,
                "param_groups": len(trainer.optimizer.param_groups),
                "optimizer": type(_innermost(trainer.optimizer)).__name__,
                "group_settings": [
                    {k: g[k] for k in ("betas", "weight_decay", "eps") if k in g}
                    for g in trainer.optimizer.param_groups
                ],
            }
            case["updates"] = len(updates)
            case["lrs"] = updates
        except Exception as exc:  # the library refused the file: that is the datum
            case["error"] = _error(exc)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            path = frame.filename.split("site-packages/")[-1]
            case["error"]["where"] = f"{path}:{frame.lineno} in {frame.name}"
            if updates:
                case["partial_lrs"] = updates
    return case


def warmup_ratio_behaviour() -> dict:
    """What transformers does with the transformers-4 key ``warmup_ratio``, every way in."""
    from transformers import HfArgumentParser, TrainingArguments

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        attempts = {
            "TrainingArguments(warmup_ratio=0.1)": lambda: TrainingArguments(
                output_dir=tmp, warmup_ratio=0.1
            ),
            "parse_dict({'warmup_ratio': 0.1})": lambda: HfArgumentParser(
                TrainingArguments
            ).parse_dict({"output_dir": tmp, "warmup_ratio": 0.1}),
            "parse_dict({'warmup_ratio': 0.1}, allow_extra_keys=True)": lambda: HfArgumentParser(
                TrainingArguments
            ).parse_dict({"output_dir": tmp, "warmup_ratio": 0.1}, allow_extra_keys=True),
            "parse_args_into_dataclasses(['--warmup_ratio', '0.1'])": lambda: HfArgumentParser(
                TrainingArguments
            ).parse_args_into_dataclasses(["--output_dir", tmp, "--warmup_ratio", "0.1"]),
            "parse_args_into_dataclasses(['--warmup_ratio', '0.1'], "
            "return_remaining_strings=True)": (
                lambda: HfArgumentParser(TrainingArguments).parse_args_into_dataclasses(
                    ["--output_dir", tmp, "--warmup_ratio", "0.1"], return_remaining_strings=True
                )
            ),
            "parse_args_into_dataclasses(['--warmup_steps', '0.1'])": lambda: HfArgumentParser(
                TrainingArguments
            ).parse_args_into_dataclasses(["--output_dir", tmp, "--warmup_steps", "0.1"]),
        }
        for label, attempt in attempts.items():
            try:
                result = attempt()
                first = result[0] if isinstance(result, tuple) else result
                entry = {
                    "outcome": "accepted",
                    "warmup_steps": first.warmup_steps,
                    "has_warmup_ratio_attribute": hasattr(first, "warmup_ratio"),
                }
                if isinstance(result, tuple) and len(result) > 1:
                    entry["remaining"] = result[-1]
                out[label] = entry
            except SystemExit as exc:  # argparse's error path
                out[label] = {
                    "outcome": "SystemExit",
                    "code": exc.code,
                    "message": "argparse: unrecognized arguments (printed to stderr)",
                }
            except Exception as exc:
                out[label] = {"outcome": "raised", **_error(exc)}
    return out


def _world_worker(out: str, names: list[str]) -> None:
    """One process of a torchrun job: run the named cases, write this rank's results."""
    import torch.distributed as dist

    by_name = {case[0]: case for case in TRANSFORMERS_CASES}
    world = int(os.environ["WORLD_SIZE"])
    results = [transformers_case(*by_name[name], world_size=world) for name in names]
    rank = int(os.environ["RANK"])
    Path(f"{out}.rank{rank}").write_text(json.dumps(results))
    if dist.is_initialized():
        dist.destroy_process_group()


def world_cases(only: list[str]) -> list[dict]:
    """WORLD_CASES, run for real: torchrun starts world-size CPU processes (gloo)."""
    import subprocess

    cases = []
    for world in sorted({w for _, w in WORLD_CASES}):
        names = [n for n, w in WORLD_CASES if w == world and (not only or n in only)]
        if not names:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = str(Path(tmp) / "world")
            command = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                f"--nproc_per_node={world}",
                "--master_port=29533",
                __file__,
                "_world_worker",
                out,
                *names,
            ]
            subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            ranks = [json.loads(Path(f"{out}.rank{r}").read_text()) for r in range(world)]
        for i, case in enumerate(ranks[0]):
            same = all(r[i].get("lrs") == case.get("lrs") for r in ranks[1:])
            case["ranks_agree"] = same
            case["name"] = f"{case['name']}-world{world}"
            case["note"] = f"torchrun --nproc_per_node={world} (gloo, CPU); {case['note']}"
            cases.append(case)
    return cases


def transformers_main(only: list[str]) -> dict:
    import accelerate
    import torch
    import transformers

    cases = []
    (CONFIGS / "transformers").mkdir(parents=True, exist_ok=True)
    for name, fmt, text, size, note in TRANSFORMERS_CASES:
        if only and name not in only:
            continue
        (CONFIGS / "transformers" / f"{name}.{fmt}").write_text(text)
        case = transformers_case(name, fmt, text, size, note)
        status = case.get("error", {}).get("type") or f"{case['updates']} updates"
        print(f"  {name}: {status}", flush=True)
        cases.append(case)
    for case in world_cases(only):
        print(
            f"  {case['name']}: {case.get('updates')} updates, ranks agree: {case['ranks_agree']}",
            flush=True,
        )
        cases.append(case)
    return {
        "tool": "transformers",
        "transformers_version": transformers.__version__,
        "accelerate_version": accelerate.__version__,
        "torch_version": torch.__version__,
        "python_version": sys.version.split()[0],
        "made_by": "scripts/make_format_references.py",
        "how": "real Trainer.train() on CPU (world size 1, or torchrun CPU processes for "
        "the -worldK cases); lrs[i] = every param group's LR "
        "as read by a step pre-hook on the torch optimizer at update i",
        "harness_args": HARNESS,
        "model": "one nn.Linear(1, 1); Trainer's default AdamW groups (decay / no decay)",
        "warmup_ratio_behaviour": warmup_ratio_behaviour(),
        "cases": cases,
    }


# --------------------------------------------------------------------------------------
# DeepSpeed
# --------------------------------------------------------------------------------------

# Added to every DeepSpeed optimizer block at run time: DeepSpeed's own fused Adam is a
# compiled op; torch's AdamW runs on CPU and the LR arithmetic is the scheduler's alone.
DS_HARNESS_OPTIMIZER = {"torch_adam": True}

# Engine cases: (name, DeepSpeed config as written, micro-batches per update, updates,
# LRs of the client param groups or None for one group at the optimizer block's lr)
DS_ENGINE_CASES: list[tuple[str, dict, int, int, list | None, str]] = [
    (
        "warmuplr-log-default-max",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}},
        },
        1,
        30,
        None,
        "log warm-up; warmup_max_lr unset: WarmupLR takes each group's optimizer lr",
    ),
    (
        "warmuplr-log-two-groups",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}},
        },
        1,
        20,
        [1e-3, 5e-4],
        "client param groups with their own lr: each warms to its own lr",
    ),
    (
        "warmuplr-linear-min-max",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "WarmupLR",
                "params": {
                    "warmup_min_lr": 1e-5,
                    "warmup_max_lr": 2e-3,
                    "warmup_num_steps": 10,
                    "warmup_type": "linear",
                },
            },
        },
        1,
        30,
        None,
        "explicit warmup_max_lr replaces the optimizer lr",
    ),
    (
        "warmuplr-one-step",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 1}},
        },
        1,
        10,
        None,
        "warmup_num_steps is raised to max(2, n)",
    ),
    (
        "warmuplr-cifar-like",
        {
            "train_batch_size": 16,
            "optimizer": {
                "type": "Adam",
                "params": {"lr": 0.001, "betas": [0.8, 0.999], "eps": 1e-8, "weight_decay": 3e-7},
            },
            "scheduler": {
                "type": "WarmupLR",
                "params": {"warmup_min_lr": 0, "warmup_max_lr": 0.001, "warmup_num_steps": 100},
            },
        },
        1,
        120,
        None,
        "train_batch_size only; two updates at LR 0 (step -1 and step 0 of the log ramp)",
    ),
    (
        "warmupdecaylr-default-max-overrides-optimizer",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 3e-4}},
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {"total_num_steps": 100, "warmup_num_steps": 10},
            },
        },
        1,
        110,
        None,
        "WarmupDecayLR's warmup_max_lr still defaults to 0.001, not the optimizer's 3e-4",
    ),
    (
        "warmupdecaylr-linear-two-groups",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {
                    "total_num_steps": 100,
                    "warmup_num_steps": 10,
                    "warmup_type": "linear",
                    "warmup_min_lr": 1e-5,
                    "warmup_max_lr": [1e-3, 1e-4],
                },
            },
        },
        1,
        120,
        [1e-3, 1e-4],
        "list-valued warmup_max_lr (one per group); LR reaches 0 at total_num_steps",
    ),
    (
        "warmupdecaylr-accumulation",
        {
            "train_micro_batch_size_per_gpu": 2,
            "gradient_accumulation_steps": 3,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "WarmupDecayLR",
                "params": {
                    "total_num_steps": 40,
                    "warmup_num_steps": 5,
                    "warmup_max_lr": 1e-3,
                    "warmup_type": "linear",
                },
            },
        },
        3,
        40,
        None,
        "engine.step() on every micro-batch; the scheduler moves once per update",
    ),
    (
        "warmupcosinelr-defaults",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "WarmupCosineLR",
                "params": {"total_num_steps": 100, "warmup_num_steps": 10},
            },
        },
        1,
        120,
        None,
        "ratios of the optimizer lr; cos_min_ratio defaults to 1e-4; log warm-up",
    ),
    (
        "warmupcosinelr-linear-ratios",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "WarmupCosineLR",
                "params": {
                    "total_num_steps": 100,
                    "warmup_num_steps": 10,
                    "warmup_type": "linear",
                    "warmup_min_ratio": 0.1,
                    "cos_min_ratio": 0.0,
                },
            },
        },
        1,
        120,
        [1e-3, 1e-4],
        "",
    ),
    (
        "onecycle",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "OneCycle",
                "params": {
                    "cycle_min_lr": 1e-4,
                    "cycle_max_lr": 1e-3,
                    "cycle_first_step_size": 20,
                },
            },
        },
        1,
        60,
        None,
        "symmetric cycle, no decay: min lr after 40 steps; cycles momentum (betas) too",
    ),
    (
        "onecycle-decay-stairs",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "OneCycle",
                "params": {
                    "cycle_min_lr": 1e-4,
                    "cycle_max_lr": 1e-3,
                    "decay_lr_rate": 0.5,
                    "cycle_first_step_size": 15,
                    "cycle_second_step_size": 25,
                    "cycle_first_stair_count": 5,
                    "decay_step_size": 10,
                    "cycle_momentum": False,
                },
            },
        },
        1,
        80,
        None,
        "asymmetric cycle with stairs, then lr = min / (1 + rate x t / decay_step_size)",
    ),
    (
        "lrrangetest",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "LRRangeTest",
                "params": {
                    "lr_range_test_min_lr": 1e-5,
                    "lr_range_test_step_size": 10,
                    "lr_range_test_step_rate": 2.0,
                },
            },
        },
        1,
        50,
        None,
        "",
    ),
    (
        "lrrangetest-staircase",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {
                "type": "LRRangeTest",
                "params": {
                    "lr_range_test_min_lr": 1e-4,
                    "lr_range_test_step_size": 7,
                    "lr_range_test_step_rate": 0.5,
                    "lr_range_test_staircase": True,
                },
            },
        },
        1,
        50,
        None,
        "",
    ),
    (
        "warmuplr-zero-steps-refused",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 0}},
        },
        1,
        5,
        None,
        "",
    ),
    (
        "auto-without-trainer-refused",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": "auto"}},
            "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": "auto"}},
        },
        1,
        5,
        None,
        "'auto' is the transformers integration's; DeepSpeed alone does not resolve it",
    ),
    (
        "unknown-scheduler-refused",
        {
            "train_micro_batch_size_per_gpu": 4,
            "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
            "scheduler": {"type": "CosineLR", "params": {}},
        },
        1,
        5,
        None,
        "",
    ),
]

# Trainer + DeepSpeed cases: (name, TrainingArguments YAML, DeepSpeed JSON text, dataset size, note)
DS_TRAINER_CASES: list[tuple[str, str, str, int, str]] = [
    (
        "auto-warmupdecaylr-overrides-cosine",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 0.1
num_train_epochs: 2
per_device_train_batch_size: 8
deepspeed: auto-warmupdecaylr-overrides-cosine.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": "auto",
  "train_batch_size": "auto",
  "gradient_accumulation_steps": "auto",
  "gradient_clipping": "auto",
  "optimizer": {
    "type": "AdamW",
    "params": {"lr": "auto", "betas": "auto", "eps": "auto", "weight_decay": "auto"}
  },
  "scheduler": {
    "type": "WarmupDecayLR",
    "params": {
      "warmup_min_lr": "auto",
      "warmup_max_lr": "auto",
      "warmup_num_steps": "auto",
      "total_num_steps": "auto"
    }
  }
}
""",
        200,
        "lr_scheduler_type: cosine is silently replaced by the DeepSpeed block "
        "(log warm-up, linear decay)",
    ),
    (
        "auto-warmuplr-no-warmup",
        """\
learning_rate: 5.0e-4
max_steps: 20
per_device_train_batch_size: 4
deepspeed: auto-warmuplr-no-warmup.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": "auto",
  "gradient_accumulation_steps": "auto",
  "optimizer": {"type": "AdamW", "params": {"lr": "auto"}},
  "scheduler": {
    "type": "WarmupLR",
    "params": {"warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto"}
  }
}
""",
        100,
        "warmup_steps 0 -> auto warmup_num_steps = max(1, 0) = 1 -> DeepSpeed max(2, 1) = 2",
    ),
    (
        "auto-warmupcosinelr-accumulation",
        """\
learning_rate: 2.0e-4
warmup_steps: 5
num_train_epochs: 3
per_device_train_batch_size: 32
gradient_accumulation_steps: 3
deepspeed: auto-warmupcosinelr-accumulation.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": "auto",
  "train_batch_size": "auto",
  "gradient_accumulation_steps": "auto",
  "optimizer": {"type": "AdamW", "params": {"lr": "auto", "weight_decay": "auto"}},
  "scheduler": {
    "type": "WarmupCosineLR",
    "params": {"warmup_num_steps": "auto", "total_num_steps": "auto", "warmup_type": "linear"}
  }
}
""",
        1000,
        "32 batches / accum 3: the Trainer's remainder update is an engine update too",
    ),
    (
        "warmupdecaylr-default-max-lr",
        """\
learning_rate: 2.0e-5
warmup_steps: 5
max_steps: 30
per_device_train_batch_size: 4
deepspeed: warmupdecaylr-default-max-lr.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": "auto",
  "optimizer": {"type": "AdamW", "params": {"lr": "auto"}},
  "scheduler": {
    "type": "WarmupDecayLR",
    "params": {"warmup_num_steps": 5, "total_num_steps": "auto"}
  }
}
""",
        100,
        "no warmup_max_lr in the block: DeepSpeed's 0.001 wins over learning_rate 2e-5",
    ),
    (
        "optimizer-only-trainer-scheduler",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: cosine
warmup_steps: 3
max_steps: 25
per_device_train_batch_size: 4
deepspeed: optimizer-only-trainer-scheduler.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": "auto",
  "optimizer": {"type": "AdamW", "params": {"lr": "auto", "betas": "auto"}}
}
""",
        100,
        "no scheduler block: the Trainer's lr_scheduler_type runs (on DeepSpeed's optimizer)",
    ),
    (
        "scheduler-only-trainer-optimizer",
        """\
learning_rate: 1.0e-3
lr_scheduler_type: linear
warmup_steps: 4
max_steps: 25
per_device_train_batch_size: 4
deepspeed: scheduler-only-trainer-optimizer.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 0},
  "train_micro_batch_size_per_gpu": "auto",
  "scheduler": {
    "type": "WarmupLR",
    "params": {"warmup_num_steps": "auto", "warmup_max_lr": "auto", "warmup_type": "linear"}
  }
}
""",
        100,
        "no optimizer block: the Trainer's AdamW (two groups) under DeepSpeed's WarmupLR; "
        "ZeRO stage 0 (stages 1-2 step the torch optimizer once per group)",
    ),
    (
        "mismatch-refused",
        """\
learning_rate: 2.0e-5
max_steps: 30
per_device_train_batch_size: 4
deepspeed: mismatch-refused.ds.json
""",
        """\
{
  "zero_optimization": {"stage": 2},
  "train_micro_batch_size_per_gpu": 4,
  "optimizer": {"type": "AdamW", "params": {"lr": 1e-3}},
  "scheduler": {
    "type": "WarmupDecayLR",
    "params": {"warmup_max_lr": 1e-3, "warmup_num_steps": 5, "total_num_steps": 100}
  }
}
""",
        100,
        "explicit values that differ from TrainingArguments are refused (listed together)",
    ),
]


def _ds_model_parameters(model, lrs):
    if lrs is None:
        return list(model.parameters())
    params = list(model.parameters())
    return [{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)]


def _innermost(optimizer):
    """The torch optimizer inside accelerate's / DeepSpeed's wrappers."""
    while hasattr(optimizer, "optimizer"):
        optimizer = optimizer.optimizer
    return optimizer


def _ds_with_harness(config: dict) -> dict:
    config = json.loads(json.dumps(config))
    if "optimizer" in config:
        config["optimizer"].setdefault("params", {}).update(DS_HARNESS_OPTIMIZER)
    return config


def ds_engine_case(name, config, micro, updates, lrs, note) -> dict:
    import deepspeed
    import torch

    case = {
        "name": name,
        "kind": "engine",
        "config": f"configs/deepspeed/{name}.json",
        "ds_config": config,
        "client_param_group_lrs": lrs,
        "micro_batches_per_update": micro,
        "note": note,
    }
    records, betas = [], []
    try:
        torch.manual_seed(0)
        model = torch.nn.Linear(1, 1)  # two tensors: weight, bias
        engine, optimizer, _, scheduler = deepspeed.initialize(
            model=model,
            model_parameters=_ds_model_parameters(model, lrs),
            config=_ds_with_harness(config),
        )
        inner = _innermost(optimizer)

        def hook(opt, a, k):
            records.append([float(g["lr"]) for g in opt.param_groups])
            betas.append([list(g["betas"]) for g in opt.param_groups if "betas" in g])

        inner.register_step_pre_hook(hook)
        batch = engine.train_micro_batch_size_per_gpu()
        for _ in range(updates * micro):
            x = torch.rand(batch, 1)
            loss = engine(x).pow(2).mean()
            engine.backward(loss)
            engine.step()
        case["scheduler"] = type(scheduler).__name__
        case["optimizer"] = type(inner).__name__
        case["engine_global_steps"] = engine.global_steps
        case["updates"] = len(records)
        case["lrs"] = records
        if config["scheduler"]["type"] == "OneCycle":
            case["betas"] = betas
        engine.destroy()
    except Exception as exc:
        case["error"] = _error(exc)
    return case


def _ds_engine_worker(out: str) -> None:
    cases = [ds_engine_case(*case) for case in DS_ENGINE_CASES]
    Path(out).write_text(json.dumps(cases))


def _ds_trainer_worker(out: str, folder: str) -> None:
    """Trainer + DeepSpeed for real (one CPU process under torchrun)."""
    from transformers import HfArgumentParser, Trainer, TrainingArguments

    os.chdir(folder)  # the YAML names its DeepSpeed file relative to itself
    harness = {k: v for k, v in HARNESS.items() if k != "use_cpu"}
    cases = []
    for name, yaml_text, ds_text, size, note in DS_TRAINER_CASES:
        args = _load("yaml", yaml_text)
        ds_config = json.loads(ds_text)
        case = {
            "name": name,
            "kind": "trainer",
            "config": f"configs/deepspeed/trainer/{name}.yaml",
            "ds_file": f"configs/deepspeed/trainer/{name}.ds.json",
            "config_text": yaml_text,
            "ds_config_text": ds_text,
            "args": args,
            "ds_config": ds_config,
            "dataset_size": size,
            "world_size": 1,
            "note": note,
        }
        records: list[list[float]] = []
        with tempfile.TemporaryDirectory() as tmp:
            try:
                harnessed = Path(tmp) / "ds.json"
                harnessed.write_text(json.dumps(_ds_with_harness(ds_config)))
                merged = {**args, **harness, "output_dir": tmp, "deepspeed": str(harnessed)}
                (training_args,) = HfArgumentParser(TrainingArguments).parse_dict(merged)

                trainer = Trainer(
                    model=_tiny_model(),
                    args=training_args,
                    train_dataset=_Data(size),
                    callbacks=[_lr_recorder(records)],
                )
                trainer.train()
                if len(records) != trainer.state.global_step:
                    raise RuntimeError(
                        f"{len(records)} optimizer steps for {trainer.state.global_step} updates"
                    )
                filled = trainer.accelerator.state.deepspeed_plugin.hf_ds_config.config
                engine_scheduler = trainer.model_wrapped.lr_scheduler
                n = trainer.state.max_steps
                case["filled_ds_config"] = {
                    k: v
                    for k, v in filled.items()
                    if k
                    in (
                        "train_micro_batch_size_per_gpu",
                        "train_batch_size",
                        "gradient_accumulation_steps",
                        "gradient_clipping",
                        "optimizer",
                        "scheduler",
                    )
                }
                case["derived"] = {
                    "max_steps": n,
                    "trainer_num_warmup_steps": training_args.get_warmup_steps(n),
                    "global_step": trainer.state.global_step,
                    "engine_scheduler": type(engine_scheduler).__name__,
                    "optimizer": type(_innermost(trainer.optimizer)).__name__,
                    "param_groups": len(_innermost(trainer.optimizer).param_groups),
                }
                case["updates"] = len(records)
                case["lrs"] = records
            except Exception as exc:
                case["error"] = _error(exc)
        cases.append(case)
    Path(out).write_text(json.dumps({"cases": cases, "auto_fill": deepspeed_auto_fill()}))


# distinctive TrainingArguments values, so that each filled value names its source
AUTO_PROBE_ARGS = {
    "learning_rate": 1.234e-4,
    "adam_beta1": 0.81,
    "adam_beta2": 0.97,
    "adam_epsilon": 3e-9,
    "weight_decay": 0.05,
    "max_grad_norm": 0.7,
    "per_device_train_batch_size": 3,
    "gradient_accumulation_steps": 5,
    "warmup_steps": 0.25,
}
AUTO_PROBE_STEPS = [40, 2]  # num_training_steps handed to trainer_config_finalize

_ALL_SCHEDULER_PARAMS = {
    "WarmupLR": ["warmup_min_lr", "warmup_max_lr", "warmup_num_steps", "warmup_type"],
    "WarmupDecayLR": [
        "warmup_min_lr",
        "warmup_max_lr",
        "warmup_num_steps",
        "warmup_type",
        "total_num_steps",
    ],
    "WarmupCosineLR": [
        "warmup_min_ratio",
        "warmup_num_steps",
        "cos_min_ratio",
        "warmup_type",
        "total_num_steps",
    ],
    "OneCycle": [
        "cycle_min_lr",
        "cycle_max_lr",
        "decay_lr_rate",
        "cycle_first_step_size",
        "cycle_second_step_size",
        "decay_step_size",
        "cycle_min_mom",
        "cycle_max_mom",
    ],
    "LRRangeTest": [
        "lr_range_test_min_lr",
        "lr_range_test_step_size",
        "lr_range_test_step_rate",
        "lr_range_test_staircase",
    ],
}


def deepspeed_auto_fill() -> list[dict]:
    """What the installed transformers integration writes into every "auto" of a
    DeepSpeed config (TrainingArguments creation + trainer_config_finalize)."""
    from transformers import TrainingArguments

    results = []
    for scheduler, params in _ALL_SCHEDULER_PARAMS.items():
        for steps in AUTO_PROBE_STEPS:
            config = {
                "zero_optimization": {"stage": 2},
                "train_micro_batch_size_per_gpu": "auto",
                "train_batch_size": "auto",
                "gradient_accumulation_steps": "auto",
                "gradient_clipping": "auto",
                "optimizer": {
                    "type": "AdamW",
                    "params": {k: "auto" for k in ("lr", "betas", "eps", "weight_decay")},
                },
                "scheduler": {"type": scheduler, "params": {k: "auto" for k in params}},
            }
            with tempfile.TemporaryDirectory() as tmp:
                args = TrainingArguments(
                    output_dir=tmp, deepspeed=config, report_to="none", **AUTO_PROBE_ARGS
                )
                hf = args.hf_deepspeed_config
                after_args = json.loads(json.dumps(hf.config))
                hf.trainer_config_finalize(args, _tiny_model(), steps)
                results.append(
                    {
                        "scheduler": scheduler,
                        "training_args": AUTO_PROBE_ARGS,
                        "world_size": args.world_size,
                        "num_training_steps": steps,
                        "after_training_arguments": {k: after_args[k] for k in config},
                        "after_finalize": {k: hf.config[k] for k in config},
                    }
                )
    return results


def deepspeed_main(only: list[str]) -> dict:
    import subprocess

    import deepspeed
    import transformers

    folder = CONFIGS / "deepspeed"
    (folder / "trainer").mkdir(parents=True, exist_ok=True)
    for name, config, *_ in DS_ENGINE_CASES:
        (folder / f"{name}.json").write_text(json.dumps(config, indent=2) + "\n")
    for name, yaml_text, ds_text, *_ in DS_TRAINER_CASES:
        (folder / "trainer" / f"{name}.yaml").write_text(yaml_text)
        (folder / "trainer" / f"{name}.ds.json").write_text(ds_text)
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for worker, extra in (
            ("_ds_engine_worker", []),
            ("_ds_trainer_worker", [str(folder / "trainer")]),
        ):
            out = str(Path(tmp) / f"{worker}.json")
            command = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--nproc_per_node=1",
                "--master_port=29534",
                __file__,
                worker,
                out,
                *extra,
            ]
            subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
            result = json.loads(Path(out).read_text())
            if isinstance(result, dict):
                auto_fill = result["auto_fill"]
                result = result["cases"]
            cases += result
    for case in cases:
        status = case.get("error", {}).get("type") or f"{case['updates']} updates"
        print(f"  {case['kind']} {case['name']}: {status}")
    return {
        "tool": "deepspeed",
        "deepspeed_version": deepspeed.__version__,
        "transformers_version": transformers.__version__,
        "made_by": "scripts/make_format_references.py",
        "how": "engine cases: deepspeed.initialize(config) on CPU, one engine.step() per "
        "micro-batch; trainer cases: real Trainer.train() with `deepspeed:` (one CPU process "
        "under torchrun). lrs[i] = each param group's LR read by a step pre-hook on the torch "
        "optimizer at update i",
        "harness_optimizer_params": DS_HARNESS_OPTIMIZER,
        "auto_fill": auto_fill,
        "cases": cases,
    }


# --------------------------------------------------------------------------------------
# axolotl
# --------------------------------------------------------------------------------------

# Keys every axolotl case needs that have nothing to do with the schedule; the model is a
# one-layer Llama *config* written locally (normalize_config reads it), the data set is
# synthetic, training runs on the same one-layer nn.Module as the transformers cases.
AX_HARNESS = {
    "datasets": [{"path": "synthetic.jsonl", "type": "alpaca"}],
    "sequence_len": 512,
}

# (name, axolotl YAML as written, dataset rows, token length of every row, note)
AX_CASES: list[tuple[str, str, int, int, str]] = [
    (
        "ratio-floor",
        """\
learning_rate: 2.0e-4
lr_scheduler: cosine
warmup_ratio: 0.1
num_epochs: 1
micro_batch_size: 3
gradient_accumulation_steps: 1
""",
        100,
        64,
        "N = ceil(100 / 3) = 34; W = int(3.4) = 3 (transformers would ceil to 4)",
    ),
    (
        "ratio-lora-1b-like",
        """\
learning_rate: 2.0e-4
lr_scheduler: cosine
warmup_ratio: 0.1
num_epochs: 1
micro_batch_size: 2
gradient_accumulation_steps: 2
""",
        1000,
        64,
        "N = ceil(1000 / 4) = 250; W = 25",
    ),
    (
        "ratio-float-rounding",
        """\
learning_rate: 1.0e-3
lr_scheduler: linear
warmup_ratio: 0.29
num_epochs: 1
micro_batch_size: 4
""",
        400,
        64,
        "int(0.29 x 100) = int(28.999999999999996) = 28",
    ),
    (
        "default-warmup",
        """\
learning_rate: 2.0e-5
num_epochs: 1
micro_batch_size: 2
gradient_accumulation_steps: 2
""",
        1000,
        64,
        "no lr_scheduler (cosine), no warm-up key: W = min(int(0.03 x 250), 100) = 7",
    ),
    (
        "default-warmup-rounds-to-zero",
        """\
learning_rate: 1.0e-3
num_epochs: 1
micro_batch_size: 4
""",
        120,
        64,
        "N = 30: int(0.9) = 0, no warm-up",
    ),
    (
        "default-warmup-one-becomes-two",
        """\
learning_rate: 1.0e-3
num_epochs: 2
micro_batch_size: 4
""",
        120,
        64,
        "N = 60: int(1.8) = 1, and a warm-up of 1 becomes 2",
    ),
    (
        "warmup-steps-one-becomes-two",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
warmup_steps: 1
max_steps: 30
micro_batch_size: 4
""",
        400,
        64,
        "warmup_steps: 1 is raised to 2",
    ),
    (
        "warmup-steps-zero",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
warmup_steps: 0
num_epochs: 1
micro_batch_size: 4
""",
        200,
        64,
        "an explicit 0 disables the default warm-up",
    ),
    (
        "epochs-accumulation-rounding",
        """\
learning_rate: 1.0e-3
lr_scheduler: linear
warmup_steps: 2
num_epochs: 3
micro_batch_size: 32
gradient_accumulation_steps: 3
""",
        1000,
        64,
        "N = ceil(1000 x 3 / 96) = 32 for the whole run (transformers alone: 3 x 11 = 33)",
    ),
    (
        "fractional-epochs",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
warmup_ratio: 0.1
num_epochs: 2.5
micro_batch_size: 32
gradient_accumulation_steps: 3
""",
        1000,
        64,
        "N = ceil(2500 / 96) = 27; W = 2",
    ),
    (
        "max-steps-below-estimate",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
warmup_ratio: 0.1
max_steps: 50
num_epochs: 1
micro_batch_size: 2
gradient_accumulation_steps: 2
""",
        1000,
        64,
        "N = min(250, 50) = 50; W = 5",
    ),
    (
        "max-steps-above-estimate",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
warmup_ratio: 0.1
max_steps: 60
num_epochs: 1
micro_batch_size: 4
""",
        100,
        64,
        "warm-up from min(25, 60) = 25 -> int(2.5) = 2, but training runs max_steps = 60",
    ),
    (
        "cosine-min-lr-ratio",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
cosine_min_lr_ratio: 0.1
warmup_steps: 10
max_steps: 100
micro_batch_size: 4
""",
        400,
        64,
        "axolotl's own cosine-with-min-lr",
    ),
    (
        "cosine-constant-lr-ratio",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
cosine_min_lr_ratio: 0.1
cosine_constant_lr_ratio: 0.8
warmup_steps: 10
max_steps: 100
micro_batch_size: 4
""",
        400,
        64,
        "cosine reaches the minimum at int(0.8 x 100) = 80 and stays",
    ),
    (
        "cosine-constant-lr-ratio-zero",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
cosine_min_lr_ratio: 0.1
cosine_constant_lr_ratio: 0
warmup_steps: 10
max_steps: 100
micro_batch_size: 4
""",
        400,
        64,
        "0 is falsy: the constant phase is ignored (same as cosine-min-lr-ratio)",
    ),
    (
        "cosine-min-lr-ratio-one",
        """\
learning_rate: 1.0e-3
cosine_min_lr_ratio: 1.0
cosine_constant_lr_ratio: 0
warmup_steps: 10
max_steps: 60
micro_batch_size: 4
""",
        400,
        64,
        "min ratio 1.0: constant LR after the warm-up",
    ),
    (
        "min-lr-ratio-ignored-for-linear",
        """\
learning_rate: 1.0e-3
lr_scheduler: linear
cosine_min_lr_ratio: 0.1
warmup_steps: 5
max_steps: 50
micro_batch_size: 4
""",
        400,
        64,
        "cosine_min_lr_ratio acts only with lr_scheduler: cosine",
    ),
    (
        "quadratic-warmup",
        """\
learning_rate: 1.0e-3
lr_scheduler: cosine
lr_quadratic_warmup: true
warmup_steps: 10
max_steps: 60
micro_batch_size: 4
""",
        400,
        64,
        "",
    ),
    (
        "one-cycle",
        """\
learning_rate: 1.0e-3
lr_scheduler: one_cycle
warmup_steps: 15
max_steps: 60
micro_batch_size: 4
""",
        400,
        64,
        "torch OneCycleLR, pct_start = W / N, anneal cos",
    ),
    (
        "rex",
        """\
learning_rate: 1.0e-3
lr_scheduler: rex
cosine_min_lr_ratio: 0.1
warmup_steps: 5
max_steps: 60
micro_batch_size: 4
""",
        400,
        64,
        "",
    ),
    (
        "hf-scheduler-with-kwargs",
        """\
learning_rate: 4.0e-5
lr_scheduler: cosine_with_min_lr
lr_scheduler_kwargs:
  min_lr_rate: 0.1
warmup_ratio: 0.03
num_epochs: 2
micro_batch_size: 2
gradient_accumulation_steps: 4
""",
        600,
        64,
        "a transformers scheduler name passes through; N = 150, W = int(4.5) = 4",
    ),
    (
        "constant-with-warmup",
        """\
learning_rate: 1.0e-6
lr_scheduler: constant_with_warmup
warmup_ratio: 0.1
num_epochs: 4
micro_batch_size: 2
gradient_accumulation_steps: 8
""",
        500,
        64,
        "N = ceil(2000 / 16) = 125; W = 12",
    ),
    (
        "sample-packing",
        """\
learning_rate: 2.0e-4
lr_scheduler: cosine
warmup_ratio: 0.1
num_epochs: 1
micro_batch_size: 2
gradient_accumulation_steps: 1
sample_packing: true
sequence_len: 512
""",
        600,
        0,
        "N from the multipack sampler's estimate (rows of 40..300 tokens)",
    ),
    (
        "warmup-steps-float-refused",
        """\
learning_rate: 5.0e-6
lr_scheduler: cosine
warmup_steps: 0.1
max_steps: 50
micro_batch_size: 1
""",
        100,
        64,
        "the schema types warmup_steps as int",
    ),
    (
        "warmup-steps-and-ratio-refused",
        """\
learning_rate: 1.0e-3
warmup_steps: 10
warmup_ratio: 0.1
max_steps: 50
micro_batch_size: 1
""",
        100,
        64,
        "",
    ),
]

# N values for the warm-up rule alone (the real builder method; no training run)
AX_WARMUP_PROBES = [
    ({}, [None, 0, 10, 33, 34, 40, 66, 67, 100, 3333, 3334, 5000, 100000]),
    ({"warmup_ratio": 0.1}, [None, 9, 10, 19, 20, 33, 100]),
    ({"warmup_ratio": 0.07}, [100, 1000]),
    ({"warmup_steps": 1}, [None, 100]),
    ({"warmup_steps": 0}, [None, 100]),
]


def _ax_dataset(rows: int, length: int):
    import random

    import datasets

    rng = random.Random(0)
    lengths = [length or rng.randint(40, 300) for _ in range(rows)]
    ids = [[1] * n for n in lengths]
    return datasets.Dataset.from_dict(
        {"input_ids": ids, "labels": ids, "length": lengths, "attention_mask": ids}
    )


def _ax_train_rows(rows: int):
    """The rows the one-layer model trains on (AxolotlTrainer wants a datasets.Dataset)."""
    import datasets

    xs = [[float(i % 17) / 17.0] for i in range(rows)]
    return datasets.Dataset.from_dict({"x": xs, "labels": [[2.0 * x[0] + 1.0] for x in xs]})


class _Stub:
    """The `self` that axolotl's builder methods read: only `.cfg`."""

    def __init__(self, cfg):
        self.cfg = cfg


def _ax_cfg(args: dict, model_dir: str, out_dir: str):
    from axolotl.utils.config import normalize_config, validate_config
    from axolotl.utils.dict import DictDefault

    cfg = validate_config(
        DictDefault({**AX_HARNESS, **args, "base_model": model_dir, "output_dir": out_dir})
    )
    normalize_config(cfg)
    return cfg


def axolotl_case(name, text, rows, length, note, model_dir) -> dict:
    import torch
    import yaml
    from axolotl.core.builders.base import TrainerBuilderBase
    from axolotl.core.trainers.base import AxolotlTrainer
    from axolotl.core.training_args import AxolotlTrainingArguments
    from axolotl.utils.trainer import calculate_total_num_steps

    args = yaml.safe_load(text)
    case = {
        "name": name,
        "config": f"configs/axolotl/{name}.yaml",
        "config_text": text,
        "args": args,
        "dataset_rows": rows,
        "row_tokens": length or "random 40..300 (random.Random(0))",
        "world_size": 1,
        "note": note,
    }
    records: list[list[float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            cfg = _ax_cfg(args, model_dir, tmp)
            dataset = _ax_dataset(rows, length)
            torch.manual_seed(0)
            # axolotl/utils/data/sft.py: min(estimate, max_steps) when max_steps is set
            estimate = calculate_total_num_steps(cfg, dataset)
            total = min(estimate, cfg.max_steps) if cfg.max_steps else estimate
            kwargs: dict = {}
            TrainerBuilderBase._configure_warmup_and_logging(_Stub(cfg), total, kwargs)
            TrainerBuilderBase._configure_scheduler(_Stub(cfg), kwargs)
            # as core/builders/base.py (_set_base_training_args) hands them on
            for key in (
                "learning_rate",
                "gradient_accumulation_steps",
                "cosine_min_lr_ratio",
                "cosine_constant_lr_ratio",
                "weight_decay",
                "adam_beta1",
                "adam_beta2",
            ):
                if cfg.get(key) is not None:
                    kwargs[key] = cfg[key]
            kwargs["per_device_train_batch_size"] = cfg.micro_batch_size
            kwargs["max_steps"] = cfg.max_steps or total or -1
            kwargs["num_train_epochs"] = cfg.num_epochs
            if cfg.lr_quadratic_warmup is not None:  # core/builders/causal.py
                kwargs["lr_quadratic_warmup"] = cfg.lr_quadratic_warmup
            if cfg.dataloader_drop_last is not None:
                kwargs["dataloader_drop_last"] = cfg.dataloader_drop_last
            kwargs.pop("logging_steps", None)
            case["derived"] = {
                "batch_size": cfg.batch_size,
                "total_num_steps_estimate": estimate,
                "total_num_steps": total,
                "sample_packing_eff_est": cfg.sample_packing_eff_est,
                "training_arguments": dict(kwargs),
            }
            training_args = AxolotlTrainingArguments(output_dir=tmp, **kwargs, **HARNESS)

            trainer = AxolotlTrainer(
                model=_tiny_model(),
                args=training_args,
                train_dataset=_ax_train_rows(rows),
                callbacks=[_lr_recorder(records)],
            )
            trainer.train()
            case["derived"].update(
                {
                    "max_steps": trainer.state.max_steps,
                    "num_warmup_steps": training_args.get_warmup_steps(trainer.state.max_steps),
                    "scheduler": type(trainer.lr_scheduler).__name__,
                    "global_step": trainer.state.global_step,
                }
            )
            case["updates"] = len(records)
            case["lrs"] = records
        except Exception as exc:
            case["error"] = _error(exc)
    return case


def axolotl_warmup_probes(model_dir: str) -> list[dict]:
    from axolotl.core.builders.base import TrainerBuilderBase

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for extra, totals in AX_WARMUP_PROBES:
            cfg = _ax_cfg({"micro_batch_size": 1, "learning_rate": 1e-3, **extra}, model_dir, tmp)
            for total in totals:
                kwargs: dict = {}
                TrainerBuilderBase._configure_warmup_and_logging(_Stub(cfg), total, kwargs)
                out.append(
                    {
                        "keys": extra,
                        "total_num_steps": total,
                        "warmup_steps_handed_to_transformers": kwargs["warmup_steps"],
                    }
                )
    return out


def axolotl_main(only: list[str]) -> dict:
    import importlib.metadata

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    import transformers
    from transformers import LlamaConfig

    (CONFIGS / "axolotl").mkdir(parents=True, exist_ok=True)
    cases = []
    with tempfile.TemporaryDirectory() as model_dir:
        LlamaConfig(
            hidden_size=8,
            intermediate_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
            vocab_size=64,
        ).save_pretrained(model_dir)
        for name, text, rows, length, note in AX_CASES:
            if only and name not in only:
                continue
            (CONFIGS / "axolotl" / f"{name}.yaml").write_text(text)
            case = axolotl_case(name, text, rows, length, note, model_dir)
            status = case.get("error", {}).get("type") or f"{case['updates']} updates"
            print(f"  {name}: {status}", flush=True)
            cases.append(case)
        probes = axolotl_warmup_probes(model_dir)
    return {
        "tool": "axolotl",
        "axolotl_version": importlib.metadata.version("axolotl"),
        "transformers_version": transformers.__version__,
        "accelerate_version": importlib.metadata.version("accelerate"),
        "torch_version": importlib.metadata.version("torch"),
        "made_by": "scripts/make_format_references.py",
        "how": "axolotl's own code on CPU: validate_config + normalize_config on the YAML, "
        "calculate_total_num_steps on a synthetic datasets.Dataset, the builder's "
        "_configure_warmup_and_logging/_configure_scheduler, then AxolotlTrainer.train() "
        "(axolotl's create_scheduler) on a one-layer nn.Module; lrs[i] = each param group's "
        "LR read by a step pre-hook on the torch optimizer at update i",
        "harness_keys": AX_HARNESS,
        "warmup_probes": probes,
        "cases": cases,
    }


# --------------------------------------------------------------------------------------


def dumps(document: dict) -> str:
    """JSON with one line per case, so a diff of the data shows which cases changed."""
    head = {key: value for key, value in document.items() if key != "cases"}
    lines = [json.dumps(head)[:-1] + ', "cases": [']
    cases = [json.dumps(case) for case in document["cases"]]
    lines += [case + ("," if i < len(cases) - 1 else "") for i, case in enumerate(cases)]
    return "\n".join([*lines, "]}"]) + "\n"


def main(argv: list[str]) -> None:
    if argv[:1] == ["_world_worker"]:
        _world_worker(argv[1], argv[2:])
        return
    if argv[:1] == ["_ds_engine_worker"]:
        _ds_engine_worker(argv[1])
        return
    if argv[:1] == ["_ds_trainer_worker"]:
        _ds_trainer_worker(argv[1], argv[2])
        return
    tools = {"transformers": transformers_main}
    for extra in ("deepspeed_main", "axolotl_main"):
        if extra in globals():
            tools[extra.split("_")[0]] = globals()[extra]
    chosen = [a for a in argv if a in tools] or ["transformers", "deepspeed"]
    only = [a for a in argv if a not in tools]
    OUT.mkdir(parents=True, exist_ok=True)
    for tool in chosen:
        print(f"{tool}:", flush=True)
        document = tools[tool](only)
        if only:  # a partial run is for looking, not for the data
            print(f"{len(document['cases'])} cases run; nothing written")
            continue
        path = OUT / f"{tool}.json"
        path.write_text(dumps(document))
        print(f"wrote {path.relative_to(ROOT)} ({len(document['cases'])} cases)")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main(sys.argv[1:])

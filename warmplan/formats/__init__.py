"""Readers of other tools' training configs (transformers, axolotl, DeepSpeed,
Lightning CLI, torchtune, Hydra, timm, ultralytics, mmengine, nanoGPT, Megatron-LM, NeMo,
GPT-NeoX, OLMo, Composer) -> Plan.

Each reader module has ``read(draft)``; :data:`READERS` names them, and :func:`detect`
tells the format of a config from its keys (``--from FORMAT`` forces one).
"""

from __future__ import annotations

import importlib
from typing import Any

NATIVE = "warmplan"
READERS = {
    "transformers": "warmplan.formats.transformers",
    "axolotl": "warmplan.formats.axolotl",
    "deepspeed": "warmplan.formats.deepspeed",
    "lightning": "warmplan.formats.lightning",
    "torchtune": "warmplan.formats.torchtune",
    "hydra": "warmplan.formats.hydra",
    "timm": "warmplan.formats.timm",
    "ultralytics": "warmplan.formats.ultralytics",
    "mmengine": "warmplan.formats.mmengine",
    "nanogpt": "warmplan.formats.nanogpt",
    "megatron": "warmplan.formats.megatron",
    "nemo": "warmplan.formats.nemo",
    "neox": "warmplan.formats.neox",
    "olmo": "warmplan.formats.olmo",
    "composer": "warmplan.formats.composer",
}
FORMATS = (NATIVE, *READERS)
#: what each format is, in words (the header of a converted plan)
TITLES = {
    NATIVE: "warmplan plan",
    "transformers": "transformers TrainingArguments",
    "axolotl": "axolotl config",
    "deepspeed": "DeepSpeed config",
    "lightning": "Lightning CLI config",
    "torchtune": "torchtune recipe config",
    "hydra": "Hydra config",
    "timm": "timm train.py arguments",
    "ultralytics": "ultralytics training arguments",
    "mmengine": "mmengine config",
    "nanogpt": "nanoGPT config",
    "megatron": "Megatron-LM launch script",
    "nemo": "NeMo model config",
    "neox": "GPT-NeoX config",
    "olmo": "OLMo training config",
    "composer": "Composer / llm-foundry config",
}

#: flags only Megatron-LM's argument parser has (a launch script's data)
_MEGATRON_FLAGS = {
    "--lr-decay-style",
    "--lr-decay-iters",
    "--lr-decay-samples",
    "--lr-warmup-fraction",
    "--lr-warmup-iters",
    "--lr-warmup-samples",
    "--train-iters",
    "--train-samples",
    "--min-lr",
    "--global-batch-size",
}
#: keys only GPT-NeoX's configs have (NeoX reads "-" and "_" alike)
_NEOX_KEYS = {
    "lr_decay_style",
    "lr-decay-style",
    "lr_decay_iters",
    "lr-decay-iters",
    "lr_decay_fraction",
    "train_iters",
    "train-iters",
}
_NATIVE_KEYS = {"name", "optimizer", "training", "warmup", "decay", "expect", "ignore", "preset"}
_DEEPSPEED_KEYS = {
    "train_micro_batch_size_per_gpu",
    "train_batch_size",
    "zero_optimization",
    "gradient_clipping",
    "steps_per_print",
    "wall_clock_breakdown",
    "zero_allow_untested_optimizer",
}
_AXOLOTL_KEYS = {
    "micro_batch_size",
    "num_epochs",
    "lr_scheduler",
    "base_model",
    "sequence_len",
    "sample_packing",
    "cosine_min_lr_ratio",
    "cosine_constant_lr_ratio",
    "datasets",
    "adapter",
    "lora_r",
    "val_set_size",
    "lr_quadratic_warmup",
}
#: train.py argument names (args.yaml keys) beside ``sched``, which no other format has
_TIMM_KEYS = {
    "sched_on_updates",
    "warmup_epochs",
    "warmup_lr",
    "warmup_prefix",
    "min_lr",
    "decay_epochs",
    "decay_milestones",
    "decay_rate",
    "cooldown_epochs",
    "lr_base",
    "lr_cycle_limit",
    "epochs",
    "opt",
    "model",
}
_TRANSFORMERS_KEYS = {
    "learning_rate",
    "lr_scheduler_type",
    "lr_scheduler_kwargs",
    "num_train_epochs",
    "per_device_train_batch_size",
    "warmup_steps",
    "warmup_ratio",
    "max_steps",
    "gradient_accumulation_steps",
    "output_dir",
    "model_name_or_path",
    "dataset_name",
    "optim",
}
#: keys transformers has and axolotl does not (axolotl shares learning_rate & co)
_TRANSFORMERS_ONLY = {"lr_scheduler_type", "num_train_epochs", "per_device_train_batch_size"}


#: top-level names of mmengine configs (mmdetection, mmpretrain, ...)
_MMENGINE_KEYS = {
    "_base_",
    "param_scheduler",
    "optim_wrapper",
    "train_cfg",
    "val_cfg",
    "test_cfg",
    "default_scope",
    "default_hooks",
    "train_dataloader",
    "auto_scale_lr",
    "model",
}
#: names nanoGPT's train.py defines
_NANOGPT_KEYS = {
    "learning_rate",
    "max_iters",
    "lr_decay_iters",
    "warmup_iters",
    "min_lr",
    "decay_lr",
    "gradient_accumulation_steps",
    "eval_interval",
    "block_size",
    "n_layer",
    "n_head",
    "n_embd",
    "out_dir",
    "wandb_log",
    "init_from",
    "dataset",
    "batch_size",
    "beta2",
    "dropout",
}


def detect(data: Any, syntax: str = "yaml") -> str:
    """The format of a config's data: ``warmplan`` unless its keys say otherwise.
    A Python file (``syntax`` python) is mmengine's or nanoGPT's, or neither (None)."""
    if syntax == "python":
        return _detect_python(data)
    if not isinstance(data, dict):
        return NATIVE
    top = set(data)
    if top & _MEGATRON_FLAGS:  # a launch script's arguments (warmplan.config.shell)
        return "megatron"
    optimizer = data.get("optimizer")
    if isinstance(optimizer, dict) and "learning_rate" in optimizer and "scheduler" in top:
        return "olmo"  # OLMo's optimizer.learning_rate (Composer and native plans say lr)
    if top & _NEOX_KEYS:  # before DeepSpeed: a NeoX config holds DeepSpeed's keys too
        return "neox"
    model = data.get("model")
    if isinstance(model, dict) and isinstance(model.get("optim"), dict):
        return "nemo"  # NeMo's model.optim (.sched): no other format nests a model block
    if "training" in top:
        return NATIVE
    if _is_composer(data):
        return "composer"
    if "_target_" in top or any(isinstance(v, dict) and "_target_" in v for v in data.values()):
        return "hydra"  # before Lightning: a composed config has trainer and model too
    if _is_lightning(data):
        return "lightning"
    if any(isinstance(value, dict) and "_component_" in value for value in data.values()):
        return "torchtune"
    if isinstance(data.get("optimizer"), dict) and "lr" in data["optimizer"]:
        return NATIVE
    if (
        top & _DEEPSPEED_KEYS
        or _is_block(data.get("scheduler"))
        or _is_block(data.get("optimizer"))
    ):
        return "deepspeed"
    if "sched" in top and len(top & _TIMM_KEYS) >= 2:
        return "timm"
    if "lr0" in top and top & {"lrf", "warmup_bias_lr", "warmup_epochs", "cos_lr", "nbs"}:
        return "ultralytics"
    axolotl = len(top & _AXOLOTL_KEYS)
    if axolotl and axolotl >= len(top & _TRANSFORMERS_ONLY):
        return "axolotl"
    if top & _TRANSFORMERS_KEYS:
        return "transformers"
    return NATIVE


def _detect_python(data: Any) -> str:
    top = set(data) if isinstance(data, dict) else set()
    if top & _MMENGINE_KEYS:
        return "mmengine"
    if top & _NANOGPT_KEYS:
        return "nanogpt"
    return NATIVE


def _is_lightning(data: dict[Any, Any]) -> bool:
    """LightningCLI: a top-level ``class_path`` block, or a ``trainer`` mapping beside
    a ``model`` or ``data`` one (no other format has these)."""
    if any(isinstance(value, dict) and "class_path" in value for value in data.values()):
        return True
    return isinstance(data.get("trainer"), dict) and bool({"model", "data"} & set(data))


def _is_composer(data: dict[Any, Any]) -> bool:
    """Composer / llm-foundry: a ``scheduler`` mapping with ``t_warmup`` (a time string)
    beside ``max_duration``."""
    scheduler = data.get("scheduler")
    return isinstance(scheduler, dict) and "t_warmup" in scheduler and "max_duration" in data


def _is_block(value: Any) -> bool:
    """A DeepSpeed block: ``{"type": ..., "params": ...}`` or ``{"enabled": ...}``."""
    return isinstance(value, dict) and bool({"type", "params", "enabled"} & set(value))


def reader(name: str) -> Any:
    return importlib.import_module(READERS[name])

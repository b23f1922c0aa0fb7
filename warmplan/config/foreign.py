"""Recognise another tool's config file given where a warmplan plan was expected.

A transformers ``TrainingArguments`` YAML fed to warmplan would otherwise get one error
per key ("unknown key warmup_ratio (did you mean warmup?)"), all of them beside the
point. :func:`recognise` names the tool instead, in one line. The signatures are a small
registry (:data:`FORMATS`) that a reader of those formats can share: it says which
tool a file comes from; reading it is another matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ForeignFormat:
    name: str  # what the file is, with its article: "a DeepSpeed config"
    reader: str  # the format warmplan reads it as (``--from``)
    framework: str | None  # the preset framework that writes the same schedules, if any
    keys: frozenset[str]  # top-level keys only this tool writes
    shared: frozenset[str] = frozenset()  # its keys other tools write too (count half)


#: top-level keys of a warmplan plan that no other tool's file has
PLAN_KEYS = frozenset({"training", "warmup", "decay", "preset", "expect", "ignore"})
#: distinctive keys a file must have (shared keys count half) to be taken for a tool's
MIN_SCORE = 2

FORMATS = (
    ForeignFormat(
        "a transformers TrainingArguments file",
        "transformers",
        "transformers",
        frozenset(
            {
                "lr_scheduler_type",
                "num_train_epochs",
                "per_device_train_batch_size",
                "gradient_accumulation_steps",
                "output_dir",
                "lr_scheduler_kwargs",
                "adam_beta2",
                "warmup_steps",
                "max_steps",
                "logging_steps",
                "save_steps",
                "eval_strategy",
            }
        ),
        frozenset({"learning_rate", "warmup_ratio", "weight_decay", "seed"}),
    ),
    ForeignFormat(
        "an axolotl config",
        "axolotl",
        "transformers",
        frozenset({"base_model", "micro_batch_size", "num_epochs", "lr_scheduler", "datasets"}),
        frozenset({"learning_rate", "warmup_ratio", "warmup_steps", "gradient_accumulation_steps"}),
    ),
    ForeignFormat(
        "a DeepSpeed config",
        "deepspeed",
        "deepspeed",
        frozenset(
            {"train_micro_batch_size_per_gpu", "train_batch_size", "zero_optimization", "scheduler"}
        ),
        frozenset({"gradient_accumulation_steps", "fp16", "bf16"}),
    ),
    ForeignFormat(
        "a timm train.py args file",
        "timm",
        "timm",
        frozenset(
            {
                "sched",
                "sched_on_updates",
                "warmup_epochs",
                "warmup_lr",
                "warmup_prefix",
                "decay_epochs",
                "decay_milestones",
                "cooldown_epochs",
                "lr_base",
                "lr_cycle_limit",
            }
        ),
        frozenset({"epochs", "min_lr", "decay_rate", "opt", "model"}),
    ),
    ForeignFormat(
        "an ultralytics training config",
        "ultralytics",
        None,
        frozenset({"lr0", "lrf", "warmup_bias_lr", "warmup_momentum", "cos_lr", "nbs"}),
        frozenset({"epochs", "batch", "warmup_epochs", "momentum", "optimizer", "imgsz"}),
    ),
)


@dataclass(frozen=True)
class Recognised:
    format: ForeignFormat
    keys: tuple[str, ...]  # the file's keys that gave it away, in file order

    @property
    def message(self) -> str:
        shown = ", ".join(self.keys[:5]) + (", ..." if len(self.keys) > 5 else "")
        start = (
            f"this looks like {self.format.name} ({shown}), not a warmplan plan: read it "
            f"as one (leave out --from, or --from {self.format.reader}), or write the "
        )
        if self.format.framework is None:  # ultralytics: a decay kind of its own
            return start + "schedule as a plan (optimizer, training, decay: {kind: yolo, ...})"
        return start + (
            "schedule as a plan (optimizer, training, warmup, decay) or as preset: "
            f"{{framework: {self.format.framework}, name: ..., args: {{...}}}}"
        )


def recognise(data: Any) -> Recognised | None:
    """The tool whose config ``data`` (a parsed top-level mapping) looks like, if any."""
    if not isinstance(data, dict) or PLAN_KEYS & set(data):
        return None
    best: Recognised | None = None
    best_score = 0.0
    for fmt in FORMATS:
        hits = [k for k in data if k in fmt.keys or k in fmt.shared]
        score = sum(1.0 if k in fmt.keys else 0.5 for k in hits)
        if score >= MIN_SCORE and score > best_score and any(k in fmt.keys for k in hits):
            best, best_score = Recognised(fmt, tuple(hits)), score
    return best

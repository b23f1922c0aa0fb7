"""torchtune recipe YAML (``_component_`` blocks; ``epochs``, ``batch_size``,
``gradient_accumulation_steps``, ``max_steps_per_epoch``) -> a plan, as torchtune 0.6.1's
recipes run it (``recipes/lora_finetune_single_device.py``; checked against its real
``config.instantiate`` and ``get_cosine_schedule_with_warmup`` in
tests/data/formats/torchtune.json).

- Updates per epoch = len(dataloader) // ``gradient_accumulation_steps`` (the leftover
  batches make no update), capped at ``max_steps_per_epoch``; the dataloader drops its
  last partial batch over a ``DistributedSampler`` (ceil(examples / processes) each):
  ``--steps-per-epoch`` gives the updates, or ``--dataset-size`` (and ``--world-size``).
- The recipe passes ``num_training_steps`` = ``epochs`` x updates per epoch (the cap
  shortens the schedule too) to the ``lr_scheduler`` component, which is stepped once
  per update; torchtune's cosine is transformers' cosine, operation by operation.
"""

from __future__ import annotations

from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import classpath_keys as keys
from warmplan.formats import torch_classes
from warmplan.formats.draft import Draft
from warmplan.presets import registry
from warmplan.text import describe, did_you_mean

COMPONENT = "_component_"
_ADAM = {"Adam": "adam", "AdamW": "adamw"}
#: what the recipe passes the scheduler itself (besides the optimizer)
FILLED = ("num_training_steps", "last_epoch")


def read(draft: Draft) -> None:
    lr = _optimizer(draft)
    name = _scheduler(draft)
    epochs = _whole(draft, "epochs", None)
    if not draft.has("epochs"):
        draft.error((), "no epochs: torchtune's recipes require one")
    accum = _whole(draft, "gradient_accumulation_steps", 1)
    cap = _whole(draft, "max_steps_per_epoch", None) if draft.get("max_steps_per_epoch") else None
    draft.raise_problems()
    per_epoch = _per_epoch(draft, accum, cap)
    total = draft.facts.steps if draft.facts.steps is not None else epochs * per_epoch
    draft.note(f"N = epochs {epochs} x {per_epoch:,} updates per epoch = {total:,}")
    draft.put(("optimizer", "lr"), lr, ("optimizer", "lr"))
    draft.put(("training", "steps"), total, ("epochs",))
    draft.put(("training", "steps_per_epoch"), per_epoch, ("epochs",))
    draft.put(("training", "interval"), "step")
    if name is not None:
        _preset(draft, name)


def _whole(draft: Draft, key: str, default: Any) -> Any:
    return draft.number(key, default, whole=True, minimum=1) if draft.has(key) else default


def _value(draft: Draft, keypath: KeyPath, value: Any) -> Any:
    text = draft.recipe.loose_numbers.get(keypath)  # OmegaConf reads 3e-4 as a number
    return float(text) if text is not None else value


def _block(draft: Draft, key: str) -> dict[str, Any] | None:
    block = draft.get(key)
    if block is None:
        return None
    if not isinstance(block, dict) or not isinstance(block.get(COMPONENT), str):
        draft.error((key,), f"{key} must be a mapping with a _component_, got {describe(block)}")
        return None
    return block


def _optimizer(draft: Draft) -> float:
    block = _block(draft, "optimizer")
    if block is None:
        if not draft.has("optimizer"):
            draft.error((), "no optimizer: torchtune's recipes require one (its _component_)")
        return 1e-3
    lr = _value(draft, ("optimizer", "lr"), block.get("lr", 1e-3))
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(("optimizer", "lr"), f"optimizer.lr must be a positive number, got {lr!r}")
        return 1e-3
    name = block[COMPONENT].removeprefix("torch.optim.")
    draft.put(("optimizer", "kind"), _ADAM.get(name, "sgd"), ("optimizer", COMPONENT))
    return float(lr)


def _scheduler(draft: Draft) -> str | None:
    block = _block(draft, "lr_scheduler")
    if block is None:
        draft.note("no lr_scheduler: the optimizer's LR all along")
        return None
    path, where = block[COMPONENT], ("lr_scheduler", COMPONENT)
    name = torch_classes.hf_schedule(path)
    if name is not None:
        return name
    if torch_classes.scheduler_name(path) is not None:
        draft.error(
            where,
            f"{path} does not take num_training_steps, which torchtune's recipes pass every "
            "lr_scheduler (TypeError); use torchtune's get_cosine_schedule_with_warmup",
        )
    else:
        torch_classes.refuse_unknown(draft, path, where, "lr_scheduler._component_")
    return None


def _per_epoch(draft: Draft, accum: int, cap: int | None) -> int:
    facts = draft.facts
    if facts.steps_per_epoch is not None:
        updates = facts.steps_per_epoch
        draft.note(f"updates per epoch: {updates:,} (--steps-per-epoch)")
    elif facts.dataset_size is not None:
        batch = _whole(draft, "batch_size", 1)
        processes = facts.processes
        ranks = f"{processes} process" + ("" if processes == 1 else "es")
        per_rank = -(-facts.dataset_size // processes)
        batches = per_rank // batch
        updates = batches // accum
        draft.note(
            f"updates per epoch: ceil({facts.dataset_size:,} examples / {ranks}) "
            f"// batch_size {batch} (drop_last) = {batches:,} batches; // "
            f"gradient_accumulation_steps {accum} = {updates:,}"
        )
    else:
        raise draft.needs(
            ("epochs",),
            f"epochs: {draft.get('epochs')} needs the updates per epoch (len(dataloader) // "
            "gradient_accumulation_steps): pass --steps-per-epoch N (or --dataset-size N)",
        )
    if updates < 1:
        raise draft.needs(("batch_size",), "no update per epoch: the data is smaller than a batch")
    if cap is not None and cap < updates:
        draft.warn(
            keys.STEPS_PER_EPOCH_CAP,
            ("max_steps_per_epoch",),
            f"max_steps_per_epoch {cap:,} ends each epoch after {cap:,} of its {updates:,} "
            f"updates, and shortens the schedule with it (num_training_steps = epochs x "
            f"{cap:,}); remove it to train on all the data",
        )
        return cap
    return updates


def _preset(draft: Draft, name: str) -> None:
    """transformers' schedule of that name over N: torchtune passes num_training_steps."""
    block = draft.get("lr_scheduler")
    preset = registry("transformers")[name]
    draft.put(("preset", "framework"), "transformers", ("lr_scheduler", COMPONENT))
    draft.put(("preset", "name"), name, ("lr_scheduler", COMPONENT))
    draft.put(("preset", "args"), {}, ("lr_scheduler",))
    if "num_training_steps" in preset.args:
        draft.put(("preset", "args", "num_training_steps"), "total", ("epochs",))
    for key, value in block.items():
        if key == COMPONENT:
            continue
        where = ("lr_scheduler", key)
        if key in FILLED:
            draft.warn(
                keys.RECIPE_FILLS,
                where,
                f"lr_scheduler.{key} {value!r} is ignored: the recipe passes its own (config."
                "instantiate merges it over the file's), N = epochs x updates per epoch for "
                "num_training_steps, shown here; remove it",
            )
            continue
        if key not in preset.args:
            known = [k for k in preset.args if k not in FILLED]
            draft.error(
                where,
                f"lr_scheduler.{key} is not an argument of {block[COMPONENT]}"
                f"{did_you_mean(str(key), known)}; it takes: {', '.join(known)}",
            )
            continue
        draft.put(("preset", "args", key), _value(draft, where, value), where)
    draft.note(f"lr_scheduler {block[COMPONENT]}: transformers' {name} schedule over N updates")

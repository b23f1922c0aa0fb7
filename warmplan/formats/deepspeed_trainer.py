"""A DeepSpeed config read with the TrainingArguments file that names it
(``deepspeed: ds_config.json``), as the Trainer's DeepSpeed integration uses it: "auto"
filled from the Trainer's values, mismatches refused, and a ``scheduler`` block that
silently replaces ``lr_scheduler_type`` (WP122)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warmplan.config.source import Source, read_source
from warmplan.errors import ConfigError
from warmplan.formats import keys
from warmplan.formats.deepspeed import Trainer, block, params_filled, write
from warmplan.formats.draft import Draft


def with_trainer(draft: Draft, path_or_block: Any, trainer: Trainer) -> bool:
    """Read the DeepSpeed config a TrainingArguments file names. Returns whether its
    scheduler block replaced the Trainer's schedule (written into ``draft`` then)."""
    ds = _companion(draft, path_or_block)
    if ds is None:
        return False
    sub = Draft(recipe=ds, format="deepspeed", facts=draft.facts)
    _check_optimizer(sub, trainer)
    scheduler = block(sub, "scheduler")
    params = params_filled(sub, scheduler, trainer)
    draft.problems += sub.problems
    draft.findings += sub.findings
    if not scheduler or sub.problems:
        if not scheduler:
            draft.note(f"{ds.path}: no scheduler block, so the Trainer's schedule runs")
        return False
    if draft.has("lr_scheduler_type") or draft.has("lr_scheduler_kwargs"):
        key = "lr_scheduler_type" if draft.has("lr_scheduler_type") else "lr_scheduler_kwargs"
        draft.warn(
            keys.DEEPSPEED_OVERRIDES,
            (key,),
            f"{key} is ignored: the scheduler block of {ds.path} ({scheduler.get('type')}) "
            "replaces the Trainer's schedule, without a warning; the schedule shown is "
            "DeepSpeed's (remove one of them)",
        )
    write(draft, sub, scheduler, params, trainer.total, origin=("deepspeed",))
    return True


def _companion(draft: Draft, value: Any) -> Source | None:
    if isinstance(value, dict):
        inner = {
            key[1:]: place
            for key, place in draft.recipe.positions.items()
            if key[:1] == ("deepspeed",)
        }
        return Source(data=value, path=draft.recipe.path, positions=inner, syntax="json")
    if not isinstance(value, str):
        draft.error(("deepspeed",), f"deepspeed must be a file name or a mapping, got {value!r}")
        return None
    base = Path(draft.recipe.path).parent if draft.recipe.path else Path()
    path = base / value if not Path(value).is_absolute() else Path(value)
    if not path.exists() and Path(value).exists():
        path = Path(value)  # the Trainer reads it from the working directory
    try:
        ds = read_source(path)
    except ConfigError as exc:
        unreadable = [f for f in exc.findings if f.line is None]
        for finding in unreadable:  # no such file, a folder...: say so at the key
            draft.error(("deepspeed",), f"deepspeed: {value}: {finding.message} ({path})")
        draft.problems += [f for f in exc.findings if f.line is not None]
        return None
    if not isinstance(ds.data, dict):
        return None
    draft.note(f"deepspeed: {value} read with it ({path})")
    return ds


def _check_optimizer(sub: Draft, trainer: Trainer) -> None:
    """optimizer.params.lr / betas: "auto" is filled; a value must match the Trainer's."""
    optimizer = block(sub, "optimizer")
    params = optimizer.get("params", {}) if optimizer else {}
    for key, value in (("lr", trainer.lr), ("betas", trainer.betas)):
        given = params.get(key, "auto")
        if given != "auto" and value is not None and given != value:
            sub.error(
                ("optimizer", "params", key),
                f"optimizer.params.{key} {given!r} differs from the TrainingArguments' "
                f'{value!r}: the Trainer refuses the mismatch; write "auto"',
            )

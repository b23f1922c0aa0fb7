"""Lightning 2.6's ``Trainer`` budget: how many optimizer updates a run makes.

Updates per epoch = ceil(batches / ``accumulate_grad_batches``) (the last partial
accumulation of an epoch is an update; measured: 1,000 samples / 32 / 3 -> 11), the
batches being the dataloader's (``--steps-per-epoch`` gives the updates) or an int
``limit_train_batches``. ``max_epochs`` defaults to 1000 when ``max_steps`` is -1 and
to unbounded (-1) otherwise; training stops at whichever limit comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import classpath_keys as keys
from warmplan.formats.draft import Draft
from warmplan.text import describe

DEFAULT_EPOCHS = 1000


@dataclass(frozen=True)
class Budget:
    total: int  # optimizer updates of the whole run
    per_epoch: int | None  # updates per epoch, when known
    origin: KeyPath  # the key that set the length


def _trainer_value(draft: Draft, key: str, default: Any, minimum: int) -> Any:
    trainer = draft.get("trainer") or {}
    if not isinstance(trainer, dict):
        draft.error(("trainer",), f"trainer must be a mapping, got {describe(trainer)}")
        return default
    value = trainer.get(key, default)
    if value is None or value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        draft.error(
            ("trainer", key), f"trainer.{key} must be a whole number >= {minimum}, got {value!r}"
        )
        return default
    return value


def per_epoch(draft: Draft) -> int | None:
    accum = _trainer_value(draft, "accumulate_grad_batches", 1, 1)
    if draft.facts.steps_per_epoch is not None:
        draft.note(f"updates per epoch: {draft.facts.steps_per_epoch:,} (--steps-per-epoch)")
        return draft.facts.steps_per_epoch
    limit = (draft.get("trainer") or {}).get("limit_train_batches")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        updates = max(1, -(-limit // accum))
        draft.note(
            f"updates per epoch: ceil(limit_train_batches {limit:,} / accumulate_grad_batches "
            f"{accum}) = {updates:,} (if the dataloader has that many batches)"
        )
        return updates
    return None


def budget(draft: Draft, interval: str) -> Budget:
    """N and the updates per epoch; a missing run-time fact is one located WP011."""
    max_steps = _trainer_value(draft, "max_steps", -1, -1)
    max_epochs = _trainer_value(draft, "max_epochs", None, -1)
    per = per_epoch(draft)
    draft.raise_problems()
    epochs = max_epochs
    if epochs is None:
        epochs = DEFAULT_EPOCHS if max_steps == -1 else -1
    if draft.facts.steps is not None:
        total, origin = draft.facts.steps, ("trainer", "max_steps")
        draft.note(f"N = {total:,} updates (--steps)")
    elif max_steps > 0 and (epochs == -1 or (per is not None and epochs * per >= max_steps)):
        total, origin = max_steps, ("trainer", "max_steps")
        draft.note(f"N = trainer.max_steps {total:,} updates")
        _steps_cut_epochs(draft, max_steps, max_epochs, per)
    elif per is not None and epochs != -1:
        total, origin = epochs * per, ("trainer", "max_epochs")
        shown = "max_epochs" if max_epochs is not None else "max_epochs (default)"
        draft.note(f"N = {shown} {epochs:,} x {per:,} updates per epoch = {total:,}")
        if max_steps > 0:
            _steps_cut_epochs(draft, max_steps, max_epochs, per)
    else:
        raise _needs(draft, max_steps, epochs)
    if interval == "epoch" and per is None:
        raise draft.needs(
            ("trainer",) if draft.has("trainer") else (),
            "the scheduler steps once per epoch, and an epoch's updates are the dataloader's "
            "length / accumulate_grad_batches: pass --steps-per-epoch N",
        )
    return Budget(total, per, origin)


def _needs(draft: Draft, max_steps: int, epochs: int) -> Exception:
    if max_steps > 0:
        return draft.needs(
            ("trainer", "max_epochs"),
            f"trainer.max_steps {max_steps:,} or max_epochs {epochs:,}, whichever ends first, "
            "depends on the dataloader's length: pass --steps-per-epoch N (updates per epoch)",
        )
    where = ("trainer", "max_epochs") if draft.place(("trainer", "max_epochs")) else ("trainer",)
    return draft.needs(
        where if draft.has("trainer") else (),
        f"max_epochs {epochs:,} needs the updates per epoch (the dataloader's length / "
        "accumulate_grad_batches): pass --steps-per-epoch N (or --steps)",
    )


def _steps_cut_epochs(
    draft: Draft, max_steps: int, max_epochs: int | None, per: int | None
) -> None:
    """WP131: both limits written, and one of them never ends training."""
    if max_epochs is None or max_epochs == -1 or per is None or max_epochs * per == max_steps:
        return
    by_epochs = max_epochs * per
    if max_steps < by_epochs:
        where, message = (
            ("trainer", "max_epochs"),
            (
                f"max_epochs {max_epochs:,} is never reached: max_steps {max_steps:,} ends "
                f"training in epoch {-(-max_steps // per):,} ({max_steps / per:.4g} epochs of "
                f"{per:,} updates); the schedule shown ends there too"
            ),
        )
    else:
        where, message = (
            ("trainer", "max_steps"),
            (
                f"max_steps {max_steps:,} is never reached: max_epochs {max_epochs:,} x {per:,} "
                f"updates ends training at {by_epochs:,}"
            ),
        )
    draft.warn(keys.STEPS_CUT_EPOCHS, where, message)

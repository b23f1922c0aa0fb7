"""Validation of the ``training`` block: a budget whose lengths can be worked out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan import errors
from warmplan.config.source import Source
from warmplan.errors import Finding

if TYPE_CHECKING:
    from warmplan.config.models import Plan


_DATA_KEYS = ("world_size", "grad_accum", "drop_last")


def training_findings(plan: Plan, source: Source) -> list[Finding]:
    t = plan.training
    given = t.model_fields_set
    found = []

    def add(code: str, key: str | None, message: str) -> None:
        found.append(source.finding(code, ("training", key) if key else ("training",), message))

    if t.epochs is not None and t.steps is not None:
        add(errors.INCONSISTENT, "steps", "give training.epochs or training.steps, not both")
    elif t.epochs is None and t.steps is None:
        add(errors.MISSING_KEY, None, "training needs epochs, or steps (optimizer steps)")
    by_data = t.dataset_size is not None or t.batch_size is not None
    if t.steps_per_epoch is not None and by_data:
        add(
            errors.INCONSISTENT,
            "steps_per_epoch",
            "give training.steps_per_epoch or dataset_size and batch_size, not both",
        )
    elif by_data and (t.dataset_size is None or t.batch_size is None):
        given_key, missing = (
            ("dataset_size", "batch_size")
            if t.batch_size is None
            else ("batch_size", "dataset_size")
        )
        add(
            errors.MISSING_KEY,
            given_key,
            f"training.{given_key} needs training.{missing} too: steps per epoch come from the two",
        )
    for key in _DATA_KEYS:
        # a non-default value would be silently ignored: that is the mistake to catch
        ignored = getattr(t, key) != type(t).model_fields[key].default
        if key in given and ignored and t.dataset_size is None:
            add(
                errors.INCONSISTENT,
                key,
                f"training.{key} applies when steps per epoch come from dataset_size and "
                "batch_size; steps_per_epoch already counts optimizer steps",
            )
    if found:
        return found
    if t.drop_last and t.dataset_size is not None and t.dataset_size < t.batch_size * t.world_size:  # type: ignore[operator]
        add(
            errors.BAD_VALUE,
            "dataset_size",
            f"with drop_last, {t.dataset_size} samples make no full batch of "
            f"{t.batch_size} x {t.world_size} devices; an epoch would have no step",
        )
    if t.steps is not None and plan.interval == "epoch" and not (by_data or t.steps_per_epoch):
        add(
            errors.INCONSISTENT,
            "interval",
            "a budget in training.steps with interval: epoch needs the size of an epoch: "
            "steps_per_epoch, or dataset_size and batch_size",
        )
    return found

"""Where a rule's finding points (the YAML key responsible) and how numbers read."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath


def warmup_length_key(plan: Plan) -> KeyPath:
    """The key that sets the warm-up's length (or the warm-up block, or the optimizer)."""
    warmup = plan.warmup
    if warmup is None:
        return ("optimizer", "kind")
    if warmup.length is not None:
        return ("warmup", "length")
    if warmup.fraction is not None:
        return ("warmup", "fraction")
    return ("warmup",)


def target_key(plan: Plan, group: int) -> KeyPath:
    """The key that sets group ``group``'s target LR."""
    groups = plan.optimizer.groups
    if groups and groups[group].lr is not None:
        return ("optimizer", "groups", group, "lr")
    return ("optimizer", "lr")


def phase_key(plan: Plan, phase: str) -> KeyPath:
    """The block responsible for a phase of the layout."""
    if phase == "warmup":
        return ("warmup",)
    return ("decay",) if plan.decay is not None else ("training",)


def group_label(plan: Plan, group: int) -> str:
    """`` (group head)`` with several groups, nothing with one."""
    return f" (group {plan.group_names[group]})" if len(plan.group_names) > 1 else ""


def fmt(value: float) -> str:
    """An LR in a message, in the one LR style (warmplan.text)."""
    from warmplan.text import lr

    return lr(value)

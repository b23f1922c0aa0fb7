"""Unit slips: lengths, horizons and milestones written in epochs on a plan whose
scheduler steps once per optimizer step.

A plain number in a plan counts intervals, as torch takes it; on a per-step plan that is
optimizer steps. ResNet's ``milestones: [30, 60, 80]`` copied onto a plan of 90 epochs x
5,005 steps then drops the LR at steps 30, 60 and 80, inside the warm-up, and every
other symptom (a target never reached, a jump, milestones in the warm-up) follows from
that one slip. This module names the slip once, with what to write instead; `check`
reports it as WP115 (and leaves out the findings it explains), `show` prints it too.

The heuristic, on a plan with ``interval: step``:

- with an epoch size (``steps_per_epoch``, or ``dataset_size`` and ``batch_size``): a
  plain number (the largest, for milestones) that fits as epochs (below the plan's
  epochs; a horizon may equal them) and is at most 1% of the training's steps
  (``SLIVER``), so as steps it is a sliver of the run: ``warmup.length``, ``T_max``,
  ``total_iters``, ``step_size``, ``T_0``, ``decay_length`` and multistep ``milestones``;
- without one (a budget in steps alone): a ``warmup.length`` of at most 0.01% of the
  steps (``WARMUP_SLIVER``: 5 of 450,000), which no recipe in steps uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from warmplan.errors import Fix
from warmplan.text import counted, number, numbers

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.config.source import KeyPath

#: as steps, at most this share of training: a length no one means in steps
SLIVER = 0.01
#: the same for a warm-up on a plan with no epoch size
WARMUP_SLIVER = 1e-4
#: decay keys that take a length in intervals
LENGTH_KEYS = ("T_max", "total_iters", "step_size", "T_0", "decay_length")
#: the lengths that may, as epochs, span the whole training
HORIZONS = ("T_max", "total_iters", "T_0", "decay_length")


@dataclass(frozen=True)
class UnitSlip:
    keypath: KeyPath
    message: str
    #: the rewrite the message names, when it names one (`check --fix` applies it)
    fix: Fix | None = None


def unit_slips(plan: Plan) -> list[UnitSlip]:
    """Every value of ``plan`` that looks like epochs on a per-step plan."""
    if plan.interval != "step" or plan.preset is not None:
        return []
    t = plan.training
    if t.steps_per_epoch is None and t.dataset_size is None:
        return _warmup_without_epoch_size(plan)
    per_epoch = plan.steps_per_epoch
    if per_epoch <= 1:
        return []
    slips = []
    for keypath, written in _plain_values(plan):
        values = written if isinstance(written, list) else [written]
        largest = max(values)
        # as epochs, a horizon may span all of training; a warm-up, a step or a
        # milestone must end before it
        fits = largest <= plan.epochs if keypath[-1] in HORIZONS else largest < plan.epochs
        if largest > 0 and fits and largest <= SLIVER * plan.intervals:
            message = _message(plan, keypath, written, per_epoch)
            slips.append(UnitSlip(keypath, message, _in_epochs(keypath, written)))
    return slips


def _plain_values(plan: Plan) -> list[tuple[KeyPath, int | list[int]]]:
    """The plan's lengths and milestones given as plain numbers (in intervals)."""
    found: list[tuple[KeyPath, int | list[int]]] = []
    warmup = plan.warmup
    if warmup is not None and warmup.kind != "none" and isinstance(warmup.length, int):
        found.append((("warmup", "length"), warmup.length))
    decay = plan.decay
    if decay is None:
        return found
    for key in LENGTH_KEYS:
        value = getattr(decay, key, None)
        if isinstance(value, int) and not isinstance(value, bool):
            found.append((("decay", key), value))
    milestones = getattr(decay, "milestones", None)
    if decay.kind == "multistep" and isinstance(milestones, list) and milestones:
        found.append((("decay", "milestones"), list(milestones)))
    return found


def _in_epochs(keypath: KeyPath, written: int | list[int]) -> Fix | None:
    """The value written in epochs, as the message says. None for ``T_max`` and
    ``total_iters``, whose message names a second way (leave the key out)."""
    if keypath == ("warmup", "length"):
        return Fix(keypath, written, rename="epochs")
    if keypath[-1] in ("T_max", "total_iters"):
        return None
    return Fix(keypath, {"epochs": written})


def _message(plan: Plan, keypath: KeyPath, written: int | list[int], per_epoch: int) -> str:
    key = ".".join(str(k) for k in keypath)
    total = f"of {number(plan.intervals)}"
    if isinstance(written, list):
        shown = "[" + ", ".join(str(v) for v in written) + "]"
        as_steps = f"they count steps {numbers(written)} {total}"
        fix = f"milestones: {{epochs: {shown}}} (= steps {numbers(v * per_epoch for v in written)})"
        verb = "look like epochs, but this plan steps once per optimizer step"
    else:
        shown = str(written)
        as_steps = f"it counts {counted(written, 'step', ',')} {total}"
        steps = f"(= {number(written * per_epoch)} steps)"
        if keypath[0] == "warmup":
            fix = f"warmup.epochs: {written} in place of warmup.length {steps}"
        else:
            fix = f"{keypath[-1]}: {{epochs: {written}}} {steps}"
            if keypath[-1] in ("T_max", "total_iters"):
                fix += ", or leave it out: the decay then lasts the rest of training"
        verb = "looks like epochs, but this plan steps once per optimizer step"
    where = ""
    w = plan.warmup_intervals
    if isinstance(written, list) and w and max(written) <= w:
        where = f", all inside the {number(w)}-step warm-up"
    return (
        f"{key} {shown} {verb} (training.interval: step, {number(per_epoch)} steps per "
        f"epoch), so {as_steps}{where}; for epochs write {fix}"
    )


def _warmup_without_epoch_size(plan: Plan) -> list[UnitSlip]:
    warmup = plan.warmup
    if warmup is None or warmup.kind == "none" or not isinstance(warmup.length, int):
        return []
    length, total = warmup.length, plan.intervals
    if not 0 < length <= WARMUP_SLIVER * total:
        return []
    return [
        UnitSlip(
            ("warmup", "length"),
            f"warmup.length {length} is {counted(length, 'optimizer step', ',')} of "
            f"{number(total)} ({100 * length / total:.2g}% of training): this plan steps once per "
            f"optimizer step; for a warm-up in epochs write warmup: {{epochs: {length}}} and "
            "give the epoch size (training.steps_per_epoch, or dataset_size and batch_size)",
        )
    ]

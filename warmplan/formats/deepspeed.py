"""DeepSpeed config JSON -> a plan with a deepspeed preset, alone or under the
transformers Trainer (a TrainingArguments ``deepspeed:`` key).

Reproduced from deepspeed 0.19.8 and transformers 5.24's integration
(``integrations/deepspeed.py``; tests/data/formats/deepspeed-auto.md has the rules):

- Alone, the engine steps the scheduler once per update for as long as the client's
  loop runs: N is ``--steps``, or ``total_num_steps`` when the scheduler has one.
- ``"auto"`` is the Trainer's: it fills ``optimizer.params.lr``/``betas`` and
  ``scheduler.params.warmup_min_lr`` (0), ``warmup_max_lr`` (learning_rate),
  ``total_num_steps`` (N) and ``warmup_num_steps`` (max(1, the Trainer's warm-up)); a
  value given at one of those keys must equal the Trainer's (except warmup_min_lr).
- A ``scheduler`` block replaces the Trainer's ``lr_scheduler_type`` without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmplan.config.source import KeyPath
from warmplan.formats import keys
from warmplan.formats.draft import Draft
from warmplan.presets import registry
from warmplan.text import closest, did_you_mean, hint

SCHEDULERS = ("LRRangeTest", "OneCycle", "WarmupLR", "WarmupDecayLR", "WarmupCosineLR")
#: keys the Trainer fills when "auto" (and checks when not): param -> what it takes
TRAINER_FILLS = ("warmup_min_lr", "warmup_max_lr", "total_num_steps", "warmup_num_steps")
WARMUP_DECAY_DEFAULT_MAX = 0.001


@dataclass(frozen=True)
class Trainer:
    """What the transformers Trainer knows when its DeepSpeed integration fills "auto"."""

    lr: float
    betas: list[float] | None
    total: int
    warmup: int


def read(draft: Draft) -> None:
    """A DeepSpeed config on its own (the engine driven by the user's own loop)."""
    keys.warn_near_misses(draft, ("optimizer", "scheduler"), "DeepSpeed")
    scheduler = block(draft, "scheduler")
    lr = _engine_lr(draft)
    params = params_filled(draft, scheduler, None)
    _one_auto_error(draft)
    draft.raise_problems()
    total = draft.facts.steps
    if total is None and isinstance(params.get("total_num_steps"), int):
        total = params["total_num_steps"]
        draft.note(f"N = scheduler.params.total_num_steps {total:,} updates")
    elif total is not None:
        draft.note(f"N = {total:,} updates (--steps)")
    if total is None:
        where = ("scheduler", "type") if scheduler else ()
        what = scheduler.get("type", "the engine") if scheduler else "the engine"
        raise draft.needs(
            where,
            f"{what} runs as long as the training loop: pass --steps N (the number of updates)",
        )
    draft.put(("optimizer", "lr"), lr, ("optimizer", "params", "lr"))
    write(draft, draft, scheduler, params, total)


def block(draft: Draft, name: str) -> dict[str, Any]:
    block = draft.get(name)
    if block is None:
        return {}
    if not isinstance(block, dict):
        draft.error((name,), f"{name} must be a mapping (type, params), got {block!r}")
        return {}
    if name == "scheduler":
        kind = block.get("type")
        if kind not in SCHEDULERS:
            draft.error(
                (name, "type"),
                f"DeepSpeed does not recognize LR scheduler {kind!r}"
                f"{did_you_mean(str(kind), list(SCHEDULERS))}; it has: {', '.join(SCHEDULERS)}",
            )
            return {}
    params = block.get("params", {})
    if not isinstance(params, dict):
        draft.error((name, "params"), f"{name}.params must be a mapping, got {params!r}")
        return {}
    return block


def _engine_lr(draft: Draft) -> float:
    optimizer = block(draft, "optimizer")
    params = optimizer.get("params", {}) if optimizer else {}
    where: KeyPath = ("optimizer", "params", "lr")
    lr = params.get("lr")
    if lr == "auto":
        draft.error(where, _auto_alone(where))
    elif lr is None:
        draft.error(
            ("optimizer",) if optimizer else (),
            "no optimizer.params.lr: the LR is the client's optimizer's; write it in an "
            "optimizer block (type, params.lr)",
        )
    elif isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        draft.error(where, f"optimizer.params.lr must be a positive number, got {lr!r}")
    else:
        return float(lr)
    return 1e-3


def _one_auto_error(draft: Draft) -> None:
    """Every "auto" of a file read alone is the same mistake: one error, at the first."""
    autos = [key for key in _auto_keys(draft.recipe.data, ()) if key in draft.recipe.positions]
    if not autos:
        return
    dotted = {".".join(str(p) for p in key) for key in autos}
    draft.problems = [p for p in draft.problems if p.key not in dotted]
    first = min(autos, key=lambda key: draft.recipe.positions[key])
    message = _auto_alone(first)
    if len(autos) > 1:
        message += f' (and {len(autos) - 1} more "auto" values)'
    draft.error(first, message)


def _auto_keys(node: Any, key: KeyPath) -> list[KeyPath]:
    if node == "auto":
        return [key]
    if isinstance(node, dict):
        return [found for k, v in node.items() for found in _auto_keys(v, (*key, k))]
    return []


def _auto_alone(where: KeyPath) -> str:
    dotted = ".".join(str(p) for p in where)
    return (
        f'{dotted} is "auto", which only the transformers Trainer fills (from its '
        "TrainingArguments): read the TrainingArguments file that names this one "
        "(deepspeed: this.json), or write the value here"
    )


def params_filled(
    draft: Draft, scheduler: dict[str, Any], trainer: Trainer | None
) -> dict[str, Any]:
    """scheduler.params, "auto" filled as the Trainer does (or refused alone)."""
    if not scheduler:
        return {}
    kind = scheduler["type"]
    preset = registry("deepspeed")[kind]
    params = dict(scheduler.get("params", {}))
    fills = _fills(trainer) if trainer else {}
    for key, value in list(params.items()):
        where: KeyPath = ("scheduler", "params", key)
        if key not in preset.args:
            close = closest(str(key), list(preset.args))
            draft.error(
                where,
                f"{kind} has no argument {key}{hint(close)} (DeepSpeed raises TypeError); "
                f"it takes: {', '.join(preset.args)}",
            )
        elif value == "auto" and key in fills:
            params[key] = fills[key]
        elif value == "auto" and key == "warmup_type":
            params[key] = "log"
            draft.note('scheduler.params.warmup_type "auto": DeepSpeed uses the log ramp')
        elif value == "auto":
            draft.error(
                where,
                _auto_alone(where)
                if trainer is None
                else (
                    f'scheduler.params.{key} is "auto", which the Trainer does not fill for {kind} '
                    "(DeepSpeed then fails on the text); write the value"
                ),
            )
        elif key in fills and key != "warmup_min_lr" and value != fills[key]:
            draft.error(
                where,
                f"scheduler.params.{key} {value!r} differs from the Trainer's {fills[key]!r}: "
                'the Trainer refuses the mismatch; write "auto"',
            )
    return params


def _fills(trainer: Trainer) -> dict[str, Any]:
    return {
        "warmup_min_lr": 0,
        "warmup_max_lr": trainer.lr,
        "total_num_steps": trainer.total,
        "warmup_num_steps": max(1, trainer.warmup),
    }


def write(
    draft: Draft,
    located: Draft,
    scheduler: dict[str, Any],
    params: dict[str, Any],
    total: int,
    origin: KeyPath | None = None,
) -> None:
    """The plan: N updates, one per interval, under the preset (or a constant LR)."""

    def at(key: KeyPath) -> KeyPath:
        return origin if origin is not None else key

    draft.put(("training", "steps"), total, at(("scheduler", "params", "total_num_steps")))
    draft.put(("training", "interval"), "step")
    if not scheduler:
        draft.note("no scheduler block: the optimizer's LR all along")
        return
    kind = scheduler["type"]
    draft.put(("preset", "framework"), "deepspeed", at(("scheduler", "type")))
    draft.put(("preset", "name"), kind, at(("scheduler", "type")))
    draft.put(("preset", "args"), {}, at(("scheduler", "params")))
    if kind == "WarmupDecayLR" and "warmup_max_lr" not in params:
        _default_max_lr(draft, located, draft.data["optimizer"]["lr"])
    for key, value in params.items():
        if key in ("warmup_max_lr", "warmup_min_lr") and isinstance(value, list):
            _per_group(draft, located, key, value, at)
            continue
        draft.put(("preset", "args", key), value, at(("scheduler", "params", key)))
    shown = ", ".join(f"{k}={v!r}" for k, v in draft.data["preset"]["args"].items())
    draft.note(f"scheduler {kind}({shown}); the first two updates use the warm-up's start")


def _default_max_lr(draft: Draft, located: Draft, lr: float) -> None:
    if lr != WARMUP_DECAY_DEFAULT_MAX:
        located.warn(
            keys.DEFAULT_MAX_LR,
            ("scheduler", "params"),
            f"WarmupDecayLR without warmup_max_lr peaks at DeepSpeed's default "
            f"{WARMUP_DECAY_DEFAULT_MAX:g}, not at the optimizer's LR {lr:g} (shown here); "
            'write warmup_max_lr (or "auto" under the Trainer)',
        )
        if located is not draft:
            draft.findings.append(located.findings.pop())


def _per_group(draft: Draft, located: Draft, key: str, values: list[Any], at: Any) -> None:
    """A list of LRs, one per param group: ``warmup_max_lr`` becomes each group's peak."""
    if key == "warmup_min_lr" and len(set(values)) == 1:
        draft.put(("preset", "args", key), values[0], at(("scheduler", "params", key)))
        return
    if key == "warmup_min_lr":
        located.error(("scheduler", "params", key), "a warmup_min_lr per group is not supported")
        return
    groups = [{"name": f"group{i}", "lr": lr} for i, lr in enumerate(values)]
    draft.put(("optimizer", "groups"), groups, at(("scheduler", "params", key)))
    draft.put(("preset", "args", key), None, at(("scheduler", "params", key)))

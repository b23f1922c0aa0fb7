"""Hypothesis strategies for plans: small valid ones, and mutations of them.

Decay blocks are drawn from each decay model's JSON Schema, so a decay kind added to
``DECAY_MODELS`` is generated (and tested) without touching this file.
"""

from __future__ import annotations

import copy
import functools
import math
from typing import Any, get_args

from hypothesis import strategies as st

from warmplan.config.models import DECAY_MODELS, WarmupSpec

WARMUP_KINDS: tuple[str, ...] = get_args(WarmupSpec.model_fields["kind"].annotation)
ALL_DECAY_KINDS: tuple[str, ...] = tuple(
    get_args(model.model_fields["kind"].annotation)[0] for model in DECAY_MODELS
)
#: reduce_on_plateau needs a metric and is refused on purpose: not previewable
DECAY_KINDS = tuple(kind for kind in ALL_DECAY_KINDS if kind != "reduce_on_plateau")


def compatible(warmup_kind: str | None, decay_kind: str) -> bool:
    """onecycle and yolo warm up by themselves: a warm-up block beside them is refused."""
    return decay_kind not in ("onecycle", "yolo") or warmup_kind in (None, "none")


def fit_decay(block: dict[str, Any], intervals: int, warmup: int) -> dict[str, Any]:
    """Resolve the cross-key rules of the decay kinds (each is tested on its own), so a
    drawn block is valid for a plan of ``intervals`` with a warm-up of ``warmup``."""
    block = {key: value for key, value in block.items() if value is not None}  # None: default
    if "eta_min" in block:
        block.pop("min_lr_ratio", None)
    room = intervals - warmup
    if block["kind"] == "wsd":
        length = block.pop("decay_length", None)
        fraction = block.pop("decay_fraction", 0.1)
        if length is None:
            length = round(fraction * intervals)
            if 1 <= length <= room:
                block["decay_fraction"] = fraction
                return block
        block["decay_length"] = max(1, min(room, length))
    if block["kind"] == "onecycle":
        pct = min(0.99, max(block.get("pct_start", 0.3), 2.0 / intervals))
        if block.get("three_phase") and 2 * pct * intervals >= intervals + 1:
            block["three_phase"] = False  # its final phase would be empty (refused)
        block["pct_start"] = pct
    if block["kind"] == "inverse_sqrt" and warmup == 0:
        block.setdefault("timescale", 1)
    return block


#: Small integers keep every simulated plan to a few hundred intervals.
SMALL_INT = 60
#: A number without an upper bound (eta_min, power...) is drawn at most this large.
SMALL_NUMBER = 1e-4

lrs = st.floats(min_value=1e-6, max_value=10.0, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0.0, max_value=1.0)


def _number(schema: dict[str, Any]) -> st.SearchStrategy[float]:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0.0))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if high is None:
        high = low + (SMALL_NUMBER if "minimum" in schema else 4.0)
    return st.floats(
        min_value=low,
        max_value=high,
        exclude_min="exclusiveMinimum" in schema,
        exclude_max="exclusiveMaximum" in schema,
    )


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any] | None:
    """A strategy for one field of a decay model, or None for a type not handled."""
    if "anyOf" in schema:
        options = [s for s in (from_schema(o) for o in schema["anyOf"]) if s is not None]
        return st.one_of(options) if options else None
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "integer":
        low = schema.get("minimum", 0)
        return st.integers(min_value=low, max_value=schema.get("maximum", low + SMALL_INT))
    if kind == "number":
        return _number(schema)
    if kind == "boolean":
        return st.booleans()
    if kind == "array" and "items" in schema:
        item = from_schema(schema["items"])
        if item is None:
            return None
        return st.lists(
            item, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 4), 4)
        )
    return None


@functools.cache
def _decay_fields(kind: str) -> list[tuple[str, bool, st.SearchStrategy[Any]]]:
    """(name, required, strategy) of each field of a decay kind with a strategy: from its
    JSON Schema, once per kind (pydantic builds the schema anew on every call)."""
    schema = DECAY_MODELS[DECAY_KINDS.index(kind)].model_json_schema()
    fields = []
    for name, field in schema["properties"].items():
        strategy = from_schema(field)
        if name != "kind" and strategy is not None:
            fields.append((name, name in schema.get("required", ()), strategy))
    return fields


@st.composite
def decay_blocks(draw: Any, kind: str | None = None) -> dict[str, Any]:
    kind = kind or draw(st.sampled_from(DECAY_KINDS))
    block: dict[str, Any] = {"kind": kind}
    for name, required, strategy in _decay_fields(kind):
        if required or draw(st.booleans()):
            block[name] = draw(strategy)
    return block


@st.composite
def warmup_blocks(draw: Any, intervals: int) -> dict[str, Any] | None:
    kind = draw(st.sampled_from(WARMUP_KINDS))
    if kind == "none" and draw(st.booleans()):
        return None
    block: dict[str, Any] = {"kind": kind}
    if kind == "none":
        return block
    if draw(st.booleans()):
        block["length"] = draw(st.integers(1, intervals - 1))
    else:
        block["fraction"] = draw(st.floats(0.0, (intervals - 1) / intervals))
    start = draw(st.floats(0.0 if kind == "linear" else 0.01, 1.0))
    if draw(st.booleans()):
        block["start_factor"] = start
    return block


@st.composite
def optimizer_blocks(draw: Any) -> dict[str, Any]:
    block: dict[str, Any] = {"kind": draw(st.sampled_from(["sgd", "adam", "adamw"])), "lr": 0}
    block["lr"] = draw(lrs)
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from("abcdef"), min_size=1, max_size=3, unique=True))
        block["groups"] = [
            {"name": name, **({"lr": draw(lrs)} if draw(st.booleans()) else {})} for name in names
        ]
    return block


@st.composite
def plans(draw: Any) -> dict[str, Any]:
    """A plan dict; most are valid (a cosine eta_min may exceed a tiny group lr)."""
    interval = draw(st.sampled_from(["epoch", "step"]))
    epochs = draw(st.integers(2, 40))
    steps_per_epoch = draw(st.integers(1, 12))
    intervals = epochs * steps_per_epoch if interval == "step" else epochs
    plan: dict[str, Any] = {
        "optimizer": draw(optimizer_blocks()),
        "training": {"epochs": epochs, "steps_per_epoch": steps_per_epoch, "interval": interval},
    }
    warmup = draw(warmup_blocks(intervals))
    if warmup is not None:
        plan["warmup"] = warmup
    if draw(st.integers(0, 7)):
        decay = draw(decay_blocks())
        if not compatible(warmup and warmup["kind"], decay["kind"]):
            plan.pop("warmup", None)
            warmup = None
        if decay["kind"] == "yolo":  # per iteration by definition; its bias group named
            plan["training"]["interval"] = "step"
            intervals = epochs * steps_per_epoch
            decay.pop("bias_group", None)
            groups = plan["optimizer"].get("groups")
            if groups:
                decay["bias_group"] = groups[-1]["name"]
        plan["decay"] = fit_decay(decay, intervals, _warmup_intervals(warmup, intervals))
    return plan


def _warmup_intervals(warmup: dict[str, Any] | None, intervals: int) -> int:
    if not warmup or warmup["kind"] == "none":
        return 0
    if "length" in warmup:
        return warmup["length"]
    return round(warmup["fraction"] * intervals)


JUNK_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        "",
        "text",
        "1e-3",
        -1,
        0,
        1,
        2**63,
        10**30,
        -0.0,
        1e-320,
        1e308,
        math.inf,
        -math.inf,
        math.nan,
        [],
        [1, 2],
        {},
        {"kind": "cosine"},
        "linear",
        "cosine",
    ]
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutants(draw: Any, base: Any = None) -> dict[str, Any]:
    """A valid-looking plan (``base``, default :func:`plans`) with 1-3 random edits:
    keys deleted or renamed, values replaced with junk of another type, junk keys
    inserted."""
    plan = copy.deepcopy(draw(base if base is not None else plans()))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(plan)
        if not paths:  # every key deleted already
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(plan, path), path[-1]
        action = draw(st.sampled_from(["delete", "rename", "replace", "insert"]))
        if action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            new_name = draw(st.sampled_from([last + "s", last[:-1], last.upper(), "x"]))
            parent[new_name] = parent.pop(last)
        elif action == "insert" and isinstance(parent, dict):
            junk = copy.deepcopy(draw(JUNK_VALUES))  # a fresh one: never a cycle
            keys = ["extra", "kind", "lr", "epochs", "0", "args", "name", "framework"]
            parent[draw(st.sampled_from(keys))] = junk
        else:
            parent[last] = copy.deepcopy(draw(JUNK_VALUES))
    return plan


# -- presets: a framework's schedule, its arguments drawn within sensible ranges -------------

#: Absolute LRs (the framework's own values): drawn between 0 and the plan's target.
_LR_ARGS = [
    "lr_min",
    "lr_end",
    "min_lr",
    "warmup_lr_init",
    "warmup_min_lr",
    "warmup_max_lr",
    "init_value",
    "peak_value",
    "end_value",
    "initial_learning_rate",
    "end_learning_rate",
    "warmup_target",
]
#: A float argument's range by name; step counts are drawn up to twice the plan's length.
_FLOAT_RANGES = {
    "power": (0.1, 3.0),
    "exponent": (0.1, 3.0),
    "t_mul": (1.0, 3.0),
    "cycle_mul": (1.0, 3.0),
    "div_factor": (1.0, 1e4),
    "final_div_factor": (1.0, 1e4),
    "num_cycles": (0.0, 3.0),
    "decay_rate": (0.01, 1.0),
    "lb": (-10.0, 0.0),
    "ub": (0.0, 10.0),
}
_SMALL_INT_ARGS = {
    "cycle_limit": (1, 4),
    "num_cycles": (1, 4),
    "epoch_length": (1, 10),
    "accumulative_counts": (1, 3),
}


@st.composite
def _mmengine_schedulers(draw: Any, intervals: int) -> list[dict[str, Any]]:
    """mmengine's param_scheduler list: 1-3 schedulers of any kind, in any ranges."""
    kinds = {
        "LinearLR": {"start_factor": st.floats(0.0, 1.0), "end_factor": st.floats(0.0, 1.0)},
        "ConstantLR": {"factor": st.floats(0.0, 1.0)},
        "CosineAnnealingLR": {"eta_min": st.floats(0.0, 1e-4), "T_max": st.integers(1, 50)},
        "ExponentialLR": {"gamma": st.floats(0.5, 1.0)},
        "MultiStepLR": {"milestones": st.lists(st.integers(0, 40), min_size=1, max_size=3)},
        "StepLR": {"step_size": st.integers(1, 20), "gamma": st.floats(0.1, 1.0)},
        "PolyLR": {"eta_min": st.floats(0.0, 1e-4), "power": st.floats(0.5, 2.0)},
        "OneCycleLR": {"eta_max": st.floats(1e-4, 1e-2), "pct_start": st.floats(0.1, 0.9)},
        "CosineRestartLR": {"periods": st.lists(st.integers(1, 30), min_size=1, max_size=1)},
    }
    schedulers = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(sorted(kinds)))
        begin = draw(st.integers(0, max(0, intervals // 2)))
        spec: dict[str, Any] = {"type": kind, "by_epoch": draw(st.booleans()), "begin": begin}
        spec["end"] = draw(st.integers(begin + 1, intervals + 5))
        for key, values in kinds[kind].items():
            if draw(st.booleans()) or key in ("gamma", "milestones", "step_size", "periods"):
                spec[key] = draw(values)
        if kind == "CosineRestartLR":
            spec["eta_min"] = 0.0
        schedulers.append(spec)
    return schedulers


def _preset_argument(name: str, arg: Any, lr: float, intervals: int) -> st.SearchStrategy[Any]:
    if arg.kind == "bool":
        strategy: st.SearchStrategy[Any] = st.booleans()
    elif arg.kind == "str":
        strategy = st.sampled_from(arg.choices)
    elif arg.kind == "ints":
        strategy = st.lists(st.integers(1, intervals), min_size=1, max_size=3).map(sorted)
    elif arg.kind == "mappings":  # mmengine's schedulers
        strategy = _mmengine_schedulers(intervals)
    elif arg.kind == "int":
        low, high = _SMALL_INT_ARGS.get(name, (0, 2 * intervals))
        strategy = st.integers(low, high)
    elif name in _LR_ARGS:
        strategy = st.floats(0.0, lr)
    elif name == "decay_t":  # timm's step decay: every decay_t intervals
        strategy = st.floats(1.0, float(intervals))
    else:  # ratios, rates, fractions, factors
        strategy = st.floats(*_FLOAT_RANGES.get(name, (0.0, 1.0)))
    return st.one_of(st.none(), strategy) if arg.nullable else strategy


@st.composite
def preset_plans(draw: Any, framework: str | None = None) -> dict[str, Any]:
    """A plan with a ``preset`` block: a framework's schedule and a random subset of
    its arguments (the required ones always), each within a sensible range. Most are
    valid; some combinations are the framework's own refusals (a clean ConfigError)."""
    from warmplan.presets import FRAMEWORKS, REQUIRED, registry

    framework = framework or draw(st.sampled_from(FRAMEWORKS))
    presets = registry(framework)
    name = draw(st.sampled_from(sorted(presets)))
    optimizer = draw(optimizer_blocks())
    lr = optimizer["lr"]
    in_epochs = framework == "timm" and draw(st.booleans())
    if in_epochs:
        training = {"epochs": draw(st.integers(2, 40)), "steps_per_epoch": draw(st.integers(1, 8))}
        intervals = training["epochs"]
    else:
        intervals = draw(st.integers(2, 300))
        training = {"steps": intervals}
    args: dict[str, Any] = {}
    for key, arg in presets[name].args.items():
        if key == "t_in_epochs":
            args[key] = in_epochs
        elif arg.default is REQUIRED or draw(st.booleans()):
            args[key] = draw(_preset_argument(key, arg, lr, intervals))
    return {
        "optimizer": optimizer,
        "training": training,
        "preset": {"framework": framework, "name": name, "args": args},
    }

"""Validation of a plan's ``preset`` block: the framework's schedule name, its arguments
and their values, each finding located at its YAML key."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.references import resolve_references
from warmplan.errors import Finding
from warmplan.limits import MAX_WHOLE
from warmplan.presets import (
    PROBED_STEPS,
    REQUIRED,
    Arg,
    Preset,
    PresetArgumentError,
    counts_epochs,
    factors,
    phase_marks,
    registry,
)
from warmplan.text import closest, counted, did_you_mean, hint
from warmplan.text import describe as describe

if TYPE_CHECKING:
    from warmplan.config.models import Plan, PresetSpec
    from warmplan.config.source import Source


def preset_findings(plan: Plan, source: Source) -> list[Finding]:
    """Everything wrong with ``plan.preset``, each located at its YAML key."""
    spec = plan.preset
    if spec is None:
        return []
    where = ("preset",)
    found = []
    if plan.warmup is not None or plan.decay is not None:
        block = "warmup" if plan.warmup is not None else "decay"
        found.append(
            source.finding(
                errors.INCONSISTENT,
                (block,),
                f"give either preset or {block}: a preset defines the whole schedule",
            )
        )
    presets = registry(spec.framework)
    if spec.name not in presets:
        hint = did_you_mean(spec.name, list(presets))
        message = (
            f"preset.name {spec.name!r} is not a {spec.framework} schedule{hint}; "
            f"{spec.framework} has: {', '.join(presets)}"
        )
        return [*found, source.finding(errors.BAD_VALUE, (*where, "name"), message)]
    references = resolve_references(plan, source)
    if references:
        return found + references
    argument_findings = _argument_findings(presets[spec.name], spec, source)
    argument_findings += _group_count_findings(presets[spec.name], plan, source)
    if argument_findings:
        return found + argument_findings
    return found + _interval_findings(plan, spec, source) + _value_findings(plan, spec, source)


def _argument_findings(preset: Preset, spec: Any, source: Source) -> list[Finding]:
    found = []
    title = f"{spec.framework} {spec.name}"
    known = list(preset.args)
    for key, value in spec.args.items():
        keypath = ("preset", "args", key)
        arg = preset.args.get(key)
        if arg is None:
            close = closest(str(key), known)
            takes = ", ".join(known) or "no arguments"
            message = f"unknown argument preset.args.{key}{hint(close)}; {title} takes: {takes}"
            finding = source.finding(errors.UNKNOWN_KEY, keypath, message)
            found.append(finding.at(suggestion=close))
        elif not _fits(arg, value):
            expected = _expected(arg)
            if isinstance(value, int) and abs(value) > MAX_WHOLE:
                expected = f"at most {MAX_WHOLE:.0e}"
            message = f"preset.args.{key} must be {expected}, got {_describe(value, arg)}"
            found.append(source.finding(errors.BAD_VALUE, keypath, message))
    # a misspelt required argument is one mistake: "unknown ... (did you mean x?)" says
    # all that "needs preset.args.x" would
    suggested = {f.suggestion for f in found if f.code == errors.UNKNOWN_KEY}
    missing = [
        k
        for k, a in preset.args.items()
        if a.default is REQUIRED and k not in spec.args and k not in suggested
    ]
    if missing:
        message = f"{title} needs preset.args.{', preset.args.'.join(missing)}"
        found.append(source.finding(errors.MISSING_KEY, ("preset", "args"), message))
    return found


def _group_count_findings(preset: Preset, plan: Plan, source: Source) -> list[Finding]:
    """A per-group list needs one value per param group of ``optimizer.groups``."""
    found = []
    groups = len(plan.target_lrs)
    for key, value in plan.preset.args.items():  # type: ignore[union-attr]
        arg = preset.args.get(key)
        if arg is None or not arg.per_group or not isinstance(value, list):
            continue
        if len(value) != groups:
            message = (
                f"preset.args.{key} has {counted(len(value), 'value')}, one per param "
                f"group, but the plan has {groups} (optimizer.groups: "
                f"{', '.join(plan.group_names)})"
            )
            found.append(source.finding(errors.BAD_VALUE, ("preset", "args", key), message))
    return found


def _fits(arg: Arg, value: Any) -> bool:
    if arg.per_group and isinstance(value, list):
        scalar = Arg(arg.kind, choices=arg.choices, minimum=arg.minimum)
        return bool(value) and all(v is not None and _fits(scalar, v) for v in value)
    if value is None:
        return arg.nullable
    if isinstance(value, int) and abs(value) > MAX_WHOLE:  # before isfinite: it overflows
        return False
    if arg.kind in ("int", "float"):
        number = isinstance(value, int if arg.kind == "int" else (int, float))
        if not number or isinstance(value, bool) or not math.isfinite(value):
            return False
        return arg.minimum is None or value >= arg.minimum
    if arg.kind == "bool":
        return isinstance(value, bool)
    if arg.kind == "str":
        return isinstance(value, str) and (not arg.choices or value in arg.choices)
    if arg.kind == "mappings":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and abs(v) <= MAX_WHOLE for v in value
    )


def _expected(arg: Arg) -> str:
    text = {
        "int": "a whole number",
        "float": "a number",
        "bool": "true or false",
        "str": "one of " + ", ".join(arg.choices) if arg.choices else "text",
        "ints": "a list of whole numbers",
        "mappings": "a list of mappings",
    }[arg.kind]
    if arg.kind in ("int", "float") and arg.minimum is not None:
        text += f" >= {arg.minimum:g}"
    if arg.per_group:
        text += ", or a list of them (one per param group)"
    return text + (" or null" if arg.nullable else "")


def _interval_findings(plan: Plan, spec: PresetSpec, source: Source) -> list[Finding]:
    wanted = "epoch" if counts_epochs(spec) else "step"
    if plan.interval == wanted:
        return []
    if spec.framework == "timm":
        flag = "true" if wanted == "epoch" else "false"
        message = (
            f"timm's t_in_epochs: {flag} counts {wanted}s, but training.interval is "
            f"{plan.interval}; set training.interval: {wanted}, or preset.args.t_in_epochs"
        )
    else:
        message = (
            f"{spec.framework} counts optimizer steps: its presets need "
            f"training.interval: step, got {plan.interval}"
        )
    return [source.finding(errors.INCONSISTENT, ("training", "interval"), message)]


def _value_findings(plan: Plan, spec: PresetSpec, source: Source) -> list[Finding]:
    """The framework's own refusals, and a probe that every LR comes out valid."""
    try:
        functions = factors(spec, plan.optimizer.lr, plan.target_lrs)
        total = plan.intervals
        # every step of short plans; the ends and phase changes of long ones; and step
        # N, which the scheduler computes on its last step()
        probes = {*range(min(total, PROBED_STEPS)), total - 1, total}
        probes |= {s + d for _, s in phase_marks(spec, total) for d in (-1, 0, 1)}
        for t in sorted(p for p in probes if 0 <= p <= total):
            for function, target in zip(functions, plan.target_lrs, strict=True):
                value = function(t)
                if not (math.isfinite(value) and value >= 0):
                    raise PresetArgumentError(None, f"gives LR factor {value!r} at step {t}")
                if not math.isfinite(value * target):  # an absolute LR far above the target
                    raise PresetArgumentError(None, f"gives LR {value * target!r} at step {t}")
    except PresetArgumentError as exc:
        keypath = ("preset", "args", exc.key) if exc.key else ("preset", "args")
        return [source.finding(errors.BAD_VALUE, keypath, f"{spec.framework} {spec.name}: {exc}")]
    except (ArithmeticError, ValueError) as exc:
        # the framework's formula on these numbers (an overflow, a log of a negative);
        # any other exception is a bug in warmplan's factor functions, not a finding
        if isinstance(exc, ValueError) and "math domain error" not in str(exc):
            raise
        message = f"{spec.framework} {spec.name} cannot compute its LRs with these arguments: {exc}"
        return [source.finding(errors.BAD_VALUE, ("preset", "args"), message)]
    return []


def _describe(value: Any, arg: Arg) -> str:
    if isinstance(value, list) and arg.per_group:
        scalar = Arg(arg.kind, choices=arg.choices, minimum=arg.minimum)
        wrong = [v for v in value if v is None or not _fits(scalar, v)]
        return f"a list with {describe(wrong[0])}" if wrong else "an empty list"
    if isinstance(value, list):  # name the item that is wrong, not the whole list
        wrong = [v for v in value if not isinstance(v, int) or isinstance(v, bool)]
        if wrong:
            return f"a list with {describe(wrong[0])}"
    return describe(value)

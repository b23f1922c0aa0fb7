"""load_plan: YAML or a dict, plus overrides -> a validated Plan, or one ConfigError.

Every problem becomes a Finding located at the YAML key responsible: pydantic's error
locations are walked back through the data (skipping the discriminator tags pydantic
adds for decay kinds) to the key's line and column.
"""

from __future__ import annotations

import copy
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from warmplan import errors
from warmplan.config.overrides import apply_overrides, as_overrides
from warmplan.config.pyliteral import read_config
from warmplan.config.source import KeyPath, Source, dotted_key
from warmplan.errors import ConfigError, Finding
from warmplan.text import closest, counted, describe, did_you_mean, hint

if TYPE_CHECKING:
    from warmplan.config.models import Plan


def load_plan(path_or_dict: str | Path | dict[str, Any] | None, overrides: Any = None) -> Plan:
    """Read, override and validate a plan.

    ``path_or_dict``: a YAML file, a dict of the same shape, or None for a plan made of
    overrides alone. ``overrides``: ``{"decay.eta_min": 0}`` or a list of
    :class:`warmplan.config.overrides.Override`. Raises :class:`ConfigError` with every
    problem found.
    """
    source = source_of(path_or_dict)
    apply_overrides(source, as_overrides(overrides))
    return validate_source(source)


def source_of(path_or_dict: str | Path | dict[str, Any] | None) -> Source:
    """The raw data of a file (with positions), a copy of a dict, or nothing."""
    if path_or_dict is None:
        return Source(data={})
    if isinstance(path_or_dict, dict):
        return Source(data=copy.deepcopy(path_or_dict))
    return read_config(path_or_dict)


def validate_source(source: Source) -> Plan:
    from pydantic import ValidationError

    from warmplan.config.foreign import recognise
    from warmplan.config.models import Plan
    from warmplan.config.validate import plan_findings

    other = recognise(source.data)
    if other is not None:  # one line, not an unknown-key error per key of that file
        raise ConfigError([source.finding(errors.OTHER_FORMAT, (other.keys[0],), other.message)])
    try:
        plan = Plan.model_validate(source.data)
    except ValidationError as exc:
        raise ConfigError(_findings_from_pydantic(exc, source)) from None
    plan._source = source
    findings = plan_findings(plan, source)
    if findings:
        raise ConfigError(findings)
    return plan


# -- pydantic errors -> findings -------------------------------------------------------

_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "dict_type": "a mapping of keys",
    "bool_type": "true or false",
}


def _findings_from_pydantic(exc: Any, source: Source) -> list[Finding]:
    findings, suggested = [], set()
    wrong_kind = False
    for error in exc.errors(include_url=False):
        if _other_member(error["loc"], source.data):
            continue
        keypath, model = _walk(error["loc"], source.data)
        if error["type"] == "extra_forbidden":  # what matters is the enclosing block
            model = _walk(error["loc"][:-1], source.data)[1]
        finding = _finding(error, keypath, model, source)
        if finding.suggestion:
            suggested.add(dotted_key((*keypath[:-1], finding.suggestion)))
        if " belongs to decay.kind " in finding.message:
            wrong_kind = True  # the block's missing keys are the wrong kind's needs
        findings.append(finding)
    # "missing key optimizer" says nothing "unknown key optimiser (did you mean
    # optimizer?)" does not; one finding per key: a union may report one key twice
    unique = {
        (f.key, f.message): f
        for f in findings
        if not (f.code == errors.MISSING_KEY and f.key in suggested)
        and not (wrong_kind and f.code == errors.MISSING_KEY and (f.key or "").startswith("decay."))
    }
    return sorted(_merge_alternatives(unique.values()), key=lambda f: (f.line or 0, f.col or 0))


def _merge_alternatives(findings: Any) -> list[Finding]:
    """``x must be A, got v`` and ``x must be B, got v`` (a value that fits no member
    of a union such as ``int | "auto"``) -> ``x must be A, or B, got v``."""
    merged: dict[tuple[str | None, str], Finding] = {}
    for finding in findings:
        head, got, tail = finding.message.partition(", got ")
        # a member's did-you-mean hint (`one of auto ... (did you mean auto?)`) ends the
        # merged message; it must not keep the two members' messages apart
        value, hint = _split_hint(tail)
        key = (finding.key, value) if got and " must be " in head else (None, finding.message)
        if key in merged and key[0] is not None:
            first_head, _, first_tail = merged[key].message.partition(", got ")
            alternative = head.split(" must be ", 1)[1]
            hint = hint or _split_hint(first_tail)[1]
            message = f"{first_head}, or {alternative}, got {value}{hint}"
            merged[key] = merged[key].at(message=message)
        else:
            merged[key] = finding
    return list(merged.values())


def _split_hint(tail: str) -> tuple[str, str]:
    """``"'x' (text) (did you mean y?)"`` -> ``("'x' (text)", " (did you mean y?)")``."""
    value, found, hint = tail.rpartition(" (did you mean ")
    return (value, found + hint) if found and hint.endswith("?)") else (tail, "")


def _other_decay_kinds(keypath: KeyPath) -> str:
    """`` (it belongs to decay.kind multistep)`` for a decay key of other kinds only:
    ``kind: step`` with ``milestones`` means multistep, not a typo."""
    from warmplan.config.decays import DECAY_MODELS

    if len(keypath) != 2 or keypath[0] != "decay":
        return ""
    kinds = [
        kind
        for model in DECAY_MODELS
        if keypath[1] in model.model_fields
        for kind in get_args(model.model_fields["kind"].annotation)
    ]
    if not kinds:
        return ""
    return f" (it belongs to decay.kind {' or '.join(kinds)}: did you mean kind: {kinds[0]}?)"


def _known_keys(model: Any) -> list[str]:
    return sorted(model.model_fields) if _is_model(model) else []


def _finding(error: dict[str, Any], keypath: KeyPath, model: Any, source: Source) -> Finding:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    key = dotted_key(keypath) or "the plan"
    if kind == "extra_forbidden":
        known = _known_keys(model)
        close = closest(str(keypath[-1]), known)
        where = dotted_key(keypath[:-1]) or "the top level"
        other = _other_decay_kinds(keypath)
        message = f"unknown key {key}{other or hint(close)}; {where} takes: "
        message += ", ".join(known)
        return source.finding(errors.UNKNOWN_KEY, keypath, message).at(suggestion=close)
    if kind == "missing":
        return source.finding(errors.MISSING_KEY, keypath, f"missing required key {key}")
    if kind == "union_tag_not_found":
        return source.finding(
            errors.MISSING_KEY, (*keypath, "kind"), f"missing required key {key}.kind"
        )
    if kind in ("union_tag_invalid", "literal_error"):
        choices = _choices(ctx.get("expected_tags") or ctx.get("expected", ""))
        if kind == "union_tag_invalid":
            keypath, value = (*keypath, "kind"), ctx.get("tag")
            key = dotted_key(keypath)
        suggestion = did_you_mean(str(value), choices)
        message = f"{key} must be one of {', '.join(choices)}, got {describe(value)}{suggestion}"
        return source.finding(errors.BAD_VALUE, keypath, message)
    got = describe(value)
    if kind.startswith("int_") and isinstance(value, float) and value.is_integer():
        got = f"{value:g} (a float: write whole numbers without a point or exponent)"
    return source.finding(
        errors.BAD_VALUE, keypath, f"{key} {_expectation(kind, ctx, error['msg'])}, got {got}"
    )


def _expectation(kind: str, ctx: dict[str, Any], msg: str) -> str:
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}"
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in bounds:
        bound = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {bound:g}"
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])  # the model's own words, already phrased as a rule
    if kind == "finite_number":
        return "must be a finite number"
    if kind in ("too_short", "too_long"):
        low, high = ctx.get("min_length"), ctx.get("max_length")
        if kind == "too_short" and low is not None:
            return f"needs at least {counted(low, 'item')}"
        if high is not None:
            return f"takes at most {counted(high, 'item')}"
    return msg[0].lower() + msg[1:] if msg else "is invalid"


def _choices(expected: str) -> list[str]:
    return [c.strip().strip("'\"") for c in expected.replace(" or ", ",").split(",") if c.strip()]


def _is_model(obj: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(obj, type) and issubclass(obj, BaseModel)


def _strip(annotation: Any) -> Any:
    """Annotated[X, ...] -> X; Optional[X] -> X; a union of models -> tuple of them."""
    while get_origin(annotation) is not None and hasattr(annotation, "__metadata__"):
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [_strip(a) for a in get_args(annotation) if a is not type(None)]
        return members[0] if len(members) == 1 else tuple(members)
    return annotation


def _other_member(loc: tuple[Any, ...], data: Any) -> bool:
    """An error of the union member the value was not written for: a mapping tried
    as a number (``T_max: {epochs: 2}`` as an int), or a number tried as a mapping.
    The member that fits the value's shape explains the problem alone."""
    from warmplan.config.decays import Points, Span

    node = data
    for part in loc:
        if part in (Span.__name__, Points.__name__):
            return not isinstance(node, dict)
        if part in _NUMBER_LABELS:
            return isinstance(node, dict)
        child = _child(node, part)
        node = node if child is None else child  # a discriminator's tag: stay
    return False


def _child(node: Any, part: Any) -> Any:
    """``node[part]`` in the YAML data, or None where there is no such entry."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


#: pydantic's labels of the number members of ``int | Span`` and ``list[int] | Points``
_NUMBER_LABELS = ("constrained-int", "list[constrained-int]")


def _walk(loc: tuple[Any, ...], data: Any) -> tuple[KeyPath, Any]:
    """pydantic loc -> (key path in the data, model class at the end of it)."""
    from warmplan.config.models import Plan

    model: Any = Plan
    keypath: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(model, tuple):  # a discriminated union: `part` is the tag
            tagged = [
                m
                for m in model
                if _is_model(m)
                and "kind" in m.model_fields
                and part in get_args(m.model_fields["kind"].annotation)
            ]
            if tagged:
                model = tagged[0]
                continue
            member = next((m for m in model if _is_model(m) and m.__name__ == part), None)
            if member is not None:  # `T_max: int | Span`: the Span member's label
                model = member
                continue
            if isinstance(node, list) and isinstance(part, int):  # an item of the list member
                model = next((m for m in model if get_origin(m) is list), None)  # type: ignore[comparison-overlap]
            elif not (isinstance(node, dict) and part in node):  # another member's label
                continue
        keypath.append(part)
        node = _child(node, part)
        if _is_model(model) and isinstance(part, str) and part in model.model_fields:
            model = _strip(model.model_fields[part].annotation)
        elif get_origin(model) is list and isinstance(part, int):
            model = _strip(get_args(model)[0])
        else:
            model = None
    return tuple(keypath), model

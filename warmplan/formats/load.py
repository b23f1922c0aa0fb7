"""load_plan for every format: a warmplan plan, or another tool's config read as one.

The run-time flags keep their meaning for a recipe: ``training.dataset_size`` (the
training examples), ``training.world_size`` (processes), ``training.steps`` (total
updates), ``training.steps_per_epoch``, ``training.global_batch_size`` (samples an update,
over all processes) and ``training.sequence_length`` (tokens a sample) become the
reader's facts; every other override is laid over the plan the reader drafted. The last
two are facts only: a warmplan plan counts optimizer steps, and refuses them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.config.load import source_of, validate_source
from warmplan.config.overrides import Override, apply_overrides, as_overrides
from warmplan.config.source import Source
from warmplan.errors import ConfigError, Finding
from warmplan.formats import FORMATS, NATIVE, detect, reader
from warmplan.formats.draft import (
    BATCH_FACTS,
    FACT_FLAGS,
    FACT_KEYS,
    INTERVAL_FACT_FORMATS,
    Draft,
    Facts,
)
from warmplan.text import did_you_mean

if TYPE_CHECKING:
    from warmplan.config.models import Plan


def load_plan(
    path_or_dict: str | Path | dict[str, Any] | None,
    overrides: Any = None,
    *,
    source_format: str | None = None,
) -> Plan:
    """Read, override and validate a plan, or a transformers / axolotl / DeepSpeed
    config (recognised from its keys; ``source_format`` forces one of
    :data:`warmplan.formats.FORMATS`). Raises :class:`ConfigError`.

    Another tool's config takes its run-time facts as ``overrides`` too, by the keys
    of :data:`~warmplan.formats.draft.FACT_KEYS`: ``{"training.dataset_size": 50000,
    "training.global_batch_size": 512, "training.sequence_length": 2048}``."""
    return plan_from_source(read_any(path_or_dict), as_overrides(overrides), source_format)


def read_any(path_or_dict: str | Path | dict[str, Any] | None) -> Source:
    """The Source of a plan or config of any format: YAML, JSON, a Python config (read
    as literals), or a command line (``.sh``, ``.args``), read as its flags."""
    from warmplan.formats import timm_args

    if isinstance(path_or_dict, (str, Path)) and timm_args.is_command_line(Path(path_or_dict)):
        megatron = _megatron_script(Path(path_or_dict))
        return megatron or timm_args.read_command_line(path_or_dict)
    return source_of(path_or_dict)


def load_text(
    text: str, path: str, overrides: Any = None, *, source_format: str | None = None
) -> Plan:
    """:func:`load_plan` of ``text`` as the content of ``path`` (findings point there)."""
    from warmplan.config.source import parse_yaml

    return plan_from_source(parse_yaml(text, path), as_overrides(overrides), source_format)


def _megatron_script(path: Path) -> Source | None:
    """A launch script that runs Megatron-LM (its flags say so), else None (timm's)."""
    from warmplan.config.shell import read_shell

    if path.suffix != ".sh":
        return None
    try:
        source = read_shell(path)
    except ConfigError:
        return None  # unreadable, or no ``.py`` command: timm's reader says why
    return source if detect(source.data) == "megatron" else None


def plan_from_source(
    source: Source, overrides: list[Override], source_format: str | None = None
) -> Plan:
    kind = _format(source, source_format)
    if kind == NATIVE:
        _refuse_batch_facts(overrides)
        apply_overrides(source, overrides)
        return validate_source(source)
    facts, rest = split_facts(overrides)
    if facts.interval is not None and kind not in INTERVAL_FACT_FORMATS:
        rest.append(next(o for o in overrides if o.keypath == ("training", "interval")))
        facts = replace(facts, interval=None)
    drafted = read_recipe(source, kind, facts)
    apply_overrides(drafted, rest)
    return validate_source(drafted)


def _refuse_batch_facts(overrides: list[Override]) -> None:
    for override in overrides:
        if FACT_KEYS.get(override.keypath) in BATCH_FACTS:
            message = (
                f"{override.flag} is for another tool's config whose budget is in samples "
                "or tokens; a warmplan plan counts optimizer steps (training.steps, or "
                "epochs x steps_per_epoch)"
            )
            raise ConfigError([Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE)])


def read_recipe(source: Source, kind: str, facts: Facts) -> Source:
    """Another tool's config -> the Source of the native plan it amounts to."""
    draft = Draft(recipe=source, format=kind, facts=facts)
    reader(kind).read(draft)
    return draft.source()


def _format(source: Source, forced: str | None) -> str:
    if forced is None:
        if source.syntax == "args":  # a command line: timm's train.py flags
            return "timm"
        kind = detect(source.data, source.syntax)
        if kind == NATIVE and source.syntax == "python":
            raise ConfigError(
                [
                    source.finding(
                        errors.OTHER_FORMAT,
                        (),
                        "a Python file that is neither an mmengine config (param_scheduler, "
                        "optim_wrapper, train_cfg, _base_) nor a nanoGPT one (learning_rate, "
                        "max_iters, ...); plans are YAML (--from mmengine|nanogpt forces one)",
                    ).at(key=None)
                ]
            )
        return kind
    if forced not in FORMATS:
        from warmplan.errors import UsageError

        raise UsageError(
            f"--from {forced}: no such format{did_you_mean(forced, list(FORMATS))}; "
            f"the formats are {', '.join(FORMATS)}"
        )
    return forced


def split_facts(overrides: list[Override]) -> tuple[Facts, list[Override]]:
    """The run-time facts among the overrides (checked), and the other overrides."""
    facts: dict[str, Any] = {}
    rest = []
    for override in overrides:
        name = FACT_KEYS.get(override.keypath)
        if name is None:
            rest.append(override)
            continue
        value = override.value
        if name == "interval" and value in ("step", "epoch"):
            facts[name] = value
            continue
        if name == "interval":
            message = f"--interval must be step or epoch, got {value!r}"
            raise ConfigError([Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE)])
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            flag = FACT_FLAGS[name]
            message = f"{flag} must be a whole number of at least 1, got {value!r}"
            raise ConfigError([Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE)])
        facts[name] = value
    return Facts(**facts), rest

"""Values from the command line laid over a plan's data: flags and ``--set a.b=c``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmplan import errors
from warmplan.config.source import KeyPath, Source, dotted_key, is_plain_text, one_line
from warmplan.errors import ConfigError, Finding


@dataclass(frozen=True)
class Override:
    """One value set from outside the file, and the flag that set it (for messages)."""

    key: str
    value: Any
    flag: str

    @property
    def keypath(self) -> KeyPath:
        # "0" is a list index; int() also accepts "٣" and "1_0", which are names here
        return tuple(
            int(part) if part.isascii() and part.isdigit() else part for part in self.key.split(".")
        )


def parse_set(text: str) -> Override:
    """``decay.eta_min=1e-5`` -> Override; the value is read as a YAML scalar."""
    import yaml

    from warmplan.config.yaml import parse_scalar

    key, sep, raw = text.partition("=")
    key = key.strip()
    flag = f"--set {text}"
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(
            [
                Finding(
                    errors.BAD_OVERRIDE,
                    f"--set expects key.path=value, got {text!r}",
                    path=errors.COMMAND_LINE,
                )
            ]
        )
    try:
        value = parse_scalar(raw) if raw.strip() else None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        value = raw
    if isinstance(value, (dict, list)) and not raw.strip().startswith(("[", "{")):
        value = raw
    if _is_milestones(key):
        value = _as_list(value)
    return Override(key, value, flag)


def _is_milestones(key: str) -> bool:
    """``decay.milestones`` or ``decay.milestones.epochs`` (a unit's list)."""
    parts = key.split(".")
    return parts[-1] == "milestones" or (len(parts) > 1 and parts[-2] == "milestones")


def _as_list(value: Any) -> Any:
    """``30,60`` (as ``--milestones`` takes it) or a lone ``30`` -> a list of numbers;
    anything else is left for validation to judge."""
    from warmplan.config.yaml import parse_scalar

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [value]
    if not isinstance(value, str) or "," not in value:
        return value
    try:
        items = [parse_scalar(part.strip()) for part in value.split(",")]
    except Exception:
        return value
    ok = all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items)
    return items if ok else value


def as_overrides(overrides: Any) -> list[Override]:
    """Accept a mapping of dotted keys to values, or Override objects."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [Override(str(k), v, f"--set {k}") for k, v in overrides.items()]
    return list(overrides)


#: keys of a block that say the same thing in other ways (a plan gives one of them): an
#: override of one replaces the file's other, so `overrides={"decay.eta_min": 0.0}`
#: works on a plan that gives `min_lr_ratio`
ALTERNATIVES: tuple[tuple[str, frozenset[str]], ...] = (
    ("decay", frozenset({"eta_min", "min_lr_ratio"})),
    ("decay", frozenset({"decay_fraction", "decay_length"})),
    ("warmup", frozenset({"length", "steps", "epochs", "fraction"})),
    ("warmup", frozenset({"start_factor", "start_lr"})),
    ("training", frozenset({"epochs", "steps"})),
)


def apply_overrides(source: Source, overrides: list[Override]) -> None:
    """Lay each override over ``source.data`` in order; later ones win."""
    if source.data is None:
        source.data = {}
    for override in overrides:
        _refuse_unprintable(override)
        keypath = override.keypath
        _reset_block_on_new_kind(source, keypath, override.value)
        _drop_alternatives(source, override)
        parent = _container_for(source, override, keypath)
        last = keypath[-1]
        if _has(parent, last) and keypath not in source.from_flags:
            line = source.positions.get(keypath, (None, None))[0]
            if source.path is not None:
                source.overridden.append((keypath, override.flag, line))
        if isinstance(parent, list):
            if not _has(parent, last):
                raise _bad(override, f"{dotted_key(keypath[:-1])} has no item {last}")
            parent[last] = override.value  # type: ignore[index]
        else:
            parent[last] = override.value
        source.from_flags[keypath] = override.flag


def _drop_alternatives(source: Source, override: Override) -> None:
    """Remove the file's keys that the override's key replaces (see ALTERNATIVES)."""
    keypath = override.keypath
    if len(keypath) != 2 or not isinstance(source.data.get(keypath[0]), dict):
        return
    block = source.data[keypath[0]]
    for name, keys in ALTERNATIVES:
        if name != keypath[0] or keypath[1] not in keys:
            continue
        for other in sorted(keys - {keypath[1]}):
            path = (name, other)
            if other in block and path not in source.from_flags:
                del block[other]
                line = source.positions.get(path, (None, None))[0]
                if source.path is not None:
                    source.overridden.append((path, override.flag, line))


def _bad(override: Override, problem: str) -> ConfigError:
    message = f"{override.flag}: {problem}, cannot set {override.key}"
    return ConfigError(
        [Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE, key=override.key)]
    )


def _refuse_unprintable(override: Override) -> None:
    """Keys and text values must be plain text, as in a file (see source.py)."""
    texts = [override.key] + ([override.value] if isinstance(override.value, str) else [])
    if all(is_plain_text(text) for text in texts):
        return
    flag = one_line(override.flag)
    message = f"{flag}: control or unpaired characters are not allowed in keys or text"
    raise ConfigError([Finding(errors.BAD_OVERRIDE, message, path=errors.COMMAND_LINE)])


def _has(container: Any, key: str | int) -> bool:
    if isinstance(container, list):
        return isinstance(key, int) and 0 <= key < len(container)
    return key in container


def _container_for(source: Source, override: Override, keypath: KeyPath) -> Any:
    """The dict or list that holds ``keypath``'s last part, creating missing blocks
    (marked as set by the flag, so findings about them point at the command line)."""
    node = source.data
    for depth, part in enumerate(keypath):
        if isinstance(part, int) and isinstance(node, dict):
            # `--set 0=1`, `--set optimizer.0=1`: an index into a block of keys
            where = dotted_key(keypath[:depth]) if depth else "the plan"
            raise _bad(override, f"{part} reads as a list index, but {where} is a block of keys")
        if depth == len(keypath) - 1:
            break
        if isinstance(node, list):
            if not _has(node, part):
                raise _bad(override, f"{dotted_key(keypath[:depth])} has no item {part}")
        elif part not in node:
            if isinstance(keypath[depth + 1], int):
                missing = dotted_key(keypath[: depth + 1])
                raise _bad(
                    override, f"{missing} is not given, so it has no item {keypath[depth + 1]}"
                )
            node[part] = {}
            source.from_flags.setdefault(keypath[: depth + 1], override.flag)
        node = node[part]
        if not isinstance(node, (dict, list)):
            where = dotted_key(keypath[: depth + 1])
            raise _bad(override, f"{where} is a single value, not a block")
    if isinstance(node, list) and not isinstance(keypath[-1], int):
        raise _bad(override, f"{dotted_key(keypath[:-1])} is a list")
    return node


def _reset_block_on_new_kind(source: Source, keypath: KeyPath, value: Any) -> None:
    """``--decay linear`` over a cosine block keeps only the keys linear knows.

    Each decay kind has its own keys; mixing the file's kind's keys into the flag's
    kind would turn a quick "what if" into unknown-key errors.
    """
    from warmplan.config.models import decay_model

    if keypath != ("decay", "kind"):
        return
    block = source.data.get("decay")
    new_model = decay_model(value)
    if not isinstance(block, dict) or block.get("kind", value) == value or new_model is None:
        return
    source.data["decay"] = {k: v for k, v in block.items() if k in new_model.model_fields}

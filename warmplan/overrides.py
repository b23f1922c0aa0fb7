"""Values from the command line laid over a plan's data: flags and ``--set a.b=c``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warmplan import errors
from warmplan.errors import ConfigError, Finding
from warmplan.source import KeyPath, Source, dotted_key


@dataclass(frozen=True)
class Override:
    """One value set from outside the file, and the flag that set it (for messages)."""

    key: str
    value: Any
    flag: str

    @property
    def keypath(self) -> KeyPath:
        return tuple(int(part) if part.isdigit() else part for part in self.key.split("."))


def parse_set(text: str) -> Override:
    """``decay.eta_min=1e-5`` -> Override; the value is read as a YAML scalar."""
    import yaml

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
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    if isinstance(value, (dict, list)) and not raw.strip().startswith(("[", "{")):
        value = raw
    return Override(key, value, flag)


def as_overrides(overrides: Any) -> list[Override]:
    """Accept a mapping of dotted keys to values, or Override objects."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [Override(str(k), v, f"--set {k}") for k, v in overrides.items()]
    return list(overrides)


def apply_overrides(source: Source, overrides: list[Override]) -> None:
    """Lay each override over ``source.data`` in order; later ones win."""
    if source.data is None:
        source.data = {}
    for override in overrides:
        keypath = override.keypath
        _reset_block_on_new_kind(source, keypath, override.value)
        parent = _container_for(source, override, keypath)
        last = keypath[-1]
        if _has(parent, last) and keypath not in source.from_flags:
            line = source.positions.get(keypath, (None, None))[0]
            if source.path is not None:
                source.overridden.append((keypath, override.flag, line))
        if isinstance(parent, list):
            parent[last] = override.value  # type: ignore[index]
        else:
            parent[last] = override.value
        source.from_flags[keypath] = override.flag


def _has(container: Any, key: str | int) -> bool:
    if isinstance(container, list):
        return isinstance(key, int) and 0 <= key < len(container)
    return key in container


def _container_for(source: Source, override: Override, keypath: KeyPath) -> Any:
    node = source.data
    for depth, part in enumerate(keypath[:-1]):
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            continue
        if not isinstance(node, dict):
            where = dotted_key(keypath[:depth]) or "the plan"
            raise ConfigError(
                [
                    Finding(
                        errors.BAD_OVERRIDE,
                        f"{override.flag}: {where} is not a mapping, cannot set {override.key}",
                        path=errors.COMMAND_LINE,
                        key=override.key,
                    )
                ]
            )
        if not isinstance(node.get(part), (dict, list)):
            node[part] = {}
        node = node[part]
    if isinstance(node, list) and not isinstance(keypath[-1], int):
        raise ConfigError(
            [
                Finding(
                    errors.BAD_OVERRIDE,
                    f"{override.flag}: {dotted_key(keypath[:-1])} is a list",
                    path=errors.COMMAND_LINE,
                    key=override.key,
                )
            ]
        )
    return node


def _reset_block_on_new_kind(source: Source, keypath: KeyPath, value: Any) -> None:
    """``--decay linear`` over a cosine block keeps only the keys linear knows.

    Each decay kind has its own keys; mixing the file's kind's keys into the flag's
    kind would turn a quick "what if" into unknown-key errors.
    """
    from warmplan.plan import decay_model

    if keypath != ("decay", "kind"):
        return
    block = source.data.get("decay")
    new_model = decay_model(value)
    if not isinstance(block, dict) or block.get("kind", value) == value or new_model is None:
        return
    source.data["decay"] = {k: v for k, v in block.items() if k in new_model.model_fields}

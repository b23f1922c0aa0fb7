"""mmengine's ``_base_`` inheritance, as ``Config.fromfile`` resolves it (mmengine
0.10.7, ``config/config.py``), on configs read as literals.

- ``_base_`` is a file name or a list of them, relative to the file naming them;
  bases are read (recursively) in order, and a key in two bases is an error.
- The file's keys are merged into its bases': a dict merges key by key, unless it
  holds ``_delete_=True`` (then it replaces the base's); anything else replaces.
  A dict over a base's non-dict is mmengine's TypeError.
- ``{{_base_.a.b}}`` is the value of ``a.b`` in the merged bases.

Every key keeps the file and place it was last written in, so a finding about a
value inherited from a base points into that base.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from warmplan import errors
from warmplan.config.pyliteral import BaseReference, read_config
from warmplan.config.source import KeyPath, Source, dotted_key
from warmplan.errors import ConfigError, Finding
from warmplan.limits import MAX_DEPTH

DELETE = "_delete_"
#: key -> (file, line, col)
Places = dict[KeyPath, tuple[str | None, int, int]]


def resolve(source: Source) -> Source:
    """``source`` with its bases merged in (``source`` itself if it has none)."""
    if not isinstance(source.data, dict) or "_base_" not in source.data:
        return source
    data, places = _resolved(source, [])
    positions = {key: (line, col) for key, (_, line, col) in places.items()}
    files = {key: path for key, (path, _, _) in places.items() if path != source.path and path}
    return Source(
        data=data, path=source.path, positions=positions, files=files, syntax=source.syntax
    )


def _error(path: str | None, place: tuple[int, int] | None, message: str, code: str) -> ConfigError:
    line, col = place if place else (None, None)
    return ConfigError([Finding(code, message, path=path, line=line, col=col)])


def _resolved(source: Source, chain: list[Path]) -> tuple[dict[str, Any], Places]:
    data = dict(source.data) if isinstance(source.data, dict) else {}
    places: Places = {k: (source.path, *p) for k, p in source.positions.items()}
    bases = data.pop("_base_", None)
    places = {k: v for k, v in places.items() if k[:1] != ("_base_",)}
    if bases is None:
        return data, places
    merged, merged_places = _read_bases(source, bases, chain)
    data = _substitute(source, data, merged)
    return _merge(source, data, places, merged, merged_places)


def _read_bases(source: Source, bases: Any, chain: list[Path]) -> tuple[dict[str, Any], Places]:
    names = [bases] if isinstance(bases, str) else bases
    where = source.positions.get(("_base_",))
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _error(
            source.path, where, "_base_ must be a file name or a list of them", errors.BAD_VALUE
        )
    here = Path(source.path).resolve() if source.path else Path("<config>")
    chain = [*chain, here]
    if len(chain) > MAX_DEPTH:
        raise _error(
            source.path, where, f"_base_ files nest more than {MAX_DEPTH} deep", errors.TOO_LARGE
        )
    merged: dict[str, Any] = {}
    merged_places: Places = {}
    owner: dict[str, str] = {}
    for index, name in enumerate(names):
        at = source.positions.get(("_base_", index), where) if isinstance(bases, list) else where
        base = _read_base(source, name, at, chain)
        data, places = _resolved(base, chain)
        for key in data:
            if key in merged:
                raise _error(
                    source.path,
                    at,
                    f"{key} is in two bases, {owner[key]} and {name}: mmengine refuses a "
                    "key shared by bases (Duplicate key is not allowed among bases)",
                    errors.DUPLICATE_KEY,
                )
            owner[key] = name
        merged.update(data)
        merged_places.update(places)
    return merged, merged_places


def _read_base(source: Source, name: str, at: Any, chain: list[Path]) -> Source:
    if "::" in name:
        raise _error(
            source.path,
            at,
            f"_base_ {name!r} names a file inside an installed package ({name.split('::')[0]}); "
            "warmplan reads files beside this one: copy it here or give its path",
            errors.UNREADABLE,
        )
    folder = Path(source.path).parent if source.path else Path()
    path = folder / name
    if path.resolve() in chain:
        loop = " -> ".join([*(p.name for p in chain[chain.index(path.resolve()) :]), path.name])
        raise _error(source.path, at, f"_base_ {name} includes itself: {loop}", errors.INCONSISTENT)
    if not path.is_file():
        raise _error(source.path, at, f"_base_ {name}: no such file ({path})", errors.UNREADABLE)
    return read_config(path)


def _substitute(source: Source, value: Any, bases: dict[str, Any]) -> Any:
    """``{{_base_.a.b}}`` -> the value of ``a.b`` in the merged bases."""
    if isinstance(value, BaseReference):
        node: Any = bases
        for depth, key in enumerate(value.keys):
            if not isinstance(node, dict) or key not in node:
                shown = dotted_key(value.keys[: depth + 1])
                raise _error(
                    source.path,
                    (value.line, value.col),
                    f"{value}: the bases have no {shown}",
                    errors.MISSING_KEY,
                )
            node = node[key]
        return copy.deepcopy(node)
    if isinstance(value, dict):
        return {k: _substitute(source, v, bases) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(source, v, bases) for v in value]
    return value


def _merge(
    source: Source, child: dict[str, Any], places: Places, base: dict[str, Any], base_places: Places
) -> tuple[dict[str, Any], Places]:
    """Config._merge_a_into_b(child, base), keeping every key's place."""
    merged_places = dict(base_places)
    merged = _merge_into(source, child, places, base, merged_places, ())
    return merged, merged_places


def _merge_into(
    source: Source,
    child: dict[str, Any],
    places: Places,
    base: dict[str, Any],
    out: Places,
    key: KeyPath,
) -> dict[str, Any]:
    result = dict(base)
    for name, value in child.items():
        here = (*key, name)
        if here in places:
            out[here] = places[here]
        if isinstance(value, dict) and name in result and not value.get(DELETE, False):
            if not isinstance(result[name], dict):
                raise _error(
                    source.path,
                    source.positions.get(here),
                    f"{dotted_key(here)} is a dict here but {_kind(result[name])} in its base: "
                    f"mmengine raises TypeError; write {DELETE}=True in it to replace the base's",
                    errors.INCONSISTENT,
                )
            value = {k: v for k, v in value.items() if k != DELETE}
            result[name] = _merge_into(source, value, places, result[name], out, here)
            continue
        for stale in [k for k in out if len(k) > len(here) and k[: len(here)] == here]:
            del out[stale]
        for inner, place in places.items():
            if len(inner) > len(here) and inner[: len(here)] == here and DELETE not in inner:
                out[inner] = place
        result[name] = _without_delete(value)
    return result


def _without_delete(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_delete(v) for k, v in value.items() if k != DELETE}
    if isinstance(value, list):
        return [_without_delete(v) for v in value]
    return value


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"

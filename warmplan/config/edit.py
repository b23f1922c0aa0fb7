"""Setting one value in a plan's own text, leaving every other character as it was.

`check --fix` rewrites files people keep in git, with their comments, key order,
quoting and layout. A YAML dump would lose all of that, so the edit is made in the
text: the document is composed (as it was for loading), the value at the key path is
found with its character span, and only that span changes. Four edits cover the
fixes the rules give:

- a scalar or a flow value (``20``, ``[30, 60, 80]``, ``{epochs: 3}``) -> the new
  value written in flow style (JSON's, in a JSON file);
- a list -> the same items in another order: each item's own text moves, so ``+30``
  stays as written (in a block list with its line's comment);
- a value -> ``{epochs: <the value>}``: a flow value is wrapped as written; before a
  block list a line ``epochs:`` is inserted at the items' indentation, which YAML
  reads as a mapping whose key holds the (indentless) list; a list already at its
  key's column (PyYAML's layout) moves two columns right, under the new key;
- a key renamed, its quotes kept (``length`` -> ``epochs``).

Anything else (a block mapping replaced, an anchored or aliased value, a key that
is not in the file) raises :class:`NotEditable` with the reason.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from warmplan.config.source import KeyPath, dotted_key, looks_like_json
from warmplan.limits import MAX_NODES

#: one change of the text: characters [start, end) become ``text``
Edit = tuple[int, int, str]


class NotEditable(Exception):
    """The value cannot be changed by editing its text alone (the message says why)."""


def set_value(text: str, keypath: KeyPath, value: Any, rename: str | None = None) -> str:
    """``text`` with ``keypath`` set to ``value`` (and its key renamed to ``rename``)."""
    syntax = "json" if looks_like_json(text) else "yaml"
    root, loader = _compose(text, syntax)
    try:
        key_node, node = _find(root, keypath)
        _refuse_shared(text, root, node, keypath)
        old = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    edits: list[Edit] = []
    if rename is not None:
        if key_node is None:
            raise NotEditable(f"{dotted_key(keypath)} is a list item, not a key to rename")
        edits.append(_rename(text, key_node, rename))
    if not _same(old, value):
        edits += _value_edits(text, key_node, node, old, value, syntax)
    if not edits:
        raise NotEditable(f"{dotted_key(keypath)} already has that value")
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _compose(text: str, syntax: str) -> tuple[Any, Any]:
    import yaml

    from warmplan.config.yaml import PlanLoader, TooDeep

    # as parse_yaml reads JSON: a tab is a space there (same length: spans stay right)
    try:
        loader = PlanLoader(text.replace("\t", " ") if syntax == "json" else text)
    except yaml.YAMLError:
        raise NotEditable("the file does not parse") from None
    try:
        return loader.get_single_node(), loader
    except (yaml.YAMLError, TooDeep):
        loader.dispose()
        raise NotEditable("the file does not parse") from None


def _find(root: Any, keypath: KeyPath) -> tuple[Any, Any]:
    """(key node or None for a list item, value node) at ``keypath``."""
    import yaml

    key_node, node = None, root
    for depth, part in enumerate(keypath):
        where = dotted_key(keypath[: depth + 1])
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
            found = next(((k, v) for k, v in pairs if k.value == part), None)
            if found is None:
                raise NotEditable(f"{where} is not written in the file")
            key_node, node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                raise NotEditable(f"{where} is not written in the file")
            key_node, node = None, node.value[part]
        else:
            raise NotEditable(f"{where} is not written in the file")
    return key_node, node


def _walk(node: Any) -> Iterator[Any]:
    """Every node below ``node``, a shared (aliased) one once per reference."""
    import yaml

    yield node
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)
    elif isinstance(node, yaml.MappingNode):
        for key, item in node.value:
            yield key
            yield from _walk(item)


def _refuse_shared(text: str, root: Any, node: Any, keypath: KeyPath) -> None:
    """An anchored value (``&h 20``) or an alias (``*h``): editing it edits every key
    that shares it, or removes the anchor, so it is left to the user."""
    inside = {id(n) for n in _walk(node)}
    uses: Counter[int] = Counter()
    for count, seen in enumerate(_walk(root)):
        if count > MAX_NODES:  # loading refused larger documents already
            raise NotEditable("the file has too many values to edit")
        if id(seen) in inside:
            uses[id(seen)] += 1
    if any(n > 1 for n in uses.values()) or text[node.start_mark.index] in "&*!":
        raise NotEditable(f"{dotted_key(keypath)} is an anchored, aliased or tagged value")


def _as_data(value: Any) -> str:
    """A value compared as data: 30 and 30.0 alike (a plan's epochs are floats), but
    booleans apart from numbers (``True == 1`` in Python)."""

    def plain(v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        if isinstance(v, list):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        return v

    return json.dumps(plain(value), sort_keys=True)


def _same(old: Any, new: Any) -> bool:
    return _as_data(old) == _as_data(new)


def _span(node: Any) -> tuple[int, int]:
    return node.start_mark.index, node.end_mark.index


def _value_edits(
    text: str, key_node: Any, node: Any, old: Any, value: Any, syntax: str
) -> list[Edit]:
    import yaml

    if isinstance(old, list) and isinstance(value, list) and _is_reordering(old, value):
        return _reorder(text, node, old, value)
    if isinstance(value, dict) and len(value) == 1 and _same(next(iter(value.values())), old):
        return [_nest(text, node, key_node, next(iter(value)), syntax)]
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        start, end = _span(node)
        return [(start, end, flow(value, syntax))]
    raise NotEditable("the value is a block list or mapping; it is not rewritten in place")


def _is_reordering(old: list[Any], new: list[Any]) -> bool:
    return Counter(map(_as_data, old)) == Counter(map(_as_data, new))


def _reorder(text: str, node: Any, old: list[Any], value: list[Any]) -> list[Edit]:
    """Each item's own text moved to where the new order puts its value; in a block
    list with its comment (``- 80  # the last drop`` is about 80, wherever it goes)."""
    import yaml

    if not all(isinstance(item, yaml.ScalarNode) for item in node.value):
        raise NotEditable("the list holds lists or mappings; it is not reordered in place")
    spans = [_item_span(text, item, block=not node.flow_style) for item in node.value]
    written: dict[str, list[str]] = {}
    for (start, end), data in zip(spans, old, strict=True):
        written.setdefault(_as_data(data), []).append(text[start:end])
    return [
        (start, end, written[_as_data(data)].pop(0))
        for (start, end), data in zip(spans, value, strict=True)
    ]


def _item_span(text: str, item: Any, block: bool) -> tuple[int, int]:
    """An item's characters; a block item's up to its line's end (its comment too)."""
    start, end = _span(item)
    if not block:
        return start, end
    if item.end_mark.line != item.start_mark.line:
        raise NotEditable("a list item runs over several lines; it is not reordered in place")
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return start, line_end - 1 if text[line_end - 1 : line_end] == "\r" else line_end


def _nest(text: str, node: Any, key_node: Any, key: str, syntax: str) -> Edit:
    """The value moved under ``key``, its text kept."""
    import yaml

    start, end = _span(node)
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        name = json.dumps(key) if syntax == "json" else key
        return (start, end, "{" + name + ": " + text[start:end] + "}")
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    if not isinstance(node, yaml.SequenceNode) or indent.strip(" "):
        raise NotEditable("the value is a block mapping; it is not rewritten in place")
    newline = "\r\n" if text[:line_start].endswith("\r\n") else "\n"
    if key_node is None or node.start_mark.column > key_node.start_mark.column:
        return (start, start, f"{key}:{newline}{indent}")
    # an indentless list, at its key's column (`milestones:` then `- 30`, as PyYAML
    # writes lists): a key there would be the parent's, so the list's lines move two
    # columns right, under the new key
    last = node.value[-1].end_mark.index
    line_end = text.find("\n", last)
    line_end = len(text) if line_end < 0 else line_end
    lines = text[line_start:line_end].splitlines(keepends=True)
    shifted = "".join("  " + line if line.strip() else line for line in lines)
    return (line_start, line_end, f"{indent}  {key}:{newline}{shifted}")


def _rename(text: str, key_node: Any, name: str) -> Edit:
    start, end = _span(key_node)
    quote = text[start] if text[start] in "'\"" else ""
    return (start, end, f"{quote}{name}{quote}")


#: plain words YAML reads as something other than text
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


def flow(value: Any, syntax: str = "yaml") -> str:
    """``value`` in flow style: ``{epochs: [30, 60, 80]}`` (JSON: keys quoted)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        plain = value.isidentifier() and value.lower() not in _YAML_WORDS
        return value if plain and syntax == "yaml" else json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow(v, syntax) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{flow(str(k), syntax)}: {flow(v, syntax)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no flow form for {type(value).__name__}")

"""Reading a plan's YAML into plain data, remembering where every key stands.

PyYAML's safe loader would lose the positions and silently keep the last of two
duplicate keys, so the node tree is walked here: each mapping key and list item gets
its 1-based ``line:col``, duplicates are refused, and alias expansion and nesting are
bounded (a config is untrusted data: loading one never runs code and never explodes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmplan import errors
from warmplan.errors import ConfigError, Finding
from warmplan.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

KeyPath = tuple[str | int, ...]


@dataclass
class Source:
    """A plan's raw data and where each of its keys came from."""

    data: Any
    path: str | None = None  # None for a plan given as a dict or by flags alone
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    #: keys whose position is in another file than ``path`` (a config's ``_base_``)
    files: dict[KeyPath, str] = field(default_factory=dict)
    #: keys set from the command line -> the flag that set them
    from_flags: dict[KeyPath, str] = field(default_factory=dict)
    #: keys set by a flag that the file also set: (key, flag, file line)
    overridden: list[tuple[KeyPath, str, int | None]] = field(default_factory=list)
    #: "yaml", "json" (JSON text is read as the YAML it is, to keep positions) or
    #: "python" (a config of mmengine or nanoGPT, read as literals)
    syntax: str = "yaml"
    #: plain scalars this loader reads as numbers but PyYAML's YAML 1.1 reads as text
    #: (``1e-3``): key -> the text; the tools that read YAML with PyYAML see strings
    loose_numbers: dict[KeyPath, str] = field(default_factory=dict)
    #: the format the file was written in (another tool's config is read by a reader
    #: in :mod:`warmplan.formats`), the run-time facts it used, and its notes/warnings
    format: str = "warmplan"
    #: a launch script's flags whose value names a variable the script never sets
    #: (key -> the variable): an error only where a reader needs the value
    unresolved: dict[KeyPath, str] = field(default_factory=dict)
    facts: dict[str, int | str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def locate(self, key: KeyPath) -> dict[str, Any]:
        """``path``/``line``/``col``/``key`` of a finding about ``key``.

        Falls back to the nearest enclosing key that has a position, so a missing
        key points at the block that should hold it.
        """
        dotted = dotted_key(key)
        for end in range(len(key), -1, -1):
            prefix = key[:end]
            if prefix in self.from_flags:
                return {"path": errors.COMMAND_LINE, "key": dotted}
            if prefix in self.positions:
                line, col = self.positions[prefix]
                path = self.files.get(prefix, self.path)
                return {"path": path, "line": line, "col": col, "key": dotted}
        first = 1 if self.path else None  # the whole file: its first line
        return {"path": self.path, "line": first, "col": first, "key": dotted}

    def finding(self, code: str, key: KeyPath, message: str, **kw: Any) -> Finding:
        return Finding(code=code, message=message, **self.locate(key), **kw)


def dotted_key(key: KeyPath) -> str:
    """``("optimizer", "groups", 1, "lr")`` -> ``optimizer.groups[1].lr``."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_source(path: str | Path) -> Source:
    """Read and parse a YAML plan file; raise ConfigError pointing at what is wrong.
    (:func:`warmplan.config.pyliteral.read_config` reads Python configs too.)"""
    shown = str(path)
    text = read_text(Path(path), shown)
    return parse_yaml(text, shown)


def _fail(
    code: str,
    message: str,
    path: str | None,
    line: int | None = None,
    col: int | None = None,
    key: str | None = None,
) -> ConfigError:
    return ConfigError([Finding(code, message, path=path, line=line, col=col, key=key)])


def read_text(path: Path, shown: str) -> str:
    """A config file's text, refused (one located line) if it cannot be a config's."""
    try:
        if path.is_dir():
            raise _fail(errors.UNREADABLE, "is a folder, not a plan file", shown)
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(errors.UNREADABLE, "no such file", shown) from None
    except PermissionError:
        raise _fail(errors.UNREADABLE, "permission denied", shown) from None
    except OSError as exc:
        raise _fail(errors.UNREADABLE, f"cannot read: {exc.strerror or exc}", shown) from None
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(errors.TOO_LARGE, f"larger than {MAX_FILE_BYTES:,} bytes; not a plan", shown)
    if b"\x00" in raw:
        raise _fail(errors.UNREADABLE, "is a binary file, not YAML text", shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return_msg = f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        raise _fail(errors.UNREADABLE, return_msg, shown, line, col) from None


def parse_yaml(text: str, path: str | None = None) -> Source:
    """Parse YAML (or JSON) text into a Source (data + key positions)."""
    import yaml

    syntax = "yaml"
    if looks_like_json(text):
        _check_json(text, path)
        syntax = "json"
        # outside its strings (where a raw tab is invalid JSON) a tab is a space to
        # JSON, but PyYAML refuses it: same length, so columns stay right
        text = text.replace("\t", " ")
    node, loader = _compose(text, path)
    try:
        if node is None:
            raise _fail(errors.NOT_A_MAPPING, "empty file; a plan is a YAML mapping", path, 1, 1)
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            raise _fail(
                errors.NOT_A_MAPPING,
                f"the plan is {kind}; it must be a mapping of keys",
                path,
                line,
                col,
            )
        source = Source(data=None, path=path, syntax=syntax)
        builder = _NodeBuilder(loader, source)
        source.data = builder.build(node, (), 0)
        return source
    finally:
        loader.dispose()


def _check_json(text: str, path: str | None) -> None:
    """Raise JSON's own syntax error (line:col): PyYAML would word it as YAML's."""
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {one_line(exc.msg)}"
        raise _fail(errors.YAML_SYNTAX, message, path, exc.lineno, exc.colno) from None
    except (ValueError, RecursionError) as exc:  # 10**5000 digits; deeper than Python goes
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deep"
        line = col = None
        if "integer string conversion" in reason:
            digits = re.search(r"\d{4000,}", text)
            if digits:
                line, col = _line_col(text, digits.start())
                reason = f"a whole number of {len(digits.group()):,} digits is too long to read"
        message = f"invalid JSON: {one_line(reason)}"
        raise _fail(errors.YAML_SYNTAX, message, path, line, col) from None


def looks_like_json(text: str) -> bool:
    """A document that opens as JSON does: ``[``, or ``{`` then a quoted key (YAML flow
    plans write ``{lr: 1e-3}``; a JSON file's first key is always double-quoted)."""
    head = text.lstrip()
    return head[:1] == "[" or (head[:1] == "{" and head[1:].lstrip()[:1] in ('"', "}"))


def _compose(text: str, path: str | None) -> tuple[Any, Any]:
    """The document's node tree (aliases still shared, so composing is cheap)."""
    import yaml

    from warmplan.config.yaml import PlanLoader, TooDeep

    try:
        loader = PlanLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character in the text
        line, col = _line_col(text, exc.position)
        message = f"invalid YAML: unacceptable character #x{exc.character:04x}"
        raise _fail(errors.YAML_SYNTAX, message, path, line, col) from None
    try:
        return loader.get_single_node(), loader
    except TooDeep as exc:
        loader.dispose()
        message = f"nested more than {MAX_DEPTH} levels deep; not a plan"
        raise _fail(errors.TOO_LARGE, message, path, exc.line, exc.col) from None
    except yaml.MarkedYAMLError as exc:
        loader.dispose()
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)  # type: ignore[assignment]
        message = f"invalid YAML: {_yaml_problem(exc)}"
        raise _fail(errors.YAML_SYNTAX, message, path, line, col) from None
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _fail(errors.YAML_SYNTAX, f"invalid YAML: {one_line(str(exc))}", path) from None


def _yaml_problem(exc: Any) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    if problem == "second occurrence" and exc.context:  # a duplicate anchor
        return one_line(f"{exc.context.split(';')[0]} (first on line {exc.context_mark.line + 1})")
    if "'\\t'" in problem:  # PyYAML quotes the tab it found as '\t'
        return "tab character; YAML indents with spaces only"
    return one_line(problem)


def one_line(text: str) -> str:
    """Text made safe for a one-line message: no line breaks or control characters."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split()))


def _line_col(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


_YAML_TAG = "tag:yaml.org,2002:"
_MAP_TAG, _SEQ_TAG = _YAML_TAG + "map", _YAML_TAG + "seq"
_SCALAR_TAGS = tuple(
    _YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)


def is_plain_text(text: str) -> bool:
    """No control, format (bidi overrides), separator or surrogate characters."""
    import unicodedata

    return not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


_KEEPS_ONE = {"yaml": "YAML keeps only one of them", "json": "JSON readers keep only one of them"}


def _yaml11_text(text: str) -> bool:
    """Whether PyYAML's own safe loader (YAML 1.1) reads plain ``text`` as a string."""
    import yaml

    table = yaml.SafeLoader.yaml_implicit_resolvers
    resolvers = table.get(text[:1], []) + table.get(None, [])
    return not any(regexp.match(text) for _, regexp in resolvers)


class _NodeBuilder:
    """Turns a composed YAML node tree into plain Python data, recording positions."""

    def __init__(self, loader: Any, source: Source) -> None:
        self.loader = loader
        self.source = source
        self.nodes = 0

    def _error(self, code: str, node: Any, key: KeyPath, message: str) -> ConfigError:
        mark = node.start_mark
        return _fail(
            code, message, self.source.path, mark.line + 1, mark.column + 1, dotted_key(key) or None
        )

    def build(self, node: Any, key: KeyPath, depth: int) -> Any:
        import yaml

        self.nodes += 1
        if self.nodes > MAX_NODES:
            # aliases share one node, marked where its anchor stands: point instead
            # at the top-level key whose value grew too large
            line, col = self.source.positions.get(key[:1], (None, None))
            message = f"more than {MAX_NODES:,} values (after expanding aliases); not a plan"
            raise _fail(errors.TOO_LARGE, message, self.source.path, line, col, dotted_key(key[:1]))
        if depth > MAX_DEPTH:
            raise self._error(
                errors.TOO_LARGE, node, key, f"nested more than {MAX_DEPTH} levels deep; not a plan"
            )
        allowed = _SCALAR_TAGS if isinstance(node, yaml.ScalarNode) else (_MAP_TAG, _SEQ_TAG)
        if node.tag not in allowed:  # !!set, !!omap, !custom, !!python/...: not plan data
            tag = one_line(node.tag.replace(_YAML_TAG, "!!"))
            message = f"YAML tag {tag} is not allowed in plans"
            raise self._error(errors.YAML_SYNTAX, node, key, message)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, key)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key, depth)
        items = []
        for index, item in enumerate(node.value):
            self._remember((*key, index), item)
            items.append(self.build(item, (*key, index), depth + 1))
        return items

    def _scalar(self, node: Any, key: KeyPath) -> Any:
        import yaml

        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            message = f"invalid value: {one_line(exc.problem or str(exc))}"
            raise self._error(errors.YAML_SYNTAX, node, key, message) from None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:  # `!!float x`
            shown = (
                node.value if len(node.value) <= 40 else f"{node.value[:20]}...{node.value[-10:]}"
            )
            reason = str(exc)
            if "integer string conversion" in reason:  # Python's 4300-digit guard
                digits = sum(c.isdigit() for c in node.value)
                reason = f"a whole number of {digits:,} digits is too long to read"
            message = f"invalid value {one_line(shown)!r}: {one_line(reason)}"
            raise self._error(errors.YAML_SYNTAX, node, key, message) from None
        if (
            isinstance(value, float)
            and node.style is None
            and self.source.syntax == "yaml"
            and _yaml11_text(node.value)
        ):
            self.source.loose_numbers[key] = node.value
        if isinstance(value, str) and not is_plain_text(value):
            # Escapes ("\e[31m", "\n", "\ud800") would reach terminals and CI logs.
            message = f"control or unpaired characters are not allowed in text: {value!r}"
            raise self._error(errors.BAD_VALUE, node, key, message)
        return value

    def _mapping(self, node: Any, key: KeyPath, depth: int) -> dict[str, Any]:
        import yaml

        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self._error(
                    errors.YAML_SYNTAX, key_node, key, "merge keys (<<) are not supported in plans"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._error(errors.NOT_A_MAPPING, key_node, key, "a key must be a plain name")
            name = str(self._scalar(key_node, key))
            child = (*key, name)
            if name in result:
                first = self.source.positions[child][0]
                raise self._error(
                    errors.DUPLICATE_KEY,
                    key_node,
                    child,
                    f"duplicate key {dotted_key(child)} (first given on line "
                    f"{first}); {_KEEPS_ONE[self.source.syntax]}",
                )
            self._remember(child, key_node)
            result[name] = self.build(value_node, child, depth + 1)
        return result

    def _remember(self, key: KeyPath, node: Any) -> None:
        mark = node.start_mark
        self.source.positions[key] = (mark.line + 1, mark.column + 1)

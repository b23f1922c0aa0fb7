"""The expressions of a Python config read as data (see :mod:`warmplan.config.pyliteral`):
literals, ``dict(...)``, names bound above, arithmetic on numbers, ``+`` of text or
lists, and mmengine's ``{{_base_.key}}``; each key's position recorded as it is read,
and every value counted and bounded (a config is untrusted data)."""

from __future__ import annotations

import ast
import copy
import math
import operator
from dataclasses import dataclass
from typing import Any

from warmplan import errors
from warmplan.config.source import KeyPath, Source, is_plain_text
from warmplan.errors import ConfigError, Finding
from warmplan.limits import MAX_DEPTH, MAX_NODES, MAX_WHOLE

#: the longest text a ``+`` or a literal may build (a config's paths and names)
MAX_TEXT = 10_000
#: numbers beyond this are not a config's (10**400 would overflow the arithmetic)
MAX_MAGNITUDE = float(MAX_WHOLE) ** 2


@dataclass(frozen=True)
class BaseReference:
    """mmengine's ``{{_base_.a.b}}``: the value of key ``a.b`` of the merged bases."""

    keys: tuple[str, ...]
    line: int
    col: int

    def __str__(self) -> str:
        return "{{_base_." + ".".join(self.keys) + "}}"


_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


#: where the right operand of ``+`` is read before its items are renumbered
_RIGHT = "<right>"
_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}


def fail(
    code: str, message: str, path: str | None, line: int | None = None, col: int | None = None
) -> ConfigError:
    return ConfigError([Finding(code, message, path=path, line=line, col=col)])


def what_of(node: ast.AST) -> str:
    """A construct in words, for 'X is not a literal' messages."""
    words = {
        ast.Import: "an import",
        ast.ImportFrom: "an import",
        ast.FunctionDef: "a function definition",
        ast.AsyncFunctionDef: "a function definition",
        ast.ClassDef: "a class definition",
        ast.For: "a for loop",
        ast.While: "a while loop",
        ast.If: "an if statement",
        ast.With: "a with block",
        ast.Try: "a try block",
        ast.Delete: "a del statement",
        ast.AugAssign: "an augmented assignment",
        ast.Lambda: "a lambda",
        ast.ListComp: "a list comprehension",
        ast.DictComp: "a dict comprehension",
        ast.SetComp: "a set comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.Attribute: "an attribute",
        ast.Subscript: "a subscript",
        ast.JoinedStr: "an f-string",
        ast.IfExp: "a conditional expression",
        ast.Compare: "a comparison",
        ast.BoolOp: "a boolean operator",
        ast.Set: "a set",
        ast.Tuple: "a tuple",
        ast.List: "a list",
        ast.Starred: "a starred expression",
        ast.NamedExpr: "an assignment expression",
        ast.Await: "an await",
        ast.Yield: "a yield",
    }
    return words.get(type(node), f"{type(node).__name__} syntax")


class Expressions:
    """Reads the expressions of one file into ``source``; ``names`` are its module-level
    assignments so far."""

    def __init__(self, source: Source, text: str) -> None:
        self.source = source
        self.lines = text.splitlines()
        self.nodes = 0
        #: the keys recorded under each top-level name (so rebinding one is cheap)
        self.keys_of: dict[str | int, set[KeyPath]] = {}

    def record(self, key: KeyPath, place: tuple[int, int]) -> None:
        self.source.positions[key] = place
        self.keys_of.setdefault(key[0], set()).add(key)

    def under(self, prefix: KeyPath) -> list[KeyPath]:
        """The recorded keys inside ``prefix`` (not ``prefix`` itself)."""
        return [
            k
            for k in self.keys_of.get(prefix[0], ())
            if len(k) > len(prefix) and k[: len(prefix)] == prefix
        ]

    @property
    def names(self) -> dict[str, Any]:
        return self.source.data

    def place(self, node: ast.AST) -> tuple[int, int]:
        """1-based line and column in characters (ast's offsets count UTF-8 bytes)."""
        line, offset = node.lineno, node.col_offset  # type: ignore[attr-defined]
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return line, len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1

    def error(self, node: ast.AST, message: str, code: str = errors.YAML_SYNTAX) -> ConfigError:
        line, col = self.place(node)
        return fail(code, message, self.source.path, line, col)

    def refuse(self, node: ast.AST, what: str | None = None) -> ConfigError:
        what = what or what_of(node)
        return self.error(
            node,
            f"{what} is not a literal: warmplan reads Python configs as data (values, "
            "lists, dicts, dict(...) and names bound above) and never runs them",
        )

    def _forget(self, prefix: KeyPath) -> None:
        """A name bound again: the old value's inner positions go with it."""
        for key in self.under(prefix):
            del self.source.positions[key]
            self.keys_of[prefix[0]].discard(key)

    def _copy_positions(self, origin: KeyPath, key: KeyPath) -> None:
        for k in self.under(origin):
            self.record((*key, *k[len(origin) :]), self.source.positions[k])

    # -- expressions ---------------------------------------------------------------

    def value(self, node: ast.expr, key: KeyPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(
                node, f"more than {MAX_NODES:,} values; not a config", code=errors.TOO_LARGE
            )
        if depth > MAX_DEPTH:
            message = f"nested more than {MAX_DEPTH} levels deep; not a config"
            raise self.error(node, message, code=errors.TOO_LARGE)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            return self.items(node.elts, key, depth)
        if isinstance(node, ast.Dict):
            return self.dict_literal(node, key, depth)
        if isinstance(node, ast.Call):
            return self.call(node, key, depth)
        if isinstance(node, ast.Name):
            return self.name(node, key)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, key, depth)
        if isinstance(node, ast.BinOp):
            return self.binary(node, key, depth)
        if isinstance(node, ast.Set):
            return self.base_reference(node)
        raise self.refuse(node)

    def constant(self, node: ast.Constant) -> Any:
        value = node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            return self.checked(node, value)
        raise self.refuse(node, f"a {type(value).__name__} constant")

    def checked(self, node: ast.AST, value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise self.error(node, f"text longer than {MAX_TEXT:,} characters; not a config")
            if not is_plain_text(value):
                message = f"control or unpaired characters are not allowed in text: {value!r}"
                raise self.error(node, message, code=errors.BAD_VALUE)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise self.error(node, f"the number is {value!r}; not a config's value")
            if abs(value) > MAX_MAGNITUDE:
                raise self.error(node, f"a number above {MAX_MAGNITUDE:.0e}; not a config's value")
        return value

    def items(self, elements: list[ast.expr], key: KeyPath, depth: int) -> list[Any]:
        values = []
        for index, element in enumerate(elements):
            self.record((*key, index), self.place(element))
            values.append(self.value(element, (*key, index), depth + 1))
        return values

    def dict_literal(self, node: ast.Dict, key: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name_node, value_node in zip(node.keys, node.values, strict=True):
            if name_node is None:
                raise self.refuse(value_node, "a ** unpacking")
            if not (isinstance(name_node, ast.Constant) and isinstance(name_node.value, str)):
                raise self.error(name_node, "a dict key must be text (a quoted name)")
            self.entry(result, name_node.value, name_node, value_node, key, depth)
        return result

    def entry(
        self,
        result: dict[str, Any],
        name: str,
        name_node: ast.AST,
        value_node: ast.expr,
        key: KeyPath,
        depth: int,
    ) -> None:
        child = (*key, name)
        self.checked(name_node, name)
        if name in result:  # Python keeps the last of two equal keys
            self._forget(child)
        self.record(child, self.place(name_node))
        result[name] = self.value(value_node, child, depth + 1)

    def call(self, node: ast.Call, key: KeyPath, depth: int) -> dict[str, Any]:
        function = node.func
        if not (isinstance(function, ast.Name) and function.id == "dict"):
            shown = ast.unparse(function)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            raise self.refuse(node, f"a call of {shown}(...)")
        if node.args:
            raise self.refuse(node.args[0], "a positional argument of dict(...)")
        result: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.refuse(keyword.value, "a ** unpacking")
            self.entry(result, keyword.arg, keyword, keyword.value, key, depth)
        return result

    def name(self, node: ast.Name, key: KeyPath) -> Any:
        if node.id in ("True", "False", "None"):  # pragma: no cover - constants in 3.8+
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id not in self.names:
            raise self.error(
                node,
                f"name {node.id} is not bound above in this file (names of _base_ files "
                "are not visible here; mmengine writes {{_base_." + node.id + "}})",
                code=errors.BAD_VALUE,
            )
        self.count(node, self.names[node.id])
        self._copy_positions((node.id,), key)
        return copy.deepcopy(self.names[node.id])

    def unary(self, node: ast.UnaryOp, key: KeyPath, depth: int) -> Any:
        operand = self.value(node.operand, key, depth + 1)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            raise self.error(node, f"a sign in front of {_kind(operand)}")
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return +operand
        raise self.refuse(node, "a bitwise operator")

    def binary(self, node: ast.BinOp, key: KeyPath, depth: int) -> Any:
        kind = type(node.op)
        if kind not in _ARITHMETIC:
            raise self.refuse(node, "a bitwise operator")
        left = self.value(node.left, key, depth + 1)
        right = self.value(node.right, (*key, _RIGHT), depth + 1)
        numbers = all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)
        )
        same = type(left) is type(right) and isinstance(left, (str, list))
        if not numbers and not (same and kind is ast.Add):
            symbol = _SYMBOLS[kind]
            raise self.error(node, f"{_kind(left)} {symbol} {_kind(right)} is not arithmetic")
        if numbers and kind is ast.Pow:
            self._bounded_power(node, left, right)
        try:
            result = _ARITHMETIC[kind](left, right)
        except ZeroDivisionError:
            raise self.error(node, "division by zero", code=errors.BAD_VALUE) from None
        except OverflowError:
            raise self.error(node, "the arithmetic overflows; not a config's value") from None
        if isinstance(result, complex):
            raise self.error(node, "the arithmetic gives a complex number")
        self._move_right(key, len(left) if isinstance(result, list) else None)
        if isinstance(result, list):
            self.count(node, right)
        return self.checked(node, result)

    def _bounded_power(self, node: ast.AST, base: float, exponent: float) -> None:
        """Refuse ``9**9**9`` before Python spends minutes computing it."""
        if base in (0, 1, -1):
            return
        size = abs(exponent) * math.log10(abs(base)) if exponent > 0 else 0
        if size > math.log10(MAX_MAGNITUDE):
            raise self.error(node, f"a number above {MAX_MAGNITUDE:.0e}; not a config's value")

    def _move_right(self, key: KeyPath, shift: int | None) -> None:
        """``a + b`` of lists: the items of ``b`` now stand after those of ``a`` (and
        nothing of a number's right operand is kept)."""
        scratch = (*key, _RIGHT)
        for k in self.under(key):
            if k[: len(scratch)] != scratch:
                continue
            place = self.source.positions.pop(k)
            self.keys_of[key[0]].discard(k)
            rest = k[len(scratch) :]
            if shift is not None and rest and isinstance(rest[0], int):
                self.record((*key, rest[0] + shift, *rest[1:]), place)

    def count(self, node: ast.AST, value: Any) -> None:
        """Values a name or a ``+`` repeats count again: ``b = [a, a]`` twice is a bomb."""
        stack = [value]
        while stack:
            item = stack.pop()
            self.nodes += 1
            if self.nodes > MAX_NODES:
                message = f"more than {MAX_NODES:,} values; not a config"
                raise self.error(node, message, code=errors.TOO_LARGE)
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    def base_reference(self, node: ast.Set) -> BaseReference:
        """``{{_base_.a.b}}``: a set holding a set holding an attribute of _base_."""
        inner = node.elts[0] if len(node.elts) == 1 else None
        if isinstance(inner, ast.Set) and len(inner.elts) == 1:
            keys = _attribute_chain(inner.elts[0])
            if keys and keys[0] == "_base_" and len(keys) > 1:
                line, col = self.place(node)
                return BaseReference(tuple(keys[1:]), line, col)
        raise self.refuse(node)


def _attribute_chain(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    if value is None:
        return "None"
    return "a {{_base_}} reference"

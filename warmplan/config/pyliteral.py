"""Reading a Python config file (mmengine, nanoGPT) as literals, never running it.

The file is parsed with :mod:`ast`; only module-level assignments of data are taken:
numbers, text, ``True``/``False``/``None``, lists, tuples, dicts, ``dict(key=...)``
calls, names bound earlier in the same file, unary minus, arithmetic on numbers
(``5e-4 * 1024 / 512``), ``+`` of text or lists, and mmengine's ``{{_base_.key}}``
reference (kept as a :class:`BaseReference` for the mmengine reader to resolve).
Anything else (another call, an import, a comprehension, an attribute, a loop) is a
located error naming what it is: the file is the user's data, and reading it must
be as safe as reading YAML, bounded in size, depth and the size of numbers.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

from warmplan import errors
from warmplan.config.pyexpr import BaseReference, Expressions, fail, what_of
from warmplan.config.source import Source, read_source, read_text
from warmplan.limits import MAX_DEPTH

__all__ = ["BaseReference", "parse_python", "read_config"]

#: where a statement's value is read before it is bound to its name
_PENDING = "<value>"


def read_config(path: str | Path) -> Source:
    """A plan or config file: YAML/JSON, or a ``.py`` file (mmengine, nanoGPT) read
    as literals."""
    if Path(path).suffix != ".py":
        return read_source(path)
    shown = str(path)
    return parse_python(read_text(Path(path), shown), shown)


def parse_python(text: str, path: str | None = None) -> Source:
    """The module-level assignments of a Python config, with the position of each key."""
    source = Source(data={}, path=path, syntax="python")
    tree = _parse(text, path)
    reader = _LiteralReader(source, text)
    for statement in tree.body:
        reader.statement(statement)
    return source


def _parse(text: str, path: str | None) -> ast.Module:
    try:
        return ast.parse(text, filename=path or "<config>")
    except SyntaxError as exc:
        message = f"invalid Python: {exc.msg}"
        line = exc.lineno
        col = exc.offset if exc.offset and exc.offset > 0 else (1 if line else None)
        raise fail(errors.YAML_SYNTAX, message, path, line, col) from None
    except (RecursionError, MemoryError):
        message = f"nested more than {MAX_DEPTH} levels deep; not a config"
        raise fail(errors.TOO_LARGE, message, path) from None
    except ValueError as exc:  # a digit string past Python's conversion limit
        raise fail(errors.YAML_SYNTAX, f"invalid Python: {exc}", path) from None


class _LiteralReader(Expressions):
    """Reads the module-level statements of one file."""

    # -- statements ---------------------------------------------------------------

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            return  # a docstring
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.ImportFrom) and any(a.name == "read_base" for a in node.names):
            raise self.error(
                node,
                "from mmengine.config import read_base: mmengine's new-style (pure Python) "
                "config imports and runs its bases; warmplan reads the _base_ = [...] style, "
                "as data",
            )
        elif isinstance(node, ast.With) and _is_read_base(node):
            raise self.error(
                node,
                "with read_base(): mmengine's new-style (pure Python) config imports and "
                "runs its bases; warmplan reads the _base_ = [...] style, as data",
            )
        else:
            raise self.refuse(node, f"{what_of(node)} ({type(node).__name__})")
        for target in targets:
            if not isinstance(target, ast.Name):
                raise self.refuse(target, f"an assignment to {what_of(target)}")
        evaluated = self.value(value, (_PENDING,), 0)
        for target in targets:
            name = target.id  # type: ignore[attr-defined]
            self._forget((name,))
            self.record((name,), self.place(target))
            self._copy_positions((_PENDING,), (name,))
            self.names[name] = evaluated if target is targets[0] else copy.deepcopy(evaluated)
        self._forget((_PENDING,))


def _is_read_base(node: ast.With) -> bool:
    items = [item.context_expr for item in node.items]
    return any(
        isinstance(i, ast.Call)
        and getattr(i.func, "id", getattr(i.func, "attr", "")) == "read_base"
        for i in items
    )

"""A launch script (``train.sh``) read as data: the arguments of its training command.

Megatron-LM's examples start training with ``torchrun ... pretrain_gpt.py --lr 3e-4 ...``,
the arguments often gathered in arrays (``TRAINING_ARGS=( --lr 3e-4 ... )``, expanded as
``${TRAINING_ARGS[@]}``) or in variables set earlier (``LR=3e-4`` ... ``--lr $LR``). The
script is never run: it is split into words as the shell would (quotes, ``\\``
continuations, comments), simple assignments ``X=1`` / ``X=(a b)`` are remembered in
order, and ``$X`` / ``${X}`` / ``${X:-default}`` / ``${X[@]}`` are replaced by them.
The arguments after the first word ending in ``.py`` become the data: ``{"--lr": "3e-4"}``
(a flag without a value is ``True``), each at the line and column where it is written.
A variable the script never sets stays as written, in ``Source.unresolved``: an error
only if a reader needs that flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from warmplan import errors
from warmplan.config.source import Source, read_text
from warmplan.errors import ConfigError, Finding

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]")  # $1: the script's first argument
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_ENDS = {"\n", ";", "&", "|"}


@dataclass
class Word:
    """One shell word: literal text and variable references, where it starts."""

    line: int
    col: int
    parts: list[tuple[str, str, str | None]] = field(default_factory=list)  # (kind, text, default)
    array: list[Word] | None = None  # NAME=( ... )

    def literal(self) -> str:
        return "".join(text for kind, text, _ in self.parts if kind == "lit")


@dataclass
class _Value:
    text: str
    line: int
    col: int
    unresolved: str | None = None


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text, self.i, self.line, self.col = text, 0, 1, 1

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[j] if j < len(self.text) else ""

    def take(self) -> str:
        char = self.text[self.i]
        self.i += 1
        if char == "\n":
            self.line, self.col = self.line + 1, 1
        else:
            self.col += 1
        return char

    def commands(self) -> list[list[Word]]:
        commands: list[list[Word]] = [[]]
        while self.peek():
            char = self.peek()
            if char == "\\" and self.peek(1) == "\n":
                self.take(), self.take()
            elif char in " \t\r":
                self.take()
            elif char == "#":
                while self.peek() and self.peek() != "\n":
                    self.take()
            elif char in _ENDS or char in "()":
                self.take()
                if commands[-1]:
                    commands.append([])
            else:
                commands[-1].append(self.word())
        return [c for c in commands if c]

    def word(self) -> Word:
        word = Word(self.line, self.col)
        quote = ""
        while self.peek():
            char = self.peek()
            if not quote and (char in " \t\r" or char in _ENDS or char in "()"):
                if char == "(" and _ASSIGN.fullmatch(word.literal()) and _literal(word):
                    self.take()
                    word.array = self._array()
                    continue
                break
            if char == "\\" and quote != "'":
                self.take()
                nxt = self.take() if self.peek() else ""
                if nxt != "\n":
                    word.parts.append(("lit", nxt, None))
            elif char in "'\"" and (not quote or quote == char):
                self.take()
                quote = "" if quote else char
            elif char == "$" and quote != "'":
                self.take()
                word.parts.append(self._variable())
            else:
                word.parts.append(("lit", self.take(), None))
        return word

    def _variable(self) -> tuple[str, str, str | None]:
        if self.peek() == "{":
            self.take()
            inner = ""
            while self.peek() and self.peek() != "}":
                inner += self.take()
            if self.peek():
                self.take()
            name, _, default = inner.partition(":-")
            name = name.removesuffix("[@]").removesuffix("[*]")
            return ("var", name, default if ":-" in inner else None)
        match = _NAME.match(self.text, self.i)
        if not match:
            return ("lit", "$", None)
        for _ in match.group():
            self.take()
        return ("var", match.group(), None)

    def _array(self) -> list[Word]:
        items: list[Word] = []
        while self.peek() and self.peek() != ")":
            char = self.peek()
            if char in " \t\r\n" or (char == "\\" and self.peek(1) == "\n"):
                self.take()
            elif char == "#":
                while self.peek() and self.peek() != "\n":
                    self.take()
            else:
                items.append(self.word())
        if self.peek():
            self.take()
        return items


def _literal(word: Word) -> bool:
    return all(kind == "lit" for kind, _, _ in word.parts)


def _expand(word: Word, variables: dict[str, list[_Value]]) -> list[_Value]:
    """A word's values: one, or an array's elements (each at its own place)."""
    if len(word.parts) == 1 and word.parts[0][0] == "var" and word.parts[0][1] in variables:
        return variables[word.parts[0][1]]
    text, missing = "", None
    for kind, part, default in word.parts:
        if kind == "lit":
            text += part
        elif part in variables:
            text += " ".join(v.text for v in variables[part])
            missing = missing or next((v.unresolved for v in variables[part] if v.unresolved), None)
        elif default is not None:
            text += default
        else:
            text += "${" + part + "}"
            missing = missing or part
    return [_Value(text, word.line, word.col, missing)]


def read_shell(path: str | Path) -> Source:
    """A launch script file (``.sh``) read as its training command's arguments."""
    return parse_shell(read_text(Path(path), str(path)), str(path))


def parse_shell(text: str, path: str | None = None) -> Source:
    """The arguments of a launch script's training command, as a Source."""
    variables: dict[str, list[_Value]] = {}
    for command in _Lexer(text).commands():
        words = (
            command[1:] if command[0].literal() in ("export", "declare", "readonly") else command
        )
        assigns = [w for w in words if _ASSIGN.match(w.literal()) and w.parts[0][0] == "lit"]
        if assigns and len(assigns) == len(words):
            for word in words:
                _assign(word, variables)
            continue
        start = next((i for i, w in enumerate(words) if w.literal().endswith(".py")), None)
        if start is not None:
            values = [v for w in words[start + 1 :] for v in _expand(w, variables)]
            return _source(values, path)
    message = (
        "no training command found: warmplan reads the arguments after the script a line "
        "runs (torchrun ... pretrain_gpt.py --lr ...)"
    )
    raise ConfigError([Finding(errors.BAD_VALUE, message, path=path, line=1, col=1)])


def _assign(word: Word, variables: dict[str, list[_Value]]) -> None:
    name = _ASSIGN.match(word.literal()).group(1)  # type: ignore[union-attr]
    if word.array is not None:
        variables[name] = [v for item in word.array for v in _expand(item, variables)]
        return
    rest = Word(word.line, word.col, _drop_name(word.parts, len(name) + 1))
    variables[name] = _expand(rest, variables) if rest.parts else [_Value("", word.line, word.col)]


def _drop_name(parts: list[tuple[str, str, str | None]], count: int) -> list:
    kept = []
    for kind, text, default in parts:
        if count and kind == "lit":
            count -= 1
            continue
        kept.append((kind, text, default))
    return kept


def _source(values: list[_Value], path: str | None) -> Source:
    source = Source(data={}, path=path, syntax="shell")
    index = 0
    while index < len(values):
        value = values[index]
        index += 1
        if not value.text.startswith("--"):
            continue
        flag, equals, given = value.text.partition("=")
        if equals:
            argument = _Value(given, value.line, value.col, value.unresolved)
        elif index < len(values) and not values[index].text.startswith("--"):
            argument = values[index]
            index += 1
        else:
            argument = None
        key = (flag,)
        source.data[flag] = True if argument is None else argument.text
        source.positions[key] = (value.line, value.col)
        if argument is not None and argument.unresolved:
            source.unresolved[key] = argument.unresolved
        else:
            source.unresolved.pop(key, None)
    return source

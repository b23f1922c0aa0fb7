"""`check`'s settings from ``[tool.warmplan]`` in a pyproject.toml: where the file is
found, what the table may hold, and a located finding for everything it may not.

Found as ruff finds its own: from the current folder upward, the first pyproject.toml
that has a ``[tool.warmplan]`` table; the search stops at the root of the git repository
(the folder holding ``.git``), so a project never picks up the table of a folder above
it. ``--config PATH`` names the file instead, ``--isolated`` reads none. Globs
(``per-file-ignores``, ``per-file-facts``) are relative to the file's folder.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmplan import errors
from warmplan.errors import Finding
from warmplan.lint import selection, toml_keys
from warmplan.text import describe, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10 has no tomllib; tomli is the same parser, released apart
    import tomli as tomllib

TABLE = ("tool", "warmplan")
#: the facts a recipe leaves to run time, as pyproject spells them -> the plan's key
FACTS = {
    "dataset-size": "training.dataset_size",
    "world-size": "training.world_size",
    "steps": "training.steps",
    "steps-per-epoch": "training.steps_per_epoch",
    "global-batch-size": "training.global_batch_size",
    "sequence-length": "training.sequence_length",
    "interval": "training.interval",
}
#: the one fact that is a word, not a count
INTERVALS = ("step", "epoch")
KEYS = ("select", "ignore", "per-file-ignores", "strict", "max-steps", "per-file-facts")


@dataclass
class Settings:
    """What ``[tool.warmplan]`` says; None (or empty) for what it leaves to the flags."""

    path: str | None = None  # the file read; None: none
    root: Path = field(default_factory=Path.cwd)  # the folder its globs are relative to
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    strict: bool | None = None
    max_steps: int | None = None
    per_file_facts: dict[str, dict[str, int | str]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # what the table got wrong

    def ignored_in(self, path: str) -> set[str]:
        """The selectors of every per-file-ignores glob that matches ``path``."""
        return {
            code
            for pattern, codes in self.per_file_ignores.items()
            if selection.glob_matches(pattern, path, self.root)
            for code in codes
        }

    def facts_for(self, path: str) -> dict[str, int | str]:
        """Plan keys -> the run-time facts of every glob matching ``path``, in the order
        written (a later glob's value replaces an earlier one's)."""
        facts: dict[str, int | str] = {}
        for pattern, values in self.per_file_facts.items():
            if selection.glob_matches(pattern, path, self.root):
                facts.update({FACTS[name]: value for name, value in values.items()})
        return facts


def find(start: Path) -> Path | None:
    """The pyproject.toml that applies in ``start`` (see the module's doc), or None."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_table(candidate):
            return Path(os.path.relpath(candidate))  # shown as the user would write it
        if (folder / ".git").exists():
            return None
    return None


def _has_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        return isinstance(_table(tomllib.loads(text)), dict)
    except tomllib.TOMLDecodeError:
        return "tool.warmplan" in text  # broken, but meant for us: say what is wrong


def load(path: Path, known: set[str]) -> Settings:
    """The settings of ``path``'s ``[tool.warmplan]``; what it gets wrong is left out
    and reported in ``findings`` (``pyproject.toml:LINE:COL``), never raised."""
    settings = Settings(path=str(path), root=path.resolve().parent)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        table = _table(tomllib.loads(text))
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        settings.findings.append(Finding(errors.UNREADABLE, f"cannot read: {why}", path=shown))
        return settings
    except tomllib.TOMLDecodeError as exc:
        settings.findings.append(_syntax(shown, str(exc)))
        return settings
    _Reader(settings, text, known).read(table)
    return settings


def _table(document: dict[str, Any]) -> Any:
    """``[tool.warmplan]``, or None (a ``tool`` that is no table has none)."""
    tool = document.get("tool")
    return tool.get("warmplan") if isinstance(tool, dict) else None


def _syntax(path: str, message: str) -> Finding:
    place = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line, col = (int(place[1]), int(place[2])) if place else (None, None)
    why = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    return Finding(errors.YAML_SYNTAX, f"TOML syntax: {why}", path=path, line=line, col=col)


@dataclass
class _Reader:
    settings: Settings
    text: str
    known: set[str]

    def read(self, table: Any) -> None:
        if table is None:  # only --config names such a file: the search skips them
            self.bad((), "no [tool.warmplan] table in this file")
            return
        if not isinstance(table, dict):
            self.bad((), f"[tool.warmplan] must be a table, got {describe(table)}")
            return
        for key, value in table.items():
            if key not in KEYS:
                hint = did_you_mean(key, list(KEYS))
                self.report(errors.UNKNOWN_KEY, (key,), f"unknown key tool.warmplan.{key}{hint}")
                continue
            getattr(self, "_" + key.replace("-", "_"))(value)

    def _select(self, value: Any) -> None:
        codes = self.codes(("select",), value)
        if codes is not None:
            self.settings.select = codes

    def _ignore(self, value: Any) -> None:
        self.settings.ignore = self.codes(("ignore",), value) or []

    def _strict(self, value: Any) -> None:
        if isinstance(value, bool):
            self.settings.strict = value
        else:
            self.bad(("strict",), f"strict must be true or false, got {describe(value)}")

    def _max_steps(self, value: Any) -> None:
        if self.whole(("max-steps",), value):
            self.settings.max_steps = value

    def _per_file_ignores(self, value: Any) -> None:
        for pattern, codes in self.globs(("per-file-ignores",), value).items():
            listed = self.codes(("per-file-ignores", pattern), codes)
            if listed is not None:
                self.settings.per_file_ignores[pattern] = listed

    def _per_file_facts(self, value: Any) -> None:
        for pattern, facts in self.globs(("per-file-facts",), value).items():
            where = ("per-file-facts", pattern)
            if not isinstance(facts, dict):
                example = "{dataset-size = 50000, world-size = 8}"
                self.bad(where, f"{dotted_key(where)} must be a table such as {example}")
                continue
            kept: dict[str, int | str] = {}
            for name, fact in facts.items():
                if name not in FACTS:
                    hint = did_you_mean(name, list(FACTS))
                    known = ", ".join(FACTS)
                    message = f"unknown fact {name}{hint}; the facts are {known}"
                    self.report(errors.UNKNOWN_KEY, (*where, name), message)
                elif name == "interval":
                    if fact in INTERVALS:
                        kept[name] = fact
                    else:
                        got = describe(fact)
                        self.bad((*where, name), f"interval must be step or epoch, got {got}")
                elif self.whole((*where, name), fact):
                    kept[name] = fact
            self.settings.per_file_facts[pattern] = kept

    # -- the value checks ------------------------------------------------------------

    def codes(self, key: tuple[str, ...], value: Any) -> list[str] | None:
        dotted = dotted_key(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(key, f"{dotted} must be a list of rule codes, got {describe(value)}")
            return None
        kept = []
        for code in value:
            if selection.selects_any(code.strip().upper(), self.known):
                kept.append(code.strip().upper())
                continue
            hint = did_you_mean(code.strip().upper(), sorted(self.known))
            message = f"{dotted} lists {code}, which is no rule (nor a prefix of one){hint}"
            self.bad(key, message, item=code)
        return kept

    def globs(self, key: tuple[str, ...], value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.bad(key, f"{key[0]} must be a table of globs, got {describe(value)}")
        return {}

    def whole(self, key: tuple[str, ...], value: Any) -> bool:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return True
        self.bad(key, f"{key[-1]} must be a whole number of at least 1, got {describe(value)}")
        return False

    def bad(self, key: tuple[str, ...], message: str, item: str | None = None) -> None:
        self.report(errors.BAD_VALUE, key, message, item)

    def report(
        self, code: str, key: tuple[str, ...], message: str, item: str | None = None
    ) -> None:
        place = toml_keys.locate(self.text, TABLE + key)
        if place and item is not None:
            place = toml_keys.find_after(self.text, place, f'"{item}"') or place
        line, col = place if place else (None, None)
        dotted = dotted_key(TABLE + key)
        self.settings.findings.append(
            Finding(code, message, path=self.settings.path, line=line, col=col, key=dotted)
        )


def dotted_key(key: tuple[str, ...]) -> str:
    """A key path as TOML writes it: ``per-file-ignores."b/*.yaml"``."""
    return ".".join(k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else f'"{k}"' for k in key)

"""What every reader shares: the run-time facts, and the native plan it drafts.

A reader reads another tool's config (a :class:`~warmplan.config.source.Source`, with
the position of every key) and writes a native plan's data into a :class:`Draft`:
each value it puts is tied to the key of the original file it came from, so findings
about the plan (validation, `check`) point into the user's own file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from warmplan import errors
from warmplan.config.source import KeyPath, Source, dotted_key
from warmplan.errors import ConfigError, Finding
from warmplan.limits import MAX_WHOLE
from warmplan.text import describe

#: the plan keys the run-time flags set, and the fact each one is for a recipe
FACT_KEYS: dict[tuple[str | int, ...], str] = {
    ("training", "dataset_size"): "dataset_size",
    ("training", "world_size"): "world_size",
    ("training", "steps"): "steps",
    ("training", "steps_per_epoch"): "steps_per_epoch",
    ("training", "interval"): "interval",
    ("training", "global_batch_size"): "global_batch_size",
    ("training", "sequence_length"): "sequence_length",
}
FACT_FLAGS = {
    "dataset_size": "--dataset-size",
    "world_size": "--world-size",
    "steps": "--steps",
    "steps_per_epoch": "--steps-per-epoch",
    "interval": "--interval",
    "global_batch_size": "--global-batch-size",
    "sequence_length": "--sequence-length",
}
#: the facts of budgets in samples and tokens: only readers of other tools' configs take
#: them (a warmplan plan counts optimizer steps)
BATCH_FACTS = ("global_batch_size", "sequence_length")
#: the readers of formats that leave the scheduler's interval to Python code (Lightning's
#: configure_optimizers) take --interval as a fact; the others lay it over their plan
INTERVAL_FACT_FORMATS = ("lightning", "hydra")


@dataclass(frozen=True)
class Facts:
    """What a config leaves to run time: training examples, processes, total updates,
    optimizer updates per epoch (the dataloader's length over gradient accumulation),
    what one scheduler step is (``step`` or ``epoch``) where code decides it, and, for
    budgets in samples or tokens, the samples of one optimizer update over all
    processes and the tokens of one sample."""

    dataset_size: int | None = None
    world_size: int | None = None
    steps: int | None = None
    steps_per_epoch: int | None = None
    interval: str | None = None
    global_batch_size: int | None = None
    sequence_length: int | None = None

    @property
    def processes(self) -> int:
        return self.world_size or 1

    def used(self) -> dict[str, int | str]:
        return {k: v for k, v in vars(self).items() if v is not None}


class NeedsFact(ConfigError):
    """A config whose length depends on a run-time fact no flag gave. ``warnings``:
    the reader's other findings, which `check` still reports."""

    def __init__(self, finding: Finding, warnings: list[Finding]) -> None:
        super().__init__([finding])
        self.warnings = warnings

    def lines(self) -> list[str]:
        return [f.format() for f in self.warnings] + super().lines()


@dataclass
class Draft:
    """A native plan being written from ``recipe`` (the original file's Source)."""

    recipe: Source
    format: str
    facts: Facts
    data: dict[str, Any] = field(default_factory=dict)
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    files: dict[KeyPath, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def get(self, key: str, default: Any = None) -> Any:
        return self.recipe.data.get(key, default)

    def has(self, key: str) -> bool:
        return key in self.recipe.data

    def put(self, keypath: KeyPath, value: Any, origin: KeyPath | None = None) -> None:
        """Set ``keypath`` of the plan to ``value``, located at ``origin`` in the file."""
        node: Any = self.data
        for part in keypath[:-1]:
            node = node.setdefault(part, {})
        node[keypath[-1]] = value
        if origin is not None:
            self.locate(keypath, origin)

    def locate(self, keypath: KeyPath, origin: KeyPath) -> None:
        """Findings about ``keypath`` of the plan point at ``origin`` in the file."""
        found = self.origin(origin)
        if found is not None:
            self.positions[keypath] = self.recipe.positions[found]
            if found in self.recipe.files:
                self.files[keypath] = self.recipe.files[found]

    def place(self, origin: KeyPath) -> tuple[int, int] | None:
        found = self.origin(origin)
        return None if found is None else self.recipe.positions[found]

    def origin(self, origin: KeyPath) -> KeyPath | None:
        """The longest prefix of ``origin`` the original file has a position for."""
        for end in range(len(origin), 0, -1):
            if origin[:end] in self.recipe.positions:
                return origin[:end]
        return None

    def finding(self, code: str, origin: KeyPath, message: str, severity: str = "error") -> Finding:
        found = self.recipe.finding(code, origin, message, severity=severity)
        return found if found.key else found.at(key=dotted_key(origin) or None)

    def error(self, origin: KeyPath, message: str, code: str = errors.BAD_VALUE) -> None:
        self.problems.append(self.finding(code, origin, message))

    def warn(self, code: str, origin: KeyPath, message: str) -> None:
        self.findings.append(self.finding(code, origin, message, severity="warning"))

    def interpolated(
        self, value: Any, where: KeyPath, pattern: re.Pattern[str], missing: Any
    ) -> Any:
        """``${trainer.max_steps}`` (a text ``pattern`` matches whole, group 1 the dotted
        key) -> that key's value in this file, as OmegaConf resolves an absolute
        interpolation; ``missing``, with an error at ``where``, when the file has no
        such key; any other value as it is."""
        match = pattern.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            return value
        node: Any = self.recipe.data
        for part in match.group(1).split("."):
            if not isinstance(node, dict) or part not in node:
                unresolved = f"{value} names no key of this file (OmegaConf cannot resolve it)"
                self.error(where, unresolved)
                return missing
            node = node[part]
        return node

    def agreed(self, fact: str, where: KeyPath, value: int | None) -> int | None:
        """The run-time fact ``fact`` (a name of :class:`Facts`) of this run: the file's
        own ``value`` (at ``where``; None: the file has none), else the flag's. A flag
        that contradicts the file is an error at the key naming both: the run has one
        value, and warmplan cannot tell which (the file's, or an override of it)."""
        given = getattr(self.facts, fact)
        if value is None or given is None or given == value:
            return value if value is not None else given
        self.error(
            where,
            f"{dotted_key(where)} is {value:,} in this file but the command line's "
            f"{FACT_FLAGS[fact]} is {given:,}: give the run's value once (drop the flag, or "
            "change the file)",
        )
        return value

    def note(self, text: str) -> None:
        self.notes.append(text)

    def needs(self, origin: KeyPath, message: str) -> NeedsFact:
        return NeedsFact(self.finding(errors.NEEDS_FACT, origin, message), self.findings)

    def raise_problems(self) -> None:
        if self.problems:
            raise ConfigError(sorted(self.problems, key=lambda f: (f.line or 0, f.col or 0)))

    def source(self) -> Source:
        """The drafted plan as a Source that locates into the original file."""
        self.raise_problems()
        positions = dict(self.positions)
        for block in ("optimizer", "training", "preset"):  # a default's findings
            inner = [(place, key) for key, place in positions.items() if key[:1] == (block,)]
            if inner and (block,) not in positions:
                place, first = min(inner, key=lambda item: (item[1] in self.files, item[0]))
                positions[(block,)] = place
                if first in self.files:
                    self.files[(block,)] = self.files[first]
        return Source(
            data=self.data,
            path=self.recipe.path,
            positions=positions,
            files=dict(self.files),
            syntax=self.recipe.syntax,
            format=self.format,
            facts=self.facts.used(),
            notes=self.notes,
            findings=self.findings,
        )

    # -- typed reads of the original keys, each refusing what the tool would refuse --

    def number(self, key: str, default: Any, *, whole: bool = False, minimum: float = 0) -> Any:
        """``key``'s value, a number the tool accepts; an error (and ``default``) if not."""
        value = self.get(key, default)
        kinds = (int,) if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            expected = "a whole number" if whole else "a number"
            self.error((key,), f"{key} must be {expected}, got {self.describe(key, value)}")
            return default
        if value != value or value in (float("inf"), float("-inf")):
            self.error((key,), f"{key} must be a finite number, got {value!r}")
            return default
        if abs(value) > MAX_WHOLE:
            self.error((key,), f"{key} must be at most {MAX_WHOLE:.0e}, got {describe(value)}")
            return default
        if value < minimum:
            self.error((key,), f"{key} must be >= {minimum:g}, got {value!r}")
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            self.error((key,), f"{key} must be true or false, got {describe(value)}")
            return default
        return value

    def describe(self, key: str, value: Any) -> str:
        loose = self.recipe.loose_numbers.get((key,))
        if loose is not None:
            return f"{loose} (text to PyYAML)"
        return describe(value)


def loose_number_problem(draft: Draft, key: str, tool: str) -> bool:
    """``learning_rate: 5e-5`` in a YAML file read by PyYAML: the tool gets the text
    "5e-5" (YAML 1.1 needs a point and a signed exponent), and fails late or never."""
    text = draft.recipe.loose_numbers.get((key,))
    if text is None:
        return False
    fixed = _yaml11_float(text)
    draft.error(
        (key,),
        f"{key}: {text} is text, not a number, to PyYAML (YAML 1.1), which {tool} reads "
        f"its YAML with; write {fixed}",
    )
    return True


def _yaml11_float(text: str) -> str:
    """``5e-5`` -> ``5.0e-5``; ``1e5`` -> ``1.0e+5``: what YAML 1.1 reads as a float."""
    mantissa, _, exponent = text.lower().partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent[:1] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}"

"""What one rule's documentation page is made of (the data of :mod:`warmplan.lint.docs`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from warmplan.errors import Severity


@dataclass(frozen=True)
class Example:
    """A file (and the command run on it) that shows a rule: the bad example gets the
    rule's finding, the fixed one does not (the suite runs both)."""

    text: str
    name: str = "plan.yaml"
    #: the command's arguments after the paths, e.g. ("--dataset-size", "50000")
    args: tuple[str, ...] = ()
    #: the paths the command names, when not the file itself (a typo, a second file)
    paths: tuple[str, ...] | None = None
    #: files beside it, (name, text): the DeepSpeed JSON a TrainingArguments file names
    beside: tuple[tuple[str, str], ...] = ()
    command: str = "check"

    @property
    def command_line(self) -> str:
        paths = self.paths if self.paths is not None else (self.name,)
        return " ".join(["warmplan", self.command, *paths, *self.args])


@dataclass(frozen=True)
class RuleDoc:
    code: str
    #: what it catches, in full (the README table's column and the page's first part)
    catches: str
    why: str
    bad: Example | None
    fixed: Example | None
    #: what `check --fix` does for it; None: it has no automatic fix
    fix: str | None = None
    #: for codes that are not registered rules (load problems, WP100, WP114, WP116):
    #: their severity and one-line title (registered rules take the registry's)
    severity: Severity | None = None
    title: str | None = None
    #: why there is no example, for the rules no valid plan can trigger today
    no_example: str | None = None
    notes: tuple[str, ...] = field(default=())

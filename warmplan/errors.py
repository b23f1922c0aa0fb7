"""The one error family of warmplan, and the finding every message is made of.

Everything the core rejects is a :class:`WarmplanError`; the CLI maps them to exit
codes and one-line messages. A :class:`Finding` is one located problem, in the form
editors and CI parse: ``path:line:col: severity: message [CODE]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]

#: Where a finding points when the value came from the command line, not a file.
COMMAND_LINE = "<command line>"


@dataclass(frozen=True)
class Fix:
    """The one unambiguous edit that removes a finding, as data: write ``value`` at
    ``keypath`` of the plan, under the key name ``rename`` when given (the value kept).

    A rule attaches it; :mod:`warmplan.lint.fixer` applies it to the file's text, and
    only when checking the edited file again proves it removes the finding and adds none.
    """

    keypath: tuple[str | int, ...]
    value: Any
    rename: str | None = None


@dataclass(frozen=True)
class Finding:
    """One problem with a plan, located at the YAML key responsible when known."""

    code: str
    message: str
    severity: Severity = "error"
    path: str | None = None
    line: int | None = None
    col: int | None = None
    key: str | None = None
    #: for an unknown key, the known key it most resembles (not shown by format)
    suggestion: str | None = None
    #: the edit `check --fix` may apply (not part of what the finding says)
    fix: Fix | None = field(default=None, compare=False, repr=False)

    def format(self) -> str:
        """``path:line:col: severity: message [CODE]``; absent parts are left out."""
        place = [self.path or "<plan>"]
        if self.line is not None:
            place.append(str(self.line))
            if self.col is not None:
                place.append(str(self.col))
        return f"{':'.join(place)}: {self.severity}: {self.message} [{self.code}]"

    def at(self, **where: object) -> Finding:
        return replace(self, **where)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "key": self.key,
        }


class WarmplanError(Exception):
    """Base of every error warmplan raises on purpose (a user mistake, not a bug)."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings: list[Finding] = findings or []

    def lines(self) -> list[str]:
        """The one-line messages to show the user."""
        if self.findings:
            return [f.format() for f in self.findings]
        return [f"error: {self}"]


class ConfigError(WarmplanError):
    """A plan that cannot be read or is not valid; ``findings`` says where and why."""

    def __init__(self, findings: list[Finding]) -> None:
        first = findings[0].format() if findings else "invalid plan"
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(first + more, findings)


class OutputError(WarmplanError):
    """An output file that cannot be written (nothing half-written is left behind)."""


class UsageError(WarmplanError):
    """Arguments that do not make sense together (exit code 2 in the CLI)."""


# Stable codes of the problems found while reading and validating a plan. The rules
# of `warmplan check` use WP1xx; these WP0xx are load and validation problems.
UNREADABLE = "WP001"  # missing file, a folder, not text, not UTF-8
YAML_SYNTAX = "WP002"  # the YAML itself does not parse
NOT_A_MAPPING = "WP003"  # the file's top level (or a block) is not a mapping
UNKNOWN_KEY = "WP004"
MISSING_KEY = "WP005"
BAD_VALUE = "WP006"  # wrong type or out of range
INCONSISTENT = "WP007"  # values that cannot hold together
DUPLICATE_KEY = "WP008"
TOO_LARGE = "WP009"  # alias bombs, deep nesting, more steps than the size guard
BAD_OVERRIDE = "WP010"  # a --set that does not parse
NEEDS_FACT = "WP011"  # another tool's config leaves a run-time fact (--dataset-size) open
OTHER_FORMAT = "WP012"  # another tool's config read as a native plan (--from warmplan)
TORCH_REFUSED = "WP114"  # torch raised building or stepping a plan that validated
#: the codes of problems found while loading (every one is reported: no rule to silence)
LOAD_CODES: tuple[str, ...] = (
    UNREADABLE,
    YAML_SYNTAX,
    NOT_A_MAPPING,
    UNKNOWN_KEY,
    MISSING_KEY,
    BAD_VALUE,
)
LOAD_CODES += (INCONSISTENT, DUPLICATE_KEY, TOO_LARGE, BAD_OVERRIDE, NEEDS_FACT, OTHER_FORMAT)


class LogError(WarmplanError):
    """A training log that cannot be read, or holds no usable LRs (``findings`` say
    which file, and where when known)."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].format() if findings else "unreadable log", findings)


# Codes of the problems found while reading a training log (`warmplan verify`).
UNREADABLE_LOG = "WP201"  # missing, a folder without logs, not the format it claims
CORRUPT_LOG = "WP202"  # a TensorBoard record whose CRC fails, broken JSON or CSV
NO_LR_IN_LOG = "WP203"  # empty, or other metrics only, or an unknown --tag
BAD_LR_IN_LOG = "WP204"  # NaN or inf

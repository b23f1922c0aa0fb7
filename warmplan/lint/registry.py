"""The rule registry of `warmplan check`: each rule's code, severity, title and function.

A rule is a function ``(plan, trace) -> iterable of (keypath, message)`` registered
with :func:`rule` under a stable code (WP1xx) and its severity; a rule that grades its
findings by size adds a severity, at most the registered one, and a finding with one
unambiguous edit that removes it adds that edit, a :class:`~warmplan.errors.Fix`
(``(keypath, message, severity, fix)``; either may come alone).
A rule that needs the scheduler's state saved at some intervals while the plan is
simulated declares them with ``checkpoints`` (a function of the plan), so the runner
saves them on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.errors import Severity

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.schedule.simulate import Trace

RuleFunction = Callable[["Plan", "Trace"], Iterable[tuple[Any, ...]]]

#: A torch error while building or stepping the schedule (kept apart from the rules:
#: there is no trace to check then).
TORCH_REFUSED = errors.TORCH_REFUSED
#: An ``ignore:`` entry that names no rule.
UNKNOWN_IGNORE = "WP100"
#: A suppression comment that silences nothing (found by :mod:`warmplan.lint.suppress`).
UNUSED_SUPPRESSION = "WP116"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str  # what it catches, for --help and the README table
    check: RuleFunction
    #: intervals at which the rule needs the scheduler's saved state (None: none)
    checkpoints: Callable[[Plan], list[int]] | None = None
    #: codes whose findings this rule's explain (a root cause and its symptoms): when it
    #: finds something, the runner leaves theirs out
    supersedes: tuple[str, ...] = ()


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    severity: Severity,
    title: str,
    checkpoints: Callable[[Plan], list[int]] | None = None,
    supersedes: tuple[str, ...] = (),
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under ``code``; its function yields ``(keypath, message)``."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, severity, title, function, checkpoints, supersedes)
        return function

    return register

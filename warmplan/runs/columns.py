"""Which logged series are learning rates, and which param group each belongs to.

Loggers name them ``learning_rate`` (transformers), ``train/learning_rate`` (its
TensorBoard/W&B keys), ``lr`` (plain loops, accelerate), ``lr-AdamW`` and
``lr-AdamW/pg1``, ``lr-AdamW/pg2`` (Lightning's LearningRateMonitor, 1-based groups),
``lr-AdamW/<group name>``.
"""

from __future__ import annotations

import re

from warmplan import errors
from warmplan.errors import Finding, LogError

_LR = re.compile(r"(^|[/_.-])(lr|learning_rate|learning-rate)($|[-/_.])", re.IGNORECASE)
_GROUP = re.compile(r"^(.*)/pg(\d+)$")


def looks_like_lr(name: str) -> bool:
    return _LR.search(name) is not None and not name.lower().endswith(("_scheduler_type",))


def choose(names: list[str], tag: str | None, source: str) -> tuple[list[tuple[str, int]], str]:
    """The series holding LRs, each with its 0-based param group, and a note ("" or
    what was left aside). ``tag`` (``--tag``) names one series, or a Lightning prefix
    (``lr-AdamW``) whose ``/pgK`` columns are the groups."""
    if tag is not None:
        grouped = _groups([n for n in names if n == tag or n.startswith(tag + "/")], tag)
        if grouped:
            return grouped, ""
        raise _missing(names, source, f"no series named {tag!r} in the log", tag)
    candidates = [n for n in names if looks_like_lr(n)]
    if not candidates:
        raise _missing(names, source, "no LR in the log")
    first = _family(candidates[0])
    family = [n for n in candidates if _family(n) == first]
    others = sorted({_family(n) for n in candidates} - {first})
    note = (
        f"{source}: verified {first}; the log also has {', '.join(others)} (choose with --tag)"
        if others
        else ""
    )
    return _groups(family, first), note


def _family(name: str) -> str:
    match = _GROUP.match(name)
    return match.group(1) if match else name


def _groups(names: list[str], family: str) -> list[tuple[str, int]]:
    """``family`` alone is group 0; ``family/pgK`` is group K-1; other ``family/<name>``
    columns take the groups in the order the log lists them."""
    if family in names and len(names) == 1:
        return [(family, 0)]
    numbered = [(n, int(m.group(2)) - 1) for n in names if (m := _GROUP.match(n))]
    if numbered and len(numbered) == len(names):
        return sorted(numbered, key=lambda item: item[1])
    return [(n, k) for k, n in enumerate(names)]


def _missing(names: list[str], source: str, what: str, tag: str | None = None) -> LogError:
    from warmplan.text import closest

    close = closest(tag, names) if tag is not None else None
    if close is not None:
        message = f"{what}; did you mean {close!r}?"
    elif names:
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        message = f"{what}: it has {shown}; choose one with --tag"
    else:
        message = f"{what}: it holds no metrics at all"
    return LogError([Finding(errors.NO_LR_IN_LOG, message, path=source)])

"""`check --fix` and `--diff`: the fixes the rules attached, applied to a file's text
and proven before they are kept.

A rule that knows the one edit removing its finding attaches it as a
:class:`~warmplan.errors.Fix` (a key path and its new value). Here each fix is made in
the file's own text (:mod:`warmplan.config.edit`: comments, key order, quoting and
layout kept), and the edited text is checked again as that file: the fix is kept only
if its findings are gone and no finding is new; otherwise it is skipped, with the
reason. Fixes go one at a time, each on the text the previous ones left, so a later
one is proven with the earlier ones in place. Nothing is written here: the outcome
holds the text, and the CLI writes it (atomically) or prints its diff.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from warmplan.config.source import dotted_key
from warmplan.errors import Finding, Fix
from warmplan.lint.runner import FileResult, check_again

#: at most this many fixes are tried in one file (each costs a check)
MAX_FIXES = 32


@dataclass
class FixOutcome:
    """What fixing one file gave: the text before and after, the findings the fixes
    removed, the fixes skipped (with why), and the check of the fixed text."""

    path: str
    original: str
    fixed: str
    result: FileResult
    applied: list[Finding] = field(default_factory=list)
    skipped: list[tuple[Finding, str]] = field(default_factory=list)
    bom: bool = False  # the file starts with a UTF-8 byte order mark (kept)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def encoded(self) -> bytes:
        return (("\ufeff" if self.bom else "") + self.fixed).encode("utf-8")


def describe(fix: Fix) -> str:
    """``decay.T_max: 40``; ``warmup.epochs: 5 (in place of warmup.length)``."""
    from warmplan.config.edit import flow

    if fix.rename is not None:
        renamed = dotted_key((*fix.keypath[:-1], fix.rename))
        return f"{renamed}: {flow(fix.value)} (in place of {dotted_key(fix.keypath)})"
    return f"{dotted_key(fix.keypath)}: {flow(fix.value)}"


def fix_file(result: FileResult) -> FixOutcome | None:
    """Apply the proven fixes of ``result`` (a check of its file) to the file's text,
    each proven by checking the edited text as the file was checked.

    None when no finding has a fix, or the file cannot be read again as text.
    """
    if not any(f.fix for f in result.findings):
        return None
    read = _read(result.path)
    if read is None:
        return None
    text, bom = read
    outcome = FixOutcome(result.path, text, text, result, bom=bom)
    refusal = _refusal(result)
    if refusal:
        outcome.skipped = [(f, refusal) for f in result.findings if f.fix]
        return outcome
    tried: list[Fix] = []
    while len(tried) < MAX_FIXES:
        pending = [f for f in outcome.result.findings if f.fix and f.fix not in tried]
        if not pending:
            break
        fix = pending[0].fix
        assert fix is not None
        tried.append(fix)
        targets = [f for f in pending if f.fix == fix]
        edited, why = _edited(outcome.fixed, fix)
        after = check_again(result, edited) if edited is not None else None
        why = why or _disproof(outcome.result, after, targets, fix)
        if why:
            outcome.skipped += [(f, why) for f in targets]
            continue
        assert after is not None and edited is not None
        outcome.fixed, outcome.result = edited, after
        outcome.applied += targets
    return outcome


def _refusal(result: FileResult) -> str | None:
    """Why no fix of this file may be written, if one cannot."""
    if result.format != "warmplan":
        from warmplan.formats import TITLES
        from warmplan.text import with_article

        title = with_article(TITLES.get(result.format, result.format))
        return f"not fixable here: the file is {title}, whose keys are not the plan's"
    if result.checked_with.overrides:
        return (
            "not fixed: the run-time flags (--dataset-size, --world-size, --steps) change "
            "this plan, so a fix made under them would be wrong without them"
        )
    return None


def _read(path: str) -> tuple[str, bool] | None:
    from pathlib import Path

    from warmplan.limits import MAX_FILE_BYTES

    try:
        if not Path(path).is_file():  # a FIFO or a device: read once, by the check
            return None
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_FILE_BYTES:
        return None
    try:
        return raw.decode("utf-8-sig"), raw.startswith(b"\xef\xbb\xbf")
    except UnicodeDecodeError:
        return None


def _edited(text: str, fix: Fix) -> tuple[str | None, str | None]:
    """(the text with ``fix`` made, None) or (None, why it cannot be made in the text)."""
    from warmplan.config.edit import NotEditable, set_value

    try:
        return set_value(text, fix.keypath, fix.value, fix.rename), None
    except NotEditable as exc:
        return None, f"not fixed: {describe(fix)} cannot be written in place: {exc}"


def _signature(finding: Finding) -> tuple[str, str | None, str]:
    """A finding as the same problem at the same key: its line may move with an edit,
    and its numbers change with the plan (WP102's count of steps)."""
    return finding.code, finding.key, finding.severity


def _disproof(
    before: FileResult, after: FileResult | None, targets: list[Finding], fix: Fix
) -> str | None:
    """Why the check of the edited text does not prove the fix, or None if it does."""
    if after is None:
        return None
    made = f"not fixed: with {describe(fix)}"
    old = Counter(_signature(f) for f in before.findings)
    new = Counter(_signature(f) for f in after.findings)
    added = [f for f in after.findings if new[_signature(f)] > old[_signature(f)]]
    if not after.loaded:
        return f"{made} the plan no longer loads: {_brief(after.findings[0])}"
    if added:
        return f"{made} check finds {_brief(added[0])}"
    if any(_signature(f) in new for f in targets):
        return f"{made} check still finds it"
    return None


def _brief(finding: Finding) -> str:
    where = f" at {finding.key}" if finding.key else ""
    return f"{finding.code}{where} ({finding.message})"

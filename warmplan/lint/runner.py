"""`warmplan check`: rules over a simulated plan, and the runner over files and folders.

The rules (:mod:`warmplan.lint.rules`, registered in :mod:`warmplan.lint.registry`)
yield ``(keypath, message)``; the runner turns what they yield into
:class:`~warmplan.errors.Finding` s located at the YAML key. Parsing is kept apart from
rendering: the runner returns a :class:`CheckReport` that :mod:`warmplan.render.findings` renders.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.errors import ConfigError, Finding, Fix, UsageError
from warmplan.lint import suppress
from warmplan.lint.pyproject import Settings
from warmplan.lint.registry import RULES, TORCH_REFUSED, UNKNOWN_IGNORE, UNUSED_SUPPRESSION, Rule
from warmplan.lint.selection import enabled, selected, selects_any

if TYPE_CHECKING:
    from warmplan.config.models import Plan
    from warmplan.schedule.simulate import Trace


def all_rules() -> dict[str, Rule]:
    """Every rule, by code (importing :mod:`warmplan.lint.rules` registers them)."""
    import warmplan.lint.rules  # noqa: F401

    return dict(sorted(RULES.items()))


def known_codes() -> set[str]:
    return {*all_rules(), TORCH_REFUSED, UNKNOWN_IGNORE, UNUSED_SUPPRESSION}


def check_plan(plan: Plan, trace: Trace, ignore: Iterable[str] = ()) -> list[Finding]:
    """Run every rule over a simulated plan; drop the codes ignored here or in the plan."""
    silenced = set(ignore) | set(plan.ignore)
    findings: list[Finding] = []
    for code in sorted(set(plan.ignore) - known_codes()):
        index = plan.ignore.index(code)
        findings.append(
            plan.source.finding(
                UNKNOWN_IGNORE,
                ("ignore", index),
                f"ignore lists {code}, which is no rule of warmplan check; remove it",
                severity="warning",
            )
        )
    found: dict[str, list[Finding]] = {}
    for code, registered in all_rules().items():
        if code in silenced:
            continue
        for keypath, message, *extra in registered.check(plan, trace):
            # a rule may grade a finding by its size (WP106: error or warning) and give
            # the one edit that removes it (a Fix, for --fix)
            level = next((x for x in extra if isinstance(x, str)), registered.severity)
            fix = next((x for x in extra if isinstance(x, Fix)), None)
            finding = plan.source.finding(code, keypath, message, severity=level, fix=fix)
            found.setdefault(code, []).append(finding)
    explained = {c for code in found for c in all_rules()[code].supersedes}
    findings += [f for code, listed in found.items() if code not in explained for f in listed]
    return sorted(findings, key=lambda f: (f.line or 0, f.col or 0, f.code))


# -- the runner over files --------------------------------------------------------------


@dataclass(frozen=True)
class CheckArgs:
    """How a file was checked: what :func:`check_file` was given besides the path, so a
    fix can be proven by checking the edited text the same way."""

    ignore: frozenset[str] = frozenset()
    max_steps: int | None = None
    overrides: Any = None
    source_format: str | None = None


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    loaded: bool = True  # False when the plan could not be read, validated or simulated
    matched: bool = True  # False for an argument that named no file
    #: the format the file was read as (another tool's config is not fixed in place)
    format: str = "warmplan"
    checked_with: CheckArgs = field(default_factory=CheckArgs)
    is_plan: bool = True  # False for the pyproject.toml whose [tool.warmplan] is wrong

    @property
    def status(self) -> str:
        """``unmatched`` (no file), ``invalid`` (not checked), ``error``, ``warning``, ``ok``."""
        if not self.matched:
            return "unmatched"
        if not self.loaded:
            return "invalid"
        severities = {f.severity for f in self.findings}
        return "error" if "error" in severities else "warning" if severities else "ok"


@dataclass
class CheckReport:
    files: list[FileResult]

    @property
    def plans(self) -> int:
        """How many plan files were checked (arguments that matched none excluded)."""
        return sum(1 for result in self.files if result.matched and result.is_plan)

    @property
    def findings(self) -> list[Finding]:
        return [f for result in self.files for f in result.findings]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.count("error") or (strict and self.count("warning")))


def expand_paths(paths: Sequence[str | Path]) -> tuple[list[str], list[Finding]]:
    """Files, folders (every *.yaml/*.yml below, sorted) and globs -> plan files.

    An argument that names no plan file at all is a finding (WP001) rather than a usage
    error, so one CI run still checks every other path and reports them all.
    """
    files: list[str] = []
    seen: set[str] = set()  # a file named twice (a folder and a glob) is checked once
    unmatched: list[Finding] = []
    for raw in paths:
        text = str(raw)
        path = Path(text)
        if _holds(path.is_dir):
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml") and _holds(p.is_file)
            )
            why = "a folder with no *.yaml or *.yml file below it"
        elif _holds(path.exists) or not glob.has_magic(text):
            found, why = [text], ""  # reading it says what is wrong (missing, too long...)
        else:
            found = sorted(p for p in glob.glob(text, recursive=True) if _holds(Path(p).is_file))
            why = "a pattern that matches no file"
        if not found:
            unmatched.append(Finding(errors.UNREADABLE, f"{why}; nothing to check", path=text))
        for file in found:
            if file not in seen:
                seen.add(file)
                files.append(file)
    return files, unmatched


def _holds(test: Callable[[], bool]) -> bool:
    """``path.is_dir`` & co. for `check`: pathlib lets OSErrors other than "not found"
    through (a name too long, a loop of links); such a path is one that reading will
    report as a finding, not a crash."""
    try:
        return test()
    except OSError:
        return False


def check_paths(
    paths: Sequence[str | Path],
    ignore: Iterable[str] = (),
    max_steps: int | None = None,
    overrides: Any = None,
    source_format: str | None = None,
    select: Iterable[str] | None = None,
    settings: Settings | None = None,
) -> CheckReport:
    """Load, validate, simulate and check every plan under ``paths``; never stop early.

    ``select``, ``ignore``: rule codes or prefixes of codes to run, to silence (a
    UsageError for one that names no rule), applied after ``settings`` (the
    ``[tool.warmplan]`` table: see :mod:`warmplan.lint.selection`). ``overrides`` and
    ``max_steps`` win over the table's. Every problem, a file that does not load or a
    mistake in the table included, becomes a finding.
    """
    settings = settings or Settings()
    ignore = [code.strip().upper() for code in ignore]  # `--ignore wp109` is WP109
    select = None if select is None else [code.strip().upper() for code in select]
    for option, codes in (("--select", select or []), ("--ignore", ignore)):
        unknown = [code for code in codes if not selects_any(code, known_codes())]
        if unknown:
            names = ", ".join(sorted(known_codes()))
            raise UsageError(f"{option} {unknown[0]}: no such rule; the rules are {names}")
    if not paths:
        raise UsageError("give at least one plan file, folder or glob to check")
    files, unmatched = expand_paths(paths)
    results = [FileResult(f.path or "", [f], loaded=False, matched=False) for f in unmatched]
    if settings.findings:
        results.insert(0, FileResult(settings.path or "", settings.findings, False, is_plan=False))
    every = known_codes()
    on = enabled(every, [(settings.select, settings.ignore), (select, ignore)])
    for path in files:
        silenced = (every - on) | selected(settings.ignored_in(path), every)
        facts = {**settings.facts_for(path), **(overrides or {})}
        steps = max_steps or settings.max_steps
        results.append(check_file(path, silenced, steps, facts or None, source_format))
    return CheckReport(results)


def check_file(
    path: str,
    ignore: Iterable[str] = (),
    max_steps: int | None = None,
    overrides: Any = None,
    source_format: str | None = None,
    text: str | None = None,
) -> FileResult:
    """One file -> its findings; load, validation and torch errors included.

    A recipe whose length needs a run-time fact no flag gave is not an error here (CI
    checks folders of recipes): its reader's findings, and one warning naming the flag.
    ``text``: check it as the content of ``path`` instead of reading the file (a fix
    being proven before it is written).
    """
    silenced = set(ignore)
    result, rules_ran = _checked_file(path, silenced, max_steps, overrides, source_format, text)
    result.checked_with = CheckArgs(frozenset(ignore), max_steps, overrides, source_format)
    content = suppress.read_text(path) if text is None else text
    if content is None:
        return result
    suppressions, malformed = suppress.parse(path, content)
    known = known_codes()
    judged = known - silenced if rules_ran else None  # a silenced rule cannot be judged
    findings = suppress.apply(path, result.findings + malformed, suppressions, known, judged)
    if UNUSED_SUPPRESSION in silenced:
        findings = [f for f in findings if f.code != UNUSED_SUPPRESSION]
    if rules_ran:  # else the reader's order is kept: its findings, then the missing fact
        findings.sort(key=lambda f: (f.line or 0, f.col or 0, f.code))
    result.findings = findings
    return result


def check_again(result: FileResult, text: str) -> FileResult:
    """``text`` checked as the content of ``result``'s file, as the file was checked."""
    args = result.checked_with
    return check_file(
        result.path, args.ignore, args.max_steps, args.overrides, args.source_format, text
    )


def _checked_file(
    path: str,
    silenced: set[str],
    max_steps: int | None,
    overrides: Any,
    source_format: str | None,
    text: str | None = None,
) -> tuple[FileResult, bool]:
    """The file's result before suppressions, and whether the rules ran over it."""
    from warmplan.formats.draft import NeedsFact
    from warmplan.formats.load import load_plan, load_text
    from warmplan.limits import MAX_STEPS
    from warmplan.schedule.simulate import simulate

    ignore = set(silenced)
    try:
        if text is None:
            plan = load_plan(path, overrides, source_format=source_format)
        else:
            plan = load_text(text, path, overrides, source_format=source_format)
        # the save points rules ask for (the resume rule's), saved on the way: no second
        # run to reach them
        checkpoints = sorted(
            {p for r in all_rules().values() if r.checkpoints for p in r.checkpoints(plan)}
        )
        trace = simulate(plan, max_steps=max_steps or MAX_STEPS, checkpoints=checkpoints)
    except NeedsFact as exc:
        missing = [f.at(severity="warning") for f in exc.findings]
        kept = [f for f in exc.warnings if f.code not in silenced]
        return FileResult(path, kept + missing), False
    except ConfigError as exc:  # torch's refusals too (WP114): see simulation
        return FileResult(path, list(exc.findings), loaded=False), False
    silenced |= set(plan.ignore)
    read = [f for f in plan.source.findings if f.code not in silenced]
    findings = read + check_plan(plan, trace, ignore)
    return FileResult(path, findings, format=plan.source.format), True

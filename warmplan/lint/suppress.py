"""Suppression comments of `warmplan check`, and the rule that reports stale ones (WP116).

``# warmplan: ignore[WP109]`` at the end of a line silences those codes for findings
located on that line; ``# warmplan: ignore-file[WP102]`` on a line of its own silences
them in the whole file. Codes are separated by commas (``ignore[WP102, WP124]``) and
read in any case. A comment works in another tool's config too, whose parser refuses
unknown keys such as ``ignore:`` (JSON has no comments: there the plan's ``ignore:``
list or pyproject.toml's ``per-file-ignores`` do it).

A suppression that silenced nothing is itself a finding, WP116, as ruff's RUF100, so
stale ones do not pile up; so is one naming a code warmplan does not have, and a
``# warmplan:`` comment of no form warmplan reads.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from warmplan.errors import LOAD_CODES, Finding
from warmplan.lint.registry import UNUSED_SUPPRESSION
from warmplan.text import did_you_mean

_DIRECTIVE = re.compile(r"#\s*warmplan:\s*(?P<body>.*)$")
_FORM = re.compile(r"(?P<kind>ignore-file|ignore)\[(?P<codes>[^\]]*)\]")


@dataclass(frozen=True)
class Suppression:
    line: int
    col: int  # of the comment's '#'
    codes: tuple[str, ...]
    file_wide: bool

    @property
    def written(self) -> str:
        kind = "ignore-file" if self.file_wide else "ignore"
        return f"# warmplan: {kind}[{', '.join(self.codes)}]"


def read_text(path: str) -> str | None:
    """The file's text for its comments; None for what the loader alone should read (a
    FIFO or a device is read once) or cannot read (it reports that itself)."""
    from warmplan.limits import MAX_FILE_BYTES

    try:
        if not Path(path).is_file():
            return None
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def parse(path: str, text: str) -> tuple[list[Suppression], list[Finding]]:
    """The suppressions of a file's text, and a WP116 finding for each ``# warmplan:``
    comment that is not one (a misspelt form, an ``ignore-file`` after a value)."""
    found: list[Suppression] = []
    malformed: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        directive = _DIRECTIVE.search(line)
        if directive is None:
            continue
        col = directive.start() + 1
        form = _FORM.match(directive["body"])
        codes = tuple(c.strip().upper() for c in form["codes"].split(",")) if form else ()
        codes = tuple(c for c in codes if c)
        if form is None or not codes:
            why = (
                "is not a suppression warmplan reads: write `# warmplan: ignore[CODE, ...]` "
                "at the end of a line, or `# warmplan: ignore-file[CODE, ...]` on its own line"
            )
        elif form["kind"] == "ignore-file" and line[: directive.start()].strip():
            why = (
                "silences nothing: an ignore-file comment must stand on a line of its own "
                "(after a value it would read as that line's); move it to its own line"
            )
        else:
            found.append(Suppression(number, col, codes, form["kind"] == "ignore-file"))
            continue
        comment = "# " + line[directive.start() + 1 :].strip()
        malformed.append(_finding(path, number, col, f"`{comment}` {why}"))
    return found, malformed


def apply(
    path: str,
    findings: Iterable[Finding],
    suppressions: list[Suppression],
    known: Collection[str],
    judged: Collection[str] | None,
) -> list[Finding]:
    """``findings`` without the suppressed ones, plus a WP116 finding for each code of a
    suppression that names no code in ``known`` (the rules' codes), or (for a code in
    ``judged``: the codes checked in this file; None when its rules did not run)
    silenced nothing. A load problem (WP0xx) is never silenced: a comment must not
    turn a file that does not load into a pass."""
    kept: list[Finding] = []
    used: set[tuple[int, str]] = set()  # (line of the comment, code)
    for finding in findings:
        by = _suppressed_by(finding, suppressions) if finding.code in known else None
        if by is None:
            kept.append(finding)
        else:
            used.add((by.line, finding.code))
    for suppression in suppressions:
        for code in suppression.codes:
            if code in LOAD_CODES:
                why = f"names {code}, a problem reading the file, which no comment silences"
            elif code not in known:
                why = f"names {code}, which is no code of warmplan check" + did_you_mean(
                    code, sorted(known)
                )
            elif (
                judged is not None
                and code in judged
                and code != UNUSED_SUPPRESSION  # silencing its own finding: not tracked
                and (suppression.line, code) not in used
            ):
                where = "in this file" if suppression.file_wide else f"on line {suppression.line}"
                why = f"silences nothing: no {code} finding {where}"
            else:
                continue
            message = f"`{suppression.written}` {why}; remove {code} from it"
            kept.append(_finding(path, suppression.line, suppression.col, message))
    # WP116 is a code like the others: an ignore-file[WP116] silences it
    return [f for f in kept if f.code != UNUSED_SUPPRESSION or not _suppressed_by(f, suppressions)]


def _suppressed_by(finding: Finding, suppressions: list[Suppression]) -> Suppression | None:
    for suppression in suppressions:
        if finding.code in suppression.codes and (
            suppression.file_wide or suppression.line == finding.line
        ):
            return suppression
    return None


def _finding(path: str, line: int, col: int, message: str) -> Finding:
    return Finding(UNUSED_SUPPRESSION, message, "warning", path=path, line=line, col=col)

"""A CheckReport -> text, JSON or GitHub Actions annotations (strings; cli prints).

text:   ``path:line:col: severity: message [CODE]`` lines, then a summary line; on a
        terminal each followed by its source line and a caret (:mod:`.snippet`);
json:   one object: every file with its status and findings, and the counts;
github: ``::error file=...,line=...,col=...,title=WPxxx::message`` workflow commands;
sarif, junit: :mod:`.sarif`, :mod:`.junit`. ``--statistics``: :func:`render_statistics`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from warmplan.text import counted

if TYPE_CHECKING:
    from warmplan.errors import Finding
    from warmplan.lint.runner import CheckReport


def summary_line(report: CheckReport) -> str:
    plans = report.plans
    errors, warnings = report.count("error"), report.count("warning")
    return (
        f"{counted(plans, 'plan')} checked: "
        f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
    )


def render_text(report: CheckReport, show_source: bool = False) -> str:
    if not show_source:
        lines = [f.format() for f in report.findings]
        return "\n".join([*lines, summary_line(report)]) + "\n"
    from warmplan.render.snippet import snippet

    files: dict[str, Any] = {}
    lines = []
    for finding in report.findings:
        shown = snippet(finding, files)
        lines += [finding.format(), *shown, ""] if shown else [finding.format()]
    return "\n".join([*lines, summary_line(report)]) + "\n"


def rule_counts(report: CheckReport) -> list[tuple[int, str, str]]:
    """(count, code, title) of every code found, the most frequent first (then by code)."""
    from collections import Counter

    from warmplan.render.rule_info import code_info

    counts = Counter(f.code for f in report.findings)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(count, code, code_info(code).title) for code, count in ranked]


def render_statistics(report: CheckReport, output_format: str = "text") -> str:
    """Counts per code, as ``ruff --statistics``: ``count  code  title`` lines."""
    rows = rule_counts(report)
    if output_format == "json":
        listed = [{"code": code, "title": title, "count": count} for count, code, title in rows]
        return json.dumps(listed, indent=2) + "\n"
    width = max((len(str(count)) for count, _, _ in rows), default=1)
    lines = [f"{count:>{width}}  {code}  {title}" for count, code, title in rows]
    return "\n".join([*lines, summary_line(report)]) + "\n"


def render_json(report: CheckReport) -> str:
    document = {
        "files": [
            {
                "path": result.path,
                "status": result.status,
                "findings": [f.as_dict() for f in result.findings],
            }
            for result in report.files
        ],
        "summary": {
            "plans": report.plans,
            "errors": report.count("error"),
            "warnings": report.count("warning"),
        },
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One GitHub Actions workflow command (``::error ...::message``)."""
    props = []
    if finding.path:
        props.append(f"file={_escape_property(finding.path)}")
    if finding.line is not None:
        props.append(f"line={finding.line}")
        if finding.col is not None:
            props.append(f"col={finding.col}")
    props.append(f"title={_escape_property(finding.code)}")
    return f"::{finding.severity} {','.join(props)}::{_escape_data(finding.message)}"


def render_github(report: CheckReport) -> str:
    lines = [annotation(f) for f in report.findings]
    return "\n".join([*lines, summary_line(report)]) + "\n"


def _sarif(report: CheckReport) -> str:
    from warmplan.render.sarif import render_sarif

    return render_sarif(report)


def _junit(report: CheckReport) -> str:
    from warmplan.render.junit import render_junit

    return render_junit(report)


RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": _sarif,
    "junit": _junit,
}

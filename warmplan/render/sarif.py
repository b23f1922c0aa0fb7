"""A CheckReport -> SARIF 2.1.0 (for GitHub code scanning and other SARIF viewers).

One run; its driver lists every code a report can hold as a rule (id, title, default
level, help page), and each finding is a result pointing at it by ``ruleIndex``.
Locations are URIs relative to the current folder (forward slashes, percent-encoded),
as code scanning expects them relative to the checkout; a file outside it gets an
absolute ``file://`` URI. A finding from the command line has no location.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from warmplan import __version__
from warmplan.errors import COMMAND_LINE
from warmplan.render.rule_info import every_code, help_uri

if TYPE_CHECKING:
    from warmplan.errors import Finding
    from warmplan.lint.runner import CheckReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/warmplan/warmplan"


def artifact_uri(path: str, cwd: str | None = None) -> str:
    """``path`` as a URI reference: relative to ``cwd`` when inside it, else absolute."""
    folder = Path(cwd or os.getcwd()).absolute()
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(folder)
    except ValueError:
        return absolute.as_uri()
    return quote(relative.as_posix())


def _location(finding: Finding) -> list[dict[str, Any]]:
    if not finding.path or finding.path == COMMAND_LINE:
        return []
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(finding.path)}}
    if finding.line is not None:
        physical["region"] = {"startLine": finding.line}
        if finding.col is not None:
            physical["region"]["startColumn"] = finding.col
    return [{"physicalLocation": physical}]


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": info.code,
            "shortDescription": {"text": info.title},
            "defaultConfiguration": {"level": info.severity},
            "helpUri": help_uri(info.code),
        }
        for info in every_code()
    ]


def sarif_document(report: CheckReport) -> dict[str, Any]:
    rules = _rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = []
    for finding in report.findings:
        if finding.code not in index:  # a code no table knows: listed, so it still links
            index[finding.code] = len(rules)
            rules.append({"id": finding.code, "helpUri": help_uri(finding.code)})
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": finding.severity,
            "message": {"text": finding.message},
        }
        locations = _location(finding)
        if locations:
            result["locations"] = locations
        results.append(result)
    driver = {
        "name": "warmplan",
        "version": __version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        # PyYAML counts columns in code points; SARIF's default is UTF-16 code units
        "runs": [
            {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
        ],
    }


def render_sarif(report: CheckReport) -> str:
    return json.dumps(sarif_document(report), indent=2) + "\n"

"""A CheckReport -> JUnit XML, as GitLab, Jenkins and GitHub test reporters read it.

One ``<testsuite>`` per checked file (named by its path); in it one ``<testcase>`` per
finding, failed by a ``<failure>`` whose ``type`` is the severity (warnings included:
the report shows them; the exit code says whether they fail the run). A file with no
finding holds one passing testcase, ``check``, so clean files count as passed tests.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:
    from warmplan.errors import Finding
    from warmplan.lint.runner import CheckReport, FileResult

#: what XML 1.0 cannot hold at all (control characters but tab and line breaks)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("?", text)


def _case_name(finding: Finding) -> str:
    if finding.line is None:
        return finding.code
    where = f"{finding.line}:{finding.col}" if finding.col is not None else str(finding.line)
    return f"{finding.code} at {where}"


def _suite(result: FileResult) -> ElementTree.Element:
    path = _xml_text(result.path)
    failures = len(result.findings)
    suite = ElementTree.Element(
        "testsuite",
        name=path,
        tests=str(max(failures, 1)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    if not result.findings:
        ElementTree.SubElement(suite, "testcase", name="check", classname=path, file=path)
    for finding in result.findings:
        case = ElementTree.SubElement(
            suite, "testcase", name=_case_name(finding), classname=path, file=path
        )
        if finding.line is not None:
            case.set("line", str(finding.line))
        failure = ElementTree.SubElement(
            case, "failure", type=finding.severity, message=_xml_text(finding.message)
        )
        failure.text = _xml_text(finding.format())
    return suite


def render_junit(report: CheckReport) -> str:
    suites = [_suite(result) for result in report.files]
    root = ElementTree.Element(
        "testsuites",
        name="warmplan check",
        tests=str(sum(int(s.get("tests", "0")) for s in suites)),
        failures=str(len(report.findings)),
        errors="0",
    )
    root.extend(suites)
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'

"""What a report says about a finding's code: its title, default severity and help page.

All three come from the pages of :mod:`warmplan.lint.docs` (the one source of the codes'
documentation, of `warmplan rule` and of ``docs/rules/``): SARIF's rule metadata and
``--statistics`` read them through :func:`code_info` and :func:`help_uri`.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmplan.errors import Severity


@dataclass(frozen=True)
class CodeInfo:
    code: str
    title: str
    severity: Severity  # the default one; a rule may grade a finding lower (WP106)


def help_uri(code: str) -> str:
    """The documentation page of ``code``."""
    from warmplan.lint import docs

    return docs.url(code)


def every_code() -> list[CodeInfo]:
    """Every code a check report can hold, sorted."""
    from warmplan.lint import docs

    return [CodeInfo(code, title, severity) for code, severity, title in docs.listing()]


def code_info(code: str) -> CodeInfo:
    for info in every_code():
        if info.code == code:
            return info
    return CodeInfo(code, code, "error")  # a code no table knows: its own name

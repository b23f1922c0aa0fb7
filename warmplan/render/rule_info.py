"""What a report says about a finding's code: its title, default severity and help page.

The rules of `warmplan check` (WP1xx) carry theirs in the registry; the load and
validation problems (WP0xx) are findings without a rule function, titled here. SARIF's
rule metadata and ``--statistics`` read both through :func:`code_info`.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmplan import errors
from warmplan.errors import Severity

#: the load and validation codes (raised while reading a plan, not by a rule)
LOAD_TITLES: dict[str, tuple[str, Severity]] = {
    errors.UNREADABLE: ("a file that cannot be read (missing, a folder, not UTF-8 text)", "error"),
    errors.YAML_SYNTAX: ("YAML or JSON that does not parse", "error"),
    errors.NOT_A_MAPPING: ("a plan (or a block) that is not a mapping of keys", "error"),
    errors.UNKNOWN_KEY: ("an unknown key (with a did-you-mean)", "error"),
    errors.MISSING_KEY: ("a required key missing", "error"),
    errors.BAD_VALUE: ("a value of the wrong type or out of range", "error"),
    errors.INCONSISTENT: ("values that cannot hold together", "error"),
    errors.DUPLICATE_KEY: ("a key given twice", "error"),
    errors.TOO_LARGE: ("a config too large, too deep or too long to simulate", "error"),
    errors.BAD_OVERRIDE: ("a --set override that does not parse", "error"),
    # `check` reports it as a warning: a folder of recipes is checked without their facts
    errors.NEEDS_FACT: ("a recipe that needs a run-time fact (--dataset-size, --steps)", "warning"),
    errors.OTHER_FORMAT: ("another tool's config read as a warmplan plan", "error"),
}

_UNREGISTERED: dict[str, tuple[str, Severity]] = {
    errors.TORCH_REFUSED: ("torch refused to build or step the schedule", "error"),
    "WP100": ("an ignore: entry that names no rule", "warning"),
}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    title: str
    severity: Severity  # the default one; a rule may grade a finding lower (WP106)


def help_uri(code: str) -> str:
    """The documentation page of ``code`` (one place, to point elsewhere later)."""
    return f"https://github.com/warmplan/warmplan/blob/main/docs/rules/{code}.md"


def every_code() -> list[CodeInfo]:
    """Every code a check report can hold, sorted."""
    from warmplan.lint.runner import all_rules

    known = {**LOAD_TITLES, **_UNREGISTERED}
    known |= {code: (rule.title, rule.severity) for code, rule in all_rules().items()}
    return [CodeInfo(code, title, severity) for code, (title, severity) in sorted(known.items())]


def code_info(code: str) -> CodeInfo:
    for info in every_code():
        if info.code == code:
            return info
    return CodeInfo(code, code, "error")  # a code no table knows: its own name

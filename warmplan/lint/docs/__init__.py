"""The documentation of every code `warmplan check` reports: one page per code (what it
catches, why it matters, a bad and a fixed example, whether ``--fix`` applies).

The one source of `warmplan rule`, of ``docs/rules/*.md`` (written by
``scripts/make_rule_docs.py``; a test fails when the checked-in pages are stale), of the
README's table of rules, and of the address a finding points at (:func:`url`). The
texts live in the modules beside this one, by family; the severity and one-line title
of a registered rule come from its registration (:mod:`warmplan.lint.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warmplan.errors import Severity
from warmplan.lint.docs import (
    classpaths,
    composer,
    loading,
    megatron,
    olmo,
    pyconfigs,
    run,
    shape,
    traps,
    vision,
)
from warmplan.lint.docs.model import Example, RuleDoc

if TYPE_CHECKING:
    from warmplan.lint.registry import Rule

__all__ = ["DOCS_FOLDER", "Example", "RuleDoc", "url"]

#: where the pages lie in the repository, and where they are read online
DOCS_FOLDER = "docs/rules"
REPOSITORY = "https://github.com/warmplan/warmplan"

_DOCS: dict[str, RuleDoc] = {
    d.code: d
    for d in [
        *loading.DOCS,
        *shape.DOCS,
        *run.DOCS,
        *traps.DOCS,
        *classpaths.DOCS,
        *vision.DOCS,
        *pyconfigs.DOCS,
        *megatron.DOCS,
        *composer.DOCS,
        *olmo.DOCS,
    ]
}


def codes() -> list[str]:
    """Every documented code, in order."""
    return sorted(_DOCS)


def doc(code: str) -> RuleDoc:
    """The page's data for ``code`` (a KeyError for a code with no page)."""
    return _DOCS[code.strip().upper()]


def path(code: str) -> str:
    """The page's path in the repository, ``docs/rules/WP106.md``."""
    return f"{DOCS_FOLDER}/{doc(code).code}.md"


def url(code: str) -> str:
    """The page's address online (a finding's help link, SARIF's ``helpUri``)."""
    return f"{REPOSITORY}/blob/main/{path(code)}"


def severity(code: str) -> Severity:
    entry = doc(code)
    return entry.severity or _registered(code).severity


def title(code: str) -> str:
    entry = doc(code)
    return entry.title or _registered(code).title


def _registered(code: str) -> Rule:
    from warmplan.lint.runner import all_rules

    return all_rules()[code]


def page(code: str) -> str:
    """The page of ``code``, in Markdown (as `warmplan rule CODE` prints it)."""
    entry = doc(code)
    fix = f"yes; {entry.fix}" if entry.fix else "no"
    lines = [
        f"# {entry.code}: {title(code)}",
        "",
        f"Severity: {severity(code)}. Fixable with `--fix`: {fix}.",
        "",
        "## What it catches",
        "",
        _sentence(entry.catches),
        "",
        "## Why it matters",
        "",
        entry.why,
        "",
        "## Example",
        "",
    ]
    if entry.bad is None or entry.fixed is None:
        lines += [entry.no_example or "", ""]
    else:
        lines += _example(entry.bad, f"gets {entry.code}:")
        lines += _example(entry.fixed, f"does not get {entry.code}:", fixed=True)
    lines += ["[Every code](README.md); `warmplan rule` lists them."]
    return "\n".join(lines) + "\n"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _example(example: Example, verdict: str, fixed: bool = False) -> list[str]:
    lines = [f"{'Fixed' if fixed else 'Bad'}: `{example.command_line}` {verdict}", ""]
    for name, text in [(example.name, example.text), *example.beside]:
        lines += [f"`{name}`:", "", f"```{_language(name)}", text.rstrip("\n"), "```", ""]
    return lines


def _language(name: str) -> str:
    return "json" if name.endswith(".json") else "yaml"


def index() -> str:
    """``docs/rules/README.md``: every code with its severity and title, linked."""
    lines = [
        "# The codes of `warmplan check`",
        "",
        "Generated from `warmplan/lint/docs/` by `scripts/make_rule_docs.py`; "
        "`warmplan rule CODE` prints a page.",
        "",
        "| code | severity | what it catches |",
        "| --- | --- | --- |",
    ]
    lines += [f"| [{c}]({c}.md) | {severity(c)} | {title(c)} |" for c in codes()]
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    """The README's table of codes: each with its severity and what it catches, in full."""
    lines = ["| code | severity | what it catches |", "| --- | --- | --- |"]
    for code in codes():
        link = f"[{code}]({path(code)})"
        lines.append(f"| {link} | {severity(code)} | {doc(code).catches} |")
    return "\n".join(lines) + "\n"


def listing() -> list[tuple[str, Severity, str]]:
    """(code, severity, title) of every code, for `warmplan rule`."""
    return [(code, severity(code), title(code)) for code in codes()]

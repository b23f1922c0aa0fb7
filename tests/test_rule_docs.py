"""The rule pages (warmplan.lint.docs): every code has one, its examples do what the page
says when `warmplan check` runs them, and the generated files in the repository (the
pages, their index, the README's table) are what the source makes today."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from warmplan import errors
from warmplan.cli.main import app
from warmplan.lint import docs
from warmplan.lint.pyproject import tomllib
from warmplan.lint.runner import all_rules, known_codes

runner = CliRunner()
WITH_EXAMPLES = [c for c in docs.codes() if docs.doc(c).bad is not None]
#: the rules no valid plan can trigger today (test_checks.py feeds them hand-made traces)
UNREACHABLE = {"WP103", "WP110", "WP111", "WP112", "WP114"}
FINDING = re.compile(r"^(?P<where>.+?): (?P<severity>error|warning): .* \[(?P<code>WP\d{3})\]$")


def run_example(example: docs.Example, folder, monkeypatch):
    (folder / example.name).write_text(example.text)
    for name, text in example.beside:
        (folder / name).write_text(text)
    monkeypatch.chdir(folder)
    paths = example.paths if example.paths is not None else (example.name,)
    isolated = ("--isolated",) if example.command == "check" else ()
    result = runner.invoke(app, [example.command, *paths, *example.args, *isolated])
    assert result.exit_code in (0, 1), result.output
    return [m for line in result.output.splitlines() if (m := FINDING.match(line))]


def test_every_code_warmplan_reports_has_a_page_and_no_page_is_of_another_code():
    assert set(docs.codes()) == known_codes() | set(errors.LOAD_CODES)


def test_registered_rules_take_severity_and_title_from_the_registry_only():
    for code in docs.codes():
        entry = docs.doc(code)
        registered = code in all_rules()
        assert (entry.severity is None) == registered, code
        assert (entry.title is None) == registered, code
        assert docs.title(code) and docs.severity(code) in ("error", "warning")


def test_exactly_the_unreachable_rules_lack_examples_and_say_why():
    lacking = {c for c in docs.codes() if docs.doc(c).bad is None}
    assert lacking == UNREACHABLE
    assert all(docs.doc(c).no_example and docs.doc(c).fixed is None for c in lacking)


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_the_bad_example_gets_the_code_with_its_documented_severity(code, tmp_path, monkeypatch):
    found = run_example(docs.doc(code).bad, tmp_path, monkeypatch)
    severities = {m["severity"] for m in found if m["code"] == code}
    assert severities == {docs.severity(code)}, [m.string for m in found]


@pytest.mark.parametrize("code", WITH_EXAMPLES)
def test_the_fixed_example_gets_no_finding_at_all(code, tmp_path, monkeypatch):
    """Nothing at all, but for the LR 0 on the first update of transformers', axolotl's
    and torchtune's own warm-ups (WP102: the tools' arithmetic, which a recipe cannot
    change); the examples of warmplan plans are named plan.yaml, other tools' not."""
    fixed = docs.doc(code).fixed
    found = run_example(fixed, tmp_path, monkeypatch)
    tolerated = {"WP102"} if fixed.name in ("args.yaml", "recipe.yaml") else set()
    assert [m.string for m in found if m["code"] not in tolerated] == []
    assert code not in {m["code"] for m in found}


def test_only_the_three_fixable_findings_say_fix_applies():
    fixable = {c for c in docs.codes() if docs.doc(c).fix}
    assert fixable == {"WP106", "WP108", "WP115"}
    assert "Fixable with `--fix`: no." in docs.page("WP101")
    assert "Fixable with `--fix`: yes; `warmplan check --fix` sets" in docs.page("WP106")


def test_a_page_holds_its_parts_in_order():
    page = docs.page("WP106")
    heads = [line for line in page.splitlines() if line.startswith("#")]
    assert heads[0].startswith("# WP106: a decay that ends before training does")
    assert heads[1:] == ["## What it catches", "## Why it matters", "## Example"]
    assert "T_max: 20" in page and "T_max: 40" in page
    assert "Severity: error." in page


def test_urls_point_into_the_repository_named_in_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert docs.url("wp106") == project["urls"]["Homepage"] + "/blob/main/docs/rules/WP106.md"
    assert (ROOT / docs.path("WP106")).is_file()


# -- the generated files ----------------------------------------------------------------


def test_the_checked_in_pages_are_current():
    """Run `python scripts/make_rule_docs.py` after changing warmplan/lint/docs/."""
    folder = ROOT / docs.DOCS_FOLDER
    expected = {f"{c}.md": docs.page(c) for c in docs.codes()} | {"README.md": docs.index()}
    assert {p.name for p in folder.iterdir()} == set(expected)
    stale = [name for name, text in expected.items() if (folder / name).read_text() != text]
    assert stale == []


def test_the_readme_table_of_rules_is_the_generated_one():
    readme = (ROOT / "README.md").read_text()
    assert docs.readme_table() in readme


def test_the_script_writes_what_the_tests_compare(tmp_path):
    script = ROOT / "scripts" / "make_rule_docs.py"
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- rules: start -->\nold\n<!-- rules: end -->\nrest\n")
    command = [sys.executable, str(script), "--out", str(tmp_path / "rules")]
    subprocess.run([*command, "--readme", str(readme)], check=True, timeout=60)
    assert (tmp_path / "rules" / "WP106.md").read_text() == docs.page("WP106")
    assert readme.read_text() == (
        "intro\n<!-- rules: start -->\n" + docs.readme_table() + "<!-- rules: end -->\nrest\n"
    )


# -- warmplan rule ----------------------------------------------------------------------


def test_rule_prints_the_page():
    result = runner.invoke(app, ["rule", "wp106"])
    assert result.exit_code == 0
    assert result.stdout == docs.page("WP106")


def test_rule_lists_every_code_with_its_severity_and_title():
    result = runner.invoke(app, ["rule"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(docs.codes())
    code, severity, title = lines[docs.codes().index("WP109")].split(None, 2)
    assert (code, severity) == ("WP109", "warning")
    assert title == all_rules()["WP109"].title


def test_rule_with_an_unknown_code_is_a_usage_error_with_a_suggestion():
    # a typo one digit away from a single code (WP199 is now as near WP179 as WP109)
    result = runner.invoke(app, ["rule", "WP0001"])
    assert result.exit_code == 2
    assert "no code WP0001 (did you mean WP001?)" in result.stderr

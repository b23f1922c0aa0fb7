"""`warmplan check`'s machine reports and report flags: SARIF (validated against the
official SARIF 2.1.0 schema in tests/data/sarif/), JUnit XML (parsed with ElementTree),
--statistics, --exit-zero and --output-file.

Expected findings come from the fixtures' own ``# expect: CODE@LINE`` headers (written by
hand with each fixture) and severities from the README's rule table."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

import jsonschema
import pytest
from typer.testing import CliRunner

from tests.conftest import DATA, ROOT
from warmplan.cli.main import app

NEGATIVE = DATA / "check" / "negative"
CLEAN = DATA / "check" / "positive" / "step-decay.yaml"
#: fast fixtures (no long simulation) whose findings cover rules and load errors
FIXTURES = [
    NEGATIVE / name
    for name in (
        "milestones-bad.yaml",
        "milestone-in-warmup.yaml",
        "load-errors.yaml",
        "bad-yaml.yaml",
        "expect-mismatch.yaml",
    )
]
SCHEMA = json.loads((DATA / "sarif" / "sarif-schema-2.1.0.json").read_text())

runner = CliRunner()


def check(*args: str):
    return runner.invoke(app, ["check", *args])


def expected(path: Path) -> list[tuple[str, int]]:
    """(code, line) of the fixture's ``# expect:`` header."""
    header = path.read_text().splitlines()[0]
    return [(code, int(line)) for code, line in re.findall(r"(WP\d{3})@(\d+)", header)]


def readme_severities() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    table = dict(re.findall(r"^\| (WP\d\d\d) \| (error|warning) \|", readme, re.MULTILINE))
    return {"WP002": "error", "WP004": "error", "WP006": "error", **table}


@pytest.fixture(scope="module")
def sarif(tmp_path_factory) -> dict:
    result = check("-f", "sarif", *map(str, FIXTURES), str(CLEAN))
    assert result.exit_code == 1
    return json.loads(result.stdout)


def test_sarif_is_valid_against_the_official_schema(sarif):
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert sarif["version"] == "2.1.0"


def test_sarif_results_are_the_expected_findings_with_levels_and_regions(sarif):
    (run,) = sarif["runs"]
    found = Counter(
        (
            Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name,
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    )
    wanted = Counter((p.name, code, line) for p in FIXTURES for code, line in expected(p))
    assert found == wanted
    severities = readme_severities()
    assert all(r["level"] == severities[r["ruleId"]] for r in run["results"])
    bad = [r for r in run["results"] if r["ruleId"] == "WP108" and "listed twice" in str(r)]
    assert bad[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 16,
        "startColumn": 7,  # `    - 70`: the item after four spaces, "- "
    }


def test_sarif_driver_lists_every_rule_once_with_its_metadata(sarif):
    from warmplan import __version__

    driver = sarif["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("warmplan", __version__)
    assert driver["informationUri"] == "https://github.com/warmplan/warmplan"
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))
    severities = readme_severities()
    for rule in rules:
        if rule["id"] in severities:
            assert rule["defaultConfiguration"]["level"] == severities[rule["id"]]
        assert rule["shortDescription"]["text"]
        assert rule["helpUri"] == (
            f"https://github.com/warmplan/warmplan/blob/main/docs/rules/{rule['id']}.md"
        )
    assert set(severities) - {"WP002", "WP004", "WP006"} <= set(ids)  # every WP1xx
    for result in sarif["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_uris_are_relative_to_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    relative = "tests/data/check/negative/milestones-bad.yaml"
    outside = tmp_path / "my plan.yaml"
    outside.write_text((NEGATIVE / "step-never-steps.yaml").read_text())
    missing = tmp_path / "missing.yaml"
    result = check("-f", "sarif", relative, str(ROOT / relative), str(outside), str(missing))
    results = json.loads(result.stdout)["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    # named relative and absolute, the file is checked twice: the same URI both times
    assert uris[:8] == [relative] * 8
    assert uris[8] == outside.as_uri() and "%20" in uris[8]
    assert unquote(urlparse(uris[8]).path) == str(outside)
    # a missing file has no line: its location has no region
    assert results[-1]["ruleId"] == "WP001"
    assert "region" not in results[-1]["locations"][0]["physicalLocation"]


def test_sarif_of_a_clean_run_is_valid_with_no_results():
    result = check("-f", "sarif", str(CLEAN))
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert document["runs"][0]["results"] == []


def test_sarif_uri_of_a_relative_path_with_a_space():
    from warmplan.render.sarif import artifact_uri

    assert artifact_uri("configs/a b/c.yaml", cwd=str(ROOT)) == "configs/a%20b/c.yaml"


def test_junit_is_one_testsuite_per_file_with_a_failure_per_finding():
    severities = readme_severities()
    result = check("-f", "junit", *map(str, FIXTURES), str(CLEAN))
    assert result.exit_code == 1
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ElementTree.fromstring(result.stdout.encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(p) for p in [*FIXTURES, CLEAN]]
    total = sum(len(expected(p)) for p in FIXTURES)
    assert (root.get("tests"), root.get("failures")) == (str(total + 1), str(total))
    for suite, path in zip(suites[:-1], FIXTURES, strict=True):
        wanted = expected(path)
        cases = suite.findall("testcase")
        assert suite.get("tests") == suite.get("failures") == str(len(wanted))
        assert sorted((c.get("name").split()[0], int(c.get("line"))) for c in cases) == sorted(
            wanted
        )
        for case in cases:
            (failure,) = case.findall("failure")
            code = case.get("name").split()[0]
            assert failure.get("type") == severities[code]
            assert failure.text.startswith(f"{path}:{case.get('line')}:")
            assert failure.text.endswith(f"[{code}]") and failure.get("message")
            assert case.get("file") == case.get("classname") == str(path)
    (clean,) = suites[-1].findall("testcase")
    assert suites[-1].get("failures") == "0" and clean.findall("failure") == []


def test_junit_holds_any_message_as_well_formed_xml():
    from warmplan.errors import Finding
    from warmplan.lint.runner import CheckReport, FileResult
    from warmplan.render.junit import render_junit

    message = 'lr <0 & "x" \x1b[31m'
    finding = Finding("WP103", message, path="a&b.yaml", line=3, col=2)
    text = render_junit(CheckReport([FileResult("a&b.yaml", [finding])]))
    failure = ElementTree.fromstring(text.encode()).find("testsuite/testcase/failure")
    assert failure.get("message") == 'lr <0 & "x" ?[31m'  # ESC cannot be XML at all
    assert failure.get("type") == "error"


def test_statistics_count_findings_per_rule_most_frequent_first():
    from warmplan.render.rule_info import code_info

    result = check("--statistics", *map(str, FIXTURES))
    assert result.exit_code == 1
    counts = Counter(code for p in FIXTURES for code, _ in expected(p))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    *rows, summary = result.stdout.splitlines()
    assert rows == [f"{n}  {code}  {code_info(code).title}" for code, n in ranked]
    assert rows[0].startswith("5  WP108  ")  # 4 in milestones-bad, 1 in milestone-in-warmup
    assert summary == f"5 plans checked: {sum(counts.values())} errors, 0 warnings"
    listed = json.loads(check("--statistics", "-f", "json", *map(str, FIXTURES)).stdout)
    assert [(row["code"], row["count"]) for row in listed] == ranked


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_statistics_in_a_format_it_has_no_form_in_is_a_usage_error(fmt):
    result = check("--statistics", "-f", fmt, str(CLEAN))
    assert result.exit_code == 2
    assert f"--statistics prints text or json, not {fmt}" in result.stderr


def test_exit_zero_keeps_the_report_and_exits_0_but_not_on_usage_errors():
    plain = check(str(NEGATIVE / "milestones-bad.yaml"))
    zero = check("--exit-zero", str(NEGATIVE / "milestones-bad.yaml"))
    assert (plain.exit_code, zero.exit_code) == (1, 0)
    assert zero.stdout == plain.stdout
    assert check("--exit-zero", "--strict", str(NEGATIVE / "load-errors.yaml")).exit_code == 0
    assert check("--exit-zero", "--ignore", "WP999", str(CLEAN)).exit_code == 2


def test_output_file_gets_the_whole_report_and_stdout_nothing(tmp_path):
    target = tmp_path / "reports" / "check.sarif"  # the missing folder is made
    result = check("-f", "sarif", "--output-file", str(target), str(FIXTURES[0]))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"wrote {target}: 1 plan checked: 4 errors, 0 warnings\n"
    document = json.loads(target.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert len(document["runs"][0]["results"]) == 4


@pytest.mark.parametrize("where", ["folder", "under-a-file", "the-input"])
def test_an_unwritable_output_file_is_one_line_and_leaves_nothing(tmp_path, where):
    plan = tmp_path / "plan.yaml"
    plan.write_text(CLEAN.read_text())
    (tmp_path / "notes.txt").write_text("x")
    target = {
        "folder": tmp_path,
        "under-a-file": tmp_path / "notes.txt" / "out.json",
        "the-input": plan,
    }[where]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = check("-f", "json", "-o", str(target), str(plan))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {target}: ")
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no .part left behind
    assert plan.read_text() == CLEAN.read_text()


def test_readme_formats_table_lists_every_check_format():
    from warmplan.cli.check import CheckFormat

    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| `--format` | what |") :].split("\n\n")[0]
    rows = re.findall(r"^\| `(\w+)`", table, re.MULTILINE)
    assert rows == [f.value for f in CheckFormat]


def test_check_help_lists_the_report_options():
    result = runner.invoke(app, ["check", "--help"])
    for option in ("--statistics", "--exit-zero", "--output-file", "--show-source", "sarif"):
        assert option in result.stdout

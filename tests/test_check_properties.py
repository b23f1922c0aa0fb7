"""Property tests of `warmplan check`: over random valid plans (torch kinds and
framework presets) check_plan never raises, and every finding is one well-formed line
``path:line:col: severity: message [WP1xx]`` an editor or CI can parse."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.strategies import plans, preset_plans
from warmplan import load_plan, simulate
from warmplan.errors import ConfigError
from warmplan.lint.runner import check_file, check_plan, known_codes

CHECKED = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
LINE = re.compile(
    r"^(?P<path>[^\n]+?)(:\d+(:\d+)?)?: (error|warning): (?P<message>.+) \[WP\d{3}\]$"
)


def _well_formed(finding, path: str) -> None:
    line = finding.format()
    match = LINE.match(line)
    assert match, line
    assert match["path"] == path, line
    assert line.isprintable(), line
    assert finding.code in known_codes() or finding.code.startswith("WP0"), line
    assert finding.severity in ("error", "warning"), line


def _checked(data: dict) -> list:
    try:
        plan = load_plan(data)
        trace = simulate(plan)
    except ConfigError:
        assume(False)  # an invalid draw: the mutant tests cover those
    return check_plan(plan, trace)


@CHECKED
@given(st.one_of(plans(), preset_plans()))
def test_check_never_raises_and_every_finding_is_one_line(data: dict) -> None:
    for finding in _checked(data):
        _well_formed(finding, "<plan>")
        assert finding.code.startswith("WP1"), finding


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(plans(), preset_plans()), st.sampled_from(["plan.yaml", "odd name ü.yml"]))
def test_check_file_on_written_plans_locates_every_finding(data: dict, name: str) -> None:
    """Through the file runner (as `warmplan check` calls it): every finding names the
    file, and findings with a line point inside it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        text = yaml.safe_dump(data, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        result = check_file(str(path))
    lines = text.count("\n")
    for finding in result.findings:
        _well_formed(finding, str(path))
        if finding.line is not None:
            assert 1 <= finding.line <= lines + 1, (finding.format(), text)

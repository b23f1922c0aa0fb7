"""Property tests over framework presets: random argument sets (within sensible
ranges) and random mutations of preset plans load and simulate to finite LRs >= 0, or
fail with a clean, located ConfigError; never another exception."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests.strategies import mutants, preset_plans
from warmplan import load_plan, simulate
from warmplan.config.load import validate_source
from warmplan.config.source import parse_yaml
from warmplan.errors import ConfigError
from warmplan.presets import FRAMEWORKS

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
MAX_STEPS = 20_000
#: what the preset tests saw, for the report: (valid, refused) per framework
SEEN: dict[str, list[int]] = {framework: [0, 0] for framework in FRAMEWORKS}


def _outcome(load, framework: str | None = None) -> None:
    try:
        trace = simulate(load(), max_steps=MAX_STEPS)
    except ConfigError as error:
        assert error.findings
        for line in error.lines():
            assert "\n" not in line and line.isprintable(), line
            assert (line.endswith("]") and "[WP0" in line) or "[WP114]" in line, line
        if framework:
            SEEN[framework][1] += 1
        return
    assert trace.lr.shape == (trace.plan.intervals, len(trace.plan.target_lrs))
    assert np.isfinite(trace.lr).all(), trace.plan.preset
    assert (trace.lr >= 0).all(), trace.plan.preset
    if framework:
        SEEN[framework][0] += 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_random_preset_arguments_give_sane_lrs_or_a_clean_error(framework: str) -> None:
    @PROPERTY
    @given(preset_plans(framework))
    def check(data: dict) -> None:
        _outcome(lambda: load_plan(data), framework)

    check()
    valid, refused = SEEN[framework]
    # the ranges are sensible: many drawn argument sets are schedules the framework runs
    # (the rest are its own refusals, e.g. transformers' warm-up longer than training)
    assert valid * 4 > valid + refused, (framework, valid, refused)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutants(preset_plans()))
def test_mutated_preset_plans_load_or_fail_cleanly(data: dict) -> None:
    _outcome(lambda: load_plan(data))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutants(preset_plans()))
def test_mutated_preset_yaml_loads_or_fails_cleanly(data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    _outcome(lambda: validate_source(parse_yaml(text, "mutant.yaml")))

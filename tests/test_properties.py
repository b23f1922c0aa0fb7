"""Property tests: random valid plans simulate to sane schedules; random mutations of
them give either a sane schedule or a clean ConfigError, never another exception."""

from __future__ import annotations

import string

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.strategies import DECAY_KINDS, decay_blocks, fit_decay, mutants, plans
from warmplan import load_plan, simulate
from warmplan.config.load import validate_source
from warmplan.config.source import parse_yaml
from warmplan.errors import ConfigError

PROPERTY = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
#: Plans are small, but a mutant may be long: keep each simulation quick.
MAX_STEPS = 20_000


def _assert_sane(trace) -> None:
    assert trace.lr.shape == (trace.plan.intervals, len(trace.plan.target_lrs))
    assert np.isfinite(trace.lr).all()
    assert (trace.lr >= 0).all()


def _load_valid(data: dict):
    try:
        return load_plan(data)
    except ConfigError:
        assume(False)  # e.g. a cosine eta_min above a tiny group lr: not this test's business


@PROPERTY
@given(plans())
def test_valid_plans_give_finite_non_negative_lrs(data: dict) -> None:
    plan = _load_valid(data)
    trace = simulate(plan)
    _assert_sane(trace)
    assert not trace.warnings, trace.warnings


def _milestone_by_warmup_end(plan) -> bool:
    """A multistep milestone inside the warm-up (or at its end) has passed by the
    hand-over: torch's SequentialLR then starts the decay at target x gamma."""
    if plan.decay_kind != "multistep":
        return False
    return any(m <= plan.warmup_intervals for m in plan.decay.milestones)


@PROPERTY
@given(plans())
def test_warmup_rises_to_the_target(data: dict) -> None:
    plan = _load_valid(data)
    if plan.decay is not None and plan.decay.kind == "yolo":
        return  # aims at lr x lf(epoch), its bias group from above: test_kinds' oracle
    trace = simulate(plan)
    w = plan.warmup_intervals
    targets = np.array(plan.target_lrs)
    # OneCycleLR peaks at the float step pct_start * N - 1: max_lr is hit exactly only
    # when that is whole (check's WP105 says so); its rise is still non-decreasing
    one_cycle = plan.decay is not None and plan.decay.kind == "onecycle"
    reached = not _milestone_by_warmup_end(plan) and not one_cycle
    warm = trace.lr[: w + 1 if reached else w]
    # non-decreasing through the warm-up, up to the hand-over
    assert (np.diff(warm, axis=0) >= -1e-12 * targets).all()
    if reached:
        np.testing.assert_allclose(trace.lr[w], targets, rtol=1e-9)
    if w and plan.warmup is not None and plan.warmup.kind == "linear":
        # the seed formula: lr_t = lr_init + t * (lr_target - lr_init) / W
        t = np.arange(w)[:, None]
        start = plan.start_factor * targets
        np.testing.assert_allclose(trace.lr[:w], start + t * (targets - start) / w, rtol=1e-9)


@pytest.mark.parametrize("kind", DECAY_KINDS)
def test_every_decay_kind_is_generated_valid(kind: str) -> None:
    """The schema-driven strategy builds valid blocks of every kind (new ones too)."""

    @settings(max_examples=20, deadline=None)
    @given(decay_blocks(kind))
    def check(block: dict) -> None:
        block = fit_decay(block, intervals=30, warmup=0)
        training = {"epochs": 30, **({"interval": "step"} if kind == "yolo" else {})}
        plan = load_plan({"optimizer": {"lr": 1.0}, "training": training, "decay": block})
        _assert_sane(simulate(plan))

    check()


def _outcome(load) -> None:
    """Loading then simulating either works and is sane, or raises ConfigError."""
    try:
        plan = load()
        trace = simulate(plan, max_steps=MAX_STEPS)
    except ConfigError as error:
        assert error.findings
        for line in error.lines():
            assert "\n" not in line and line.isprintable(), line
        return
    _assert_sane(trace)


@PROPERTY
@given(mutants())
def test_mutated_plans_load_or_fail_cleanly(data: dict) -> None:
    _outcome(lambda: load_plan(data))


@PROPERTY
@given(mutants())
def test_mutated_yaml_loads_or_fails_cleanly(data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    _outcome(lambda: validate_source(parse_yaml(text, "mutant.yaml")))


@PROPERTY
@given(
    plans(),
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.sampled_from(list(":-[]{}&*!|>'\"#%@`,?\t\n " + string.ascii_letters + "0.e")),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_corrupted_yaml_text_loads_or_fails_cleanly(data: dict, edits: list) -> None:
    """Characters YAML gives meaning to, dropped into a valid file at random places."""
    text = yaml.safe_dump(data)
    for position, character in edits:
        at = position % (len(text) + 1)
        text = text[:at] + character + text[at:]
    _outcome(lambda: validate_source(parse_yaml(text, "corrupt.yaml")))


@pytest.mark.parametrize("lr", [1e-100, 1e-30, 1e10])
def test_lr_extremes_stay_finite(lr: float) -> None:
    """The smallest and largest target LRs a plan may have, through warm-up and decay."""
    plan = load_plan(
        {
            "optimizer": {"lr": lr},
            "training": {"epochs": 20},
            "warmup": {"length": 5, "start_factor": 1e-12},
            "decay": {"kind": "cosine"},
        }
    )
    trace = simulate(plan)
    _assert_sane(trace)
    assert trace.lr[5, 0] == pytest.approx(lr, rel=1e-12)
    assert trace.lr[0, 0] == pytest.approx(lr * 1e-12, rel=1e-12)


@pytest.mark.parametrize("lr", [5e-324, 1e-101, 1.1e10, 1.7e308])
def test_lr_beyond_the_extremes_is_refused(lr: float) -> None:
    with pytest.raises(ConfigError, match="must be between 1e-100 and 1e\\+10"):
        load_plan({"optimizer": {"lr": lr}, "training": {"epochs": 20}})

"""Random plans against an independent plain-torch oracle written here.

Each drawn plan writes its lengths in any unit (intervals, steps, epochs, fractions of
training, as two-decimal numbers such as 0.28) and the oracle works them out in exact
decimal arithmetic by the README's rules: steps and epochs that do not fall on an
interval round up, fractions of all intervals round to the nearest (ties to even).
It then builds the schedule from torch's classes directly (a ``LambdaLR`` warm-up over
its formula, chained by ``SequentialLR`` at W) and compares every LR with warmplan's
simulation. Where the README says a plan is refused, the oracle expects a ConfigError;
every other plan must load.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as torch_lr

from warmplan import load_plan, simulate
from warmplan.errors import ConfigError

CURVES = {
    "linear": lambda p, s: s + (1 - s) * p,
    "constant": lambda p, s: s,
    "exponential": lambda p, s: s ** (1 - p),
    "cosine": lambda p, s: s + (1 - s) * (1 - math.cos(math.pi * p)) / 2,
}


@dataclass
class Budget:
    epochs: int
    per_epoch: int
    interval: str

    @property
    def intervals(self) -> int:
        return self.epochs * self.per_epoch if self.interval == "step" else self.epochs

    @property
    def step_scale(self) -> int:
        """Epochs become steps (x steps per epoch) only when the scheduler steps per step."""
        return self.per_epoch if self.interval == "step" else 1

    def convert(self, unit: str, value: Fraction) -> int:
        """The README's rules, in exact arithmetic (Fraction's round: ties to even)."""
        if unit == "length":
            return int(value)
        if unit == "fraction":
            return round(value * self.intervals)
        steps = value if unit == "steps" else value * self.per_epoch
        return math.ceil(steps if self.interval == "step" else steps / self.per_epoch)


@dataclass
class Expected:
    """What the oracle builds; ``refused`` when the README says the plan is refused."""

    warmup: int = 0
    curve: str = "linear"
    start: float = 0.1
    decay: Any = None  # optimizer -> torch scheduler, or None to hold the target
    lengths: dict[str, int] = field(default_factory=dict)
    milestones: list[int] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    has_warmup: bool = False  # a warmup block of a kind other than none
    own_warmup: bool = False  # onecycle: OneCycleLR warms up by itself


@functools.cache
def _traps(scale: int) -> tuple[int, ...]:
    """Hundredths h whose product h / 100 x scale is whole or a half, and lands on the
    other side of it in binary floats (0.28 x 25 = 7.000000000000001)."""
    traps = []
    for h in range(1, 100 * 130):
        if h * scale % 100 not in (0, 50):
            continue
        exact, product = Fraction(h * scale, 100), float(Fraction(h, 100)) * scale
        if (math.ceil(product), round(product)) != (math.ceil(exact), round(exact)):
            traps.append(h)
    return tuple(traps)


def _decimal(draw: Any, low: int, high: int, scale: int = 1) -> tuple[Any, Fraction]:
    """A two-decimal number (hundredths from ``low`` to ``high``), as YAML would read
    it (an int when whole), and its exact value. With a ``scale``, a third of them make
    ``value x scale`` whole or a half, and a third are binary traps among those."""
    mode = draw(st.sampled_from(["any", "aligned", "trap"])) if scale > 1 else "any"
    pool: list[int] = []
    if mode == "aligned":
        pool = [h for h in range(low, high + 1) if h * scale % 100 in (0, 50)]
    elif mode == "trap":
        pool = [h for h in _traps(scale) if low <= h <= high]
    hundredths = draw(st.sampled_from(pool)) if pool else draw(st.integers(low, high))
    exact = Fraction(hundredths, 100)
    return (int(exact) if exact.denominator == 1 else float(exact)), exact


def _length(draw: Any, budget: Budget, key: str, expected: Expected) -> Any:
    """A decay length in any unit; the oracle's conversion goes to ``expected.lengths``."""
    n = budget.intervals
    unit = draw(st.sampled_from(["length", "steps", "epochs", "fraction"]))
    if unit == "length":
        value = draw(st.integers(1, n + 2))
        expected.lengths[key] = value
        return value
    if unit == "steps":
        value = draw(st.integers(1, budget.epochs * budget.per_epoch + 2))
        exact = Fraction(value)
    elif unit == "epochs":
        value, exact = _decimal(draw, 1, 100 * budget.epochs + 50, budget.step_scale)
    else:
        value, exact = _decimal(draw, 1, 100, n)
    converted = budget.convert(unit, exact)
    expected.lengths[key] = converted
    if converted < 1:
        expected.refused.append(f"decay.{key} rounds to 0")
    return {unit: value}


def _warmup(draw: Any, budget: Budget, expected: Expected) -> dict[str, Any] | None:
    kind = draw(st.sampled_from([None, "none", "linear", "constant", "exponential", "cosine"]))
    if kind is None or kind == "none":
        return None if kind is None else {"kind": "none"}
    block: dict[str, Any] = {"kind": kind}
    expected.has_warmup = True
    n = budget.intervals
    unit = draw(st.sampled_from(["length", "steps", "epochs", "fraction"]))
    if unit in ("length", "steps"):
        value: Any = draw(
            st.integers(0, n if unit == "length" else budget.epochs * budget.per_epoch)
        )
        exact = Fraction(value)
    else:
        top, scale = (99, n) if unit == "fraction" else (100 * budget.epochs, budget.step_scale)
        value, exact = _decimal(draw, 0, top, scale)
    block[unit] = value
    expected.warmup, expected.curve = budget.convert(unit, exact), kind
    if draw(st.booleans()):
        block["start_factor"], start = _decimal(draw, 0, 100)
        expected.start = float(start)
    # a plan may break both rules; the loader may name either
    if expected.warmup >= n:
        expected.refused.append("must be shorter than training")
    if expected.warmup and expected.start == 0 and kind in ("constant", "exponential"):
        expected.refused.append("stays at LR 0")
    return block


def _floor(draw: Any, block: dict[str, Any]) -> float:
    eta = draw(st.sampled_from([0.0, 1e-6, 2.5e-5]))
    if eta or draw(st.booleans()):
        block["eta_min"] = eta
    return eta


def _decay(draw: Any, budget: Budget, expected: Expected) -> dict[str, Any] | None:
    kinds = ["constant", "cosine", "linear", "step", "multistep", "exponential", "polynomial"]
    kinds += ["cosine_restarts", "inverse_sqrt", "wsd", "onecycle"]
    kind = draw(st.sampled_from([None, *kinds]))
    if kind is None:
        return None
    block: dict[str, Any] = {"kind": kind}
    w, n = expected.warmup, budget.intervals
    rest = n - w
    gamma_value, gamma = _decimal(draw, 5, 100)
    lengths = expected.lengths
    if kind == "constant":
        return block
    if kind in ("cosine", "cosine_restarts"):
        eta = _floor(draw, block)
        if kind == "cosine":
            if draw(st.booleans()):
                block["T_max"] = _length(draw, budget, "T_max", expected)
            period = lengths.get("T_max", rest)
            expected.decay = lambda o: torch_lr.CosineAnnealingLR(o, T_max=period, eta_min=eta)
        else:
            block["T_0"] = _length(draw, budget, "T_0", expected)
            block["T_mult"] = mult = draw(st.integers(1, 3))
            expected.decay = lambda o: torch_lr.CosineAnnealingWarmRestarts(
                o, T_0=lengths["T_0"], T_mult=mult, eta_min=eta
            )
    elif kind in ("linear", "polynomial"):
        if draw(st.booleans()):
            block["total_iters"] = _length(draw, budget, "total_iters", expected)
        total = lengths.get("total_iters", rest)
        if kind == "linear":
            block["end_factor"] = end = float(gamma) - 0.05
            expected.decay = lambda o: torch_lr.LinearLR(o, 1.0, end, total_iters=total)
        else:
            block["power"] = gamma_value
            expected.decay = lambda o: torch_lr.PolynomialLR(o, total, power=float(gamma))
    elif kind in ("step", "exponential"):
        block["gamma"] = gamma_value
        if kind == "exponential":
            expected.decay = lambda o: torch_lr.ExponentialLR(o, gamma=float(gamma))
        else:
            block["step_size"] = _length(draw, budget, "step_size", expected)
            expected.decay = lambda o: torch_lr.StepLR(o, lengths["step_size"], float(gamma))
    elif kind == "multistep":
        block.update(gamma=gamma_value, milestones=_milestones(draw, budget, expected))
        marks = [m - w for m in expected.milestones]  # from the hand-over on
        expected.decay = lambda o: torch_lr.MultiStepLR(o, marks, gamma=float(gamma))
    elif kind == "inverse_sqrt":
        if not w or draw(st.booleans()):
            block["timescale"] = draw(st.integers(1, 20))
        tau = block.get("timescale", w)
        expected.decay = lambda o: torch_lr.LambdaLR(o, lambda k: math.sqrt(tau / (tau + k)))
    elif kind == "wsd":
        _wsd(draw, block, budget, expected)
    else:
        _onecycle(draw, block, budget, expected)
    return block


def _milestones(draw: Any, budget: Budget, expected: Expected) -> Any:
    unit = draw(st.sampled_from(["length", "steps", "epochs", "fraction"]))
    count = draw(st.integers(1, 3))
    if unit == "length":
        points = sorted(draw(st.lists(st.integers(1, budget.intervals), min_size=1, max_size=3)))
        expected.milestones = points
        return points
    if unit == "steps":
        top = budget.epochs * budget.per_epoch
        values = [draw(st.integers(1, top)) for _ in range(count)]
        exact = [Fraction(v) for v in values]
    else:
        top = 100 * budget.epochs if unit == "epochs" else 100
        scale = budget.step_scale if unit == "epochs" else budget.intervals
        pairs = [_decimal(draw, 1, top, scale) for _ in range(count)]
        values, exact = [p[0] for p in pairs], [p[1] for p in pairs]
    expected.milestones = [budget.convert(unit, v) for v in exact]
    if 0 in expected.milestones:
        expected.refused.append("milestones entry rounds to")
    return {unit: values}


def _wsd(draw: Any, block: dict[str, Any], budget: Budget, expected: Expected) -> None:
    n, rest = budget.intervals, budget.intervals - expected.warmup
    eta = _floor(draw, block)
    block["shape"] = shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt"]))
    if draw(st.booleans()):
        block["decay_length"] = _length(draw, budget, "decay_length", expected)
        length = expected.lengths.pop("decay_length")
    else:
        fraction = Fraction(1, 10)
        if draw(st.booleans()):
            block["decay_fraction"], fraction = _decimal(draw, 1, 100, n)
        length = round(fraction * n)
    if length < 1 or length > rest:
        expected.refused.append("the wsd decay")
    stable = rest - length

    def factor(target: float):
        def lr_factor(k: int) -> float:  # the README: eta_min + (target - eta_min) x f
            p = (k - stable) / length if k >= stable else 0.0
            if p >= 1:
                left = 0.0
            elif shape == "linear":
                left = 1 - p
            elif shape == "cosine":
                left = (1 + math.cos(math.pi * p)) / 2
            else:
                left = 1 - math.sqrt(p)
            return (eta + (target - eta) * left) / target

        return lr_factor

    expected.decay = lambda o: torch_lr.LambdaLR(o, [factor(g["lr"]) for g in o.param_groups])


def _onecycle(draw: Any, block: dict[str, Any], budget: Budget, expected: Expected) -> None:
    if expected.has_warmup:
        expected.refused.append("warms up by itself")
    n = budget.intervals
    # pct_start x N around 1 and 2 too, where OneCycleLR's first phase is short
    pct = draw(st.one_of(st.floats(0.01, 0.99), st.sampled_from([1 / n, 1.5 / n, 0.5])))
    pct = min(max(pct, 0.01), 0.99)
    three = draw(st.booleans())
    block.update(pct_start=pct, three_phase=three)
    rise = float(pct * n) - 1  # OneCycleLR's own phase ends, in its float arithmetic
    if rise == 0 or (float(2 * pct * n) - 2 if three else rise) == n - 1:
        expected.refused.append("OneCycleLR")
    expected.own_warmup = True
    expected.decay = lambda o: torch_lr.OneCycleLR(
        o,
        max_lr=[group["lr"] for group in o.param_groups],
        total_steps=n,
        pct_start=pct,
        three_phase=three,
        cycle_momentum=False,  # plain SGD has none; the LRs do not depend on it
    )


@st.composite
def cases(draw: Any) -> tuple[dict[str, Any], Budget, Expected, list[float]]:
    # sizes where binary products of two-decimal numbers go wrong, and any others
    interval = draw(st.sampled_from(["epoch", "step"]))
    per_epoch = draw(st.one_of(st.sampled_from([15, 25, 30]), st.integers(1, 30)))
    if interval == "epoch":
        epochs = draw(st.one_of(st.sampled_from([25, 45, 50, 75, 100]), st.integers(1, 120)))
    else:
        epochs = draw(st.integers(1, max(1, 120 // per_epoch)))
    budget = Budget(epochs, per_epoch, interval)
    targets = draw(st.lists(st.sampled_from([1e-3, 3e-4, 0.1]), min_size=1, max_size=2))
    optimizer: dict[str, Any] = {"kind": "sgd", "lr": targets[0]}
    if len(targets) > 1:
        optimizer["groups"] = [{"name": f"g{i}", "lr": lr} for i, lr in enumerate(targets)]
    data: dict[str, Any] = {
        "optimizer": optimizer,
        "training": {
            "epochs": budget.epochs,
            "steps_per_epoch": budget.per_epoch,
            "interval": budget.interval,
        },
    }
    expected = Expected()
    warmup = _warmup(draw, budget, expected)
    if warmup is not None:
        data["warmup"] = warmup
    decay = _decay(draw, budget, expected)
    if decay is not None:
        data["decay"] = decay
    return data, budget, expected, targets


def _oracle(budget: Budget, expected: Expected, targets: list[float]) -> np.ndarray:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in targets]
    optimizer = torch.optim.SGD(groups, lr=targets[0])
    hold = expected.decay or (lambda o: torch_lr.LambdaLR(o, lambda k: 1.0))
    scheduler = after = hold(optimizer)
    if expected.warmup:
        w, s, curve = expected.warmup, expected.start, CURVES[expected.curve]
        ramp = torch_lr.LambdaLR(optimizer, lambda t: curve(t / w, s) if t < w else 1.0)
        scheduler = torch_lr.SequentialLR(optimizer, [ramp, after], milestones=[w])
    rows = []
    optimizer.step()  # once, as torch asks before a scheduler step; it changes no LR
    for _ in range(budget.intervals):
        rows.append([group["lr"] for group in optimizer.param_groups])
        scheduler.step()
    return np.array(rows)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_random_plans_match_plain_torch(case) -> None:
    data, budget, expected, targets = case
    if expected.refused:
        try:
            load_plan(data)
        except ConfigError as error:
            assert any(reason in str(error) for reason in expected.refused), str(error)
            return
        raise AssertionError(f"not refused, expected: {expected.refused}")
    plan = load_plan(data)
    if not expected.own_warmup:  # onecycle's is OneCycleLR's business
        assert plan.warmup_intervals == expected.warmup
    for key, length in expected.lengths.items():
        assert plan.decay_length(key) == length, key
    assert plan.milestones == expected.milestones
    got = simulate(plan).lr
    want = _oracle(budget, expected, targets)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15 * max(targets))

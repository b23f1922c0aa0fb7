"""The traps of OLMo configs (WP175-WP181): what each finding says about the run, against
OLMo's formulas written here (ai2-olmo 0.6.0 ``olmo/optim.py``: the warm-up from
``warmup_min_lr`` or 0.1 x lr, the cosine to ``alpha_f x lr`` over ``t_max``, the floor
after it; ``olmo/train.py``: the scheduler counted after each update), and against the
LRs ``show`` gives (equal to OLMo's own, tests/test_formats_olmo.py). The examples with
``# expect:`` lines are in tests/data/formats/check/ (tests/test_formats.py runs them)."""

from __future__ import annotations

import csv
import io
import math

import pytest
from typer.testing import CliRunner

from tests.conftest import DATA
from warmplan.cli.main import app
from warmplan.config.source import parse_yaml
from warmplan.formats.draft import Facts
from warmplan.formats.load import read_recipe

CHECKS = DATA / "formats" / "check"
OLMO_CODES = {f"WP{n}" for n in range(175, 182)}


def _traps(text: str, facts: Facts | None = None) -> list[tuple[str, int, str]]:
    """(code, line, message) of the reader's OLMo findings, without simulating."""
    source = read_recipe(parse_yaml(text, "OLMo.yaml"), "olmo", facts or Facts())
    return [(f.code, f.line or 0, f.message) for f in source.findings if f.code in OLMO_CODES]


def _lrs(path: str) -> list[float]:
    result = CliRunner().invoke(app, ["show", path, "-f", "csv"])
    assert result.exit_code == 0, result.output
    return [float(row[-1]) for row in list(csv.reader(io.StringIO(result.stdout)))[1:]]


def _cosine(lr: float, alpha_f: float, current: int, warmup: int, t_max: int) -> float:
    floor = alpha_f * lr
    return (
        floor + (lr - floor) * (1 + math.cos(math.pi * (current - warmup) / (t_max - warmup))) / 2
    )


def _config(scheduler: str, duration: str = "1000", lr: str = "3.0e-4") -> str:
    return (
        f"optimizer:\n  learning_rate: {lr}\nscheduler:\n{scheduler}"
        f"max_duration: {duration}\nglobal_train_batch_size: 16\n"
        "model:\n  max_sequence_length: 64\n"
    )


def test_the_lr_a_run_stops_at_when_t_max_is_past_its_end() -> None:
    path = CHECKS / "negative" / "olmo-t-max-past-end.yaml"
    (code, line, message), *rest = _traps(path.read_text())
    assert (code, line, rest) == ("WP176", 11, [])
    # 4e5 tokens at 16 x 64 = 1,024 a batch: ceil(390.625) = 391 updates, the last at 400,384
    last = _cosine(3e-4, 0.1, 391 * 1024, 10240, 500000)
    assert f"at LR {last:.3g} ({last / 3e-4:.3g} x learning_rate)" in message
    assert "alpha_f x learning_rate = 3e-05" in message
    lrs = _lrs(str(path))
    assert len(lrs) == 391 and lrs[-1] == pytest.approx(last, rel=1e-12)
    assert min(lrs[10:]) > 3e-5 * 1.5  # past the warm-up, the floor is never reached


def test_the_updates_held_at_the_floor_when_t_max_is_before_the_end() -> None:
    path = CHECKS / "negative" / "olmo-floor-held.yaml"
    ((code, line, message),) = _traps(path.read_text())
    # update t counts step t + 1; from step 300 (t_max) on OLMo returns alpha_f x lr
    held = sum(1 for t in range(500) if t + 1 >= 300)
    assert (code, line, held) == ("WP177", 8, 201)
    assert f"for the last {held} updates (40% of training)" in message
    lrs = _lrs(str(path))
    assert lrs[-held:] == [pytest.approx(6e-5, rel=1e-12)] * held
    assert lrs[-held - 1] > 6e-5


def test_t_max_at_the_end_of_the_run_is_no_trap() -> None:
    # the floor on the last update only: t_max = max_duration, in steps and in tokens
    steps = "  t_warmup: 10\n  t_max: 1000\n  warmup_min_lr: 0.0\n"
    assert _traps(_config(steps)) == []
    tokens = "  units: tokens\n  t_warmup: 10240\n  t_max: 4e5\n  warmup_min_lr: 0.0\n"
    assert _traps(_config(tokens, duration="4e5T")) == []
    # no t_max: the decay ends with training whatever max_duration is
    assert _traps(_config("  t_warmup: 10\n  warmup_min_lr: 0.0\n", duration="77")) == []


def test_a_warm_up_from_the_default_start_names_it_and_the_key() -> None:
    ((code, line, message),) = _traps(_config("  name: cosine_with_warmup\n  t_warmup: 40\n"))
    assert (code, line) == ("WP175", 5)
    assert "0.1 x learning_rate = 3e-05" in message and "warmup_min_lr: 0.0" in message
    # no t_warmup: OLMo's default of 100 steps, pointed at the scheduler's name
    ((code, line, _),) = _traps(_config("  name: linear_with_warmup\n"))
    assert (code, line) == ("WP175", 4)


@pytest.mark.parametrize(
    "scheduler",
    [
        "  t_warmup: 40\n  warmup_min_lr: 0.0\n",  # set: OLMo 2's configs
        "  t_warmup: 40\n  warmup_min_lr: 3.0e-5\n",  # set to the default itself
        "  t_warmup: 0\n",  # no warm-up
        "  t_warmup: 1\n",  # update 0 is step 1: already past the warm-up
        "  units: tokens\n  t_warmup: 1024\n",  # one batch of tokens: the same
    ],
)
def test_no_default_start_finding_without_a_warm_up_from_it(scheduler: str) -> None:
    assert "WP175" not in [c for c, _, _ in _traps(_config(scheduler))]


def test_the_default_start_is_the_lr_olmo_trains_with() -> None:
    path = CHECKS / "negative" / "olmo-warmup-default-start.yaml"
    # update t at step t + 1 of 50: 3e-5 + (3e-4 - 3e-5) (t + 1) / 50
    assert _lrs(str(path))[:3] == pytest.approx([3e-5 + 2.7e-4 * (t + 1) / 50 for t in range(3)])


def test_steps_under_units_tokens_and_tokens_under_units_steps() -> None:
    text = (CHECKS / "negative" / "olmo-units-tokens-with-steps.yaml").read_text()
    ((code, line, message),) = _traps(text)
    assert (code, line) == ("WP178", 10)
    # 32 x 256 = 8,192 tokens a batch; 100 steps of it = 819,200 tokens
    assert "(8,192 tokens)" in message and "t_warmup: 819,200" in message
    text = (CHECKS / "negative" / "olmo-units-steps-with-tokens.yaml").read_text()
    ((code, line, message),) = _traps(text)
    assert (code, line) == ("WP178", 8)
    # from warmup_min_lr 0, step 300 of a warm-up of 838,860,800
    assert f"it ends at {4e-4 * 300 / 838860800:.3g}" in message
    t_max = _config("  units: tokens\n  t_warmup: 10240\n  t_max: 1000\n  warmup_min_lr: 0.0\n")
    # a t_max of steps in tokens: one finding, not also the floor held from update 0
    assert [(c, line) for c, line, _ in _traps(t_max)] == [("WP178", 6)]


def test_alpha_f_written_as_the_floors_lr() -> None:
    ((code, line, message),) = _traps(
        (CHECKS / "negative" / "olmo-alpha-f-absolute.yaml").read_text()
    )
    assert (code, line) == ("WP179", 9)
    assert f"= {3e-5 * 3e-4:.3g}" in message and "write alpha_f: 0.1" in message
    for ratio in ("0.1", "0.0", "0.01"):  # ratios, however small: no finding
        scheduler = f"  t_warmup: 10\n  warmup_min_lr: 0.0\n  alpha_f: {ratio}\n"
        assert _traps(_config(scheduler, lr="6.0e-3")) == []


def test_fractions_are_truncated_to_zero() -> None:
    found = _traps((CHECKS / "negative" / "olmo-fraction.yaml").read_text())
    assert [(c, line) for c, line, _ in found] == [("WP180", 7), ("WP180", 8)]
    assert (
        "int(t_warmup) = 0 steps" in found[0][2] and "(0.02 of this run is 20 steps)" in found[0][2]
    )
    # int(0.9) = 0: OLMo's floor alpha_f x lr from the first update on (no warm-up either)
    lrs = _lrs(str(CHECKS / "negative" / "olmo-fraction.yaml"))
    assert lrs == [pytest.approx(3e-5, rel=1e-12)] * 1000
    assert _traps(_config("  t_warmup: 2.0e3\n  warmup_min_lr: 0.0\n", duration="4000")) == []


def test_keys_the_scheduler_ignores() -> None:
    found = _traps((CHECKS / "negative" / "olmo-ignored-key.yaml").read_text())
    assert [(c, line) for c, line, _ in found] == [("WP181", 7), ("WP181", 8)]
    # OLMo's ConstantScheduler: learning_rate from the first update, t_warmup or not
    assert _lrs(str(CHECKS / "negative" / "olmo-ignored-key.yaml")) == [1e-4] * 1000
    inverse = "  name: inverse_sqrt_with_warmup\n  t_warmup: 10\n  warmup_min_lr: 0.0\n"
    found = _traps(_config(inverse + "  t_max: 500\n"))
    assert [(c, line) for c, line, _ in found] == [("WP181", 7)]
    assert _traps(_config(inverse)) == []


def test_an_epoch_budget_from_the_flag_is_the_end_t_max_is_compared_with() -> None:
    scheduler = "  t_warmup: 10\n  t_max: 2000\n  warmup_min_lr: 0.0\n"
    found = _traps(_config(scheduler, duration="2ep"), Facts(steps_per_epoch=800))
    assert [c for c, _, _ in found] == ["WP176"] and "of 1,600 updates" in found[0][2]
    assert _traps(_config(scheduler, duration="2ep"), Facts(steps_per_epoch=1000)) == []


def test_an_olmo_trap_can_be_ignored() -> None:
    path = str(CHECKS / "negative" / "olmo-floor-held.yaml")
    result = CliRunner().invoke(app, ["check", path, "--ignore", "WP177", "--isolated"])
    assert result.exit_code == 0 and "WP177" not in result.output


def test_the_schedules_of_olmo_7b_and_olmo_2_7b() -> None:
    """The schedule keys of allenai/OLMo@59a53e3f configs/official-0724/OLMo-7B.yaml and
    configs/official-1124/OLMo2-7B-stage1.yaml, re-typed; OLMo 2 7B trained 4e12 of its
    schedule's 5e12 tokens (allenai/OLMo#887)."""
    olmo_7b = (
        "model:\n  max_sequence_length: 2048\noptimizer:\n  learning_rate: 3.0e-4\n"
        "scheduler:\n  name: linear_with_warmup\n  t_warmup: 5000\n  alpha_f: 0.1\n"
        "max_duration: 2e12T\nglobal_train_batch_size: 2048\n"
    )
    assert [(c, line) for c, line, _ in _traps(olmo_7b)] == [("WP175", 7)]
    olmo_2 = (
        "model:\n  max_sequence_length: 4096\noptimizer:\n  learning_rate: 3.0e-4\n"
        "scheduler:\n  name: cosine_with_warmup\n  units: tokens\n  t_warmup: 8388608000\n"
        "  t_max: 5e12\n  alpha_f: 0.1\n  warmup_min_lr: 0.0\n"
        "max_duration: 1ep\nglobal_train_batch_size: 1024\n"
    )
    updates = math.ceil(4e12 / (1024 * 4096))  # 953,675
    ((code, line, message),) = _traps(olmo_2, Facts(steps=updates))
    last = _cosine(3e-4, 0.1, updates * 1024 * 4096, 8388608000, int(5e12))
    assert (code, line) == ("WP176", 9)
    assert f"at the last of 953,675 updates): the run stops mid-decay at LR {last:.3g}" in message
    assert f"{last:.3g}" == "5.59e-05"

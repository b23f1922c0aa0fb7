"""`warmplan check`'s rules: the example plans in tests/data/check become tests (each
negative file declares the exact codes and lines it must produce), and the rules no
valid plan can trigger today are fed hand-made traces."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CONFIGS, DATA, config_trace
from warmplan.config.load import load_plan
from warmplan.lint.runner import all_rules, check_file, check_paths, check_plan
from warmplan.schedule.build import layout
from warmplan.schedule.simulate import CapturedWarning, Trace, simulate

CHECK = DATA / "check"
POSITIVE = sorted((CHECK / "positive").glob("*.y*ml"))
NEGATIVE = sorted((CHECK / "negative").glob("*.y*ml"))
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)


def declared(path: Path) -> set[tuple[str, int]]:
    """``# expect: WP103@12, WP110@7`` -> {("WP103", 12), ("WP110", 7)}."""
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} must declare `# expect: CODE@LINE, ...`"
    pairs = (item.strip().split("@") for item in match.group(1).split(","))
    return {(code, int(line)) for code, line in pairs}


@pytest.mark.parametrize("path", NEGATIVE, ids=lambda p: p.name)
def test_negative_plan_produces_exactly_its_declared_findings(path):
    result = check_file(str(path))
    assert {(f.code, f.line) for f in result.findings} == declared(path)
    assert all(f.path == str(path) and f.col for f in result.findings)


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.name)
def test_positive_plan_has_no_findings(path):
    result = check_file(str(path))
    assert [f.format() for f in result.findings] == []
    assert result.status == "ok"


def test_the_example_folders_are_not_empty():
    assert len(POSITIVE) >= 10 and len(NEGATIVE) >= 10


def test_every_rule_code_has_a_negative_example_or_a_synthetic_test():
    """WP1xx codes the files cannot reach are tested below with hand-made traces."""
    in_files = {code for path in NEGATIVE for code, _ in declared(path)}
    # the traps of other tools' configs have theirs in tests/data/formats/check (test_formats,
    # and the Python configs' in test_formats_mmengine and _nanogpt) and check-classpaths
    # (test_formats_lightning)
    in_files |= {
        item.strip().split("@")[0]
        for folder in ("check", "check-classpaths")
        for pattern in ("*.yaml", "*.py", "*.sh")  # Megatron's traps are in launch scripts
        for path in (DATA / "formats" / folder / "negative").glob(pattern)
        if EXPECT.search(path.read_text())
        for item in EXPECT.search(path.read_text()).group(1).split(",")  # type: ignore[union-attr]
    }
    synthetic = {"WP103", "WP110", "WP111", "WP112", "WP114"}
    assert set(all_rules()) <= in_files | synthetic


#: kept for the session: an xdist worker whose queue runs dry for a moment tears module
#: fixtures down, and would check every config again
_CONFIGS_REPORT: list = []


@pytest.fixture(scope="module")
def configs_report():
    if not _CONFIGS_REPORT:
        _CONFIGS_REPORT.append(check_paths([CONFIGS]))
    return _CONFIGS_REPORT[0]


def test_every_config_passes_check_with_no_errors(configs_report):
    assert configs_report.plans == len(list(CONFIGS.glob("**/*.yaml")))
    assert configs_report.count("error") == 0, [f.format() for f in configs_report.findings]


def test_every_config_passes_check_strict(configs_report):
    """The project's own examples pass `check --strict`: intended warnings are silenced
    in the plan (`ignore:`, with a comment saying why), or, in another tool's file whose
    parser refuses unknown keys, by a `# warmplan: ignore[...]` comment on the line."""
    assert configs_report.count("warning") == 0, [f.format() for f in configs_report.findings]


def test_an_inline_suppression_silences_its_rules_on_its_line_only(tmp_path):
    path = tmp_path / "args.yaml"
    path.write_text(
        "learning_rate: 1.0e-3\n"
        "lr_scheduler_type: linear  # warmplan: ignore[wp102]\n"
        "warmup_steps: 0.5\n"
        "max_steps: 100\n"
    )
    codes = [f.code for f in check_file(str(path)).findings]
    assert "WP102" not in codes and "WP124" in codes  # lower case is read as the code
    path.write_text(path.read_text().replace("ignore[wp102]", "ignore[WP124]"))
    codes = [f.code for f in check_file(str(path)).findings]
    assert "WP102" in codes and "WP124" in codes  # WP124 sits on another line


def test_bert_config_warns_about_its_wasted_first_step_unless_told():
    """bert-linear.yaml's comment promises this warning; the plan silences it."""
    plan = load_plan(str(CONFIGS / "bert-linear.yaml"))
    assert plan.ignore == ["WP102"]
    bare = plan.model_copy(update={"ignore": []})
    bare._source = plan.source
    # WP111 re-simulates the million updates; the plan passes it (and every other rule)
    # in test_every_config_passes_check_strict
    found = check_plan(bare, config_trace(CONFIGS / "bert-linear.yaml"), ignore=["WP111"])
    assert [(f.code, f.severity) for f in found] == [("WP102", "warning")]
    assert "1 optimizer step trains with LR 0" in found[0].message


# -- rules fed hand-made traces -------------------------------------------------------

SGD = {
    "optimizer": {"kind": "sgd", "lr": 0.1},
    "training": {"epochs": 20},
    "warmup": {"kind": "linear", "length": 4, "start_factor": 0.1},
    "decay": {"kind": "cosine", "eta_min": 0.001},
}


def codes(plan, lr=None, warnings=()) -> list[str]:
    real = simulate(plan)
    trace = Trace(plan, real.lr if lr is None else lr, layout(plan), list(warnings))
    return [f.code for f in check_plan(plan, trace)]


def cosine_oracle(n_warm: int, n: int, peak: float, floor: float, start: float) -> np.ndarray:
    """The seed formula, then the cosine closed form (independent of torch)."""
    warm = [peak * (start + (1 - start) * t / n_warm) for t in range(n_warm)]
    r = n - n_warm
    decay = [floor + (peak - floor) * (1 + np.cos(np.pi * k / r)) / 2 for k in range(r)]
    return np.array(warm + decay)[:, None]


def test_oracle_matches_the_real_trace_so_edits_of_it_are_meaningful():
    plan = load_plan(SGD)
    assert np.allclose(simulate(plan).lr, cosine_oracle(4, 20, 0.1, 0.001, 0.1), rtol=1e-9)
    assert codes(plan) == []


@pytest.mark.parametrize("bad", [-1e-4, float("nan"), float("inf")])
def test_negative_or_non_finite_lr_is_an_error(bad):
    plan = load_plan(SGD)
    lr = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    lr[12, 0] = bad
    assert "WP103" in codes(plan, lr)


def test_target_never_reached_and_exceeded():
    plan = load_plan(SGD)
    low = cosine_oracle(4, 20, 0.1, 0.001, 0.1) * 0.9
    high = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    high[10, 0] = 0.1 * 1.01
    assert "WP105" in codes(plan, low)
    assert "WP105" in codes(plan, high)
    within = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    within[4, 0] = 0.1 * (1 + 1e-8)  # float noise is no overshoot
    assert "WP105" not in codes(plan, within)
    between = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    between[4, 0] = 0.1 * (1 - 2e-4)  # a peak between two updates (OneCycleLR's, often)
    assert "WP105" not in codes(plan, between)
    short = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    short[4, 0] = 0.1 * (1 - 3e-3)  # said in a share too: "0.0997" alone reads as 0.1
    trace = Trace(plan, short, layout(plan), [])
    (found,) = [f for f in check_plan(plan, trace) if f.code == "WP105"]
    assert "the highest is 0.0997 (99.70% of it)" in found.message


def test_a_jump_inside_the_cosine_is_an_error():
    plan = load_plan(SGD)
    lr = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    lr[12:, 0] *= 0.5
    found = check_plan(plan, Trace(plan, lr, layout(plan)))
    jump = [f for f in found if f.code == "WP104"]
    assert len(jump) == 1 and "between epochs 11 and 12" in jump[0].message
    assert jump[0].key == "decay"


def test_a_warmup_that_stops_short_of_the_decays_start_is_a_jump():
    plan = load_plan(SGD)
    lr = cosine_oracle(4, 20, 0.1, 0.001, 0.1)
    lr[:4, 0] *= 0.5  # the warm-up climbs to half the target; the decay starts at it
    found = [f for f in check_plan(plan, Trace(plan, lr, layout(plan))) if f.code == "WP104"]
    assert found and found[0].key == "warmup.length"


def test_a_step_change_off_the_milestones_is_a_jump_but_the_milestones_are_not():
    plan = load_plan({**SGD, "decay": {"kind": "multistep", "milestones": [10, 15]}})
    real = simulate(plan).lr.copy()
    assert "WP104" not in codes(plan, real)
    real[7:, 0] *= 0.99
    assert "WP104" in codes(plan, real)


def test_group_ratio_drift_is_an_error_and_a_shared_floor_is_exempt():
    two = {"groups": [{"name": "backbone", "lr": 0.01}, {"name": "head"}]}
    plan = load_plan({**SGD, "optimizer": {**SGD["optimizer"], **two}})
    lr = simulate(plan).lr.copy()
    assert "WP112" not in codes(plan, lr)  # eta_min is shared: the decay is exempt
    lr[2, 0] *= 1.001  # in the warm-up, which scales both groups alike
    found = check_plan(plan, Trace(plan, lr, layout(plan)))
    assert [f.key for f in found if f.code == "WP112"] == ["optimizer.groups"]
    no_floor = load_plan({**plan.model_dump(exclude_none=True), "decay": {"kind": "cosine"}})
    drift = simulate(no_floor).lr.copy()
    drift[15, 1] *= 1.001
    assert "WP112" in codes(no_floor, drift)


def test_torch_warnings_become_findings_with_their_text():
    plan = load_plan(SGD)
    warned = [CapturedWarning("UserWarning", "something odd", 7, 3)]
    found = [f for f in check_plan(plan, Trace(plan, simulate(plan).lr, layout(plan), warned))]
    assert [(f.code, f.severity, f.key) for f in found] == [("WP110", "warning", "decay")]
    assert "UserWarning first at epoch 7, 3 times: something odd" in found[0].message


class _Forgetful:
    """A LinearLR whose state_dict forgets where it was (a resume restarts it)."""

    def __new__(cls, optimizer, plan):
        from torch.optim.lr_scheduler import LinearLR

        class ForgetfulLR(LinearLR):
            def state_dict(self):
                state = super().state_dict()
                state["last_epoch"] = 0
                return state

        return ForgetfulLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=19)


def test_state_dict_that_loses_state_is_an_error(monkeypatch):
    plan = load_plan(SGD)
    monkeypatch.setattr("warmplan.schedule.build.build_schedule", _Forgetful)
    trace = simulate(plan)
    found = [f for f in check_plan(plan, trace) if f.code == "WP111"]
    assert len(found) == 1 and "resumed from a state_dict saved at epoch 1" in found[0].message


class _ForgetsLate:
    """A LinearLR decay whose state_dict forgets its count, but only past interval 12,000."""

    def __new__(cls, optimizer, plan):
        from torch.optim.lr_scheduler import LinearLR

        class ForgetsLateLR(LinearLR):
            def state_dict(self):
                state = super().state_dict()
                if state["last_epoch"] > 12_000:
                    state["last_epoch"] = 0
                return state

        return ForgetsLateLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=30_000)


def test_state_lost_late_in_a_long_plan_is_found(monkeypatch, tmp_path):
    """Long plans are saved and resumed at their middle too, not only near the start."""
    path = tmp_path / "long.yaml"
    path.write_text(
        "optimizer: {kind: sgd, lr: 0.1}\n"
        "training: {epochs: 1, steps_per_epoch: 30000, interval: step}\n"
        "decay: {kind: linear, end_factor: 0.1}\n"
    )
    monkeypatch.setattr("warmplan.schedule.build.build_schedule", _ForgetsLate)
    found = [f for f in check_file(str(path)).findings if f.code == "WP111"]
    assert len(found) == 1 and "saved at step 15000" in found[0].message


def test_check_saves_the_resume_points_on_its_one_run(monkeypatch):
    """check_file simulates once, saving on the way: one build for the run, then one per
    resumed point, and no second run to reach the save points."""
    import warmplan.schedule.build
    from warmplan.lint.rules.resume import sample_points

    real, built = warmplan.schedule.build.build_schedule, []

    def counting(optimizer, plan):
        built.append(plan)
        return real(optimizer, plan)

    monkeypatch.setattr("warmplan.schedule.build.build_schedule", counting)
    path = CONFIGS / "linear-warmup-cosine.yaml"
    result = check_file(str(path))
    assert result.loaded and not [f for f in result.findings if f.code == "WP111"]
    assert len(built) == 1 + len(sample_points(load_plan(path)))


@pytest.mark.parametrize(
    "warmup",
    [
        {"kind": "linear", "length": 4, "start_factor": 0.0},  # WarmupWrapper
        {"kind": "constant", "length": 4, "start_factor": 0.2},  # SequentialLR
        {"kind": "none"},
    ],
)
def test_state_dict_round_trip_holds_for_the_real_builders(warmup):
    plan = load_plan({**SGD, "warmup": warmup, "ignore": ["WP102"]})
    assert "WP111" not in codes(plan)


def test_torch_refusing_a_plan_is_a_finding_and_not_a_crash(monkeypatch, tmp_path):
    def refuse(optimizer, plan):  # torch itself refusing the values it is given
        from torch.optim.lr_scheduler import LinearLR

        return LinearLR(optimizer, start_factor=0.0)

    path = tmp_path / "plan.yaml"
    path.write_text("optimizer: {kind: sgd, lr: 0.1}\ntraining: {epochs: 3}\n")
    monkeypatch.setattr("warmplan.schedule.build.build_schedule", refuse)
    result = check_file(str(path))
    assert [(f.code, f.line) for f in result.findings] == [("WP114", 1)]
    assert result.status == "invalid" and "ValueError" in result.findings[0].message
    assert "factor" in result.findings[0].message  # torch's own words


def test_adam_rule_counts_optimizer_steps_per_epoch():
    """2/(1 - beta2) optimizer steps (Ma & Yarats 2019): 2000 for 0.999, 40 for 0.95."""
    from warmplan.config.budget import adam_warmup_steps

    assert [adam_warmup_steps(b) for b in (0.999, 0.98, 0.95)] == [2000, 100, 40]
    # a long run from scratch, where the rule applies: 2,000 epochs x 100 = 200,000 steps
    # (was 40 epochs: 4,000 steps, a run the rule now leaves alone)
    plan = {
        "optimizer": {"kind": "adam", "lr": 1e-3},
        "training": {"epochs": 2000, "steps_per_epoch": 100},
        "decay": {"kind": "cosine"},
    }
    short = load_plan({**plan, "warmup": {"kind": "linear", "length": 19}})
    message = next(f.message for f in check_plan(short, simulate(short)) if f.code == "WP109")
    assert "1,900 optimizer steps (19 epochs x 100 steps)" in message
    assert "2,000 steps" in message and "at least 20 epochs" in message
    enough = load_plan({**plan, "warmup": {"kind": "linear", "length": 20}})
    assert "WP109" not in codes(enough)
    sgd = load_plan({**plan, "optimizer": {"kind": "sgd", "lr": 0.1}})
    assert "WP109" not in codes(sgd)


def test_ignore_in_the_plan_and_from_the_caller():
    adam = {"optimizer": {"kind": "adam", "lr": 1e-3}, "decay": {"kind": "cosine"}}
    plan = load_plan({**SGD, **adam})
    assert codes(plan) == ["WP109"]
    assert check_plan(plan, simulate(plan), ignore=["WP109"]) == []
    quiet = load_plan({**plan.model_dump(exclude_none=True), "ignore": ["WP109"]})
    assert codes(quiet) == []


@pytest.mark.parametrize(
    ("expect", "fails"),
    [
        ({"peak_lr": 0.1 * (1 + 5e-7)}, False),  # within the documented relative 1e-6
        ({"peak_lr": 0.1 * (1 + 2e-6)}, True),
        ({"warmup_end": 400}, False),  # 4 epochs of warm-up x 100 steps
        ({"warmup_end": 401}, True),
        # the cosine's last epoch: 0.001 + 0.099 * (1 + cos(15 pi / 16)) / 2 = 0.00195113
        ({"final_lr": {"min": 0.00195, "max": 0.001952}}, False),
        ({"final_lr": {"max": 0.00195}}, True),
        ({"total_steps": {"max": 1999}}, True),
    ],
)
def test_expect_tolerances(expect, fails):
    plan = load_plan({**SGD, "training": {"epochs": 20, "steps_per_epoch": 100}, "expect": expect})
    assert ("WP113" in codes(plan)) is fails


DECAYS = [
    None,
    {"kind": "cosine"},
    {"kind": "cosine", "eta_min": 1e-4},
    {"kind": "linear", "end_factor": 0.3},
    {"kind": "step", "step_size": 7, "gamma": 0.5},
    {"kind": "exponential", "gamma": 0.3},  # steep, but smooth
    {"kind": "polynomial", "power": 0.5},
    {"kind": "multistep", "milestones": [25, 40]},
]
WARMUPS = [
    None,
    {"kind": "linear", "length": 1},
    {"kind": "linear", "length": 7, "start_factor": 0.0},
    {"kind": "linear", "length": 10, "start_factor": 0.5},
    {"kind": "constant", "length": 3, "start_factor": 0.2},
    {"kind": "linear", "fraction": 0.2, "start_lr": 1e-4},
]


@pytest.mark.parametrize("decay", DECAYS, ids=lambda d: d and d["kind"])
@pytest.mark.parametrize("warmup", WARMUPS, ids=lambda w: w and f"{w['kind']}")
def test_sound_plans_raise_no_schedule_errors(decay, warmup):
    """The core's builders never make jumps, missed targets, lost state or drifting
    ratios, over every decay and warm-up kind (no false alarms from the heuristics)."""
    data = {
        "optimizer": {
            "kind": "sgd",
            "lr": 0.1,
            "groups": [{"name": "a", "lr": 0.01}, {"name": "b"}],
        },
        "training": {"epochs": 50},
        "decay": decay,
        "warmup": warmup,
    }
    plan = load_plan({key: value for key, value in data.items() if value is not None})
    assert set(codes(plan)) <= {"WP102"}  # a warm-up from 0 wastes its first epoch


def test_the_lr_0_hint_of_a_framework_without_a_start_argument_is_a_sentence():
    """Every preset framework gets a WP102 hint; one with no known start argument (a
    new framework) a generic one, not a KeyError (exit 3)."""
    from types import SimpleNamespace

    from warmplan.lint.rules.values import _preset_start_hint
    from warmplan.presets import FRAMEWORKS

    for framework in [*FRAMEWORKS, "someframework"]:
        hint = _preset_start_hint(SimpleNamespace(framework=framework, name="cosine"))
        assert isinstance(hint, str) and "0" in hint, framework


@pytest.mark.parametrize(
    "config",
    [
        # NeMo's NoamAnnealing: lr is a scale, the peak lr x d_model^-0.5 x warmup^-0.5
        "nemo/conformer-noam.yaml",
        # mmengine's OneCycleLR sets every LR from its eta_max, whatever optimizer.lr says
        "mmengine/one-cycle.py",
        "mmengine/one-cycle-three-phase.py",
    ],
)
def test_schedules_that_set_their_own_peak_are_not_held_to_the_optimizer_lr(config):
    report = check_file(str(DATA / "formats" / "configs" / config))
    assert "WP105" not in [f.code for f in report.findings]


def test_an_iteration_stepped_schedule_under_accumulation_still_misses_its_target():
    """mmengine steps PolyLR per iteration and the optimizer every 4: the first update
    is already into the decay (the real mmengine's LRs, tests/data/formats)."""
    import json

    cases = json.loads((DATA / "formats" / "mmengine.json").read_text())["cases"]
    (case,) = [c for c in cases if c["name"] == "accumulate-iter"]
    share = max(row[0] for row in case["lrs"]) / 2e-4
    path = DATA / "formats" / "configs" / "mmengine" / "accumulate-iter.py"
    (found,) = [f for f in check_file(str(path)).findings if f.code == "WP105"]
    assert f"({share:.2%} of it) at step 0" in found.message

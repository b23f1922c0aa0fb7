"""Reading plans: every bad input is one located line naming the key, never a traceback."""

from __future__ import annotations

import textwrap

import pytest

from warmplan import ConfigError, load_plan

VALID = """\
optimizer:
  kind: adam
  lr: 1.0e-3
training:
  epochs: 20
warmup:
  kind: linear
  length: 5
  start_factor: 0.1
decay:
  kind: cosine
  eta_min: 1.0e-5
"""


def _errors(tmp_path, text, overrides=None):
    path = tmp_path / "plan.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ConfigError) as caught:
        load_plan(path, overrides)
    return [f.format().replace(str(path), "plan.yaml") for f in caught.value.findings]


def _replace(old, new):
    assert old in VALID
    return VALID.replace(old, new)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _replace("  lr: 1.0e-3", "  lr: 0"),
            "plan.yaml:3:3: error: optimizer.lr must be > 0, got 0 [WP006]",
        ),
        (
            _replace("  start_factor: 0.1", "  start_factor: 1.5"),
            "plan.yaml:9:3: error: warmup.start_factor must be <= 1, got 1.5 [WP006]",
        ),
        (
            _replace("  kind: linear", "  kind: constant").replace(
                "start_factor: 0.1", "start_factor: 0"
            ),
            "plan.yaml:9:3: error: a constant warm-up from 0 stays at LR 0 until it ends; use a "
            "start above 0, or kind: linear or cosine to ramp up from 0 [WP006]",
        ),
        (
            _replace("  length: 5", "  length: 20"),
            "plan.yaml:8:3: error: warm-up (20 epochs) must be shorter than training (20 epochs); "
            "nothing would be left for the decay [WP007]",
        ),
        (
            _replace("  eta_min: 1.0e-5", "  eta_min: 5.0e-3"),
            "plan.yaml:12:3: error: decay.eta_min must be below optimizer.lr (0.001), got 0.005 "
            "[WP007]",
        ),
        (
            _replace("  epochs: 20", "  epochs: 20\n  steps_per_epoch: 0"),
            "plan.yaml:6:3: error: training.steps_per_epoch must be >= 1, got 0 [WP006]",
        ),
        (
            _replace("  epochs: 20", "  epochs: yes"),
            "plan.yaml:5:3: error: training.epochs must be a whole number, got true (a boolean) "
            "[WP006]",
        ),
        (
            _replace("  lr: 1.0e-3", "  lr: '1e-3'"),
            "plan.yaml:3:3: error: optimizer.lr must be a number, got '1e-3' (text) [WP006]",
        ),
        (
            _replace("  eta_min: 1.0e-5", "  eta_mn: 1.0e-5"),
            "plan.yaml:12:3: error: unknown key decay.eta_mn (did you mean eta_min?); decay takes: "
            "T_max, eta_min, hold_floor, kind, min_lr_ratio [WP004]",
        ),
        (
            _replace("training:", "trainig:"),
            "plan.yaml:4:1: error: unknown key trainig (did you mean training?); the top level "
            "takes: decay, expect, ignore, name, optimizer, preset, training, warmup [WP004]",
        ),
        (
            _replace("  kind: cosine", "  kind: cosin"),
            "plan.yaml:11:3: error: decay.kind must be one of constant, cosine, linear, step, "
            "multistep, exponential, polynomial, cosine_restarts, inverse_sqrt, wsd, onecycle, "
            "yolo, reduce_on_plateau, got 'cosin' (text) (did you mean cosine?) [WP006]",
        ),
        (
            _replace("  kind: adam", "  kind: adma"),
            "plan.yaml:2:3: error: optimizer.kind must be one of sgd, adam, adamw, got 'adma' "
            "(text) (did you mean adam?) [WP006]",
        ),
        (
            _replace("  lr: 1.0e-3", "  lr: .nan"),
            "plan.yaml:3:3: error: optimizer.lr must be a finite number, got nan [WP006]",
        ),
        (
            "optimizer:\n  lr: [1\n",
            "plan.yaml:3:1: error: invalid YAML: expected ',' or ']', but "
            "got '<stream end>' [WP002]",
        ),
        (
            "optimizer:\n\tlr: 1\n",
            "plan.yaml:2:1: error: invalid YAML: tab character; YAML "
            "indents with spaces only [WP002]",
        ),
        ("", "plan.yaml:1:1: error: empty file; a plan is a YAML mapping [WP003]"),
        (
            "- 1\n- 2\n",
            "plan.yaml:1:1: error: the plan is a list; it must be a mapping of keys [WP003]",
        ),
        (
            VALID + "training:\n  epochs: 3\n",
            "plan.yaml:13:1: error: duplicate key training (first given on line 4); YAML keeps "
            "only one of them [WP008]",
        ),
    ],
)
def test_bad_input_gives_one_located_line(tmp_path, text, expected):
    assert _errors(tmp_path, text) == [expected]


def test_all_problems_of_a_file_are_reported(tmp_path):
    text = _replace("  lr: 1.0e-3", "  lr: -1").replace("  epochs: 20", "  epochs: 0")
    found = _errors(tmp_path, text)
    assert len(found) == 2
    assert found[0].startswith("plan.yaml:3:3:") and found[1].startswith("plan.yaml:5:3:")


def test_missing_key_points_at_the_enclosing_block(tmp_path):
    found = _errors(tmp_path, _replace("  epochs: 20", "  interval: epoch"))
    assert found == [
        "plan.yaml:4:1: error: training needs epochs, or steps (optimizer steps) [WP005]"
    ]


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_plan(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_plan(tmp_path)


def test_overrides_win_and_are_located_on_the_command_line(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(VALID)
    plan = load_plan(path, {"decay.eta_min": 0.0, "training.epochs": 30})
    assert plan.decay.eta_min == 0.0 and plan.intervals == 30
    assert [(k, line) for k, _, line in plan.source.overridden] == [
        (("decay", "eta_min"), 12),
        (("training", "epochs"), 5),
    ]
    with pytest.raises(ConfigError) as caught:
        load_plan(path, {"optimizer.lr": -1.0})
    assert caught.value.findings[0].format() == (
        "<command line>: error: optimizer.lr must be > 0, got -1.0 [WP006]"
    )


def test_a_dict_plan_and_its_derived_quantities():
    plan = load_plan(
        {
            "optimizer": {"lr": 0.1, "groups": [{"name": "a"}, {"name": "b", "lr": 0.2}]},
            "training": {"epochs": 4, "steps_per_epoch": 3, "interval": "step"},
            "warmup": {"fraction": 0.25},
        }
    )
    assert plan.intervals == 12 and plan.total_steps == 12 and plan.warmup_intervals == 3
    assert plan.target_lrs == [0.1, 0.2] and plan.group_names == ["a", "b"]
    assert plan.start_factor == 0.1  # the documented default
    assert plan.label == "plan"


def test_a_bad_list_item_is_located_at_the_item(tmp_path):
    """`milestones` is a list or a unit mapping: an item's error still points at it."""
    text = _replace("  kind: cosine\n  eta_min: 1.0e-5", "  kind: multistep\n  milestones: [3, -1]")
    assert _errors(tmp_path, text) == [
        "plan.yaml:12:19: error: decay.milestones[1] must be >= 1, got -1 [WP006]"
    ]


def test_an_auto_warmup_too_long_for_training_says_where_its_length_came_from():
    plan = {
        "optimizer": {"lr": 3e-4},
        "training": {"steps": 1000},
        "warmup": {"length": "auto"},
        "decay": {"kind": "cosine"},
    }
    with pytest.raises(ConfigError) as caught:
        load_plan(plan)
    (finding,) = caught.value.findings
    assert finding.key == "warmup.length"
    # round(2 / (1 - 0.999)) = 2000 optimizer steps, Adam's default beta2
    assert "warm-up (2000 steps from length: auto" in finding.message
    assert "training (1000 steps)" in finding.message

"""The house rules that are not behaviour: the decay union type checkers see is the one
pydantic validates, the package ships its typing marker, and the torch internals the
dummy optimizer and `warmplan code` rely on still exist."""

from __future__ import annotations

import typing
from pathlib import Path

from warmplan.config import decays

ROOT = Path(__file__).resolve().parent.parent


def test_the_spelled_out_decay_union_is_every_decay_model():
    assert set(typing.get_args(decays.AnyDecay)) == set(decays.DECAY_MODELS)
    kinds = [typing.get_args(m.model_fields["kind"].annotation) for m in decays.DECAY_MODELS]
    assert len({k for ks in kinds for k in ks}) == len(decays.DECAY_MODELS)


def test_the_package_ships_its_typing_marker():
    assert (ROOT / "warmplan" / "py.typed").is_file()


# -- a bug in warmplan is an internal error, never the user's fault -------------------

WSD_PLAN = """
optimizer: {lr: 1.0e-3}
training: {steps: 50, interval: step}
warmup: {kind: linear, length: 5}
decay: {kind: wsd, decay_fraction: 0.2}
"""


def _broken_factor(*args: object, **kwargs: object) -> float:
    raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'float'")


def test_a_fault_in_warmplans_own_factor_is_an_internal_error(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from warmplan.cli.main import app
    from warmplan.schedule import factors

    plan = tmp_path / "wsd.yaml"
    plan.write_text(WSD_PLAN)
    monkeypatch.setattr(factors, "wsd_factor", _broken_factor)
    result = CliRunner().invoke(app, ["show", str(plan)])
    assert result.exit_code == 3, result.output
    assert "internal error: TypeError" in result.stderr and "WP114" not in result.stderr


def test_what_torch_refuses_is_still_a_finding(tmp_path):
    """The other side of the line: an exception raised inside torch for the plan's values
    stays a located finding (WP114), exit 1."""
    import pytest

    from warmplan import load_plan, simulate
    from warmplan.errors import ConfigError
    from warmplan.schedule import simulate as simulation

    (tmp_path / "wsd.yaml").write_text(WSD_PLAN)
    plan = load_plan(tmp_path / "wsd.yaml")

    def torch_refuses(optimizer, plan):  # a torch scheduler rejecting its arguments
        from torch.optim.lr_scheduler import StepLR

        return StepLR(optimizer, step_size=0)

    with pytest.MonkeyPatch.context() as patch:
        import warmplan.schedule.build as build

        patch.setattr(build, "build_schedule", torch_refuses)
        try:
            simulation.simulate(plan)
        except ConfigError as exc:
            assert exc.findings[0].code == "WP114"
        else:
            raise AssertionError("torch's refusal was not reported")
    assert simulate(plan).intervals == 50


# -- the JSON Schema editors use agrees with the shipped configs ----------------------


def test_every_shipped_config_is_valid_against_the_json_schema():
    import json

    import jsonschema
    import yaml
    from typer.testing import CliRunner

    from tests.conftest import CONFIGS
    from warmplan.cli.main import app

    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    from warmplan.formats import detect

    # the schema is the plan format's; configs/recipes/ ships other tools' configs
    configs = [
        p
        for p in sorted(CONFIGS.rglob("*.yaml"))
        if detect(yaml.safe_load(p.read_text())) == "warmplan"
    ]
    assert len(configs) >= 10
    assert len(configs) == len(list(CONFIGS.rglob("*.yaml"))) - len(list(CONFIGS.glob("recipes/*")))
    for path in configs:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert not errors, f"{path.name}: {errors}"
    # and the schema is no rubber stamp: the mistakes users make are refused
    for wrong in (
        {"optimizer": {"lr": 1e-3}, "training": {"epochs": 3}, "warmup": {"lenght": 2}},
        {"optimizer": {"lr": "fast"}, "training": {"epochs": 3}},
        {"optimizer": {"lr": 1e-3}, "training": {"epochs": 3}, "decay": {"kind": "cosin"}},
    ):
        assert list(validator.iter_errors(wrong)), wrong


# -- canaries: the torch internals warmplan relies on ---------------------------------


def test_the_dummy_optimizer_recreates_every_hook_registry_of_a_real_optimizer():
    import torch

    from warmplan.schedule.simulate import _HOOKS

    real = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    registries = {name for name in vars(real) if name.startswith("_optimizer_")}
    assert registries == set(_HOOKS)


def test_the_torch_classes_and_arguments_warmplan_builds_and_writes_exist():
    import inspect

    import torch.optim
    from torch.optim import lr_scheduler

    from warmplan.schedule.codegen import _OPTIMIZERS

    for name in _OPTIMIZERS.values():
        assert "lr" in inspect.signature(getattr(torch.optim, name)).parameters
    expected = {
        "LinearLR": {"start_factor", "end_factor", "total_iters"},
        "ConstantLR": {"factor", "total_iters"},
        "SequentialLR": {"schedulers", "milestones"},
        "LambdaLR": {"lr_lambda"},
        "CosineAnnealingLR": {"T_max", "eta_min"},
        "CosineAnnealingWarmRestarts": {"T_0", "T_mult", "eta_min"},
        "StepLR": {"step_size", "gamma"},
        "MultiStepLR": {"milestones", "gamma"},
        "ExponentialLR": {"gamma"},
        "PolynomialLR": {"total_iters", "power"},
        "OneCycleLR": {"max_lr", "total_steps", "pct_start", "anneal_strategy"},
    }
    for name, arguments in expected.items():
        parameters = set(inspect.signature(getattr(lr_scheduler, name)).parameters)
        assert arguments <= parameters, name


def test_the_kind_flags_list_every_kind_the_plan_model_takes():
    """--help lists the kinds as text (importing the models would make help slow):
    a kind added to the models and not to the help fails here."""
    from warmplan.cli.flags import FLAGS
    from warmplan.config.decays import DECAY_MODELS
    from warmplan.config.models import WarmupSpec

    helps = {flag.name: flag.help for flag in FLAGS}
    decay_kinds = {
        k for m in DECAY_MODELS for k in typing.get_args(m.model_fields["kind"].annotation)
    }
    listed = set(helps["--decay"].split(": ", 1)[1].replace(" ", "").split("|"))
    # reduce_on_plateau is refused by every command (it cannot be previewed)
    assert listed == decay_kinds - {"reduce_on_plateau"}
    warmup_kinds = set(typing.get_args(WarmupSpec.model_fields["kind"].annotation))
    assert set(helps["--warmup"].split(": ", 1)[1].replace(" ", "").split("|")) == warmup_kinds

"""Optimizer arguments from real configs (weight_decay, eps, momentum, nesterov, ...):
accepted per optimizer kind, validated, and carried into `warmplan code`. The oracle is
torch itself: the snippet's optimizer and torch_kwargs build the real classes."""

from __future__ import annotations

import pytest
import torch

from warmplan import load_plan
from warmplan.errors import ConfigError
from warmplan.schedule.codegen import snippet

SGD = {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}
ADAMW = {"kind": "adamw", "lr": 6e-4, "betas": [0.9, 0.95], "eps": 1e-8, "weight_decay": 0.1}


def plan_with(optimizer: dict):
    return load_plan({"optimizer": optimizer, "training": {"epochs": 4}})


@pytest.mark.parametrize("optimizer, cls", [(SGD, torch.optim.SGD), (ADAMW, torch.optim.AdamW)])
def test_torch_kwargs_build_the_real_optimizer(optimizer, cls):
    kwargs = plan_with(optimizer).optimizer.torch_kwargs
    group = cls([torch.zeros(1, requires_grad=True)], **kwargs).param_groups[0]
    for name, value in optimizer.items():
        if name != "kind":
            assert group[name] == (tuple(value) if isinstance(value, list) else value)


@pytest.mark.parametrize("optimizer, cls", [(SGD, "SGD"), (ADAMW, "AdamW")])
def test_code_carries_them_and_runs(optimizer, cls):
    code = snippet(plan_with(optimizer), head=2)
    assert f"torch.optim.{cls}(groups, " in code
    namespace: dict = {"__name__": "snippet"}
    exec(compile(code, "<snippet>", "exec"), namespace)  # the snippet compiles and loads
    line = next(line for line in code.splitlines() if f"torch.optim.{cls}(" in line)
    options = line.split("(groups, ", 1)[1].rstrip(")")
    params = {"torch": torch, "params": [torch.zeros(1, requires_grad=True)]}
    built = eval(f"torch.optim.{cls}(params, {options})", params)  # the snippet's own call
    for name, value in optimizer.items():
        if name != "kind":
            expected = tuple(value) if isinstance(value, list) else value
            assert built.param_groups[0][name] == expected


@pytest.mark.parametrize(
    "optimizer, message",
    [
        (
            {"kind": "adam", "lr": 1e-3, "momentum": 0.9},
            "optimizer.momentum applies to sgd, not adam",
        ),
        ({"kind": "sgd", "lr": 0.1, "eps": 1e-8}, "optimizer.eps applies to adam and adamw"),
        ({"kind": "sgd", "lr": 0.1, "nesterov": True}, "nesterov needs momentum above 0"),
        ({"kind": "sgd", "lr": 0.1, "weight_decay": -1.0}, "weight_decay"),
        ({"kind": "adamw", "lr": 1e-3, "weight_decy": 0.1}, "did you mean weight_decay?"),
    ],
)
def test_wrong_arguments_are_refused_at_the_key(optimizer, message):
    with pytest.raises(ConfigError) as caught:
        plan_with(optimizer)
    assert any(message in f.message for f in caught.value.findings), caught.value.findings


def test_torch_refuses_what_the_nesterov_rule_refuses():
    with pytest.raises(ValueError, match="Nesterov"):
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, nesterov=True)

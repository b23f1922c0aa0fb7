"""The Python API in a real training loop: what was previewed is what trains."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from warmplan import WarmplanError, build_scheduler, load_plan, simulate

CONFIGS = ["linear-warmup-cosine.yaml", "resnet-multistep.yaml", "two-groups.yaml"]


def _model_and_optimizer(plan, seed=0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    if plan.optimizer.groups:
        groups = [{"params": model[0].parameters()}, {"params": model[2].parameters()}]
    else:
        groups = model.parameters()
    return model, torch.optim.Adam(groups, lr=123.0)  # build_scheduler sets the targets


#: the gradient is computed anew every this many updates (every update is a real Adam
#: step): the LRs do not depend on it, and the 14,040-update ResNet plan stays quick
FRESH_GRADIENT_EVERY = 64


def _train(model, optimizer, scheduler, intervals, steps_per_interval):
    data, target = torch.randn(16, 4), torch.randn(16, 1)
    seen = []
    updates = 0
    for _ in range(intervals):
        seen.append([g["lr"] for g in optimizer.param_groups])
        for _ in range(steps_per_interval):
            if updates % FRESH_GRADIENT_EVERY == 0:
                optimizer.zero_grad()
                nn.functional.mse_loss(model(data), target).backward()
            optimizer.step()
            updates += 1
        scheduler.step()
    return seen


@pytest.mark.parametrize("name", CONFIGS)
def test_training_loop_sees_the_previewed_lrs(name):
    plan = load_plan(f"configs/{name}")
    model, optimizer = _model_and_optimizer(plan)
    scheduler = build_scheduler(optimizer, plan)
    seen = _train(model, optimizer, scheduler, plan.intervals, 1)
    assert seen == simulate(plan).lr.tolist()


def test_resume_from_state_dicts_continues_identically(tmp_path):
    plan = load_plan("configs/linear-warmup-cosine.yaml")
    model, optimizer = _model_and_optimizer(plan)
    scheduler = build_scheduler(optimizer, plan)
    uninterrupted = _train(model, optimizer, scheduler, plan.intervals, 1)

    model, optimizer = _model_and_optimizer(plan)
    scheduler = build_scheduler(optimizer, plan)
    first = _train(model, optimizer, scheduler, 7, 1)
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
        },
        tmp_path / "ckpt.pt",
    )

    model, optimizer = _model_and_optimizer(plan, seed=1)
    scheduler = build_scheduler(optimizer, plan)  # first, as torch documents
    checkpoint = torch.load(tmp_path / "ckpt.pt", weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    rest = _train(model, optimizer, scheduler, plan.intervals - 7, 1)
    assert first + rest == uninterrupted


def test_plan_without_groups_targets_every_param_group():
    plan = load_plan("configs/linear-warmup-cosine.yaml")
    a, b = nn.Linear(2, 2), nn.Linear(2, 1)
    optimizer = torch.optim.SGD([{"params": a.parameters()}, {"params": b.parameters()}], lr=5.0)
    build_scheduler(optimizer, plan)
    assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([1e-4, 1e-4])


def test_group_count_mismatch_is_a_clear_error():
    plan = load_plan("configs/two-groups.yaml")
    optimizer = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=1.0)
    with pytest.raises(WarmplanError, match=r"2 param groups \(backbone, head\).*has 1"):
        build_scheduler(optimizer, plan)


def test_groups_keep_their_ratio_through_warmup_and_decay():
    trace = simulate(load_plan("configs/two-groups.yaml"))
    ratio = trace.lr[:, 1] / trace.lr[:, 0]
    # eta_min is shared, so the ratio holds exactly only through warm-up and the peak
    assert ratio[:2].tolist() == pytest.approx([10.0, 10.0])


class _WarningStepLR(torch.optim.lr_scheduler.StepLR):
    def step(self, epoch=None):
        if self.last_epoch >= 2:
            import warnings

            warnings.warn("lr looks odd", UserWarning, stacklevel=2)
        super().step()


def test_simulate_captures_torch_warnings_instead_of_printing(monkeypatch, recwarn):
    """Warnings raised while stepping land on the trace, once per text with a count."""
    import warmplan.schedule.build as schedulers

    monkeypatch.setitem(
        schedulers.DECAY_BUILDERS,
        "step",
        lambda opt, plan: _WarningStepLR(opt, plan.decay.step_size),
    )
    plan = load_plan(
        {
            "optimizer": {"lr": 0.1},
            "training": {"epochs": 6},
            "decay": {"kind": "step", "step_size": 2},
        }
    )
    trace = simulate(plan)
    assert len(recwarn) == 0
    assert [(w.category, w.message, w.first_interval, w.count) for w in trace.warnings] == [
        ("UserWarning", "lr looks odd", 2, 4)
    ]

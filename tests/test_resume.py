"""Resume fidelity: a checkpoint saved at step k and loaded in a NEW process continues
with exactly the LRs of the uninterrupted run, bit for bit, for every warm-up and
decay kind in the code (new kinds are picked up from the plan models), every framework
preset, with several param groups, and with WarmupWrapper around a user's own scheduler."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from tests import warm
from tests.resume_child import build, train
from tests.strategies import DECAY_KINDS, WARMUP_KINDS, compatible, fit_decay
from warmplan.config.models import DECAY_MODELS

TESTS = Path(__file__).resolve().parent
TOTAL = 24  # intervals per run
WARMUP = 6


def _typical(field: dict[str, Any]) -> Any:
    """A middling value for a required decay field, from its JSON Schema."""
    if "anyOf" in field:
        return _typical(next(o for o in field["anyOf"] if o.get("type") != "null"))
    if "enum" in field:
        return field["enum"][0]
    if field.get("type") == "integer":
        return field.get("minimum", 0) + 4
    if field.get("type") == "array":
        return [WARMUP + 3, WARMUP + 9]  # milestones after the warm-up
    low = field.get("minimum", field.get("exclusiveMinimum", 0.0))
    return (low + field.get("maximum", field.get("exclusiveMaximum", low + 1.0))) / 2


def _decay(kind: str) -> dict[str, Any]:
    schema = DECAY_MODELS[DECAY_KINDS.index(kind)].model_json_schema()
    block = {"kind": kind}
    for name in schema.get("required", ()):
        if name != "kind":
            block[name] = _typical(schema["properties"][name])
    return block


def _warmup(kind: str, start: float) -> dict[str, Any]:
    if kind == "none":
        return {"kind": "none"}
    return {"kind": kind, "length": WARMUP, "start_factor": start}


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    starts = {"none": [0.0], "linear": [0.0, 0.1], "constant": [0.25]}
    for warmup in WARMUP_KINDS:
        for start in starts.get(warmup, [0.1]):
            for decay in DECAY_KINDS:
                if not compatible(warmup, decay):
                    continue
                length = 0 if warmup == "none" else WARMUP
                # yolo sets the LR per iteration: one step an epoch here
                per_step = {"interval": "step"} if decay == "yolo" else {}
                plan = {
                    "optimizer": {"lr": 1e-2},
                    "training": {"epochs": TOTAL, **per_step},
                    "warmup": _warmup(warmup, start),
                    "decay": fit_decay(_decay(decay), TOTAL, length),
                }
                cases.append((f"{warmup}{start:g}-{decay}", {"plan": plan, "total": TOTAL}))
    groups = {"lr": 1e-2, "groups": [{"name": "backbone", "lr": 1e-3}, {"name": "head"}]}
    for decay in ("cosine", "multistep"):
        plan = {**cases[0][1]["plan"], "optimizer": groups, "warmup": _warmup("linear", 0.0)}
        plan["decay"] = _decay(decay)
        cases.append((f"two-groups-{decay}", {"plan": plan, "total": TOTAL}))
    cases += _preset_cases()
    one_group = {"optimizer": {"lr": 1e-2}, "training": {"epochs": TOTAL}}
    for curve in ("linear", "cosine", "custom"):
        cases.append((f"wrapper-{curve}", {"plan": one_group, "wrap": curve, "total": TOTAL}))
    return cases


def _preset_cases() -> list[tuple[str, dict[str, Any]]]:
    """Every framework preset (one argument set each, from the reference data), run
    for TOTAL intervals: LambdaLRs over partials of the framework's functions."""
    from tests.test_presets import ONE_CASE_PER_PRESET

    cases = []
    for (framework, name), (_, case) in sorted(ONE_CASE_PER_PRESET.items()):
        lrs = case["group_lrs"]
        optimizer: dict[str, Any] = {"lr": lrs[0]}
        if len(lrs) > 1:
            optimizer["groups"] = [{"name": f"g{i}", "lr": lr} for i, lr in enumerate(lrs)]
        plan = {
            "optimizer": optimizer,
            "training": {"epochs": TOTAL, "interval": case["interval"]},
            "preset": {"framework": framework, "name": name, "args": case["args"]},
        }
        cases.append((f"preset-{framework}-{name}", {"plan": plan, "total": TOTAL}))
    return cases


CASES = _cases()


def _checkpoints(name: str, case: dict[str, Any]) -> list[int]:
    """Around the hand-over, and one random step (seeded by the case's name)."""
    return sorted({WARMUP - 1, WARMUP, WARMUP + 1, random.Random(name).randrange(1, TOTAL)})


#: the runs, kept for the whole session: an xdist worker that finds its queue
#: momentarily empty tears module fixtures down, and would build them again
_RUNS: dict[str, Any] = {}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Built once per run: under xdist, these tests all run on one worker (SHARED_WORK
    in tests/conftest.py)."""
    if not _RUNS:
        _RUNS.update(_run_and_resume_every_case(tmp_path_factory.mktemp("resume")))
    return _RUNS


def _run_and_resume_every_case(folder: Path) -> dict[str, Any]:
    """Each case's uninterrupted run, checkpointed at each k on its way; then every
    checkpoint resumed in one new process. ``uninterrupted``: name -> the LRs of the
    whole run; ``resumed``: (name, k) -> the LRs the run resumed at k sees."""
    resumes, keys, uninterrupted = [], [], {}
    for name, case in CASES:
        model, optimizer, scheduler = build(case)
        checkpoints, seen = _checkpoints(name, case), []
        for k in range(TOTAL):
            if k in checkpoints:
                checkpoint = folder / f"{name}-{k}.pt"
                state = {
                    "k": k,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                }
                torch.save(state, checkpoint)
                resumes.append({"case": case, "checkpoint": str(checkpoint)})
                keys.append((name, k))
            seen += train(model, optimizer, scheduler, 1)
        uninterrupted[name] = seen
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(resumes))
    env = {**os.environ, "PYTHONPATH": str(TESTS.parent)}
    child = warm.run(
        [sys.executable, str(TESTS / "resume_child.py"), str(manifest)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr
    resumed = dict(zip(keys, json.loads(child.stdout), strict=True))
    return {"uninterrupted": uninterrupted, "resumed": resumed}


def test_every_kind_is_covered() -> None:
    from warmplan.presets import FRAMEWORKS, registry

    names = [name for name, _ in CASES]
    for framework in FRAMEWORKS:
        for preset in registry(framework):
            assert f"preset-{framework}-{preset}" in names
    for decay in DECAY_KINDS:
        for warmup in WARMUP_KINDS:
            if compatible(warmup, decay):
                assert any(n.startswith(warmup) and n.endswith(f"-{decay}") for n in names)


@pytest.mark.parametrize(("name", "case"), CASES, ids=[name for name, _ in CASES])
def test_resumed_run_sees_the_same_lrs_bit_for_bit(
    name: str, case: dict[str, Any], runs: dict[str, Any]
) -> None:
    uninterrupted = runs["uninterrupted"][name]
    assert len(uninterrupted) == TOTAL
    constant = ("none0-constant", "preset-transformers-constant", "preset-olmo-constant")
    if name not in constant:  # the schedule moves, so a wrong resume would show
        assert len({tuple(row) for row in uninterrupted}) > 1
    for k in _checkpoints(name, case):
        assert runs["resumed"][(name, k)] == uninterrupted[k:], f"resumed at {k}"

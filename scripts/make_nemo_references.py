"""Reference LRs of NeMo model configs, from NeMo's own LR policies.

Not a test and not part of warmplan: run it in a side venv (the local CPU torch)::

    /work/venv-megatron/bin/pip install -c /work/torch-constraints.txt omegaconf pyyaml
    /work/venv-megatron/bin/pip install --no-deps nemo_toolkit
    /work/venv-megatron/bin/python scripts/make_nemo_references.py

nemo_toolkit's full dependency set (Lightning, Hydra, ...) is not installed: importing
``nemo.core.optim`` pulls all of it in. So the script loads the one file
``nemo/core/optim/lr_scheduler.py`` of the installed package by path, with four names its
module-level imports ask for stubbed **in this script only** (``safe_instantiate``,
``SchedulerParams`` & co, ``logging``, ``maybe_update_config_version``: used by its
registry and ``prepare_lr_scheduler``, never by the policy classes' ``get_lr``).

For every config in tests/data/formats/configs/nemo/: OmegaConf loads it and resolves
its interpolations, the policy named by ``model.optim.sched.name`` is built over a torch
SGD with one dummy parameter at ``model.optim.lr``, with the sched keys as keyword
arguments and ``max_steps = trainer.max_steps`` (as the model's ``setup_optimization``
passes it), and stepped as Lightning steps an ``interval: step`` scheduler:
``optimizer.step()`` then ``scheduler.step()``, ``trainer.max_steps`` times. A step
pre-hook records each update's LR. Output: tests/data/formats/nemo.json.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import types
import warnings
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "formats"
CONFIGS = OUT / "configs" / "nemo"


def load_policies() -> types.ModuleType:
    """nemo/core/optim/lr_scheduler.py alone, its package's other imports stubbed."""
    stubs = {
        "nemo.core.classes.common": {"safe_instantiate": None},
        "nemo.core.config.schedulers": {
            "SchedulerParams": object,
            "get_scheduler_config": None,
            "register_scheduler_params": lambda *a, **k: None,
        },
        "nemo.utils": {"logging": __import__("logging").getLogger("nemo")},
        "nemo.utils.model_utils": {"maybe_update_config_version": None},
    }
    for name, attributes in stubs.items():
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        sys.modules[name] = module
    spec = importlib.util.find_spec("nemo")
    path = Path(spec.submodule_search_locations[0]) / "core" / "optim" / "lr_scheduler.py"
    loaded = importlib.util.spec_from_file_location("nemo_lr_scheduler", path)
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def run(policies: types.ModuleType, path: Path) -> dict:
    import torch
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    sched = dict(config["model"]["optim"]["sched"])
    name = sched.pop("name")
    lr = config["model"]["optim"]["lr"]
    total = config["trainer"]["max_steps"]
    case = {"name": path.stem, "config": str(path.relative_to(OUT)), "sched": name}
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    lrs: list[list[float]] = []
    try:
        scheduler = getattr(policies, name)(optimizer, max_steps=total, **sched)
        optimizer.register_step_pre_hook(
            lambda opt, a, k: lrs.append([float(g["lr"]) for g in opt.param_groups])
        )
        for _ in range(total):
            optimizer.step()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch's scheduler-order notes
                scheduler.step()
    except (AssertionError, ValueError, TypeError) as exc:
        message = re.sub(r"<[^>]* object at 0x[0-9a-f]+>", name, str(exc))  # no address
        case["error"] = {"type": type(exc).__name__, "message": message}
        return case
    case.update(kwargs={**sched, "max_steps": total}, lr=lr, updates=len(lrs), lrs=lrs)
    return case


def main() -> None:
    policies = load_policies()
    cases = [run(policies, path) for path in sorted(CONFIGS.glob("*.yaml"))]
    for case in cases:
        print(case["name"], case.get("updates", case.get("error")), file=sys.stderr)
    data = {
        "versions": {
            "nemo_toolkit": version("nemo_toolkit"),
            "omegaconf": version("omegaconf"),
            "torch": version("torch"),
        },
        "cases": cases,
    }
    (OUT / "nemo.json").write_text(json.dumps(data) + "\n")


if __name__ == "__main__":
    main()

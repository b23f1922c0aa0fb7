"""Preset reference cases for the megatron, nemo, neox, olmo and composer presets, taken from the
format reference runs (no library needed).

scripts/make_{megatron,nemo,neox,olmo,composer}_references.py ran each framework's scheduler
(NeoX: its re-typed formula) over launch scripts and configs; this script copies one run
per preset name into the preset reference format of tests/data/presets (the arguments
as the scheduler was given them, the group LRs, every update's LRs), so
tests/test_presets.py and tests/test_resume.py cover these presets like the others::

    python scripts/make_family_preset_cases.py      # from the repo root
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "data" / "formats"
PRESETS = ROOT / "tests" / "data" / "presets"


def _first_per(cases: list[dict], key) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    chosen: dict[str, dict] = {}
    for case in cases:
        if "lrs" in case:
            chosen.setdefault(key(case), case)
    return chosen


def _case(name: str, args: dict, case: dict, family: str) -> dict:
    return {
        "name": name,
        "args": args,
        "group_lrs": [case["_lr"]],
        "steps": case["updates"],
        "interval": "step",
        "lrs": case["lrs"],
        "from": f"tests/data/formats/{family}.json case {case['name']}",
    }


def megatron() -> list[dict]:
    document = json.loads((FORMATS / "megatron.json").read_text())
    out = []
    # the decoupled-LR runs (a second param group, or its flag alone) have tests of their own
    single = [c for c in document["cases"] if not c["name"].startswith("decoupled-")]
    for style, case in _first_per(single, lambda c: c["derived"]["lr_decay_style"]).items():
        d, argv = case["derived"], case["argv"]
        args = {
            "init_lr": d["init_lr"],
            "min_lr": d["min_lr"],
            "lr_warmup_steps": d["lr_warmup_steps"],
            "lr_decay_steps": d["lr_decay_steps"],
            "increment": int(argv[argv.index("--global-batch-size") + 1]),
        }
        if style == "WSD":
            args["wsd_decay_steps"] = d["wsd_decay_steps"]
            args["lr_wsd_decay_style"] = d["lr_wsd_decay_style"]
        case["_lr"] = d["max_lr"]
        out.append(_case(style, args, case, "megatron"))
    return out


def nemo() -> list[dict]:
    document = json.loads((FORMATS / "nemo.json").read_text())
    out = []
    for name, case in _first_per(document["cases"], lambda c: c["sched"]).items():
        kwargs = dict(case["kwargs"])
        total = kwargs["max_steps"]
        args = {"max_steps": total}
        for short in ("warmup", "constant", "hold"):
            if kwargs.get(f"{short}_steps") is not None:
                args[f"{short}_steps"] = kwargs[f"{short}_steps"]
            elif kwargs.get(f"{short}_ratio") is not None:  # NeMo: int(ratio x max_steps)
                args[f"{short}_steps"] = int(kwargs[f"{short}_ratio"] * total)
        for key in ("min_lr", "d_model", "power", "cycle"):
            if kwargs.get(key) is not None:
                args[key] = kwargs[key]
        case["_lr"] = case["lr"]
        out.append(_case(name, args, case, "nemo"))
    return out


def neox() -> list[dict]:
    document = json.loads((FORMATS / "neox.json").read_text())
    out = []
    for style, case in _first_per(document["cases"], lambda c: c["derived"]["style"]).items():
        config = {
            k.replace("-", "_"): v
            for k, v in yaml.safe_load((FORMATS / case["config"]).read_text()).items()
        }
        d = case["derived"]
        args = {
            "warmup_iter": d["warmup_iter"],
            "total_iters": d["total_iters"],
            "min_lr": config.get("min_lr", 0.0),
        }
        case["_lr"] = config.get("lr") or config["optimizer"]["params"]["lr"]
        out.append(_case(style, args, case, "neox"))
    return out


def olmo() -> list[dict]:
    document = json.loads((FORMATS / "olmo.json").read_text())
    out = []
    for _, case in _first_per(document["cases"], lambda c: c["derived"]["scheduler"]).items():
        config = yaml.safe_load((FORMATS / case["config"]).read_text())
        sched, d = config["scheduler"], case["derived"]
        tokens = sched.get("units", "steps") == "tokens"
        args = {
            "warmup_steps": int(sched.get("t_warmup", 100)),
            "alpha_f": sched.get("alpha_f", 0.1),
            "t_max": None if sched.get("t_max") is None else int(sched["t_max"]),
            "warmup_min_lr": sched.get("warmup_min_lr"),
            "units_per_step": d["tokens_per_batch"] if tokens else 1,
            "max_units": d["max_tokens"] if tokens else d["max_steps"],
        }
        case["_lr"] = config["optimizer"]["learning_rate"]
        out.append(_case(sched.get("name", "cosine_with_warmup"), args, case, "olmo"))
    return out


#: the composer preset's arguments that are the scheduler block's own numbers and flags
COMPOSER_KEYS = (
    "alpha_i",
    "alpha_f",
    "alpha",
    "alpha_f_decay",
    "alpha_f_cooldown",
    "scale_warmup",
)


def _composer_args(case: dict) -> dict:
    d, block = case["derived"], case["args"]["scheduler"]
    args = {k: d[k] for k in ("t_warmup", "t_scale", "t_cooldown", "t_max") if k in d}
    args["units_per_step"] = d["units_per_update"]
    args.update({k: block[k] for k in COMPOSER_KEYS if k in block})
    if "scale_schedule_ratio" in case:
        args["scale_schedule_ratio"] = case["scale_schedule_ratio"]
    return args


def composer() -> list[dict]:
    """Every YAML run (the reader's arguments of each scheduler) and every
    Trainer(scale_schedule_ratio=...) run (what llm-foundry cannot set)."""
    document = json.loads((FORMATS / "composer.json").read_text())
    ran = [c for c in [*document["cases"], *document["ratio_cases"]] if "lrs" in c]
    out = []
    for case in ran:
        case["_lr"] = case["args"]["optimizer"]["lr"]
        out.append(_case(case["args"]["scheduler"]["name"], _composer_args(case), case, "composer"))
    for case in document["class_cases"]:  # Composer's classes by their names
        block = case["args"]["scheduler"]
        args = {k: v for k, v in case["derived"].items() if k not in ("unit", "units_per_update")}
        if block["class"] == "PolynomialWithWarmupScheduler" and "t_max" not in args:
            args["t_max"] = int(case["args"]["max_duration"][:-2])  # its default 1dur
        args.update({k: v for k, v in block.items() if k != "class" and k not in args})
        args["scale_schedule_ratio"] = case["scale_schedule_ratio"]
        case["_lr"] = case["args"]["optimizer"]["lr"]
        out.append(_case(block["class"], args, case, "composer"))
    return out


def main() -> None:
    versions = {
        "megatron": "megatron-core 0.16.1",
        "nemo": "nemo_toolkit 3.0.0",
        "neox": "gpt-neox@ea7aefd8 (documented formula)",
        "olmo": "ai2-olmo 0.6.0",
        "composer": "mosaicml 0.32.1, llm-foundry 0.22.0",
    }
    families = (("megatron", megatron), ("nemo", nemo), ("neox", neox), ("olmo", olmo))
    for family, make in (*families, ("composer", composer)):
        document = {
            "framework": family,
            "library_version": versions[family],
            "dtype": "float64",
            "made_by": "scripts/make_family_preset_cases.py (from the format reference runs)",
            "cases": make(),
        }
        (PRESETS / f"{family}.json").write_text(json.dumps(document) + "\n")


if __name__ == "__main__":
    main()

"""Preset reference cases taken from the format reference runs (no library needed).

The presets the format readers added (DeepSpeed OneCycle and LRRangeTest, axolotl's own
cosine_min_lr, cosine_decay_constant, cosine_quadratic_warmup and rex) were measured by
scripts/make_format_references.py inside real DeepSpeed engine / AxolotlTrainer runs.
This script copies those runs into the preset reference format of tests/data/presets
(args as the library was given them, the group LRs, every update's LRs), so the preset
tests (tests/test_presets.py, tests/test_resume.py) cover them like the others:

    python scripts/make_format_preset_cases.py      # from the repo root
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "data" / "formats"
PRESETS = ROOT / "tests" / "data" / "presets"

#: DeepSpeed engine cases whose scheduler has no preset reference of its own
DEEPSPEED = ("onecycle", "onecycle-decay-stairs", "lrrangetest", "lrrangetest-staircase")
#: axolotl case -> (preset name, the axolotl keys its arguments come from)
AXOLOTL = {
    "cosine-min-lr-ratio": ("cosine_min_lr", {"min_lr_ratio": "cosine_min_lr_ratio"}),
    "cosine-constant-lr-ratio": (
        "cosine_decay_constant",
        {"min_lr_ratio": "cosine_min_lr_ratio", "constant_lr_ratio": "cosine_constant_lr_ratio"},
    ),
    "quadratic-warmup": ("cosine_quadratic_warmup", {}),
    "rex": ("rex", {"min_lr_ratio": "cosine_min_lr_ratio"}),
}


def deepspeed_cases() -> list[dict]:
    document = json.loads((FORMATS / "deepspeed.json").read_text())
    cases = []
    for case in document["cases"]:
        if case["name"] not in DEEPSPEED:
            continue
        config = case["ds_config"]
        cases.append(
            {
                "name": config["scheduler"]["type"],
                "args": config["scheduler"]["params"],
                "group_lrs": [config["optimizer"]["params"]["lr"]],
                "steps": case["updates"],
                "interval": "step",
                "lrs": case["lrs"],
                "from": f"tests/data/formats/deepspeed.json case {case['name']}",
            }
        )
    return cases


def axolotl_cases() -> list[dict]:
    document = json.loads((FORMATS / "axolotl.json").read_text())
    cases = []
    for case in document["cases"]:
        if case["name"] not in AXOLOTL:
            continue
        name, keys = AXOLOTL[case["name"]]
        derived = case["derived"]
        args = {
            "num_warmup_steps": derived["num_warmup_steps"],
            "num_training_steps": derived["max_steps"],
            **{arg: case["args"][key] for arg, key in keys.items()},
        }
        cases.append(
            {
                "name": name,
                "args": args,
                "group_lrs": [case["args"]["learning_rate"]] * len(case["lrs"][0]),
                "steps": case["updates"],
                "interval": "step",
                "lrs": case["lrs"],
                "from": f"tests/data/formats/axolotl.json case {case['name']}",
            }
        )
    return cases


def main() -> None:
    for stem, framework, source, cases in (
        ("deepspeed-formats", "deepspeed", "deepspeed.json", deepspeed_cases()),
        ("axolotl", "axolotl", "axolotl.json", axolotl_cases()),
    ):
        version = json.loads((FORMATS / source).read_text())[f"{framework}_version"]
        document = {
            "framework": framework,
            "library_version": version,
            "dtype": "float64",
            "made_by": "scripts/make_format_preset_cases.py (from the format reference runs)",
            "cases": cases,
        }
        (PRESETS / f"{stem}.json").write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {stem}.json: {len(cases)} cases")


if __name__ == "__main__":
    main()

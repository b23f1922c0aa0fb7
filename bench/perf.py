"""warmplan's performance targets, each measured against its own baseline in one run.

Every figure is a whole process, started fresh, timed from the outside; the median of
``--repeat`` runs (default 5; 3 for the long ones). Peak memory is the child's maximum
resident set (``os.wait4``). Baselines are built here, with nothing but torch:

  1. `warmplan --help`                 vs  python -c "import typer"
  2. `warmplan show <example>`         vs  python -c "import torch"
                                       (and vs the same with the cyclic GC paused, as
                                       warmplan's start-up is)
  3. 1M-step `show --format csv`       vs  a bare loop: import torch, build the same
                                           schedulers, scheduler.step() a million times
     1M-step `plot`                    vs  that loop + import matplotlib.pyplot
     peak memory of both               vs  python -c "import torch"
  4. `check` over 100 plans            vs  one torch import + the 100 bare loops

The bare loops build ``torch.optim.SGD``, whose first ``add_param_group`` imports
``torch._dynamo`` (about a second here). warmplan's dummy optimizer skips that, so
targets 3 and 4 are also shown against the same loops over an optimizer built without
it ("strict"): the cost of torch's stepping alone.

A command and its baseline run alternately (A B A B ...), so both see the same load on
a shared machine; the figures are medians.

    python bench/perf.py [--repeat N] [--quick] [--only 1-4]   # from the repository root
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}

# The 1M-step plan of target 3, and the same schedulers written by hand in torch.
LONG_FLAGS = [
    "--lr", "1e-3", "--epochs", "10", "--steps-per-epoch", "100000", "--interval", "step",
    "--warmup", "linear", "--warmup-length", "10000", "--start-factor", "0.01",
    "--decay", "cosine", "--eta-min", "1e-5",
]  # fmt: skip
BARE_LOOP = """
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
warm = LinearLR(optimizer, start_factor=0.01, end_factor=1.0, total_iters=10000)
decay = CosineAnnealingLR(optimizer, T_max=990000, eta_min=1e-5)
scheduler = SequentialLR(optimizer, [warm, decay], milestones=[10000])
optimizer.step()
for _ in range(1_000_000):
    scheduler.step()
"""
CHECK_LOOP = """
import torch
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
for n in range({plans}):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    warm = LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=50)
    decay = CosineAnnealingLR(optimizer, T_max=950 + n, eta_min=1e-5)
    scheduler = SequentialLR(optimizer, [warm, decay], milestones=[50])
    optimizer.step()
    for _ in range(1000 + n):
        scheduler.step()
"""
#: the same loops over an optimizer built without torch._dynamo, as warmplan's dummy
#: is: an Optimizer subclass whose __init__ skips add_param_group (the "strict" baseline)
LIGHT_OPTIMIZER = """
import torch
from collections import OrderedDict, defaultdict
class LightOptimizer(torch.optim.Optimizer):
    def __init__(self, params, lr):
        self.defaults, self.state = {"lr": lr}, defaultdict(dict)
        self.param_groups = [{"params": list(params), "lr": lr}]
        for when in ("pre", "post"):
            for what in ("step", "state_dict", "load_state_dict"):
                setattr(self, f"_optimizer_{what}_{when}_hooks", OrderedDict())
    def step(self, closure=None):
        return None
"""


def strict(loop: str) -> str:
    """``loop`` with its SGD replaced by the dynamo-free LightOptimizer."""
    return LIGHT_OPTIMIZER + loop.replace("torch.optim.SGD(", "LightOptimizer(")


CHECK_PLAN = """\
name: bench-{n}
optimizer: {{kind: sgd, lr: 1.0e-3}}
training: {{epochs: {epochs}, interval: epoch}}
warmup: {{kind: linear, length: 50, start_factor: 0.1}}
decay: {{kind: cosine, eta_min: 1.0e-5}}
"""


def run_once(argv: list[str], stdout_path: str | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one fresh process."""
    out = open(stdout_path or os.devnull, "wb")  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    out.close()
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.stderr.close() if process.stderr else None
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}):\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024


def medians(
    commands: list[list[str]], repeat: int, stdout_path: str | None = None
) -> list[tuple[float, float]]:
    """(median seconds, max peak MB) of each command, run alternately ``repeat`` times."""
    runs: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(repeat):
        for index, argv in enumerate(commands):
            runs[index].append(run_once(argv, stdout_path))
    return [(statistics.median(r[0] for r in rs), max(r[1] for r in rs)) for rs in runs]


def row(
    label: str, mine: tuple[float, float], base: tuple[float, float], target: float, base_label: str
) -> None:
    ratio = mine[0] / base[0]
    verdict = "ok" if ratio <= target else "OVER"
    print(
        f"  {label:34s} {mine[0]:7.2f} s  vs {base_label:28s} {base[0]:7.2f} s"
        f"  = x{ratio:.2f} (target x{target}) {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 1M-step targets")
    parser.add_argument(
        "--only", type=int, action="append", choices=(1, 2, 3, 4), help="this target only"
    )
    args = parser.parse_args()
    targets = set(args.only or (1, 2, 3, 4)) - ({3} if args.quick else set())
    warmplan = [PY, "-m", "warmplan"]
    repeat, long_repeat = args.repeat, max(1, min(args.repeat, 3))
    print(
        f"warmplan performance, {os.cpu_count()} cores, medians of {repeat} "
        f"(long runs: {long_repeat}) fresh processes\n"
    )

    if 1 in targets:
        print("1. instant help")
        help_, typer_base = medians([[*warmplan, "--help"], [PY, "-c", "import typer"]], repeat)
        row("warmplan --help", help_, typer_base, 2.0, "import typer")

    torch_base = None
    if 2 in targets:
        print("2. show at the cost of importing torch")
        example = [*warmplan, "show", "configs/linear-warmup-cosine.yaml"]
        # warmplan pauses the cyclic GC while it starts (cli.run), which makes torch's
        # own import faster too; the second row shows warmplan's cost beside an import
        # torch that is paused the same way
        paused = [PY, "-c", "import gc; gc.disable(); import torch"]
        show, torch_base, paused_base = medians(
            [example, [PY, "-c", "import torch"], paused], repeat
        )
        row("show linear-warmup-cosine.yaml", show, torch_base, 1.15, "import torch")
        row("  (gc paused in both)", show, paused_base, 1.15, "gc.disable(); import torch")

    if 3 in targets:
        torch_base = torch_base or medians([[PY, "-c", "import torch"]], long_repeat)[0]
        long_targets(warmplan, long_repeat, torch_base)
    if 4 in targets:
        check_target(warmplan, long_repeat)


def long_targets(warmplan: list[str], repeat: int, torch_base: tuple[float, float]) -> None:
    print("3. a 1,000,000-step plan at the cost of torch's own stepping")
    pyplot = "\nimport matplotlib.pyplot\n"
    with tempfile.TemporaryDirectory() as folder:
        csv, loop, light = medians(
            [
                [*warmplan, "show", *LONG_FLAGS, "-f", "csv"],
                [PY, "-c", BARE_LOOP],
                [PY, "-c", strict(BARE_LOOP)],
            ],
            repeat,
            str(Path(folder) / "lr.csv"),
        )
        row("show -f csv > file", csv, loop, 1.3, "bare loop")
        row("  (strict)", csv, light, 1.3, "bare loop, no dynamo")
        plot, plot_base, plot_light = medians(
            [
                [*warmplan, "plot", *LONG_FLAGS, "-o", str(Path(folder) / "lr.png")],
                [PY, "-c", BARE_LOOP + pyplot],
                [PY, "-c", strict(BARE_LOOP) + pyplot],
            ],
            repeat,
        )
        row("plot -o lr.png", plot, plot_base, 1.3, "bare loop + pyplot")
        row("  (strict)", plot, plot_light, 1.3, "bare loop + pyplot, no dynamo")
    for label, (_, peak) in (("show -f csv", csv), ("plot", plot)):
        extra = peak - torch_base[1]
        print(
            f"  peak memory, {label:22s} {peak:7.0f} MB = import torch "
            f"{torch_base[1]:.0f} MB + {extra:.0f} MB (target + 100 MB) "
            f"{'ok' if extra <= 100 else 'OVER'}"
        )


def check_target(warmplan: list[str], repeat: int) -> None:
    print("4. check over 100 plans: one process, one torch import")
    with tempfile.TemporaryDirectory() as folder:
        for n in range(100):
            Path(folder, f"plan-{n:03d}.yaml").write_text(CHECK_PLAN.format(n=n, epochs=1000 + n))
        loops = CHECK_LOOP.format(plans=100)
        check, base, light = medians(
            [[*warmplan, "check", folder], [PY, "-c", loops], [PY, "-c", strict(loops)]], repeat
        )
        row("check <100 plans>", check, base, 1.5, "import torch + 100 loops")
        row("  (strict)", check, light, 1.5, "the same, no dynamo")


if __name__ == "__main__":
    main()

"""warmplan's performance targets, each measured against its own baseline in one run.

Every figure is a whole process, started fresh, timed from the outside; the median of
``--repeat`` runs (default 5; 3 for the long ones). Peak memory is the child's maximum
resident set (``os.wait4``). Baselines are built here, with nothing but torch:

  1. `warmplan --help`                 vs  python -c "import typer"
  2. `warmplan show <example>`         vs  python -c "import torch"
  3. 1M-step `show --format csv`       vs  a bare loop: import torch, build the same
                                           schedulers, scheduler.step() a million times
     1M-step `plot`                    vs  that loop + import matplotlib.pyplot
     peak memory of both               vs  python -c "import torch"
  4. `check` over 100 plans            vs  one torch import + the 100 bare loops

    python bench/perf.py [--repeat N] [--quick]      # from the repository root
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


def median(argv: list[str], repeat: int, stdout_path: str | None = None) -> tuple[float, float]:
    runs = [run_once(argv, stdout_path) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


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
    args = parser.parse_args()
    warmplan = [PY, "-m", "warmplan"]
    repeat, long_repeat = args.repeat, max(1, min(args.repeat, 3))
    print(
        f"warmplan performance, {os.cpu_count()} cores, medians of {repeat} "
        f"(long runs: {long_repeat}) fresh processes\n"
    )

    print("1. instant help")
    typer_base = median([PY, "-c", "import typer"], repeat)
    row("warmplan --help", median([*warmplan, "--help"], repeat), typer_base, 2.0, "import typer")

    print("2. show at the cost of importing torch")
    torch_base = median([PY, "-c", "import torch"], repeat)
    row(
        "show linear-warmup-cosine.yaml",
        median([*warmplan, "show", "configs/linear-warmup-cosine.yaml"], repeat),
        torch_base,
        1.15,
        "import torch",
    )

    if not args.quick:
        print("3. a 1,000,000-step plan at the cost of torch's own stepping")
        loop = median([PY, "-c", BARE_LOOP], long_repeat)
        with tempfile.TemporaryDirectory() as folder:
            csv = median(
                [*warmplan, "show", *LONG_FLAGS, "-f", "csv"],
                long_repeat,
                str(Path(folder) / "lr.csv"),
            )
            row("show -f csv > file", csv, loop, 1.3, "bare loop")
            plot_base = median([PY, "-c", BARE_LOOP + "\nimport matplotlib.pyplot\n"], long_repeat)
            plot = median(
                [*warmplan, "plot", *LONG_FLAGS, "-o", str(Path(folder) / "lr.png")], long_repeat
            )
            row("plot -o lr.png", plot, plot_base, 1.3, "bare loop + pyplot")
        for label, (_, peak) in (("show -f csv", csv), ("plot", plot)):
            extra = peak - torch_base[1]
            print(
                f"  peak memory, {label:22s} {peak:7.0f} MB = import torch "
                f"{torch_base[1]:.0f} MB + {extra:.0f} MB (target + 100 MB) "
                f"{'ok' if extra <= 100 else 'OVER'}"
            )

    print("4. check over 100 plans: one process, one torch import")
    with tempfile.TemporaryDirectory() as folder:
        for n in range(100):
            Path(folder, f"plan-{n:03d}.yaml").write_text(CHECK_PLAN.format(n=n, epochs=1000 + n))
        loops = median([PY, "-c", CHECK_LOOP.format(plans=100)], long_repeat)
        check = median([*warmplan, "check", folder], long_repeat)
        row("check <100 plans>", check, loops, 1.5, "import torch + 100 loops")


if __name__ == "__main__":
    main()

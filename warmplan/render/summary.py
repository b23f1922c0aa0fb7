"""The few numbers a reader wants before the table: target, warm-up end, peak, final."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace


@dataclass(frozen=True)
class Summary:
    name: str
    interval: str
    intervals: int
    total_steps: int
    steps_per_epoch: int
    groups: list[str]
    target_lrs: list[float]
    warmup_intervals: int
    #: the end of warm-up: the first interval at the warm-up's peak (see warmup_end)
    warmup_end: int
    peak_lrs: list[float]
    peak_at: list[int]  # first interval with the peak LR, per group
    first_lrs: list[float]
    final_lrs: list[float]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "interval": self.interval,
            "intervals": self.intervals,
            "total_steps": self.total_steps,
            "steps_per_epoch": self.steps_per_epoch,
            "groups": self.groups,
            "target_lr": self.target_lrs,
            "warmup_end": self.warmup_end,
            "peak_lr": self.peak_lrs,
            "peak_at": self.peak_at,
            "first_lr": self.first_lrs,
            "final_lr": self.final_lrs,
        }


#: LRs within this relative distance of the warm-up's peak count as at the peak
AT_PEAK_RTOL = 1e-6


def warmup_end(trace: Trace) -> int:
    """The end of warm-up, one definition for show, plot, the curve and compare: the
    first interval at which every group's LR is at the highest value its warm-up climbs
    to (over the warm-up and the interval after it). 0 without a warm-up.

    For torch's warm-ups that is W, the first interval after the W of the warm-up phase
    (`LinearLR` hands over at the target). A framework's warm-up may reach its peak on
    its own last interval: DeepSpeed's logarithmic one is at the target at step W - 1 of
    its W (warmup_num_steps + 1 with its off-by-one start), timm's without
    `warmup_prefix` peaks at the hand-over, below the target."""
    import numpy as np

    phase = trace.plan.warmup_intervals
    if phase == 0:
        return 0
    window = trace.lr[: min(phase + 1, trace.intervals)]
    at_peak = (window >= window.max(axis=0) * (1 - AT_PEAK_RTOL)).all(axis=1)
    return int(np.argmax(at_peak))


def summarize(trace: Trace) -> Summary:
    plan = trace.plan
    lr = trace.lr
    peak_at = [int(i) for i in lr.argmax(axis=0)]
    return Summary(
        name=plan.label,
        interval=plan.interval,
        intervals=trace.intervals,
        total_steps=plan.total_steps,
        steps_per_epoch=plan.steps_per_epoch,
        groups=plan.group_names,
        target_lrs=plan.target_lrs,
        warmup_intervals=plan.warmup_intervals,
        warmup_end=warmup_end(trace),
        peak_lrs=[float(lr[i, g]) for g, i in enumerate(peak_at)],
        peak_at=peak_at,
        first_lrs=[float(v) for v in lr[0]],
        final_lrs=[float(v) for v in lr[-1]],
    )

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
            "warmup_end": self.warmup_intervals,
            "peak_lr": self.peak_lrs,
            "peak_at": self.peak_at,
            "first_lr": self.first_lrs,
            "final_lr": self.final_lrs,
        }


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
        peak_lrs=[float(lr[i, g]) for g, i in enumerate(peak_at)],
        peak_at=peak_at,
        first_lrs=[float(v) for v in lr[0]],
        final_lrs=[float(v) for v in lr[-1]],
    )

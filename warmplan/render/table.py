"""The rich rendering of `warmplan show`: a summary, then the LR table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan.render.rows import landmarks, lr_columns, sample
from warmplan.summary import Summary, summarize

if TYPE_CHECKING:
    from warmplan.simulation import Trace

PHASE_STYLES = {"warmup": "yellow", "stable": "green", "decay": "cyan", "constant": "green"}


def fmt_lr(value: float) -> str:
    return f"{value:.6g}"


def summary_lines(summary: Summary) -> list[str]:
    """Plain lines of the summary (markup-free, so tests and pipes read them)."""
    unit = summary.interval
    groups = summary.groups
    several = len(groups) > 1

    def per_group(values: list[Any], show: Any = fmt_lr) -> str:
        if not several:
            return show(values[0])
        return ", ".join(f"{name} {show(v)}" for name, v in zip(groups, values, strict=True))

    lines = [f"target LR: {per_group(summary.target_lrs)}"]
    if summary.warmup_intervals:
        span = (
            f"{unit} 0"
            if summary.warmup_intervals == 1
            else f"{unit}s 0-{summary.warmup_intervals - 1}"
        )
        lines.append(f"warm-up: {span}; the decay starts at {unit} {summary.warmup_intervals}")
    else:
        lines.append("warm-up: none")
    peak = [
        f"{fmt_lr(v)} at {unit} {at}"
        for v, at in zip(summary.peak_lrs, summary.peak_at, strict=True)
    ]
    lines.append(
        "peak LR: "
        + (", ".join(f"{n} {p}" for n, p in zip(groups, peak, strict=True)) if several else peak[0])
    )
    lines.append(
        f"first LR: {per_group(summary.first_lrs)}; final LR ({unit} "
        f"{summary.intervals - 1}): {per_group(summary.final_lrs)}"
    )
    epochs, extra = divmod(summary.total_steps, summary.steps_per_epoch)
    steps = f"{summary.total_steps:,} optimizer steps"
    if summary.steps_per_epoch > 1:
        steps += f" = {epochs} epochs x {summary.steps_per_epoch:,}"
        steps += f" + {extra:,}" if extra else ""
    lines.append(f"total: {steps}; the scheduler steps once per {unit}")
    return lines


def default_by(trace: Trace) -> str:
    """Per-epoch rows, unless a per-step plan has too few epochs for them to help."""
    return "epoch" if trace.plan.interval == "epoch" or trace.plan.epochs > 1 else "step"


def render_show(
    trace: Trace, by: str | None = None, limit: int = 200, all_rows: bool = False
) -> list[Any]:
    """Renderables for `warmplan show`: title, summary, warnings, table."""
    from rich.table import Table
    from rich.text import Text

    summary = summarize(trace)
    title = Text(f"{summary.name}", style="bold")
    parts: list[Any] = [title]
    parts += [Text("  " + line) for line in summary_lines(summary)]
    parts += [Text("  " + line) for line in trace.plan.derivation]
    by = by or default_by(trace)
    per_epoch = trace.plan.interval == "step" and by == "epoch"
    table = Table(header_style="bold")
    by_interval_step = not per_epoch and trace.plan.interval == "step"
    table.add_column("step" if by_interval_step else "epoch", justify="right")
    table.add_column(
        "epoch" if by_interval_step else "steps" if per_epoch else "opt. step", justify="right"
    )
    table.add_column("phase")
    columns = lr_columns(trace)
    if per_epoch:
        for column in columns:
            table.add_column(f"{column} first", justify="right")
            table.add_column(f"{column} last", justify="right")
        _add_epoch_rows(table, trace, limit, all_rows)
    else:
        for column in columns:
            table.add_column(column, justify="right")
        _add_interval_rows(table, trace, limit, all_rows)
    parts.append(table)
    return parts


def _gap_row(table: Any) -> None:
    table.add_row(*["…"] * len(table.columns), style="dim")


def _add_interval_rows(table: Any, trace: Trace, limit: int, all_rows: bool) -> None:
    count = trace.intervals
    rows = list(range(count)) if all_rows else sample(count, landmarks(trace), limit)
    second = trace.epoch() if trace.plan.interval == "step" else trace.first_step()
    previous = -1
    for t in rows:
        if t != previous + 1:
            _gap_row(table)
        phase = trace.phase_at(t)
        table.add_row(
            str(t),
            str(int(second[t])),
            phase,
            *[fmt_lr(v) for v in trace.lr[t].tolist()],
            style=PHASE_STYLES.get(phase),
        )
        previous = t


def _add_epoch_rows(table: Any, trace: Trace, limit: int, all_rows: bool) -> None:
    per_epoch = trace.plan.steps_per_epoch
    epochs = -(-trace.intervals // per_epoch)  # a budget in steps may end mid-epoch
    keep = {t // per_epoch for t in landmarks(trace)}
    rows = list(range(epochs)) if all_rows else sample(epochs, keep, limit)
    previous = -1
    for e in rows:
        if e != previous + 1:
            _gap_row(table)
        first, last = e * per_epoch, min((e + 1) * per_epoch, trace.intervals) - 1
        phase = trace.phase_at(first)
        if trace.phase_at(last) != phase:
            phase = f"{phase}→{trace.phase_at(last)}"
        cells = []
        for g in range(trace.lr.shape[1]):
            cells += [fmt_lr(float(trace.lr[first, g])), fmt_lr(float(trace.lr[last, g]))]
        table.add_row(
            str(e), f"{first}-{last}", phase, *cells, style=PHASE_STYLES.get(phase.split("→")[0])
        )
        previous = e

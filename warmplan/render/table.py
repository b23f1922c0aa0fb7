"""The rich rendering of `warmplan show`: a summary, then the LR table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warmplan.render.grid import Grid, Row
from warmplan.render.rows import before_landmarks, landmarks, lr_columns, table_rows
from warmplan.render.summary import Summary, summarize
from warmplan.render.summary import warmup_end as summary_end
from warmplan.text import counted, lr, number

if TYPE_CHECKING:
    from warmplan.schedule.simulate import Trace

PHASE_STYLES = {"warmup": "yellow", "stable": "green", "decay": "cyan", "constant": "green"}


def fmt_lr(value: float) -> str:
    return lr(value)  # one LR style everywhere (warmplan.text)


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
            else f"{unit}s 0-{number(summary.warmup_intervals - 1)}"
        )
        start = number(summary.warmup_intervals)
        lines.append(f"warm-up: {span}; the decay starts at {unit} {start}")
        if summary.warmup_end != summary.warmup_intervals:
            end = number(summary.warmup_end)
            lines[-1] = lines[-1].replace(
                "; the decay",
                f", at its peak from {unit} {end} (the end of warm-up); the decay",
            )
    else:
        lines.append("warm-up: none")
    peak = [
        f"{fmt_lr(v)} at {unit} {number(at)}"
        for v, at in zip(summary.peak_lrs, summary.peak_at, strict=True)
    ]
    lines.append(
        "peak LR: "
        + (", ".join(f"{n} {p}" for n, p in zip(groups, peak, strict=True)) if several else peak[0])
    )
    lines.append(
        f"first LR: {per_group(summary.first_lrs)}; final LR ({unit} "
        f"{number(summary.intervals - 1)}): {per_group(summary.final_lrs)}"
    )
    epochs, extra = divmod(summary.total_steps, summary.steps_per_epoch)
    steps = f"{summary.total_steps:,} optimizer steps"
    if summary.steps_per_epoch > 1:
        steps += f" = {counted(epochs, 'epoch')} x {summary.steps_per_epoch:,}"
        steps += f" + {extra:,}" if extra else ""
    lines.append(f"total: {steps}; the scheduler steps once per {unit}")
    return lines


def defaults_line(plan: Any) -> list[str]:
    """``defaults: warmup.start_factor 0.1, ...``: what the plan left to warmplan."""
    from warmplan.config.defaults import filled_defaults

    filled = filled_defaults(plan)
    return [f"defaults: {', '.join(filled)} (see the README's table)"] if filled else []


def default_by(trace: Trace) -> str:
    """Per-epoch rows, unless a per-step plan has too few epochs for them to help."""
    return "epoch" if trace.plan.interval == "epoch" or trace.plan.epochs > 1 else "step"


#: rows of a sampled table written to a file or a pipe (a terminal gets what fits it)
FILE_ROWS = 200
#: the fewest rows a table fitted to a terminal gets, however small the terminal
MIN_SCREEN_ROWS = 8
#: lines a rich table draws besides its rows: top rule, header, header rule, bottom rule
TABLE_FRAME = 4


def fitted_rows(screen: int, used: int) -> int:
    """Table rows that fit a terminal of ``screen`` lines beside ``used`` other lines
    (summary, curve, notes), one line kept for the shell's next prompt."""
    return max(MIN_SCREEN_ROWS, screen - used - TABLE_FRAME - 1)


def render_show(
    trace: Trace,
    by: str | None = None,
    limit: int | None = FILE_ROWS,
    all_rows: bool = False,
    screen: tuple[int, int] | None = None,
) -> list[Any]:
    """Renderables for `warmplan show`: title, summary, warnings, table (a long table is
    an iterator of chunks: see render.grid). ``limit`` None with ``screen`` = (terminal
    lines, lines printed besides these parts): as many rows as fit the terminal."""
    from rich.text import Text

    summary = summarize(trace)
    title = Text(f"{summary.name}", style="bold")
    parts: list[Any] = [title]
    parts += [Text("  " + line) for line in summary_lines(summary)]
    parts += [Text("  " + line) for line in trace.plan.derivation]
    parts += [Text("  " + line) for line in defaults_line(trace.plan)]
    if limit is None:
        limit = FILE_ROWS if screen is None else fitted_rows(screen[0], screen[1] + len(parts))
    by = by or default_by(trace)
    if trace.plan.interval == "step" and by == "epoch":
        return parts + _epoch_grid(trace, limit, all_rows).renderables()
    return parts + _interval_grid(trace, limit, all_rows).renderables()


def _interval_grid(trace: Trace, limit: int, all_rows: bool) -> Grid:
    count = trace.intervals
    keys = table_rows(
        count, landmarks(trace), limit, all_rows, summary_end(trace), before_landmarks(trace)
    )
    per_step = trace.plan.interval == "step"
    second = trace.epoch() if per_step else trace.first_step()
    columns = [
        ("step" if per_step else "epoch", "right"),
        ("epoch" if per_step else "opt. step", "right"),
    ]
    columns += [("phase", "left")] + [(c, "right") for c in lr_columns(trace)]
    lr = trace.lr

    def row(t: int) -> Row:
        phase = trace.phase_at(t)
        cells = [str(t), str(int(second[t])), phase, *map(fmt_lr, lr[t].tolist())]
        return cells, PHASE_STYLES.get(phase)

    return Grid(columns, keys, row)


def _epoch_grid(trace: Trace, limit: int, all_rows: bool) -> Grid:
    per_epoch = trace.plan.steps_per_epoch
    epochs = -(-trace.intervals // per_epoch)  # a budget in steps may end mid-epoch
    keep = {t // per_epoch for t in landmarks(trace)}
    warm = -(-summary_end(trace) // per_epoch)
    keys = table_rows(epochs, keep, limit, all_rows, warm)
    columns = [("epoch", "right"), ("steps", "right"), ("phase", "left")]
    for column in lr_columns(trace):
        columns += [(f"{column} first", "right"), (f"{column} last", "right")]

    def row(e: int) -> Row:
        first, last = e * per_epoch, min((e + 1) * per_epoch, trace.intervals) - 1
        phase = trace.phase_at(first)
        if trace.phase_at(last) != phase:
            phase = f"{phase}→{trace.phase_at(last)}"
        cells = [str(e), f"{first}-{last}", phase]
        for g in range(trace.lr.shape[1]):
            cells += [fmt_lr(float(trace.lr[first, g])), fmt_lr(float(trace.lr[last, g]))]
        return cells, PHASE_STYLES.get(phase.split("→")[0])

    return Grid(columns, keys, row)

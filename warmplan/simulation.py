"""simulate: step the plan's real torch schedulers over a dummy optimizer -> Trace.

The dummy optimizer is a genuine ``torch.optim.Optimizer`` subclass (torch's
schedulers refuse anything else) whose ``__init__`` skips ``add_param_group``: that
method is wrapped by ``torch._disable_dynamo``, and the first call imports
``torch._dynamo``, which costs about as much again as importing torch. Its groups hold
no parameters, so ``step`` has nothing to update. A test proves its LRs equal a real
``torch.optim.Adam``'s under the same scheduler.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

    from warmplan.plan import Plan
    from warmplan.schedulers import Layout

#: The size guard: plans longer than this many optimizer steps are refused before
#: simulating (``--max-steps`` raises it). 10M steps take about 30 s and 80 MB.
MAX_STEPS = 10_000_000

_HOOKS = (
    "_optimizer_step_pre_hooks",
    "_optimizer_step_post_hooks",
    "_optimizer_state_dict_pre_hooks",
    "_optimizer_state_dict_post_hooks",
    "_optimizer_load_state_dict_pre_hooks",
    "_optimizer_load_state_dict_post_hooks",
)


def dummy_optimizer(lrs: list[float]) -> Any:
    """An Optimizer with one empty param group per LR, built without torch._dynamo."""
    from torch.optim import Optimizer

    class DummyOptimizer(Optimizer):
        def __init__(self, lrs: list[float]) -> None:
            self.defaults = {"lr": lrs[0]}
            self.state = defaultdict(dict)
            self.param_groups = [{"params": [], "lr": lr} for lr in lrs]
            for hooks in _HOOKS:
                setattr(self, hooks, OrderedDict())

        def step(self, closure: Callable[[], float] | None = None) -> None:
            return None

    return DummyOptimizer(lrs)


@dataclass(frozen=True)
class CapturedWarning:
    """A warning torch raised while simulating, with how often and when it first did."""

    category: str
    message: str
    first_interval: int  # -1: while building the schedulers
    count: int = 1


@dataclass
class Trace:
    """The LR of every interval of a plan, as torch's schedulers produced it.

    ``lr[t, g]`` is the LR of group ``g`` in effect during interval ``t``: read before
    the t-th ``scheduler.step()``, after ``optimizer.step()`` ran with it.
    """

    plan: Plan
    lr: np.ndarray  # (intervals, groups), float64
    layout: Layout
    warnings: list[CapturedWarning] = field(default_factory=list)

    @property
    def intervals(self) -> int:
        return int(self.lr.shape[0])

    @property
    def groups(self) -> list[str]:
        return self.plan.group_names

    def phase_names(self) -> list[str]:
        return [p.name for p in self.layout.phases]

    def phase_index(self) -> np.ndarray:
        """The index into ``layout.phases`` of every interval."""
        import numpy as np

        index = np.zeros(self.intervals, dtype=np.int8)
        for number, phase in enumerate(self.layout.phases):
            index[phase.start : phase.end] = number
        return index

    def phase_at(self, t: int) -> str:
        for phase in self.layout.phases:
            if phase.start <= t < phase.end:
                return phase.name
        return self.layout.phases[-1].name

    def first_step(self) -> np.ndarray:
        """The first optimizer step that uses each row's LR."""
        import numpy as np

        return np.arange(self.intervals, dtype=np.int64) * self.plan.steps_per_interval

    def epoch(self) -> np.ndarray:
        """The epoch each row's first optimizer step belongs to."""
        return self.first_step() // self.plan.training.steps_per_epoch


def check_size(plan: Plan, max_steps: int = MAX_STEPS) -> None:
    """Refuse a plan longer than the size guard, before anything is simulated.

    Two counts must stay within ``max_steps``: optimizer steps, and learning rates
    to compute and keep (intervals x param groups), which bound time and memory.
    """
    groups = len(plan.target_lrs)
    if plan.total_steps > max_steps:
        count = f"{plan.total_steps:,} optimizer steps"
    elif plan.intervals * groups > max_steps:
        count = f"{plan.intervals:,} {plan.interval}s x {groups:,} param groups"
    else:
        return
    key = ("optimizer", "groups") if plan.total_steps <= max_steps else ("training", "epochs")
    raise ConfigError(
        [
            _locate(plan).finding(
                errors.TOO_LARGE,
                key,
                f"{count} is over the limit of {max_steps:,}; "
                "raise it with --max-steps if you mean it",
            )
        ]
    )


def _locate(plan: Plan) -> Any:
    from warmplan.source import Source

    return plan.source if plan.source is not None else Source(data=None)


def simulate(
    plan: Plan, max_steps: int = MAX_STEPS, progress: Callable[[int], None] | None = None
) -> Trace:
    """Build the plan's schedulers over a dummy optimizer and step them as training.

    ``progress``, if given, is called with the number of intervals done every 65,536.
    """
    import numpy as np

    from warmplan.schedulers import build_schedule, layout

    check_size(plan, max_steps)
    total = plan.intervals
    targets = plan.target_lrs
    lr = np.empty((total, len(targets)), dtype=np.float64)
    optimizer = dummy_optimizer(targets)
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    recorder = _WarningRecorder()
    with warnings.catch_warnings():
        # "always": every warning reaches the recorder, which keeps one per text, so
        # a warning repeated a million times costs a counter, not a million records.
        warnings.simplefilter("always")
        warnings.showwarning = recorder.record  # type: ignore[assignment]
        recorder.interval = -1
        scheduler = build_schedule(optimizer, plan)
        _step_all(optimizer, scheduler, lr, recorder, progress)
    return Trace(plan=plan, lr=lr, layout=layout(plan), warnings=recorder.captured())


def _step_all(
    optimizer: Any,
    scheduler: Any,
    lr: Any,
    recorder: _WarningRecorder,
    progress: Callable[[int], None] | None,
) -> None:
    groups = optimizer.param_groups
    step_optimizer, step_scheduler = optimizer.step, scheduler.step
    total = lr.shape[0]
    if len(groups) == 1:
        group = groups[0]
        column = lr[:, 0]
        for t in range(total):
            recorder.interval = t
            column[t] = group["lr"]
            step_optimizer()
            step_scheduler()
            if progress is not None and not t & 0xFFFF:
                progress(t)
        return
    for t in range(total):
        recorder.interval = t
        lr[t] = [group["lr"] for group in groups]
        step_optimizer()
        step_scheduler()
        if progress is not None and not t & 0xFFFF:
            progress(t)


class _WarningRecorder:
    def __init__(self) -> None:
        self.interval = -1
        self._seen: dict[tuple[str, str], list[int]] = {}

    def record(self, message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        key = (category.__name__, str(message))
        if key in self._seen:
            self._seen[key][1] += 1
        else:
            self._seen[key] = [self.interval, 1]

    def captured(self) -> list[CapturedWarning]:
        return [
            CapturedWarning(category, text, first, count)
            for (category, text), (first, count) in self._seen.items()
        ]

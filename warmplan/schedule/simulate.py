"""simulate: step the plan's real torch schedulers over a dummy optimizer -> Trace.

The dummy optimizer is a genuine ``torch.optim.Optimizer`` subclass (torch's
schedulers refuse anything else) whose ``__init__`` skips ``add_param_group``: that
method is wrapped by ``torch._disable_dynamo``, and the first call imports
``torch._dynamo``, which costs about as much again as importing torch. Its groups hold
no parameters, so ``step`` has nothing to update. A test proves its LRs equal a real
``torch.optim.Adam``'s under the same scheduler.
"""

from __future__ import annotations

import pickle
import traceback
import warnings
from array import array
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warmplan import errors
from warmplan.errors import ConfigError
from warmplan.limits import MAX_STEPS

if TYPE_CHECKING:
    import numpy as np

    from warmplan.config.models import Plan
    from warmplan.schedule.build import Layout

#: The hook registries torch's Optimizer.__init__ creates, which the dummy optimizer
#: creates itself (its __init__ is skipped: it imports torch._dynamo). A torch that
#: adds or renames one breaks the dummy: tests/test_house.py compares with a real SGD.
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

        # no overloads: nothing calls step() with a closure here, and the LR is all there is
        def step(self, closure: Callable[[], float] | None = None) -> None:  # type: ignore[override]
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
    #: interval -> the schedule's state saved there (see :func:`save_state`), for the
    #: intervals ``simulate(checkpoints=...)`` was asked to pause at
    checkpoints: dict[int, bytes | str] = field(default_factory=dict)

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

    def first_step(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """The first optimizer step that uses each row's LR (of rows ``start:stop``)."""
        import numpy as np

        stop = self.intervals if stop is None else stop
        return np.arange(start, stop, dtype=np.int64) * self.plan.steps_per_interval

    def epoch(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """The epoch each row's first optimizer step belongs to (of rows ``start:stop``)."""
        return self.first_step(start, stop) // self.plan.steps_per_epoch


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
    length_key = ("training", "steps" if plan.training.steps else "epochs")
    key = ("optimizer", "groups") if plan.total_steps <= max_steps else length_key
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
    from warmplan.config.source import Source

    return plan.source if plan.source is not None else Source(data=None)


def simulate(
    plan: Plan,
    max_steps: int = MAX_STEPS,
    progress: Callable[[int], None] | None = None,
    checkpoints: Collection[int] = (),
) -> Trace:
    """Build the plan's schedulers over a dummy optimizer and step them as training.

    ``progress``, if given, is called with the number of intervals done so far, every
    65,536 intervals and at the end. ``checkpoints``: intervals at which to save the
    schedule's state as a training checkpoint would, into ``Trace.checkpoints`` (for
    `check`'s resume rule, which would otherwise have to run the schedule again).
    """
    import numpy as np

    from warmplan.schedule.build import build_schedule, layout

    check_size(plan, max_steps)
    targets = plan.target_lrs
    optimizer = dummy_optimizer(targets)
    for group in optimizer.param_groups:
        group["initial_lr"] = group["lr"]
    values = array("d")  # row-major (interval, group); 8 bytes an LR, no Python objects
    recorder = _WarningRecorder(values, len(targets))
    with warnings.catch_warnings():
        # "always": every warning reaches the recorder, which keeps one per text, so
        # a warning repeated a million times costs a counter, not a million records.
        warnings.simplefilter("always")
        warnings.showwarning = recorder.record
        try:
            scheduler = build_schedule(optimizer, plan)
            saved = _step_all(optimizer, scheduler, values, plan.intervals, progress, checkpoints)
        except TORCH_REFUSALS as exc:
            if not _raised_by_torch(exc) and not _arithmetic_of_a_preset(plan, exc):
                raise  # a bug in warmplan's own builders or factors: an internal error
            raise _torch_refused(plan, exc, len(values) // len(targets)) from None
    lr = np.frombuffer(values, dtype=np.float64).reshape(plan.intervals, len(targets))
    _refuse_invalid_lrs(plan, lr)
    return Trace(plan, lr, layout(plan), recorder.captured(), saved)


def continue_schedule(optimizer: Any, scheduler: Any, intervals: int) -> np.ndarray:
    """The LRs of the next ``intervals`` intervals of a built (or resumed) schedule,
    stepped as :func:`simulate` steps it: rows as in ``Trace.lr``."""
    import numpy as np

    values = array("d")
    _step_all(optimizer, scheduler, values, intervals, None)
    return np.frombuffer(values, dtype=np.float64).reshape(-1, len(optimizer.param_groups))


def save_state(optimizer: Any, scheduler: Any) -> bytes | str:
    """What a training checkpoint keeps of the schedule, pickled as ``torch.save`` does:
    the scheduler's state_dict and the param groups' settings (the dummy optimizer has
    no other state). A state that cannot be pickled gives the reason, as text."""
    groups = [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not the schedule's warnings: saving's own
        try:
            return pickle.dumps((scheduler.state_dict(), groups))
        except Exception as exc:  # a lambda or a local function in the state, say
            return f"{type(exc).__name__}: {exc}"


def _refuse_invalid_lrs(plan: Plan, lr: np.ndarray) -> None:
    """Every LR a trace holds is finite and >= 0, whatever the values that made it
    (a preset's absolute LRs far above the target overflow to inf; the validation
    probes only some steps of long plans): else the plan's values are the problem."""
    import numpy as np

    bad = np.flatnonzero(~(np.isfinite(lr) & (lr >= 0)).all(axis=1))
    if not bad.size:
        return
    t = int(bad[0])
    value = next(v for v in lr[t].tolist() if not (np.isfinite(v) and v >= 0))
    key = (
        ("preset", "args") if plan.preset is not None else ("decay",) if plan.decay else ("warmup",)
    )
    message = (
        f"these values give the LR {value!r} at {plan.interval} {t}, and an LR must be a "
        "finite number >= 0; check this block's values"
    )
    raise ConfigError([_locate(plan).finding(errors.BAD_VALUE, key, message)])


#: What torch raises when it refuses a plan's values (its schedulers validate their
#: arguments, and some divide by phase lengths): the plan's problem, not a bug here.
TORCH_REFUSALS = (ValueError, TypeError, RuntimeError, ZeroDivisionError, OverflowError)


def _raised_by_torch(exc: BaseException) -> bool:
    """Whether torch's own code raised ``exc`` (its innermost Python frame is torch's)."""
    import torch

    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and Path(frames[-1].filename).is_relative_to(Path(torch.__file__).parent)


def _arithmetic_of_a_preset(plan: Plan, exc: BaseException) -> bool:
    """A preset's factor overflowing or dividing by zero for the values given: the
    framework's own formula on the user's numbers (validation probes only some steps of
    long plans), so the plan's problem, not a bug here."""
    return plan.preset is not None and isinstance(exc, ArithmeticError)


def _torch_refused(plan: Plan, exc: Exception, interval: int) -> ConfigError:
    when = "building" if interval == 0 else f"stepping at {plan.interval} {interval}"
    key = ("decay",) if plan.decay is not None else ("warmup",)
    message = (
        f"torch refused this schedule while {when}: {type(exc).__name__}: "
        f"{' '.join(str(exc).split())}"
    )
    return ConfigError([_locate(plan).finding(errors.TORCH_REFUSED, key, message)])


_CHUNK = 65536


def _step_all(
    optimizer: Any,
    scheduler: Any,
    values: array[float],
    total: int,
    progress: Callable[[int], None] | None,
    checkpoints: Collection[int] = (),
) -> dict[int, bytes | str]:
    """Read the LRs, then step, ``total`` times: the hot loop of every command.

    ``optimizer.step()`` runs once, before the first ``scheduler.step()``, as torch
    requires (it warns otherwise); the dummy's step changes nothing, so later calls
    would only cost time. The loop runs in stretches that end at every 65,536th
    interval (for ``progress``) and at each checkpoint (to save the state there).
    """
    optimizer.step()
    pauses = {k for k in checkpoints if 0 <= k < total}
    stops = sorted({*range(_CHUNK, total, _CHUNK), *pauses, total} - {0})
    saved: dict[int, bytes | str] = {}
    start = 0
    for stop in stops:
        if start in pauses:
            saved[start] = save_state(optimizer, scheduler)
        _step_rows(optimizer.param_groups, scheduler.step, values, stop - start)
        if progress is not None and (stop % _CHUNK == 0 or stop == total):
            progress(stop)
        start = stop
    return saved


def _step_rows(
    groups: list[dict[str, Any]], step: Callable[[], None], values: array[float], count: int
) -> None:
    if len(groups) == 1:
        single, append = groups[0], values.append
        for _ in range(count):
            append(single["lr"])
            step()
    else:
        extend = values.extend
        for _ in range(count):
            extend([group["lr"] for group in groups])
            step()


class _WarningRecorder:
    """Keeps one record per warning text, with its count and first interval.

    The interval is read off how many rows were recorded when the warning came: the
    row of interval t is recorded just before the t-th scheduler step.
    """

    def __init__(self, values: array[float], groups: int) -> None:
        self._values = values
        self._groups = groups
        self._seen: dict[tuple[str, str], list[int]] = {}

    def record(self, message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        key = (category.__name__, str(message))
        if key in self._seen:
            self._seen[key][1] += 1
        else:
            self._seen[key] = [len(self._values) // self._groups - 1, 1]

    def captured(self) -> list[CapturedWarning]:
        return [
            CapturedWarning(category, text, first, count)
            for (category, text), (first, count) in self._seen.items()
        ]

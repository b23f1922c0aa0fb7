"""What every log reader returns: the logged LRs of one run, by optimizer update.

``update`` is always the 0-based index of the optimizer update that used the LR,
whatever the logger's own step numbering (each reader applies its logger's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import numpy as np

Precision = Literal["float32", "float64"]


@dataclass
class Series:
    """One logged LR series: a tag or a column, for one param group."""

    name: str  # the tag or column, as the log spells it
    group: int  # the param group (0-based) it belongs to
    update: np.ndarray  # int64, increasing, no repeats
    lr: np.ndarray  # float64 (float32 values widened exactly when precision is float32)


@dataclass
class RunLog:
    """The LR series read from one or more files of one format."""

    format: str  # e.g. "tensorboard", "trainer_state.json", "lightning-csv"
    source: str  # how to name it in messages: the file (or folder) given
    series: list[Series]
    precision: Precision
    #: the logger's rule, in words: "step s = update s - 1 (transformers Trainer)"
    convention: str
    notes: list[str] = field(default_factory=list)
    #: updates logged more than once with different values (the later kept)
    relogged: int = 0


def latest_wins(update: np.ndarray, lr: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Points sorted by update, one per update: where an update was logged more than
    once (a resumed run re-logging steps), the last in the given order wins.

    Returns (update, lr, how many updates had a later value that differed).
    """
    import numpy as np

    if update.size == 0:
        return update, lr, 0
    order = np.lexsort((np.arange(update.size), update))  # by update, then file order
    update, lr = update[order], lr[order]
    last = np.ones(update.size, dtype=bool)
    last[:-1] = update[1:] != update[:-1]
    first = np.ones(update.size, dtype=bool)
    first[1:] = update[1:] != update[:-1]
    kept_lr = lr[last]
    # an update whose first value differs from the kept one was logged differently
    changed = int(np.count_nonzero(~_same(lr[first], kept_lr)))
    return update[last], kept_lr, changed


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import numpy as np

    return (a == b) | (np.isnan(a) & np.isnan(b))

"""Min/max reduction: a long series -> a few points per pixel column, shape intact.

Handing matplotlib (or a terminal) a million points is slow and pointless: a figure
1,500 pixels wide shows at most 1,500 columns. Plain subsampling (every k-th point)
would hide what matters in an LR schedule: a warm restart, a step-decay drop or a
one-step spike falls between the samples. So each column keeps its first and last
point and the points where it reaches its minimum and maximum, in their original
order (the M4 reduction): a line through them covers exactly the vertical extent
the full series covers in that column, and joins the next column where the full
series does.

The work is a few vectorised passes over the array (no Python loop over points), and
what is drawn afterwards is at most ``4 * columns`` points, whatever the length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: points kept per column at most: first, minimum, maximum, last
POINTS_PER_COLUMN = 4


def column_length(count: int, columns: int) -> int:
    """How many consecutive points fall into one column: ``ceil(count / columns)``.

    Columns are consecutive runs of this many points (the last one may be shorter).
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns=}")
    return max(1, -(-count // columns))


def minmax_indices(values: np.ndarray, columns: int) -> np.ndarray:
    """Sorted indices into the 1-D ``values`` that keep every column's first, last,
    minimum and maximum point. All indices when the series is already short enough.
    """
    import numpy as np

    values = np.asarray(values)
    if values.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {values.shape}")
    count = values.shape[0]
    if count <= POINTS_PER_COLUMN * columns:
        column_length(count, columns)  # validates columns
        return np.arange(count, dtype=np.int64)
    width = column_length(count, columns)
    used = -(-count // width)
    # Pad the last column with copies of the final value: argmin/argmax return the
    # first occurrence, so a padded copy is never chosen over the real final point.
    padded = np.empty(used * width, dtype=values.dtype)
    padded[:count] = values
    padded[count:] = values[-1]
    grid = padded.reshape(used, width)
    starts = np.arange(used, dtype=np.int64) * width
    picks = np.stack(
        [
            starts,
            starts + grid.argmin(axis=1),
            starts + grid.argmax(axis=1),
            np.minimum(starts + width - 1, count - 1),
        ],
        axis=1,
    )
    # Rows are in column order, so sorting each row gives a globally sorted array;
    # unique then drops the points a column picked twice (a flat column, say).
    return np.unique(np.sort(picks, axis=1).ravel())


def minmax_reduce(x: np.ndarray, y: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """The points of the series ``(x, y)`` that :func:`minmax_indices` keeps."""
    import numpy as np

    keep = minmax_indices(y, columns)
    return np.asarray(x)[keep], np.asarray(y)[keep]

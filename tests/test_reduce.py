"""The min/max reduction keeps every column's extremes, in order, at a bounded size.

The oracle cuts the series into columns by hand (consecutive runs of
ceil(n / columns) points) and takes their min and max with plain Python."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from warmplan.render.reduce import minmax_indices, minmax_reduce


def _columns_by_hand(count: int, columns: int) -> list[range]:
    width = math.ceil(count / columns)
    return [range(start, min(start + width, count)) for start in range(0, count, width)]


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    values=arrays(np.float64, st.integers(1, 3000), elements=finite),
    columns=st.integers(1, 200),
)
def test_every_column_keeps_its_min_and_max(values, columns):
    keep = minmax_indices(values, columns)
    assert np.all(np.diff(keep) > 0), "indices sorted, each once"
    assert keep[0] == 0 and keep[-1] == len(values) - 1, "the ends are kept"
    assert len(keep) <= max(len(values) if len(values) <= 4 * columns else 0, 4 * columns)
    kept = set(keep.tolist())
    for column in _columns_by_hand(len(values), columns):
        inside = [i for i in column if i in kept]
        assert inside, "no column is dropped"
        full = [float(values[i]) for i in column]
        assert min(float(values[i]) for i in inside) == min(full)
        assert max(float(values[i]) for i in inside) == max(full)


def test_short_series_is_kept_whole():
    values = np.linspace(1.0, 0.0, 40)
    assert minmax_indices(values, 10).tolist() == list(range(40))


def test_a_one_step_spike_survives_a_thousandfold_reduction():
    values = np.full(1_000_000, 1e-4)
    values[654_321] = 5e-3  # a warm restart lasting one step
    x, y = minmax_reduce(np.arange(values.size), values, columns=1000)
    assert len(y) <= 4 * 1000
    assert 654_321 in x.tolist()
    assert y.max() == 5e-3


def test_a_step_drop_is_kept_where_it_happens():
    values = np.where(np.arange(100_000) < 30_011, 1.0, 0.1)
    keep = minmax_indices(values, 300).tolist()
    assert 30_011 in keep, "the first point at the new level"
    assert values[max(i for i in keep if i < 30_011)] == 1.0


def test_the_output_size_does_not_grow_with_the_input():
    sizes = [len(minmax_indices(np.random.default_rng(0).random(n), 500)) for n in (10**4, 10**6)]
    assert sizes[0] <= 2000 and sizes[1] <= 2000


def test_columns_and_shape_are_validated():
    with pytest.raises(ValueError, match="columns"):
        minmax_indices(np.zeros(10), 0)
    with pytest.raises(ValueError, match="one-dimensional"):
        minmax_indices(np.zeros((10, 2)), 5)

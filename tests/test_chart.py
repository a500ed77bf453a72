"""The time chart: one bar per bin, heights = incidents, partial bins grey."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

import hotspot as hs
from hotspot.maps.chart import PARTIAL_COLOUR, WHOLE_COLOUR, chart_figure, time_chart


def _cube(toronto):
    year = toronto[toronto["time"] >= "2021-01-01"]  # Friday 1 January to Friday 31 December
    cells = hs.square_grid(year, 2000, study_area="convex", quiet=True)
    return year, hs.space_time_cube(year, cells, "W", quiet=True)


def test_bars_are_the_weekly_counts_and_partial_weeks_are_grey(toronto):
    year, cube = _cube(toronto)
    bars = [p for p in chart_figure(cube).axes[0].patches]
    assert len(bars) == len(cube.bins) == 53
    # the reference: incidents per Monday-to-Sunday week, counted from the times directly
    monday = year["time"].dt.normalize() - pd.to_timedelta(year["time"].dt.day_of_week, "D")
    expected = monday.value_counts().sort_index()
    assert [b.get_height() for b in bars] == expected.to_numpy().astype(float).tolist()
    colours = [to_hex(b.get_facecolor()) for b in bars]
    assert colours == [PARTIAL_COLOUR] + [WHOLE_COLOUR] * 51 + [PARTIAL_COLOUR]


def test_same_cube_same_bytes(toronto, tmp_path):
    _, cube = _cube(toronto)
    a, b = time_chart(cube, tmp_path / "a.png"), time_chart(cube, tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    assert np.frombuffer(a.read_bytes()[:8], dtype=np.uint8).tolist()[1:4] == [80, 78, 71]


def test_a_public_cube_is_refused_rather_than_undercounted(toronto, tmp_path):
    _, cube = _cube(toronto)
    with pytest.raises(hs.HotspotInputError, match="public copy"):
        time_chart(hs.maps.disclose(cube), tmp_path / "public.png")


def test_bad_input_raises_one_error_type(toronto, tmp_path):
    _, cube = _cube(toronto)
    with pytest.raises(hs.HotspotInputError, match="time_chart: cube= is a DataFrame"):
        time_chart(cube.cells.drop(columns="geometry"), tmp_path / "x.png")
    with pytest.raises(hs.HotspotInputError, match="time_chart: dpi=0"):
        time_chart(cube, tmp_path / "x.png", dpi=0)

"""Progress bars: shown when asked (or for long work), and never change a result."""

from __future__ import annotations

import numpy as np
import pandas as pd

import hotspot as hs
from hotspot._progress import LONG_WORK, chunk_bounds, show_progress


def test_bars_are_shown_as_asked_or_for_long_work():
    assert show_progress(None, LONG_WORK * 2) and not show_progress(None, LONG_WORK / 2)
    assert show_progress(True, 1) and not show_progress(False, LONG_WORK * 10)
    for n in (1, 7, 100, 1001):
        bounds = chunk_bounds(n, True)
        assert bounds[0][0] == 0 and bounds[-1][1] == n
        assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))


def test_gistar_and_lisa_bars_do_not_change_the_pvalues(west_yorkshire, capsys):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    with_bar = hs.gistar(cells, permutations=199, rng=3, quiet=True, progress=True)
    assert "Gi*, 199 permutations" in capsys.readouterr().err
    without = hs.gistar(cells, permutations=199, rng=3, quiet=True, progress=False)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(with_bar["gistar_p_sim"], without["gistar_p_sim"])
    local = [hs.lisa(cells, permutations=99, rng=4, quiet=True, progress=p) for p in (True, False)]
    np.testing.assert_array_equal(local[0]["lisa_p_sim"], local[1]["lisa_p_sim"])
    assert "local Moran, 99 permutations" in capsys.readouterr().err


def test_emerging_and_knox_bars_do_not_change_the_results(toronto, capsys):
    recent = toronto[toronto["time"] >= "2021-01-01"]
    cube = hs.space_time_cube(recent, hs.square_grid(recent, 2000, quiet=True), "MS", quiet=True)
    runs = [
        hs.emerging_hotspots(cube, permutations=99, rng=5, quiet=True, progress=p)
        for p in (True, False)
    ]
    assert "space-time Gi*, 99 permutations" in capsys.readouterr().err
    pd.testing.assert_frame_equal(
        pd.DataFrame(runs[0].drop(columns="geometry")),
        pd.DataFrame(runs[1].drop(columns="geometry")),
    )
    burglary = recent[recent["category"] == "Break and Enter"]
    knox = [hs.knox_test(burglary, permutations=99, rng=6, progress=p) for p in (True, False)]
    assert "Knox permutations" in capsys.readouterr().err
    pd.testing.assert_frame_equal(knox[0].pvalue, knox[1].pvalue)

"""allocate_patrols against brute force over every subset, hand-built cases and hand sums."""

from __future__ import annotations

import copy
import dataclasses
import functools
import time
from itertools import combinations
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.forecast import NaiveForecaster, allocate
from hotspot.forecast.allocate import allocate_patrols

CRS = 32617


def grid(nx: int, ny: int = 1, size: float = 100.0, risk: Any = None) -> gpd.GeoDataFrame:
    """nx × ny square cells of ``size`` m, row by row, labelled "c0", "c1", ..."""
    boxes = [
        shapely.box(i * size, j * size, (i + 1) * size, (j + 1) * size)
        for j in range(ny)
        for i in range(nx)
    ]
    cells = gpd.GeoDataFrame(
        geometry=boxes, crs=CRS, index=pd.Index([f"c{k}" for k in range(nx * ny)])
    )
    cells["forecast_risk"] = 0.0 if risk is None else np.asarray(risk, dtype=float)
    return cells


def centres(cells: gpd.GeoDataFrame) -> np.ndarray:
    """Centroids from the boxes' corners (not from the module's code path)."""
    b = cells.geometry.bounds.to_numpy()
    return np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])


@functools.cache
def subsets(cells: int, n: int) -> np.ndarray:
    """Every n-subset of range(cells), in itertools' (lexicographic) order."""
    return np.array(list(combinations(range(cells), n)), dtype=np.int64).reshape(-1, n)


def brute_force(
    risk: np.ndarray,
    n: int,
    xy: np.ndarray,
    *,
    spacing: float | None = None,
    district: np.ndarray | None = None,
    cap: int | None = None,
    excluded: np.ndarray | None = None,
    largest: bool = False,
    mask: bool = False,
) -> tuple:
    """The best total over every feasible n-subset, the lexicographically first best subset,
    and (``largest``) the largest feasible subset size, all by enumeration; with ``mask``
    also which of :func:`subsets` are feasible."""
    cells = len(risk)
    allowed = np.ones(cells, bool) if excluded is None else ~excluded
    if district is not None:
        allowed &= district >= 0

    def feasible(combos: np.ndarray) -> np.ndarray:
        ok = allowed[combos].all(axis=1)
        if spacing is not None:
            for a, b in combinations(range(combos.shape[1]), 2):
                d = np.sqrt(((xy[combos[:, a]] - xy[combos[:, b]]) ** 2).sum(axis=1))
                ok &= d >= spacing
        if district is not None:
            for g in np.unique(district[district >= 0]):
                ok &= (district[combos] == g).sum(axis=1) <= cap
        return ok

    combos = subsets(cells, n)
    ok = feasible(combos)
    most = None
    if largest:
        most = 0
        while most < cells and feasible(subsets(cells, most + 1)).any():
            most += 1
    if not ok.any():
        return (-np.inf, None, most, ok) if mask else (-np.inf, None, most)
    totals = risk[combos].sum(axis=1)
    best = totals[ok].max()
    first = combos[ok & (totals == best)][0]  # itertools yields combinations in lex order
    return (float(best), first, most, ok) if mask else (float(best), first, most)


def pairwise_ok(out: gpd.GeoDataFrame, spacing: float) -> bool:
    xy = centres(out)
    return all(np.hypot(*(xy[a] - xy[b])) >= spacing for a, b in combinations(range(len(xy)), 2))


def draw(rng: np.random.Generator, cells: int, k: int) -> np.ndarray:
    """Risks with many ties (small integers) on even draws, continuous on odd ones."""
    return rng.integers(0, 4, cells).astype(float) if k % 2 == 0 else rng.random(cells)


def positions(cells: gpd.GeoDataFrame, out: gpd.GeoDataFrame) -> np.ndarray:
    return np.sort(cells.index.get_indexer(out.index))


# -- output contract ------------------------------------------------------------------------------
def test_output_is_the_chosen_rows_ranked_with_shares_and_stamped():
    risk = [1.0, 5.0, 3.0, 5.0, 0.0, 2.0]
    cells = grid(6, risk=risk)
    cells.attrs["hotspot"] = {
        "kind": "cells",
        "method": "forecast",
        "period": {"start": "2020-01-06", "end": "2020-01-12", "label": "x", "days": 7},
        "grid": {"cell_size": 100.0},
    }
    out = allocate_patrols(cells, 3, quiet=True)
    # 5, 5 (tie: c1 before c3), then 3
    assert out.index.tolist() == ["c1", "c3", "c2"]
    assert out["patrol_rank"].tolist() == [1, 2, 3]
    assert out["patrol_rank"].dtype == np.int64
    np.testing.assert_allclose(out["patrol_risk_share"], [5 / 16, 5 / 16, 3 / 16])
    assert list(out.columns) == [*cells.columns, "patrol_rank", "patrol_risk_share"]
    assert out.geometry.equals(cells.geometry.loc[["c1", "c3", "c2"]])
    meta = out.attrs["hotspot"]
    assert meta["kind"] == "cells" and meta["method"] == "allocate_patrols"
    assert meta["period"] == cells.attrs["hotspot"]["period"]
    assert meta["grid"] == {"cell_size": 100.0}  # carried over from the forecast
    params = meta["allocate_patrols"]
    assert params["n_areas"] == 3 and params["solver"] == "ranking" and params["optimal"]
    assert params["risk_share"] == pytest.approx(13 / 16)
    assert params["excluded"] == 0 and params["expected_capture"] is None


# -- unconstrained: the top n, ties in cell order ---------------------------------------------
def test_unconstrained_choice_equals_brute_force_with_ties_in_cell_order():
    cells = grid(4, 4)
    xy = centres(cells)
    rng = np.random.default_rng(14)
    for k in range(120):
        risk = draw(rng, 16, k)
        cells["forecast_risk"] = risk
        out = allocate_patrols(cells, 3, quiet=True)
        best, first, _ = brute_force(risk, 3, xy)
        assert out["forecast_risk"].sum() == pytest.approx(best)
        np.testing.assert_array_equal(positions(cells, out), first)
        # ranked by risk, equal risks in cell order
        pos = cells.index.get_indexer(out.index)
        keys = list(zip(-risk[pos], pos, strict=True))
        assert keys == sorted(keys)


# -- with rules: HiGHS (or exact greedy) equals brute force ---------------------------------------
@pytest.mark.parametrize("spacing", [150.0, 250.0])
def test_spacing_answer_equals_brute_force(spacing):
    cells = grid(4, 4)
    xy = centres(cells)
    rng = np.random.default_rng(int(spacing))
    solvers = set()
    for k in range(80):
        risk = draw(rng, 16, k)
        cells["forecast_risk"] = risk
        out = allocate_patrols(cells, 3, min_spacing=spacing, quiet=True)
        best, _, _ = brute_force(risk, 3, xy, spacing=spacing)
        assert out["forecast_risk"].sum() == pytest.approx(best, abs=1e-12)
        assert len(out) == 3 and pairwise_ok(out, spacing)
        params = out.attrs["hotspot"]["allocate_patrols"]
        assert params["optimal"]
        solvers.add(params["solver"])
    assert "highs" in solvers


def test_spacing_caps_and_exclusion_together_equal_brute_force():
    cells = grid(4, 4)
    xy = centres(cells)
    quadrant = (xy[:, 0] > 200).astype(int) + 2 * (xy[:, 1] > 200).astype(int)
    cells["division"] = np.array(["SW", "SE", "NW", "NE"], dtype=object)[quadrant]
    rng = np.random.default_rng(7)
    for k in range(60):
        risk = draw(rng, 16, k)
        cells["forecast_risk"] = risk
        cells["park"] = rng.random(16) < 0.2
        out = allocate_patrols(
            cells,
            4,
            min_spacing=150,
            per_area=1,
            districts="division",
            exclude="park",
            quiet=True,
        )
        best, _, _ = brute_force(
            risk, 4, xy, spacing=150, district=quadrant, cap=1, excluded=cells["park"].to_numpy()
        )
        assert out["forecast_risk"].sum() == pytest.approx(best, abs=1e-12)
        assert pairwise_ok(out, 150)
        assert out["division"].value_counts().max() <= 1
        assert not out["park"].any()
        assert out.attrs["hotspot"]["allocate_patrols"]["excluded"] == int(cells["park"].sum())


def test_district_caps_alone_are_solved_exactly_by_greedy():
    cells = grid(4, 4)
    xy = centres(cells)
    band = (xy[:, 1] // 100).astype(int)  # four rows of cells
    cells["beat"] = band
    rng = np.random.default_rng(3)
    for k in range(60):
        risk = draw(rng, 16, k)
        cells["forecast_risk"] = risk
        out = allocate_patrols(cells, 5, per_area=2, districts="beat", quiet=True)
        best, _, _ = brute_force(risk, 5, xy, district=band, cap=2)
        assert out["forecast_risk"].sum() == pytest.approx(best)
        assert out["beat"].value_counts().max() <= 2
        assert out.attrs["hotspot"]["allocate_patrols"]["solver"] in ("ranking", "greedy")


def test_pruned_candidates_still_give_the_optimum_on_a_larger_grid():
    """10 × 10 cells, spacing 150 m (a cell conflicts with its 8 neighbours: D = 9): HiGHS sees
    only the top (n-1)·D + 1 = 19 cells, or each quadrant's cells up to its first interior
    one; brute force looks at all 161,700 triples."""
    cells = grid(10, 10)
    xy = centres(cells)
    quadrant = (xy[:, 0] > 500).astype(int) + 2 * (xy[:, 1] > 500).astype(int)
    cells["q"] = quadrant
    rng = np.random.default_rng(99)
    combos = subsets(100, 3)
    feasible = {}  # the feasible triples do not depend on the risk: enumerate them once
    for per_area in (None, 1, 2):
        district = quadrant if per_area else None
        ones = np.zeros(100)
        _, _, _, feasible[per_area] = brute_force(
            ones, 3, xy, spacing=150, district=district, cap=per_area, mask=True
        )
    pruned = []
    for k in range(16):
        # risk concentrated in one corner, so the rules bind, with ties on even draws
        base = np.exp(-np.hypot(xy[:, 0] - 150, xy[:, 1] - 150) / 200)
        risk = np.round(base * 4 + rng.random(100), 0 if k % 2 == 0 else 6)
        cells["forecast_risk"] = risk
        totals = risk[combos].sum(axis=1)
        for per_area in (None, 1, 2):
            kw = {"per_area": per_area, "districts": "q"} if per_area else {}
            out = allocate_patrols(cells, 3, min_spacing=150, quiet=True, **kw)
            best = totals[feasible[per_area]].max()
            assert out["forecast_risk"].sum() == pytest.approx(best, abs=1e-9)
            params = out.attrs["hotspot"]["allocate_patrols"]
            if params["solver"] == "highs":
                pruned.append(params["candidates"])
    assert pruned and max(pruned) < 100
    assert 19 in pruned  # the global bound (n-1)·D + 1


def test_a_pair_exactly_min_spacing_apart_is_allowed():
    cells = grid(3, risk=[5.0, 4.0, 3.0])
    out = allocate_patrols(cells, 2, min_spacing=200, quiet=True)
    assert out.index.tolist() == ["c0", "c2"]  # 200 m apart: allowed; c0, c1 are 100 m apart


def test_greedy_is_beaten_by_the_exact_solver_under_spacing():
    """Cells in a row, 100 m apart, spacing 150 m: greedy takes the 4 in the middle and then
    only a 0 fits; the best pair is the two 3s on either side (6 > 4)."""
    cells = grid(5, risk=[3.0, 4.0, 3.0, 0.0, 0.0])
    out = allocate_patrols(cells, 2, min_spacing=150, quiet=True)
    assert out.index.tolist() == ["c0", "c2"]
    params = out.attrs["hotspot"]["allocate_patrols"]
    assert params["solver"] == "highs" and params["optimal"]
    assert params["greedy_risk_share"] == pytest.approx(4 / 10)
    assert params["risk_share"] == pytest.approx(6 / 10)
    assert params["greedy_gap"] == pytest.approx(1 - 4 / 6)


def test_time_limit_falls_back_to_greedy_and_says_so(monkeypatch, capsys):
    cells = grid(5, risk=[3.0, 4.0, 3.0, 0.0, 0.0])

    class OutOfTime:
        status, x, fun = 1, None, np.nan

    monkeypatch.setattr(allocate, "milp", lambda *a, **k: OutOfTime())
    out = allocate_patrols(cells, 2, min_spacing=150)
    assert out.index.tolist() == ["c1", "c3"]  # greedy: 4, then the first cell that fits
    params = out.attrs["hotspot"]["allocate_patrols"]
    assert params["solver"] == "greedy (time limit)" and not params["optimal"]
    assert "not proven optimal" in capsys.readouterr().err


# -- districts and exclusions in their several forms -----------------------------------------
def test_district_polygons_go_by_centroid_first_polygon_on_a_shared_edge():
    cells = grid(4, risk=[9.0, 8.0, 7.0, 6.0])  # centroids x = 50, 150, 250, 350
    districts = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 150, 100), shapely.box(150, 0, 400, 100)],
        index=pd.Index(["west", "east"]),
        crs=CRS,
    )
    out = allocate_patrols(cells, 2, per_area=1, districts=districts, quiet=True)
    # c1's centroid (150, 50) is on the shared edge: it belongs to "west", the first row
    assert out.index.tolist() == ["c0", "c2"]
    assert out["patrol_district"].tolist() == ["west", "east"]
    params = out.attrs["hotspot"]["allocate_patrols"]
    assert params["districts"] == "district (2 polygons)" and params["outside_districts"] == 0
    # without "west" the edge cell c1 is "east"'s: the best east cell now
    out = allocate_patrols(cells, 1, per_area=1, districts=districts.iloc[1:], quiet=True)
    assert out.index.tolist() == ["c1"] and out["patrol_district"].tolist() == ["east"]


def test_cells_in_no_district_are_left_out_and_counted(capsys):
    cells = grid(4, risk=[9.0, 8.0, 7.0, 6.0])
    cells["division"] = pd.Series([None, "a", "a", "b"], index=cells.index, dtype=object)
    out = allocate_patrols(cells, 2, per_area=1, districts="division")
    assert out.index.tolist() == ["c1", "c3"]
    assert out.attrs["hotspot"]["allocate_patrols"]["outside_districts"] == 1
    assert "1 cells are in no district" in capsys.readouterr().err


def test_exclude_by_column_labels_and_polygons():
    cells = grid(4, risk=[9.0, 8.0, 7.0, 6.0])
    cells["station"] = [True, False, False, False]
    assert allocate_patrols(cells, 2, exclude="station", quiet=True).index.tolist() == [
        "c1",
        "c2",
    ]
    assert allocate_patrols(cells, 2, exclude=["c1", "c0"], quiet=True).index.tolist() == [
        "c2",
        "c3",
    ]
    park = shapely.box(120, 20, 180, 80)  # inside c1 only
    out = allocate_patrols(cells, 2, exclude=park, quiet=True)
    assert out.index.tolist() == ["c0", "c2"]
    # a polygon sharing only c0's and c1's edge (x = 100) leaves both in; one over two
    # cells' interiors leaves both out
    edge = gpd.GeoSeries([shapely.LineString([(100, 0), (100, 100)]), shapely.Polygon()], crs=CRS)
    assert allocate_patrols(cells, 2, exclude=edge, quiet=True).index.tolist() == ["c0", "c1"]
    wide = gpd.GeoDataFrame(geometry=[shapely.box(50, 10, 150, 90)], crs=CRS)
    out = allocate_patrols(cells, 2, exclude=wide, quiet=True)
    assert out.index.tolist() == ["c2", "c3"]
    assert out.attrs["hotspot"]["allocate_patrols"]["excluded"] == 2
    touching = gpd.GeoDataFrame(geometry=[shapely.box(100, 100, 200, 200)], crs=CRS)
    out = allocate_patrols(cells, 2, exclude=touching, quiet=True)  # shares c1's top edge
    assert out.index.tolist() == ["c0", "c1"]


# -- impossible requests ------------------------------------------------------------------------
def test_impossible_spacing_says_how_many_are_possible():
    """4 × 4 cells 100 m apart, spacing 250 m: the four corners fit, and brute force finds no
    set of five."""
    cells = grid(4, 4, risk=np.arange(16.0))
    _, _, most = brute_force(np.arange(16.0), 4, centres(cells), spacing=250, largest=True)
    assert most == 4
    assert len(allocate_patrols(cells, 4, min_spacing=250, quiet=True)) == 4
    with pytest.raises(HotspotInputError, match=r"n_areas=5 .* at most 4 are possible"):
        allocate_patrols(cells, 5, min_spacing=250, quiet=True)


def test_impossible_caps_and_exclusions_say_how_many_are_possible():
    cells = grid(4, risk=[1.0, 2.0, 3.0, 4.0])
    cells["half"] = ["w", "w", "e", "e"]
    with pytest.raises(HotspotInputError, match="at most 2 are possible"):
        allocate_patrols(cells, 3, per_area=1, districts="half", quiet=True)
    with pytest.raises(HotspotInputError, match="at most 3 are possible"):
        allocate_patrols(cells, 4, exclude=["c0"], quiet=True)
    with pytest.raises(HotspotInputError, match="at most 4 are possible"):
        allocate_patrols(cells, 5, quiet=True)
    # every spacing draw: the message's number is brute force's largest feasible set
    square = grid(3, 3, risk=np.ones(9))
    _, _, most = brute_force(np.ones(9), 1, centres(square), spacing=150, largest=True)
    with pytest.raises(HotspotInputError, match=f"at most {most} are possible"):
        allocate_patrols(square, most + 1, min_spacing=150, quiet=True)


# -- what the same rule captured in the back-test -----------------------------------------------
@dataclasses.dataclass(frozen=True)
class StandInBacktest:
    """The spec's BacktestResult fields that allocate_patrols reads (helper A builds the real
    one)."""

    risks: dict[str, np.ndarray]
    actual: np.ndarray
    cells: gpd.GeoDataFrame
    forecasters: tuple[str, ...]
    periods: pd.DataFrame
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def stand_in(cells: gpd.GeoDataFrame) -> StandInBacktest:
    starts = pd.to_datetime(["2019-01-07", "2019-01-14", "2019-01-21", "2019-01-28"])
    naive = np.array(
        [
            [3.0, 4.0, 3.0, 0.0, 0.0],  # spacing 150, n=2: c0 + c2 (greedy would take c1)
            [0.0, 1.0, 0.0, 2.0, 0.0],  # c1 + c3
            [5.0, 0.0, 0.0, 0.0, 1.0],  # c0 + c4 (the period has no incidents)
            [0.0, 0.0, 2.0, 2.0, 3.0],  # c2 + c4
        ]
    )
    actual = np.array(
        [
            [1, 0, 1, 2, 0],  # 2 of 4
            [0, 0, 0, 1, 3],  # 1 of 4
            [0, 0, 0, 0, 0],  # none: left out of the mean, counted
            [2, 1, 1, 0, 1],  # 2 of 5
        ],
        dtype=np.int64,
    )
    return StandInBacktest(
        risks={"random": np.random.default_rng(0).random((4, 5)), "naive": naive},
        actual=actual,
        cells=cells[["geometry"]].copy(),
        forecasters=("random", "naive"),
        periods=pd.DataFrame({"start": starts, "end": starts + pd.Timedelta("7D")}),
        params={
            "method": "backtest",
            "period": {"start": "2019-01-07", "end": "2019-02-03", "label": "x", "days": 28},
            "forecasters": {"naive": "NaiveForecaster(periods=1)"},
        },
    )


def test_expected_capture_equals_a_hand_computation(capsys):
    cells = grid(5, risk=[0.0, 1.0, 2.0, 3.0, 4.0])
    cells.attrs["hotspot"] = {"forecast": {"forecaster": "NaiveForecaster"}, "period": None}
    bt = stand_in(cells)
    out = allocate_patrols(cells, 2, min_spacing=150, backtest=bt)
    assert "replays the back-test's 'naive'" in capsys.readouterr().err
    capture = out.attrs["hotspot"]["allocate_patrols"]["expected_capture"]
    shares = np.array([2 / 4, 1 / 4, 2 / 5])
    assert capture["forecaster"] == "naive" and capture["period"] == bt.params["period"]
    assert capture["periods"] == 3 and capture["empty_periods"] == 1
    assert capture["mean"] == pytest.approx((0.5 + 0.25 + 0.4) / 3)
    assert capture["min"] == pytest.approx(0.25) and capture["max"] == pytest.approx(0.5)
    # numpy's default (linear) quantiles of 0.25, 0.4, 0.5 by hand: positions 0.2 and 1.8
    assert capture["q10"] == pytest.approx(0.25 + 0.2 * 0.15)
    assert capture["q90"] == pytest.approx(0.4 + 0.8 * 0.1)
    assert capture["pooled"] == pytest.approx((2 + 1 + 0 + 2) / (4 + 4 + 0 + 5))
    assert sum(capture["solvers"].values()) == 4
    assert np.mean(shares) == pytest.approx(capture["mean"])


def test_expected_capture_forecaster_by_name_and_errors():
    cells = grid(5, risk=[0.0, 1.0, 2.0, 3.0, 4.0])
    bt = stand_in(cells)
    out = allocate_patrols(cells, 1, backtest=bt, forecaster="naive", quiet=True)
    capture = out.attrs["hotspot"]["allocate_patrols"]["expected_capture"]
    # n=1: the top cell of each period: c1 (0 of 4), c3 (1 of 4), c0 (empty), c4 (1 of 5)
    assert capture["pooled"] == pytest.approx(2 / 13)
    assert capture["mean"] == pytest.approx((0 + 0.25 + 0.2) / 3)
    with pytest.raises(
        HotspotInputError,
        match="does not name its forecaster; pass forecaster= one of 'random', 'naive'",
    ):
        allocate_patrols(cells, 1, backtest=bt, quiet=True)
    # a back-test name other than the class's: found by the estimator's repr in params
    renamed = dataclasses.replace(
        bt,
        risks={"random": bt.risks["random"], "kde_500": bt.risks["naive"]},
        forecasters=("random", "kde_500"),
        params={"forecasters": {"random": "RandomForecaster()", "kde_500": "KDEForecaster(b=5)"}},
    )
    kde = cells.copy()
    kde.attrs["hotspot"] = {"forecast": {"forecaster": "KDEForecaster"}}
    out = allocate_patrols(kde, 1, backtest=renamed, quiet=True)
    assert out.attrs["hotspot"]["allocate_patrols"]["expected_capture"]["forecaster"] == "kde_500"
    with pytest.raises(HotspotInputError, match="forecaster='kde' is not in the back-test"):
        allocate_patrols(cells, 1, backtest=bt, forecaster="kde", quiet=True)
    with pytest.raises(HotspotInputError, match="without backtest"):
        allocate_patrols(cells, 1, forecaster="naive", quiet=True)
    other = dataclasses.replace(bt, cells=grid(6))
    with pytest.raises(HotspotInputError, match="other cells"):
        allocate_patrols(cells, 1, backtest=other, forecaster="naive", quiet=True)


# -- reproducible, input untouched ---------------------------------------------------------------
def test_reproducible_and_the_input_is_not_modified():
    cells = grid(6, 6)
    cells["forecast_risk"] = np.random.default_rng(5).integers(0, 3, 36).astype(float)
    cells["division"] = np.repeat(["a", "b", "c"], 12)
    cells.attrs["hotspot"] = {"kind": "cells", "method": "forecast", "period": None}
    before = cells.copy()
    attrs = copy.deepcopy(cells.attrs)
    kw = {"min_spacing": 150, "per_area": 2, "districts": "division", "exclude": ["c7"]}
    first = allocate_patrols(cells, 5, quiet=True, **kw)
    second = allocate_patrols(cells, 5, quiet=True, **kw)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs
    pd.testing.assert_frame_equal(cells, before)
    assert cells.attrs == attrs


# -- arguments ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_areas": 0}, "n_areas=0 must be at least 1"),
        ({"n_areas": 2.5}, "n_areas=2.5 must be a whole number"),
        ({"min_spacing": -5}, "min_spacing=-5 must be a positive number of metres"),
        ({"per_area": 1}, "per_area is given without districts"),
        ({"districts": "x"}, "districts is given without per_area"),
        ({"per_area": 1, "districts": "nope"}, "no 'nope' column"),
        ({"per_area": 1, "districts": 3}, "districts= is a int"),
        ({"exclude": "forecast_risk"}, "is not a column of True/False"),
        ({"exclude": ["zz"]}, "cells not in the forecast: zz"),
        ({"exclude": [True, False]}, "list of True/False"),
        ({"exclude": 3}, "exclude= is a int"),
        ({"risk_column": "risk"}, "the forecast's cells have no 'risk' column"),
        ({"quiet": "yes"}, "quiet='yes' is not one of True, False"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_do(kwargs, message):
    cells = grid(4, risk=[1.0, 2.0, 3.0, 4.0])
    args = {"n_areas": 2, **kwargs}
    with pytest.raises(HotspotInputError, match=message):
        allocate_patrols(cells, **args)


def test_negative_or_missing_risk_is_refused():
    cells = grid(3, risk=[1.0, -1.0, 2.0])
    with pytest.raises(HotspotInputError, match="negative values"):
        allocate_patrols(cells, 1, quiet=True)
    cells["forecast_risk"] = [1.0, np.nan, 2.0]
    with pytest.raises(HotspotInputError, match="missing"):
        allocate_patrols(cells, 1, quiet=True)


# -- real data: speed ----------------------------------------------------------------------------
@pytest.mark.slow
def test_toronto_20_areas_500_m_apart_is_solved_exactly_and_fast():
    inc = hs.datasets.load_toronto(quiet=True)
    cells = hs.square_grid(inc, 150, quiet=True)
    burglary = inc[inc["category"] == "Break and Enter"]
    forecast = NaiveForecaster(periods=52).fit(burglary, cells, until="2020-01-06").predict("7D")
    assert len(forecast) == 32566
    start = time.perf_counter()
    out = allocate_patrols(forecast, 20, min_spacing=500, quiet=True)
    seconds = time.perf_counter() - start
    params = out.attrs["hotspot"]["allocate_patrols"]
    print(f"\nToronto 20 areas, 500 m: {seconds:.2f} s, {params}")
    assert params["optimal"] and len(out) == 20
    assert pairwise_ok(out, 500)
    # the exact answer is never below greedy, and never above the unconstrained top 20
    top = np.sort(forecast["forecast_risk"].to_numpy())[-20:].sum()
    assert params["greedy_risk_share"] is None or (
        params["risk_share"] >= params["greedy_risk_share"] - 1e-12
    )
    assert out["forecast_risk"].sum() <= top + 1e-9
    assert seconds < 10


def test_expected_capture_is_tested_against_random_cells():
    """The rule replayed on the back-test's random forecaster, period by period, and a
    one-sided sign test of the chosen cells' shares against the random cells' (scipy's
    binomtest on the wins and losses counted by hand)."""
    from scipy.stats import binomtest

    cells = grid(5, risk=[0.0, 1.0, 2.0, 3.0, 4.0])
    bt = stand_in(cells)
    out = allocate_patrols(cells, 1, backtest=bt, forecaster="naive", quiet=True)
    against = out.attrs["hotspot"]["allocate_patrols"]["expected_capture"]["against_random"]
    totals = bt.actual.sum(axis=1).astype(float)
    # n=1: each period's top cell under each forecaster
    picks = {name: np.argmax(bt.risks[name], axis=1) for name in ("naive", "random")}
    share = {
        name: np.where(totals > 0, bt.actual[np.arange(4), pick] / np.maximum(totals, 1), np.nan)
        for name, pick in picks.items()
    }
    both = ~np.isnan(share["naive"])
    wins = int((share["naive"][both] > share["random"][both]).sum())
    losses = int((share["naive"][both] < share["random"][both]).sum())
    assert (against["wins"], against["losses"]) == (wins, losses)
    assert against["ties"] == int(both.sum()) - wins - losses
    expected_p = binomtest(wins, wins + losses, 0.5, alternative="greater").pvalue
    assert against["pvalue"] == pytest.approx(expected_p)
    assert against["candidates"] == 1 and against["reliable"] == (expected_p < 0.05)
    hit = bt.actual[np.arange(4), picks["random"]].sum()
    assert against["random_pooled"] == pytest.approx(hit / totals.sum())
    # asked not to, or replaying random itself: no comparison
    off = allocate_patrols(cells, 1, backtest=bt, forecaster="naive", compare_random=False)
    assert off.attrs["hotspot"]["allocate_patrols"]["expected_capture"]["against_random"] is None
    itself = allocate_patrols(cells, 1, backtest=bt, forecaster="random", quiet=True)
    assert itself.attrs["hotspot"]["allocate_patrols"]["expected_capture"]["against_random"] is None


def test_sign_test_against_random_by_hand():
    from hotspot.forecast.allocate import sign_test_against_random

    chosen = [0.5, 0.4, np.nan, 0.3, 0.2, 0.2]
    blind = [0.1, 0.4, 0.2, 0.1, 0.1, 0.3]
    found = sign_test_against_random(chosen, blind, candidates=2)
    # 3 wins, 1 loss, 1 tie; P(X >= 3 | n=4, 1/2) = 5/16, doubled for two candidates
    assert (found["wins"], found["losses"], found["ties"]) == (3, 1, 1)
    assert found["pvalue"] == pytest.approx(2 * 5 / 16) and not found["reliable"]
    assert sign_test_against_random([np.nan], [0.1])["pvalue"] == 1.0

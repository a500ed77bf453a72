"""The forecaster contract (hotspot/forecast/_base.py): training window, accounting, predict."""

from __future__ import annotations

import copy

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import CRS, T0, make_incidents
from sklearn.base import clone

from hotspot.errors import HotspotInputError
from hotspot.forecast._base import NaiveForecaster, RandomForecaster, as_duration, cell_geometry


@pytest.fixture
def cells() -> gpd.GeoDataFrame:
    """Three 100 m squares in a row: x 0–100, 100–200, 200–300."""
    boxes = [shapely.box(i * 100, 0, (i + 1) * 100, 100) for i in range(3)]
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=boxes, crs=CRS)


@pytest.fixture
def incidents() -> gpd.GeoDataFrame:
    # days after 2024-01-01; until = 2024-01-15 (day 14)
    x = [50, 50, 50, 150, 150, 250, 50, 999, 50]
    days = [13.5, 10, 3, 12, 6.9, 0.5, 14, 13, np.nan]
    return make_incidents(x, [50] * len(x), days)


def test_naive_is_the_mean_count_over_the_last_periods(incidents, cells):
    until = T0 + pd.Timedelta(days=14)
    one = NaiveForecaster(periods=1, period="7D").fit(incidents, cells, until=until)
    # last week = days 7..14: cell a has days 13.5, 10; cell b has 12; cell c none
    assert one.predict("7D")["forecast_risk"].tolist() == [2.0, 1.0, 0.0]
    two = NaiveForecaster(periods=2, period="7D").fit(incidents, cells, until=until)
    # two weeks = days 0..14: a: 13.5, 10, 3 -> 3/2; b: 12, 6.9 -> 2/2; c: 0.5 -> 1/2
    risk = two.predict("14D")["forecast_risk"].tolist()
    assert risk == [3.0, 2.0, 1.0]  # the two-week window doubles the weekly mean
    assert two.predict("7D")["forecast_rank"].tolist() == [1, 2, 3]


def test_training_accounting_adds_up_and_the_edges_are_half_open(incidents, cells):
    until = T0 + pd.Timedelta(days=14)
    f = NaiveForecaster(periods=1).fit(incidents, cells, until=until)
    t = f.training_
    # day 14 is at `until`: after; day 7 would be the first day in; 6.9 is before the lookback
    assert (t["after_until"], t["missing_time"], t["outside_cells"]) == (1, 1, 1)
    assert t["used"] == 3 and t["before_lookback"] == 3
    assert (
        t["incidents"]
        == len(incidents)
        == sum(
            t[k]
            for k in ("used", "outside_cells", "missing_time", "after_until", "before_lookback")
        )
    )
    assert (t["start"], t["end"]) == ("2024-01-08", "2024-01-15")
    edge = make_incidents([50, 50], [50, 50], [7, 14])  # exactly at since (in), at until (out)
    e = NaiveForecaster(periods=1).fit(edge, cells, until=until).training_
    assert (e["used"], e["after_until"], e["before_lookback"]) == (1, 1, 0)


def test_default_origin_is_midnight_after_the_last_day(incidents, cells):
    f = NaiveForecaster().fit(incidents, cells)
    assert f.until_ == pd.Timestamp("2024-01-16")  # the last incident is on day 14 (Jan 15)


def test_incident_weights_scale_the_counts(incidents, cells):
    until = T0 + pd.Timedelta(days=14)
    weighted = incidents.assign(harm=np.arange(1.0, len(incidents) + 1))
    f = NaiveForecaster().fit(weighted, cells, until=until, incident_weights="harm")
    # last week in cell a: rows 0 (harm 1) and 1 (harm 2); cell b: row 3 (harm 4)
    assert f.predict()["forecast_risk"].tolist() == [3.0, 4.0, 0.0]
    assert f.training_["weighted"] == "column 'harm'"


def test_predict_stamps_the_window_and_keeps_the_cells(incidents, cells):
    cells.attrs["hotspot"] = {"grid": {"cell_size": 100.0}}
    before = (cells.copy(), copy.deepcopy(cells.attrs), incidents.copy())
    f = NaiveForecaster().fit(incidents, cells, until="2024-01-15")
    out = f.predict("7D", start="2024-01-16")
    meta = out.attrs["hotspot"]
    assert (meta["kind"], meta["method"]) == ("cells", "forecast")
    assert meta["period"]["start"] == "2024-01-16" and meta["period"]["end"] == "2024-01-22"
    assert meta["grid"] == {"cell_size": 100.0}
    record = meta["forecast"]
    assert record["forecaster"] == "NaiveForecaster"
    assert record["params"] == {"period": "7D", "periods": 1}
    assert record["window"]["start"] == "2024-01-16 00:00"
    assert list(out.index) == list(cells.index) and "name" in out.columns
    pd.testing.assert_frame_equal(cells, before[0])
    assert cells.attrs == before[1]
    pd.testing.assert_frame_equal(incidents, before[2])


def test_random_baseline_is_reproducible_and_uniform(incidents, cells):
    a = RandomForecaster(rng=5).fit(incidents, cells).predict()["forecast_risk"]
    b = RandomForecaster(rng=5).fit(incidents, cells).predict()["forecast_risk"]
    c = RandomForecaster(rng=6).fit(incidents, cells).predict()["forecast_risk"]
    assert a.tolist() == b.tolist() != c.tolist()
    assert a.between(0, 1).all()
    # it learns nothing, so it needs no recent incidents
    old = make_incidents([50], [50], [0])
    RandomForecaster(rng=0).fit(old, cells, until="2025-01-01").predict()


def test_estimator_contract(incidents, cells):
    f = NaiveForecaster(periods=3, period="14D")
    assert f.get_params() == {"periods": 3, "period": "14D"}
    g = clone(f)
    assert g.get_params() == f.get_params() and not hasattr(g, "until_")
    assert f.fit(incidents, cells) is f
    assert not hasattr(clone(f), "until_")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda f, i, c: f.predict(), "not fitted"),
        (lambda f, i, c: f.fit(i.drop(columns="time"), c), "no 'time' column"),
        (lambda f, i, c: f.fit(i, c, until="yesterday-ish"), "until=.*not a date"),
        (lambda f, i, c: f.fit(i, c, until="2020-01-01"), "no incident falls in the cells"),
        (lambda f, i, c: f.fit(i, c, incident_weights="nope"), "not a column"),
        (lambda f, i, c: f.fit(i, c).predict("0D"), "horizon=.*positive length"),
        (lambda f, i, c: f.fit(i, c).predict("month"), "horizon=.*'28D'"),
        (lambda f, i, c: f.fit(i, c).predict(start="2024-01-02"), "before the training"),
        (lambda f, i, c: NaiveForecaster(periods=0).fit(i, c), "periods"),
        (lambda f, i, c: f.fit(i.to_crs(4326), c), "reproject|not a projected"),
    ],
)
def test_mistakes_say_what_to_do(incidents, cells, call, match):
    with pytest.raises(HotspotInputError, match=match):
        call(NaiveForecaster(), incidents, cells)


def test_cell_geometry_reads_the_grid_size_or_the_median_area(cells):
    assert cell_geometry(cells).size == 100.0
    assert as_duration("1W", "h", func="f") == pd.Timedelta(days=7)


def test_the_names_hotspot_imports_on_first_use_are_the_forecast_packages():
    """hotspot.FORECAST_NAMES repeats names of hotspot.forecast (it must not import it):
    every one is exported by both and resolves to the forecast package's object."""
    import hotspot
    import hotspot.forecast

    assert hotspot.FORECAST_NAMES <= set(hotspot.forecast.__all__)
    assert hotspot.FORECAST_NAMES <= set(hotspot.__all__)
    for name in hotspot.FORECAST_NAMES:
        assert getattr(hotspot, name) is getattr(hotspot.forecast, name)

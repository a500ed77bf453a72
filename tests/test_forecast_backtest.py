"""The back-test (hotspot/forecast/backtest.py) on a simulated city with planted hotspots."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.forecast._base import NaiveForecaster, RandomForecaster
from hotspot.forecast.backtesting import TABLE_COLUMNS, BacktestResult, backtest
from hotspot.forecast.metrics import hit_rates
from hotspot.simulate import simulate_incidents

START, END = "2024-01-29", "2024-03-25"  # eight weekly windows after four weeks of history


@pytest.fixture(scope="module")
def city():
    """12 weeks from 2024-01-01: 1,500 background incidents and three persistent hotspots."""
    hot = [
        {"x": 432000 + i * 2500, "y": 434000, "radius": 120, "profile": "persistent", "rate": 6}
        for i in range(3)
    ]
    incidents, _ = simulate_incidents(
        n_background=1500, hotspots=hot, periods=12, freq="7D", start="2024-01-01", rng=1
    )
    cells = hs.square_grid(incidents, 250, quiet=True)
    return incidents, cells


@pytest.fixture(scope="module")
def result(city):
    incidents, cells = city
    return backtest(
        incidents,
        cells,
        {"naive2": NaiveForecaster(periods=2)},
        start=START,
        end=END,
        coverages=(0.02, 0.05, 0.1),
        rng=7,
        quiet=True,
    )


def test_the_table_has_a_row_per_forecaster_window_and_coverage(result, city):
    _, cells = city
    assert isinstance(result, BacktestResult)
    assert result.forecasters == ("naive2", "random", "naive")
    assert len(result.periods) == 8
    assert list(result.periods["start"]) == list(pd.date_range(START, periods=8, freq="7D"))
    assert (result.periods["end"] - result.periods["start"] == pd.Timedelta("7D")).all()
    assert result.periods["end"].iloc[-1] <= pd.Timestamp(END)
    assert list(result.table.columns) == list(TABLE_COLUMNS)
    assert len(result.table) == 3 * 8 * 3
    assert list(result.summary.columns[:3]) == ["forecaster", "coverage", "periods"]
    assert len(result.summary) == 3 * 3 and (result.summary["periods"] == 8).all()
    assert result.actual.shape == (8, len(cells)) and result.actual.dtype == np.int64
    for name in result.forecasters:
        assert result.risks[name].shape == (8, len(cells))
    assert result.params["method"] == "backtest" and result.method == "backtest"
    assert result.params["period"]["start"] == START
    assert result.params["period"]["end"] == "2024-03-24"
    assert result.params["rng_seed"] == 7
    assert set(result.params["training"]) == set(result.forecasters)
    assert result.params["forecasters"]["naive2"].startswith("NaiveForecaster(periods=2")


def test_incident_accounting_adds_up(result, city):
    incidents, _ = city
    acc = result.params["incidents"]
    parts = ("in_cells", "outside_cells", "missing_time", "before_start", "after_end")
    assert sum(acc[k] for k in (*parts, "between_windows")) == acc["incidents"] == len(incidents)
    # counted by hand from the times: four weeks before the start, none after the end
    times = incidents["time"]
    assert acc["before_start"] == int((times < pd.Timestamp(START)).sum())
    assert acc["after_end"] == int((times >= pd.Timestamp("2024-03-25")).sum())
    assert result.actual.sum() == acc["in_cells"]
    totals = result.table[result.table["forecaster"] == "naive"].groupby("period_start")["total"]
    np.testing.assert_array_equal(totals.first().to_numpy(), result.actual.sum(axis=1))


def test_the_forecasts_only_see_the_past(result):
    # naive = last week's counts: the forecast for window k is the truth of window k - 1
    np.testing.assert_array_equal(result.risks["naive"][1:], result.actual[:-1])
    np.testing.assert_array_equal(
        result.risks["naive2"][2:], (result.actual[1:-1] + result.actual[:-2]) / 2
    )


def test_the_table_rescores_with_hit_rates(result, city):
    _, cells = city
    areas = cells.geometry.area.to_numpy()
    k = 3
    again = hit_rates(result.risks["naive2"][k], result.actual[k], areas, (0.02, 0.05, 0.1))
    mine = result.table[
        (result.table["forecaster"] == "naive2")
        & (result.table["period_start"] == result.periods["start"][k])
    ]
    np.testing.assert_allclose(mine["pai"].to_numpy(), again["pai"].to_numpy())


def test_naive_beats_random_on_persistent_hotspots(result):
    s = result.summary.set_index(["forecaster", "coverage"])
    for name in ("naive", "naive2"):
        assert s.loc[(name, 0.05), "pai"] > 2 * s.loc[("random", 0.05), "pai"]
    # pooled over the windows, the random baseline's PAI is near 1 (8 windows x 71 cells)
    assert 0.5 < s.loc[("random", 0.1), "pai"] < 1.5


def test_the_same_rng_gives_the_same_table_another_changes_only_random(result, city):
    incidents, cells = city
    kwargs = dict(start=START, end=END, coverages=(0.02, 0.05, 0.1), quiet=True)
    models = {"naive2": NaiveForecaster(periods=2)}
    same = backtest(incidents, cells, models, rng=7, **kwargs)
    pd.testing.assert_frame_equal(same.table, result.table)
    pd.testing.assert_frame_equal(same.summary, result.summary)
    other = backtest(incidents, cells, models, rng=8, **kwargs)
    is_random = result.table["forecaster"] == "random"
    pd.testing.assert_frame_equal(other.table[~is_random], result.table[~is_random])
    assert not other.table[is_random]["hits"].equals(result.table[is_random]["hits"])
    np.testing.assert_array_equal(other.actual, result.actual)


def test_the_baselines_are_always_there(city):
    incidents, cells = city
    kwargs = dict(start=START, end="2024-02-12", quiet=True, rng=0)
    assert backtest(incidents, cells, {}, **kwargs).forecasters == ("random", "naive")
    listed = backtest(
        incidents, cells, [NaiveForecaster(periods=2), RandomForecaster(rng=1)], **kwargs
    )
    # a given "naive" or "random" is used as given (here two weeks' mean, not last week's)
    assert listed.forecasters == ("random", "naive")
    assert listed.params["forecasters"]["naive"].startswith("NaiveForecaster(periods=2")
    one = backtest(incidents, cells, [NaiveForecaster(), NaiveForecaster(periods=3)], **kwargs)
    assert one.forecasters == ("naive_2", "random", "naive")


def test_the_input_is_not_modified(city):
    incidents, cells = city
    before, attrs = incidents.copy(), dict(incidents.attrs["hotspot"])
    model = NaiveForecaster(periods=2)
    backtest(incidents, cells, {"n": model}, start=START, end="2024-02-12", quiet=True, rng=0)
    pd.testing.assert_frame_equal(incidents, before)
    assert incidents.attrs["hotspot"] == attrs
    assert not hasattr(model, "until_")  # cloned, never fitted in place


def test_gaps_between_windows_are_counted(city):
    incidents, cells = city
    r = backtest(
        incidents, cells, {}, start=START, end=END, horizon="3D", step="7D", quiet=True, rng=0
    )
    acc = r.params["incidents"]
    assert acc["between_windows"] > 0
    parts = ("in_cells", "outside_cells", "missing_time", "before_start", "after_end")
    assert sum(acc[k] for k in (*parts, "between_windows")) == len(incidents)
    assert r.actual.sum() == acc["in_cells"]


def test_random_tie_breaks_are_reproducible(city):
    incidents, cells = city
    kwargs = dict(start=START, end="2024-02-19", ties="random", coverages=(0.05,), quiet=True)
    a = backtest(incidents, cells, {}, rng=3, **kwargs)
    pd.testing.assert_frame_equal(a.table, backtest(incidents, cells, {}, rng=3, **kwargs).table)
    # last week's counts tie in most cells: breaking the ties at random is not the expectation
    expected = backtest(incidents, cells, {}, rng=3, **{**kwargs, "ties": "expected"})
    naive = a.table["forecaster"] == "naive"
    assert not np.allclose(a.table[naive]["hits"], expected.table[naive]["hits"])


def test_incidents_without_dates_are_refused(city):
    incidents, cells = city
    undated = incidents.assign(time=incidents["time"].astype(str))
    with pytest.raises(HotspotInputError, match=r"backtest: the incidents have no 'time' column"):
        backtest(undated, cells, {}, start=START, end=END, quiet=True)


def test_summary_prints_readably(result):
    text = str(result)
    assert text.startswith("Back-test: 8 windows of 7 days every 7 days, 2024-01-29 to")
    assert "naive2" in text and "random" in text and "PAI" in text and "5 %" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2024-02-01", "end": "2024-02-01"}, r"start=2024-02-01 00:00 is not before end"),
        ({"horizon": "70D"}, r"horizon=70 days 00:00:00 is longer than the span"),
        ({"ties": "first"}, r"backtest: ties='first' is not one of 'expected', 'order'"),
        ({"horizon": "-1D"}, r"horizon='-1D' is not a positive length of time"),
        ({"start": "soon"}, r"start='soon' is not a date"),
        ({"coverages": (0.05, 2)}, r"backtest: coverages=2 must be a number above 0"),
    ],
)
def test_bad_arguments_name_the_parameter(city, kwargs, message):
    incidents, cells = city
    args = {"start": START, "end": END, "quiet": True, **kwargs}
    with pytest.raises(HotspotInputError, match=message):
        backtest(incidents, cells, {}, **args)


def test_unknown_forecasters_are_refused(city):
    incidents, cells = city
    kwargs = dict(start=START, end=END, quiet=True)
    with pytest.raises(HotspotInputError, match=r"forecaster 'km' is a KMeans, not a hotspot"):
        backtest(incidents, cells, {"km": KMeans()}, **kwargs)
    with pytest.raises(
        HotspotInputError, match=r"is the class NaiveForecaster.*NaiveForecaster\(\)"
    ):
        backtest(incidents, cells, [NaiveForecaster], **kwargs)
    with pytest.raises(HotspotInputError, match=r"forecasters='naive' must be a dict"):
        backtest(incidents, cells, "naive", **kwargs)


@pytest.mark.slow
def test_toronto_break_and_enter_weekly_over_2019():
    inc = hs.datasets.load_toronto(quiet=True)
    inc = inc[inc["category"] == "Break and Enter"]
    cells = hs.square_grid(inc, 150, quiet=True)
    t0 = time.perf_counter()
    r = backtest(
        inc,
        cells,
        {"naive4": NaiveForecaster(periods=4, period="7D")},
        start="2019-01-01",
        end="2020-01-01",
        rng=0,
        quiet=True,
    )
    seconds = time.perf_counter() - t0
    print(r)
    print(f"back-test time: {seconds:.1f} s for {len(cells):,} cells")
    assert len(r.periods) == 52
    s = r.summary.set_index(["forecaster", "coverage"])
    for name in ("naive", "naive4"):
        assert s.loc[(name, 0.05), "pai_mean"] > s.loc[("random", 0.05), "pai_mean"]
    acc = r.params["incidents"]
    assert sum(v for k, v in acc.items() if k != "incidents") == len(inc)

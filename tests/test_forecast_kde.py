"""The kernel density forecaster (hotspot/forecast/kde.py) against a brute-force kernel sum over
all incidents, hotspot.kde at the same centroids, hand-computed decay and exposure, and hotspots
planted in a simulated city."""

from __future__ import annotations

import copy
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import CRS, T0, make_incidents
from sklearn.base import clone

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.forecast.kde import KDEForecaster
from hotspot.simulate import simulate_incidents

UNTIL = T0 + pd.Timedelta(days=400)
KERNELS = ["quartic", "gaussian", "epanechnikov", "triangular", "uniform"]


def grid(n: int, size: float) -> gpd.GeoDataFrame:
    """n x n square cells of ``size`` metres from (0, 0), row by row."""
    boxes = [
        shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size)
        for r in range(n)
        for c in range(n)
    ]
    return gpd.GeoDataFrame(geometry=boxes, crs=CRS)


def published_kernel(kernel: str, d: float, h: float) -> float:
    """The kernels per m² as hotspot.kde's Notes write them (the Gaussian cut where 10⁻⁶ of its
    mass is left out)."""
    u = d / h
    if kernel == "gaussian":
        return (
            math.exp(-u * u / 2) / (2 * math.pi * h * h)
            if u <= math.sqrt(2 * math.log(1e6))
            else 0.0
        )
    if u >= 1:
        return 0.0
    k = {
        "quartic": 3 / math.pi * (1 - u * u) ** 2,
        "epanechnikov": 2 / math.pi * (1 - u * u),
        "triangular": 3 / math.pi * (1 - u),
        "uniform": 1 / math.pi,
    }[kernel]
    return k / (h * h)


@pytest.fixture
def scattered() -> gpd.GeoDataFrame:
    """80 incidents over 500 m x 500 m, ten of them sharing two addresses, ages up to 300 days,
    with a harm column."""
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 500, 80), rng.uniform(0, 500, 80)
    x[:5], y[:5] = 120.0, 340.0
    x[5:10], y[5:10] = 410.0, 95.0
    inc = make_incidents(x, y, 400 - rng.uniform(0.1, 300, 80))
    return inc.assign(harm=rng.uniform(0.5, 3.0, 80))


@pytest.mark.parametrize("kernel", KERNELS)
def test_density_is_the_brute_force_kernel_sum(scattered, kernel):
    cells = grid(10, 50.0)
    h = 60.0 if kernel == "gaussian" else 120.0
    f = KDEForecaster(bandwidth=h, kernel=kernel, time_decay="60D")
    f.fit(scattered, cells, until=UNTIL, incident_weights="harm")
    centroids = cells.geometry.centroid
    expected = np.zeros(len(cells))
    for c, centre in enumerate(centroids):
        for point, time, harm in zip(
            scattered.geometry, scattered["time"], scattered["harm"], strict=True
        ):
            age = (UNTIL - time) / pd.Timedelta(days=1)
            decay = 0.5 ** (age / 60.0)
            expected[c] += harm * decay * published_kernel(kernel, centre.distance(point), h)
    assert f.density_ == pytest.approx(expected * 1e6, rel=1e-10, abs=1e-12)
    assert (expected > 0).sum() > 50


@pytest.mark.parametrize("kernel", KERNELS)
def test_agrees_with_hotspot_kde_at_the_centroids(scattered, kernel):
    cells = grid(10, 50.0)
    h = 60.0 if kernel == "gaussian" else 120.0
    f = KDEForecaster(bandwidth=h, kernel=kernel, lookback="200D")
    f.fit(scattered, cells, until=UNTIL, incident_weights="harm")
    since = UNTIL - pd.Timedelta(days=200)
    train = scattered[scattered["time"] >= since]
    assert f.training_["used"] == len(train) < len(scattered)
    ref = hs.kde(
        train, cells=cells, bandwidth=h, kernel=kernel, incident_weights="harm", quiet=True
    )
    assert f.density_ == pytest.approx(ref["kde_density"].to_numpy(), rel=1e-9, abs=1e-9)


def test_agrees_with_hotspot_kde_on_a_grid_of_a_simulated_city(city):
    inc, _ = city
    cells = hs.square_grid(inc, 200, quiet=True)
    f = KDEForecaster(bandwidth=400.0, lookback="91D").fit(inc, cells, until="2024-10-07")
    train = inc[(inc["time"] >= pd.Timestamp("2024-07-08")) & (inc["time"] < "2024-10-07")]
    ref = hs.kde(train, cells=cells, bandwidth=400.0, quiet=True)
    values = ref["kde_density"].to_numpy()
    assert f.density_.max() > 10 * np.median(f.density_)  # the planted hotspots stand out
    if ref.attrs["hotspot"]["kde"]["method"].startswith("direct kernel sum"):
        assert f.density_ == pytest.approx(values, rel=1e-9, abs=1e-9)
    else:  # its lattice (documented: within 1 % wherever above 1 % of the maximum)
        big = values > 0.01 * values.max()
        assert f.density_[big] == pytest.approx(values[big], rel=0.01)


def test_time_decay_halves_an_incident_at_one_half_life():
    cells = grid(10, 100.0)
    # two incidents 600 m apart, 30 days and 1 day old; bandwidth 200 m: they do not overlap
    inc = make_incidents([150, 750], [150, 750], [370, 399])
    plain = KDEForecaster(bandwidth=200.0).fit(inc, cells, until=UNTIL)
    decayed = KDEForecaster(bandwidth=200.0, time_decay="30D").fit(inc, cells, until=UNTIL)
    old, new = 11, 77  # the cells (1, 1) and (7, 7) holding them
    assert decayed.density_[old] == pytest.approx(0.5 * plain.density_[old], rel=1e-12)
    assert decayed.density_[new] == pytest.approx(2 ** (-1 / 30) * plain.density_[new])
    # at the centroid (150, 150) itself: the quartic's peak 3 / (pi h^2) per m²
    assert plain.density_[old] == pytest.approx(3 / (math.pi * 200**2) * 1e6)


def test_risk_is_the_expected_count_at_the_lookbacks_rate():
    cells = grid(10, 100.0)
    inc = make_incidents([150, 750], [150, 750], [370, 399])
    f = KDEForecaster(bandwidth=200.0, lookback="60D", time_decay="30D").fit(
        inc, cells, until=UNTIL
    )
    exposure = 30 / math.log(2) * (1 - 2 ** (-60 / 30))  # ∫_0^60 0.5^(a/30) da, by hand
    assert f.exposure_days_ == pytest.approx(exposure)
    risk = f.predict("14D")["forecast_risk"].to_numpy()
    assert risk == pytest.approx(f.density_ / 1e6 * 100**2 * 14 / exposure)
    # one incident smoothed over fine cells: the centroid sum keeps its mass, so a 28-day
    # lookback with one incident expects 7/28 of an incident next week
    fine = grid(60, 10.0)
    one = make_incidents([300.0], [300.0], [390])
    g = KDEForecaster(bandwidth=200.0, lookback="28D").fit(one, fine, until=UNTIL)
    assert g.predict("7D")["forecast_risk"].sum() == pytest.approx(7 / 28, rel=1e-3)
    # all of the past: the exposure is the oldest incident's age in whole days
    h = KDEForecaster(bandwidth=200.0, lookback=None).fit(inc, cells, until=UNTIL)
    assert h.exposure_days_ == 30.0 and h.training_["used"] == 2


def test_a_bandwidth_rule_is_computed_from_the_training_incidents(scattered):
    cells = grid(10, 50.0)
    for rule, kernel in (("scott", "quartic"), ("silverman", "gaussian"), (None, "quartic")):
        f = KDEForecaster(bandwidth=rule, kernel=kernel, lookback="200D")
        f.fit(scattered, cells, until=UNTIL)
        train = scattered[scattered["time"] >= UNTIL - pd.Timedelta(days=200)]
        expected = hs.kde_bandwidth(train, rule or "nn", kernel=kernel)
        assert f.bandwidth_ == pytest.approx(expected)
        assert f.bandwidth_rule_ == (rule or "nn")


def test_output_contract_reproducible_and_input_untouched(scattered):
    cells = grid(10, 50.0)
    cells.attrs["hotspot"] = {"grid": {"cell_size": 50.0}}
    before = (scattered.copy(), cells.copy(), copy.deepcopy(cells.attrs))
    out = KDEForecaster(bandwidth=100.0).fit(scattered, cells, until=UNTIL).predict("7D")
    again = KDEForecaster(bandwidth=100.0).fit(scattered, cells, until=UNTIL).predict("7D")
    pd.testing.assert_frame_equal(out, again)
    risk = out["forecast_risk"]
    assert risk.dtype == float and (risk >= 0).all() and risk.max() > 0
    assert sorted(out["forecast_rank"]) == list(range(1, 101))
    assert out["forecast_rank"][risk.idxmax()] == 1
    assert list(out.index) == list(cells.index)
    meta = out.attrs["hotspot"]
    assert (meta["kind"], meta["method"], meta["grid"]) == (
        "cells",
        "forecast",
        {"cell_size": 50.0},
    )
    record = meta["forecast"]
    assert record["forecaster"] == "KDEForecaster"
    assert record["params"] == {
        "bandwidth": 100.0,
        "kernel": "quartic",
        "lookback": "365D",
        "time_decay": None,
    }
    assert record["bandwidth"] == 100.0 and record["evaluated_at"] == "cell centroids"
    assert "expected incidents" in record["risk"]
    pd.testing.assert_frame_equal(scattered, before[0])
    pd.testing.assert_frame_equal(cells, before[1])
    assert cells.attrs == before[2]


def test_estimator_contract(scattered):
    f = KDEForecaster(bandwidth=250.0, kernel="gaussian", lookback="90D", time_decay="14D")
    params = f.get_params()
    assert params == {
        "bandwidth": 250.0,
        "kernel": "gaussian",
        "lookback": "90D",
        "time_decay": "14D",
    }
    assert KDEForecaster(**params).get_params() == params
    g = clone(f)
    assert g.get_params() == params and g is not f
    with pytest.raises(HotspotInputError, match="not fitted"):
        g.predict()
    assert f.fit(scattered, grid(10, 50.0), until=UNTIL) is f
    assert hasattr(f, "density_") and not hasattr(clone(f), "density_")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"bandwidth": -5}, "bandwidth=-5 must be a positive number of metres"),
        ({"bandwidth": "wide"}, "bandwidth='wide' is not a rule; pass metres"),
        ({"kernel": "box"}, "kernel='box' is not one of 'quartic'"),
        ({"lookback": "a year"}, "lookback='a year' is not a positive length of time"),
        ({"time_decay": "0D"}, "time_decay='0D' is not a positive length of time"),
    ],
)
def test_bad_parameters_say_what_to_pass(scattered, params, match):
    with pytest.raises(HotspotInputError, match=f"KDEForecaster: {match}"):
        KDEForecaster(**params).fit(scattered, grid(10, 50.0), until=UNTIL)


@pytest.fixture(scope="module")
def city():
    spots = [
        {"x": 432000, "y": 432000, "radius": 100, "profile": "persistent", "rate": 3},
        {"x": 437000, "y": 436000, "radius": 100, "profile": "persistent", "rate": 3},
        {"x": 435500, "y": 433500, "radius": 100, "profile": "persistent", "rate": 3},
    ]
    return simulate_incidents(n_background=3000, hotspots=spots, periods=52, rng=1)


def test_the_planted_hotspots_are_in_the_top_five_percent(city):
    inc, truth = city
    cells = hs.square_grid(inc, 200, quiet=True)
    top = math.ceil(0.05 * len(cells))
    centre = [
        int(np.flatnonzero(cells.contains(shapely.Point(x + 1, y + 1)))[0])
        for x, y in zip(truth["x"], truth["y"], strict=True)
    ]
    for f in (KDEForecaster(), KDEForecaster(kernel="gaussian", bandwidth=100.0, time_decay="30D")):
        rank = f.fit(inc, cells, until="2024-10-07").predict("7D")["forecast_rank"].to_numpy()
        assert (rank[centre] <= top).all(), (repr(f), rank[centre], top)

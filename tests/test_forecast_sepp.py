"""SEPPForecaster: planted parameters, a hand-computed E-step, a dense EM, the forecast."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.optimize import brentq

from hotspot.errors import HotspotInputError
from hotspot.forecast._kernels import (
    cell_time_pairs,
    count_space_time_pairs,
    space_time_pairs,
)
from hotspot.forecast.sepp import SEPPForecaster
from hotspot.simulate import simulate_self_exciting

CRS = "EPSG:32617"
AREA = shapely.box(0, 0, 5000, 5000)


def square_cells(xmin, ymin, xmax, ymax, size):
    xs = np.arange(xmin, xmax, size)
    ys = np.arange(ymin, ymax, size)
    boxes = [shapely.box(x, y, x + size, y + size) for y in ys for x in xs]
    cells = gpd.GeoDataFrame(geometry=boxes, crs=CRS)
    cells.index.name = "cell_id"
    return cells


def points(xy, times):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        {"time": pd.to_datetime(times)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )


@pytest.fixture(scope="module")
def planted():
    """theta 0.5, mean delay 7 days, sigma 100 m, 5 background incidents a day, one year."""
    inc, truth = simulate_self_exciting(
        background_rate=5.0,
        theta=0.5,
        omega=1 / 7,
        sigma=100.0,
        days=365,
        study_area=AREA,
        crs=CRS,
        rng=3,
    )
    cells = square_cells(0, 0, 5000, 5000, 500)
    return inc, truth, cells


# ------------------------------------------------------------------ planted parameters


def test_recovers_planted_parameters(planted):
    """Tolerances from 28 seeds run offline (0-27, same settings; seeds 8-27: theta 0.502 ±
    0.026, 1/omega 7.40 ± 0.46 days, sigma 98.6 ± 3.7 m, background 4.89 ± 0.21 a day, mean ±
    sd; extremes over all 28: theta 0.46-0.55, 1/omega 6.2-8.2, sigma 91-106, background
    4.5-5.3). The background is biased a little low by the kernel density's loss over the
    study area's edge. Each tolerance is about 3 sd around the truth, plus the bias."""
    inc, truth, cells = planted
    f = SEPPForecaster().fit(inc, cells, until=truth["end"])
    assert f.converged_
    assert abs(f.theta_ - 0.5) < 0.08
    assert abs(1 / f.omega_ - 7.0) < 1.8
    assert abs(f.sigma_ - 100.0) < 12.0
    assert abs(f.background_rate_ - 5.0) < 0.8
    # the background probabilities separate the planted sources: over seeds 0-27 offline the
    # mean probability was 0.65-0.70 for background incidents and 0.30-0.35 for offspring,
    # a gap of 0.33-0.37 (a fit that could not tell them apart would give a gap of 0)
    q = f.background_probability_
    is_background = inc["truth_source"].to_numpy() == "background"
    assert q[is_background].mean() - q[~is_background].mean() > 0.25


@pytest.mark.slow
@pytest.mark.parametrize("seed", [28, 29, 30, 31, 32])
def test_recovers_planted_parameters_on_other_draws(seed):
    """The same tolerances on draws that did not set them."""
    inc, truth = simulate_self_exciting(
        background_rate=5.0,
        theta=0.5,
        omega=1 / 7,
        sigma=100.0,
        days=365,
        study_area=AREA,
        crs=CRS,
        rng=seed,
    )
    f = SEPPForecaster().fit(inc, square_cells(0, 0, 5000, 5000, 500), until=truth["end"])
    assert f.converged_
    assert abs(f.theta_ - 0.5) < 0.08
    assert abs(1 / f.omega_ - 7.0) < 1.8
    assert abs(f.sigma_ - 100.0) < 12.0
    assert abs(f.background_rate_ - 5.0) < 0.8


def test_pure_poisson_gives_theta_near_zero():
    """On a Poisson process (theta = 0) the fitted theta stays small: mean 0.049, largest
    0.087 over seeds 20-39 offline; the bound is 0.12 (a planted theta of 0.5 is fitted at
    0.46-0.55). The EM creeps towards the boundary slowly, so it is cut at 60 iterations:
    theta only falls with more."""
    inc, truth = simulate_self_exciting(
        background_rate=8.0, theta=0.0, days=365, study_area=AREA, crs=CRS, rng=11
    )
    assert truth["counts"]["offspring"] == 0
    f = SEPPForecaster(max_iter=60).fit(
        inc, square_cells(0, 0, 5000, 5000, 500), until=truth["end"]
    )
    assert f.theta_ < 0.12
    assert abs(f.background_rate_ - 8.0) < 0.8


# ------------------------------------------------------------------ one E-step by hand


def test_one_em_step_matches_the_formulas_by_hand():
    # A at 1000,1000 on Jan 1; B 50 m away (30, 40) on Jan 3; C at A's point on Jan 3 noon.
    inc = points(
        [(1000, 1000), (1030, 1040), (1000, 1000)],
        ["2024-01-01 00:00", "2024-01-03 00:00", "2024-01-03 12:00"],
    )
    cells = square_cells(0, 0, 2000, 2000, 2000)
    f = SEPPForecaster(bandwidth=100.0, time_cutoff="60D", distance_cutoff=500.0, max_iter=1)
    f.fit(inc, cells, until="2024-01-11")
    assert f.n_iter_ == 1 and f.n_pairs_ == 3
    # the start: theta 0.5, 1/omega = 60 / 10 = 6 days, sigma = 500 / 10 = 50 m, all background
    theta, omega, sigma, h = 0.5, 1 / 6, 50.0, 100.0
    age = np.array([10.0, 8.0, 7.5])
    span = 10.0  # the data begin after until - lookback: T runs from the first incident
    assert f.span_days_ == span

    def kde(d2):
        return np.exp(-d2 / (2 * h**2)) / (2 * np.pi * h**2)

    # background density at A, B, C: every incident counts with q = 1, itself included
    nu_a = (kde(0) + kde(2500) + kde(0)) / span
    nu_b = (kde(2500) + kde(0) + kde(2500)) / span
    nu_c = nu_a

    def g(lag, d2):
        return (
            theta
            * omega
            * np.exp(-omega * lag)
            * np.exp(-d2 / (2 * sigma**2))
            / (2 * np.pi * sigma**2)
        )

    g_ab, g_ac, g_bc = g(2.0, 2500.0), g(2.5, 0.0), g(0.5, 2500.0)
    lam = np.array([nu_a, nu_b + g_ab, nu_c + g_ac + g_bc])
    q = np.array([nu_a, nu_b, nu_c]) / lam
    np.testing.assert_allclose(f.background_probability_, q, rtol=1e-12)
    p = np.array([g_ab / lam[1], g_ac / lam[2], g_bc / lam[2]])  # AB, AC, BC
    lags = np.array([2.0, 2.5, 0.5])
    d2 = np.array([2500.0, 0.0, 2500.0])
    # the M-step, solved here with a bracketing root finder
    s = p.sum()

    def score(w):
        e = np.exp(-w * age)
        return s / w - p @ lags - s * (age @ e) / np.sum(1 - e)

    omega_new = brentq(score, 1e-4, 100.0, xtol=1e-14)
    np.testing.assert_allclose(f.omega_, omega_new, rtol=1e-9)
    np.testing.assert_allclose(f.sigma_, np.sqrt(p @ d2 / (2 * s)), rtol=1e-12)
    np.testing.assert_allclose(f.theta_, s / np.sum(1 - np.exp(-omega_new * age)), rtol=1e-9)
    np.testing.assert_allclose(f.background_rate_, q.sum() / span, rtol=1e-12)
    ll = np.log(lam).sum() - 3.0 - theta * np.sum(1 - np.exp(-omega * age))
    np.testing.assert_allclose(f.log_likelihood_, ll, rtol=1e-12)


# ------------------------------------------------------------------ the dense EM


def dense_em(x, y, age, span, h, n_iter, sigma0, omega0, theta0=0.5):
    """The same model on n x n arrays: every earlier incident a possible parent."""
    lag = age[:, None] - age[None, :]  # [i, j] = t_j - t_i, > 0 when i is earlier
    d2 = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    pair = lag > 0
    kde = np.exp(-d2 / (2 * h**2)) / (2 * np.pi * h**2)
    theta, omega, sigma, q = theta0, omega0, sigma0, np.ones(len(x))
    for _ in range(n_iter):
        nu = kde @ q / span
        g = np.where(
            pair,
            theta
            * omega
            * np.exp(-omega * np.where(pair, lag, 0))
            * np.exp(-d2 / (2 * sigma**2))
            / (2 * np.pi * sigma**2),
            0.0,
        )
        lam = nu + g.sum(axis=0)
        p = g / lam[None, :]
        q = nu / lam
        s = p.sum()
        pl = (p * np.where(pair, lag, 0)).sum()

        def score(w, s=s, pl=pl):
            e = np.exp(-w * age)
            return s / w - pl - s * (age @ e) / np.sum(1 - e)

        omega = brentq(score, 1e-6, 1e3, xtol=1e-15)
        sigma = np.sqrt((p * d2).sum() / (2 * s))
        theta = s / np.sum(1 - np.exp(-omega * age))
    return theta, omega, sigma, q


def test_pruned_em_equals_a_dense_em_when_the_cut_offs_hold_every_pair():
    area = shapely.box(0, 0, 800, 800)  # diagonal 1,131 m: inside 4 bandwidths of 300 m
    inc, truth = simulate_self_exciting(
        background_rate=1.5,
        theta=0.5,
        omega=1 / 5,
        sigma=80.0,
        days=100,
        study_area=area,
        crs=CRS,
        rng=5,
    )
    assert 250 <= len(inc) <= 400
    cells = square_cells(0, 0, 800, 800, 200)
    f = SEPPForecaster(
        bandwidth=300.0,
        time_cutoff="200D",
        distance_cutoff=2000.0,
        max_iter=25,
        tol=1e-15,
        min_sigma=0.0,
    ).fit(inc, cells, until=truth["end"])
    n = len(inc)
    assert f.n_iter_ == 25
    ns = inc["time"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    age = (pd.Timestamp(truth["end"]).value - ns) / 86_400e9
    # every pair of distinct times is listed
    assert f.n_pairs_ == np.sum(age[:, None] > age[None, :])
    x, y = inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()
    theta, omega, sigma, q = dense_em(
        x, y, age, age.max(), 300.0, 25, sigma0=200.0, omega0=1 / 20.0
    )
    np.testing.assert_allclose([f.theta_, f.omega_, f.sigma_], [theta, omega, sigma], rtol=1e-8)
    np.testing.assert_allclose(f.background_probability_, q, rtol=1e-8, atol=1e-12)
    assert n == len(q)


# ------------------------------------------------------------------ the pair search


@pytest.mark.parametrize("seed", [0, 1])
def test_pairs_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 600
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    x[:50], y[:50] = x[50:100], y[50:100]  # repeated locations
    s = np.round(rng.uniform(0, 200, n), 1)  # ties in time too
    tau, r = 15.0, 400.0
    parent, child, lag, d2 = space_time_pairs(x, y, s, tau, r)
    dt = s[None, :] - s[:, None]
    dd = (x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2
    want = (dt > 0) & (dt <= tau) & (dd <= r**2)
    got = np.zeros((n, n), bool)
    got[parent, child] = True
    assert len(parent) == want.sum()
    assert (got == want).all()
    np.testing.assert_allclose(lag, s[child] - s[parent])
    np.testing.assert_allclose(d2, dd[parent, child])
    assert count_space_time_pairs(x, y, s, tau, r) >= len(parent)
    cell = rng.integers(0, 40, n)
    cp, cc, cl = cell_time_pairs(cell, s, tau)
    want = (dt > 0) & (dt <= tau) & (cell[:, None] == cell[None, :])
    got = np.zeros((n, n), bool)
    got[cp, cc] = True
    assert len(cp) == want.sum() and (got == want).all()
    assert cell_time_pairs(cell, s, tau, count_only=True) == want.sum()


# ------------------------------------------------------------------ the forecast


def test_forecast_contract_and_total(planted):
    inc, truth, _ = planted
    # cells far wider than the data: the Gaussians' mass stays inside them
    cells = square_cells(-5000, -5000, 10000, 10000, 1000)
    before = inc.copy()
    f = SEPPForecaster().fit(inc, cells, until=truth["end"])
    out = f.predict("7D", start=pd.Timestamp(truth["end"]) + pd.Timedelta(days=2))
    pd.testing.assert_frame_equal(inc, before)  # the input is not modified
    assert inc.attrs == before.attrs
    assert out.index.equals(cells.index)
    assert {"forecast_risk", "forecast_rank"} <= set(out.columns)
    assert (out["forecast_risk"] >= 0).all()
    meta = out.attrs["hotspot"]
    assert meta["method"] == "forecast" and meta["kind"] == "cells"
    sepp = meta["forecast"]["sepp"]
    assert sepp["theta"] == f.theta_ and sepp["sigma"] == f.sigma_
    # the total: background over the window + each past incident's offspring still to come
    ns = inc["time"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    age = (pd.Timestamp(truth["end"]).value - ns) / 86_400e9
    a, b = 2.0, 9.0
    remaining = f.theta_ * (np.exp(-f.omega_ * (age + a)) - np.exp(-f.omega_ * (age + b)))
    expected = f.background_rate_ * (b - a) + remaining.sum()
    np.testing.assert_allclose(out["forecast_risk"].sum(), expected, rtol=1e-6)
    # deterministic: the same data give the same forecast
    again = (
        SEPPForecaster()
        .fit(inc, cells, until=truth["end"])
        .predict("7D", start=pd.Timestamp(truth["end"]) + pd.Timedelta(days=2))
    )
    np.testing.assert_array_equal(again["forecast_risk"], out["forecast_risk"])


def test_offspring_spread_integrates_the_gaussian_over_each_cell():
    """Two incidents in one spot, days apart: the offspring of the later one, in the cells
    around it, follow the normal CDF over each cell's sides."""
    from scipy.stats import norm

    inc = points([(1020, 990), (1020, 990)], ["2024-01-01", "2024-01-05"])
    cells = square_cells(0, 0, 2000, 2000, 100)
    f = SEPPForecaster(background="kde", bandwidth=200.0, max_iter=3).fit(
        inc, cells, until="2024-01-06"
    )
    risk = f.predict("1D")["forecast_risk"].to_numpy()
    b = cells.geometry.bounds.to_numpy()
    age = np.array([5.0, 1.0])
    w_off = f.theta_ * (np.exp(-f.omega_ * age) - np.exp(-f.omega_ * (age + 1)))
    w_bg = f.background_probability_ / f.span_days_

    def mass(sd):
        return (norm.cdf(b[:, 2], 1020, sd) - norm.cdf(b[:, 0], 1020, sd)) * (
            norm.cdf(b[:, 3], 990, sd) - norm.cdf(b[:, 1], 990, sd)
        )

    want = w_off.sum() * mass(f.sigma_) + w_bg.sum() * mass(200.0)
    # cells beyond 5 sd (plus half a cell's diagonal) are left out: at most exp(-12.5) of
    # the mass, 4e-6
    total = w_off.sum() + w_bg.sum()
    np.testing.assert_allclose(risk, want, rtol=1e-9, atol=4e-6 * total)
    c = cells.geometry.centroid
    near = np.hypot(c.x - 1020, c.y - 990).to_numpy() <= 5 * min(f.sigma_, 200.0)
    np.testing.assert_allclose(risk[near], want[near], rtol=1e-9)
    assert abs(risk.sum() - want.sum()) < 4e-6 * total


def test_grid_variant_background_is_the_cell_count_over_the_span():
    # four incidents, far apart in time (no pair within 10 days), in three cells
    inc = points(
        [(50, 50), (50, 60), (150, 50), (250, 250)],
        ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"],
    )
    cells = square_cells(0, 0, 300, 300, 100)
    f = SEPPForecaster(background="grid", time_cutoff="10D").fit(inc, cells, until="2024-04-11")
    assert f.n_pairs_ == 0 and f.theta_ == 0
    np.testing.assert_allclose(f.background_probability_, 1.0)
    span = (pd.Timestamp("2024-04-11") - pd.Timestamp("2024-01-01")) / pd.Timedelta(days=1)
    risk = f.predict("14D")["forecast_risk"].to_numpy()
    counts = np.zeros(9)
    counts[[0, 1, 8]] = [2, 1, 1]  # cells by row from the south-west corner
    np.testing.assert_allclose(risk, counts * 14 / span, rtol=1e-12)
    assert np.isnan(f.sigma_)


def test_grid_variant_triggers_within_a_cell_only():
    """A chain of repeats in one cell, single incidents elsewhere: only the chain pairs."""
    times = pd.date_range("2024-01-01", periods=6, freq="2D")
    inc = points(
        [(50, 50)] * 4 + [(250, 50), (50, 250)],
        list(times[:4]) + [times[1], times[2]],
    )
    cells = square_cells(0, 0, 300, 300, 100)
    f = SEPPForecaster(background="grid", time_cutoff="30D").fit(inc, cells, until="2024-01-20")
    assert f.n_pairs_ == 6  # 4 incidents in one cell: 6 ordered pairs
    # background in each cell = its incidents' background probabilities over the span
    risk = f.predict("1D")["forecast_risk"].to_numpy()
    q = f.background_probability_
    age = (pd.Timestamp("2024-01-20") - inc["time"]) / pd.Timedelta(days=1)
    rem = f.theta_ * (np.exp(-f.omega_ * age) - np.exp(-f.omega_ * (age + 1)))
    want = np.zeros(9)
    np.add.at(want, [0, 0, 0, 0, 2, 6], q / f.span_days_ + rem.to_numpy())
    np.testing.assert_allclose(risk, want, rtol=1e-12)


def test_weights_scale_the_forecast_not_the_fit(planted):
    inc, truth, cells = planted
    plain = SEPPForecaster(max_iter=20).fit(inc, cells, until=truth["end"])
    weighted = SEPPForecaster(max_iter=20).fit(
        inc, cells, until=truth["end"], incident_weights=np.full(len(inc), 3.0)
    )
    assert weighted.theta_ == plain.theta_ and weighted.sigma_ == plain.sigma_
    np.testing.assert_allclose(
        weighted.predict("7D")["forecast_risk"], 3 * plain.predict("7D")["forecast_risk"]
    )


# ------------------------------------------------------------------ refusals


def test_refuses_too_many_pairs_before_allocating(planted):
    inc, truth, cells = planted
    with pytest.raises(HotspotInputError, match=r"candidate pairs .* more than max_pairs=1,000"):
        SEPPForecaster(max_pairs=1000).fit(inc, cells, until=truth["end"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"background": "knn"}, r"background='knn' is not one of 'kde', 'grid'"),
        ({"bandwidth": -1}, r"bandwidth=-1 must be a positive number of metres"),
        ({"time_cutoff": "0D"}, r"time_cutoff='0D' is not a positive length of time"),
        ({"distance_cutoff": "500"}, r"distance_cutoff='500' must be a positive number"),
        ({"max_iter": 0}, r"max_iter=0 must be at least 1"),
        ({"tol": 2}, r"tol=2 must be a number between 0 and 1"),
        ({"lookback": "soon"}, r"lookback='soon' is not a positive length of time"),
    ],
)
def test_bad_parameters(planted, kwargs, match):
    inc, truth, cells = planted
    with pytest.raises(HotspotInputError, match=match):
        SEPPForecaster(**kwargs).fit(inc, cells, until=truth["end"])

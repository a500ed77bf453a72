"""simulate_self_exciting: the branching process it draws has the parameters it was given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from hotspot.errors import HotspotInputError
from hotspot.simulate import simulate_self_exciting

AREA = shapely.box(0, 0, 20_000, 20_000)


@pytest.fixture(scope="module")
def big():
    inc, truth = simulate_self_exciting(
        background_rate=20.0,
        theta=0.6,
        omega=0.2,
        sigma=150.0,
        days=400,
        study_area=AREA,
        rng=7,
    )
    return inc, truth


def test_output_contract(big):
    inc, truth = big
    assert list(inc.columns) == [
        "time",
        "truth_source",
        "truth_parent",
        "truth_generation",
        "geometry",
    ]
    assert inc.crs.to_epsg() == 27700
    assert inc.index.equals(pd.RangeIndex(len(inc)))
    assert inc["time"].is_monotonic_increasing
    assert inc["time"].min() >= pd.Timestamp(truth["start"])
    assert inc["time"].max() < pd.Timestamp(truth["end"])
    assert (inc["time"].dt.as_unit("ns").astype("int64") % 10**9 == 0).all()
    assert shapely.contains_xy(AREA, inc.geometry.x, inc.geometry.y).all()
    parent = inc["truth_parent"].to_numpy()
    np.testing.assert_array_equal(parent, truth["parent"])
    child = np.flatnonzero(parent >= 0)
    assert (parent[child] < child).all()  # a parent precedes its offspring
    gen = inc["truth_generation"].to_numpy()
    np.testing.assert_array_equal(gen[child], gen[parent[child]] + 1)
    assert ((gen == 0) == (inc["truth_source"] == "background")).all()
    assert truth["counts"]["background"] + truth["counts"]["offspring"] == len(inc)
    assert inc.attrs["hotspot"]["simulation"]["theta"] == 0.6


def test_same_seed_same_draws_other_seed_other_draws():
    a, _ = simulate_self_exciting(days=30, rng=1)
    b, _ = simulate_self_exciting(days=30, rng=np.random.default_rng(1))
    c, _ = simulate_self_exciting(days=30, rng=2)
    assert a.equals(b)
    assert not a.equals(c)


def test_planted_branching_ratio(big):
    """Every observed incident draws Poisson(theta) children; those kept plus those dropped
    (late or outside) are their sum: mean theta * n, sd sqrt(theta * n)."""
    inc, truth = big
    n = len(inc)
    drawn = (
        truth["counts"]["offspring"]
        + truth["offspring_dropped_late"]
        + truth["offspring_dropped_outside"]
    )
    assert abs(drawn - 0.6 * n) < 4 * np.sqrt(0.6 * n)
    mean_bg = 20.0 * 400
    assert abs(truth["counts"]["background"] - mean_bg) < 4 * np.sqrt(mean_bg)


def test_planted_delays_and_displacements(big):
    """Offspring of parents well inside the span and the area: delays exponential with mean
    1 / omega, displacements normal with sd sigma on each axis (Kolmogorov-Smirnov)."""
    inc, truth = big
    parent = inc["truth_parent"].to_numpy()
    child = np.flatnonzero(parent >= 0)
    par = parent[child]
    days = (inc["time"] - pd.Timestamp(truth["start"])) / pd.Timedelta(days=1)
    t = days.to_numpy()
    x, y = inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()
    early = t[par] < 400 - 15 / 0.2  # late offspring (> 15 mean delays) dropped: e^-15
    inner = np.minimum.reduce([x[par], y[par], 20_000 - x[par], 20_000 - y[par]]) > 1500
    delay = (t[child] - t[par])[early]
    assert stats.kstest(delay, "expon", args=(0, 1 / 0.2)).pvalue > 1e-3
    dx = (x[child] - x[par])[inner]
    dy = (y[child] - y[par])[inner]
    assert stats.kstest(np.r_[dx, dy], "norm", args=(0, 150.0)).pvalue > 1e-3


def test_uniform_and_gradient_backgrounds():
    area = shapely.box(0, 0, 1000, 1000)
    u, _ = simulate_self_exciting(background_rate=20, theta=0, days=200, study_area=area, rng=3)
    assert stats.kstest(u.geometry.x / 1000, "uniform").pvalue > 1e-3
    g, _ = simulate_self_exciting(
        background_rate=20, theta=0, days=200, study_area=area, background="gradient", rng=3
    )
    # density (1 + 0.5 (u + v)) / 1.5 on the unit square: E[u] = 0.5278, var(u) < 1/12
    ux = g.geometry.x.to_numpy() / 1000
    assert abs(ux.mean() - (0.5 + 1 / 6 + 0.125) / 1.5) < 4 * np.sqrt(1 / 12 / len(ux))


def test_theta_zero_is_a_poisson_process():
    inc, truth = simulate_self_exciting(background_rate=5, theta=0.0, days=50, rng=4)
    assert truth["counts"]["offspring"] == 0 and (inc["truth_source"] == "background").all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"theta": 1.0}, HotspotInputError, r"theta=1.0 is outside \[0, 1\)"),
        ({"omega": 0}, HotspotInputError, r"omega=0.0 must be > 0"),
        ({"sigma": -5}, HotspotInputError, r"sigma=-5.0 must be > 0"),
        ({"days": 0}, HotspotInputError, r"days=0.0 must be > 0"),
        ({"background_rate": -1}, HotspotInputError, r"background_rate=-1.0 is negative"),
        ({"background": "smooth"}, HotspotInputError, r"background='smooth' is not one of"),
        ({"theta": "0.5"}, TypeError, r"simulate_self_exciting: theta must be a number"),
        ({"rng": "x"}, TypeError, r"simulate_self_exciting: rng must be None"),
        ({"crs": "EPSG:4326"}, HotspotInputError, r"not a projected CRS"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_self_exciting(**kwargs)

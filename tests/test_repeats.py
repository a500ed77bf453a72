"""Repeat locations and repeat victimisation: brute-force references, planted toys, honesty."""

from __future__ import annotations

import copy
import dataclasses
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from helpers import make_incidents
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import pdist, squareform

import hotspot as hs
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.simulate import simulate_incidents
from hotspot.spacetime.repeats import (
    SNAPPED_NOTES,
    RepeatSummary,
    repeat_location_ids,
    repeat_locations,
    repeat_summary,
    snapped_note,
)


@pytest.fixture(scope="module")
def toronto():
    return hs.datasets.load_toronto(quiet=True)


@pytest.fixture(scope="module")
def west_yorkshire():
    return hs.datasets.load_west_yorkshire(quiet=True)


@pytest.fixture(scope="module")
def burglary_sample(toronto):
    """2,000 Toronto break and enters from 2019-2020 (a dense enough sample to repeat)."""
    bne = toronto[
        (toronto["category"] == "Break and Enter")
        & (toronto["time"] >= "2019-01-01")
        & (toronto["time"] < "2021-01-01")
    ]
    return bne.sample(2000, random_state=0)


def brute_force(incidents: gpd.GeoDataFrame) -> dict:
    """A plain double loop over the rows: groups of identical points, their counts and times,
    and each incident's previous incident at the same point (by time, then row)."""
    xs = incidents.geometry.x.tolist()
    ys = incidents.geometry.y.tolist()
    ts = incidents["time"].tolist()
    n = len(xs)
    count = [0] * n
    first: list = [None] * n
    last: list = [None] * n
    gaps_days: list[int] = []
    elapsed: dict[int, list[float]] = {}
    for i in range(n):
        prev = None
        for j in range(n):
            if xs[i] != xs[j] or ys[i] != ys[j]:
                continue
            count[i] += 1
            if pd.notna(ts[j]):
                first[i] = ts[j] if first[i] is None else min(first[i], ts[j])
                last[i] = ts[j] if last[i] is None else max(last[i], ts[j])
            if j != i and pd.notna(ts[i]) and pd.notna(ts[j]) and (ts[j], j) < (ts[i], i):
                if prev is None or (ts[j], j) > (ts[prev], prev):
                    prev = j
        if prev is not None:
            gaps_days.append((ts[i].normalize() - ts[prev].normalize()).days)
            elapsed.setdefault(i, []).append((ts[i] - ts[prev]) / pd.Timedelta(days=1))
    return {"count": count, "first": first, "last": last, "gaps": gaps_days, "elapsed": elapsed}


# ------------------------------------------------------------------ brute-force references


def test_counts_first_last_and_share_equal_a_double_loop(burglary_sample):
    ref = brute_force(burglary_sample)
    ids = repeat_location_ids(burglary_sample)
    locs = repeat_locations(burglary_sample)
    per_incident = locs.loc[ids.to_numpy()]
    assert per_incident["repeat_n_incidents"].tolist() == ref["count"]
    assert per_incident["repeat_first"].tolist() == ref["first"]
    assert per_incident["repeat_last"].tolist() == ref["last"]
    n_at_repeat = sum(c >= 2 for c in ref["count"])
    summary = repeat_summary(burglary_sample)
    assert n_at_repeat > 100  # the sample does repeat
    assert summary.share_at_repeat_locations == pytest.approx(n_at_repeat / 2000, abs=1e-15)
    assert summary.n_at_repeat_locations == n_at_repeat
    points = set(zip(burglary_sample.geometry.x, burglary_sample.geometry.y, strict=True))
    assert summary.n_locations == len(points) == len(locs)
    assert int(locs["repeat_n_incidents"].sum()) == 2000  # counts are conserved


def test_gap_histogram_and_median_equal_a_double_loop(burglary_sample):
    ref = brute_force(burglary_sample)
    summary = repeat_summary(burglary_sample, max_days=400)
    expected = np.bincount(ref["gaps"], minlength=401)
    assert len(ref["gaps"]) == summary.n_pairs > 50
    assert summary.curve["pairs"].tolist() == expected[:401].tolist()
    assert summary.params["n_pairs_beyond"] == int((np.asarray(ref["gaps"]) > 400).sum())
    assert summary.curve["cumulative_share"].iloc[-1] == pytest.approx(
        (np.asarray(ref["gaps"]) <= 400).mean()
    )
    assert summary.share_within_7_days == pytest.approx((np.asarray(ref["gaps"]) <= 7).mean())
    # median elapsed days between consecutive incidents, per location
    ids = repeat_location_ids(burglary_sample).to_numpy()
    by_location: dict[int, list[float]] = {}
    for i, values in ref["elapsed"].items():
        by_location.setdefault(int(ids[i]), []).extend(values)
    locs = repeat_locations(burglary_sample)
    for loc, values in by_location.items():
        assert locs.loc[loc, "repeat_median_days"] == pytest.approx(np.median(values))
    single = locs["repeat_n_incidents"] == 1
    assert locs.loc[single, "repeat_median_days"].isna().all()


def test_share_on_all_of_toronto_equals_a_pandas_groupby(toronto):
    xy = pd.DataFrame({"x": toronto.geometry.x, "y": toronto.geometry.y})
    sizes = xy.groupby(["x", "y"]).size()
    summary = repeat_summary(toronto)
    assert summary.n_locations == len(sizes)
    assert summary.n_repeat_locations == int((sizes >= 2).sum())
    assert summary.share_at_repeat_locations == pytest.approx(
        sizes[sizes >= 2].sum() / len(toronto)
    )
    assert summary.n_pairs == int((sizes - 1).sum())  # every incident in Toronto has a time


def test_distance_groups_equal_connected_components_of_all_pairs(burglary_sample):
    sample = burglary_sample.iloc[:800]
    xy = np.column_stack([sample.geometry.x, sample.geometry.y])
    for distance in (50.0, 150.0):
        close = squareform(pdist(xy)) <= distance
        np.fill_diagonal(close, False)
        i, j = np.nonzero(close)
        graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(xy), len(xy)))
        n_comp, comp = connected_components(graph, directed=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HotspotWarning)
            ids = repeat_location_ids(sample, distance).to_numpy()
        assert ids.max() + 1 == n_comp
        # the same partition: each label maps to exactly one component and back
        assert len(set(zip(ids, comp, strict=True))) == n_comp
        sizes = np.bincount(comp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HotspotWarning)
            summary = repeat_summary(sample, distance)
        assert summary.n_at_repeat_locations == int(sizes[comp].__ge__(2).sum())


def test_distance_groups_are_never_finer_than_identical_points(burglary_sample):
    exact = repeat_location_ids(burglary_sample)
    near = repeat_location_ids(burglary_sample, 25)
    assert near.groupby(exact).nunique().max() == 1


# ------------------------------------------------------------------ planted toys


def test_within_days_uses_the_closest_pair():
    #  A: 3 days apart; B: 30 days apart; C: alone
    inc = make_incidents([0, 0, 500, 500, 900], [0, 0, 0, 0, 0], [0, 3, 0, 30, 5])
    locs = repeat_locations(inc)
    assert locs["repeat_is_repeat"].tolist() == [True, True, False]
    week = repeat_locations(inc, within_days=7)
    assert week["repeat_is_repeat"].tolist() == [True, False, False]
    assert week.attrs["hotspot"]["repeat_locations"]["n_at_repeat_locations"] == 2
    assert week["repeat_median_days"].tolist()[:2] == [3.0, 30.0]
    same_instant = repeat_locations(inc, within_days=0)
    assert not same_instant["repeat_is_repeat"].any()


def test_curve_counts_consecutive_pairs_only():
    inc = make_incidents([0, 0, 0, 7, 7], [0, 0, 0, 0, 0], [0, 2, 9, 1.9, 2.1])
    s = repeat_summary(inc, max_days=10)
    # (0, 2) and (2, 9) at the first point, not (0, 9); the second point: 1 calendar day
    assert s.n_pairs == 3
    assert s.curve["pairs"].to_dict() == {d: int(d in (1, 2, 7)) for d in range(11)}
    assert s.curve["cumulative_share"].iloc[-1] == 1.0
    assert s.share_within_7_days == 1.0


def test_incidents_without_time_are_counted_not_timed():
    inc = make_incidents([0, 0, 0, 5, 5], [0, 0, 0, 0, 0], [0, 1, 2, 0, 4])
    inc.loc[[1, 3], "time"] = pd.NaT
    locs = repeat_locations(inc)
    assert locs["repeat_n_incidents"].tolist() == [3, 2]
    assert locs["repeat_n_untimed"].tolist() == [1, 1]
    assert locs["repeat_is_repeat"].tolist() == [True, True]
    assert locs.attrs["hotspot"]["repeat_locations"]["n_untimed"] == 2
    s = repeat_summary(inc)
    assert (s.n_untimed, s.n_pairs, s.n_at_repeat_locations) == (2, 1, 5)
    assert s.params["n_untimed"] == 2 and "without a time" in str(s)
    no_time = inc.drop(columns="time")
    s = repeat_summary(no_time)
    assert (s.n_untimed, s.n_pairs, s.share_at_repeat_locations) == (5, 0, 1.0)
    assert s.curve["pairs"].sum() == 0 and np.isnan(s.share_within_7_days)
    assert repeat_locations(no_time)["repeat_first"].isna().all()


def test_single_linkage_chains_are_warned_about():
    inc = make_incidents(np.arange(0, 500, 10.0), np.zeros(50), np.arange(50))
    with pytest.warns(HotspotWarning, match="single linkage"):
        locs = repeat_locations(inc, 15)
    assert len(locs) == 1 and locs["repeat_extent_m"].iloc[0] == pytest.approx(490)
    assert locs.attrs["hotspot"]["repeat_locations"]["n_long_chains"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repeat_locations(inc, 5)["repeat_extent_m"].max() == 0


def test_a_stationary_simulated_city_has_few_exact_repeats():
    inc, _ = simulate_incidents(n_background=2000, hotspots=[], rng=1)
    s = repeat_summary(inc)
    assert s.n_repeat_locations == 0 and s.note is None  # continuous coordinates never coincide


# ------------------------------------------------------------------ honesty about snapped points


def test_police_uk_points_are_said_to_be_snapped(west_yorkshire, toronto):
    wy = repeat_summary(west_yorkshire)
    assert wy.note.startswith(SNAPPED_NOTES["police.uk"]) and "months only" in wy.note
    assert wy.params["note"] == wy.note and np.isnan(wy.share_within_7_days)
    assert "same month" in str(wy) and "within 7 days" not in str(wy)
    locs = repeat_locations(west_yorkshire)
    assert locs.attrs["hotspot"]["repeat_locations"]["note"] == SNAPPED_NOTES["police.uk"]
    to = repeat_summary(toronto[toronto["category"] == "Break and Enter"])
    assert to.note == SNAPPED_NOTES["Toronto MCI"]  # offset to intersections: not police.uk
    assert "police.uk" not in to.note and 0 < to.share_within_7_days < 1


def test_many_incidents_on_few_points_are_said_to_be_snapped():
    inc, _ = simulate_incidents(n_background=2000, hotspots=[], rng=2)
    assert snapped_note(inc) is None
    snapped = inc.copy()
    snapped.geometry = gpd.points_from_xy(
        (inc.geometry.x // 500) * 500, (inc.geometry.y // 500) * 500, crs=inc.crs
    )
    note = snapped_note(snapped)
    assert note is not None and "look like snapped points" in note
    assert repeat_summary(snapped).note == note


# ------------------------------------------------------------------ contract and arguments


def test_the_input_is_unchanged_and_results_are_stamped(burglary_sample):
    before = burglary_sample.copy(deep=True)
    attrs = copy.deepcopy(dict(burglary_sample.attrs))
    locs = repeat_locations(burglary_sample, 30, within_days=14)
    summary = repeat_summary(burglary_sample, 30)
    repeat_location_ids(burglary_sample, 30)
    pd.testing.assert_frame_equal(pd.DataFrame(burglary_sample), pd.DataFrame(before))
    assert repr(burglary_sample.attrs) == repr(attrs)
    meta = locs.attrs["hotspot"]
    assert (meta["kind"], meta["method"], meta["rng_seed"]) == (
        "locations",
        "repeat_locations",
        None,
    )
    assert meta["period"]["label"] and "load_report" not in meta
    assert meta["repeat_locations"]["within_days"] == 14.0
    assert all(c.startswith("repeat_") for c in locs.columns if c != "geometry")
    assert isinstance(summary, RepeatSummary) and dataclasses.is_dataclass(summary)
    for name in ("statistic", "expected", "z", "pvalue", "alternative", "permutations"):
        assert hasattr(summary, name)
    assert summary.statistic == summary.share_at_repeat_locations
    assert summary.params["method"] == "repeat_summary" and summary.method == "repeat_summary"
    assert summary.params["rng_seed"] is None and summary.params["period"]["label"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.statistic = 0.0  # type: ignore[misc]
    assert len(summary.top) == 10
    assert summary.top["repeat_n_incidents"].is_monotonic_decreasing
    text = str(summary)
    assert "Repeat locations" in text and "Top 10 locations" in text


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda inc: repeat_locations(inc, -1), "repeat_locations: distance=-1"),
        (lambda inc: repeat_locations(inc, "5"), "repeat_locations: distance='5'"),
        (lambda inc: repeat_locations(inc, within_days=-2), "within_days=-2"),
        (lambda inc: repeat_location_ids(inc, np.nan), "repeat_location_ids: distance=nan"),
        (lambda inc: repeat_summary(inc, max_days=-1), "repeat_summary: max_days=-1"),
        (lambda inc: repeat_summary(inc, top=1.5), "repeat_summary: top=1.5"),
        (lambda inc: repeat_summary(pd.DataFrame(inc)), "GeoDataFrame"),
        (lambda inc: repeat_locations(inc.drop(columns="time"), within_days=7), "within_days"),
        (lambda inc: repeat_summary(inc.assign(time="2024-01-01")), "not datetimes"),
    ],
)
def test_bad_arguments_raise_hotspot_input_error(call, match):
    inc = make_incidents([0, 0, 10], [0, 0, 0], [0, 1, 2])
    with pytest.raises(HotspotInputError, match=match):
        call(inc)

"""Temporal profiles, hot-spot profiles and trends, against pandas groupbys, brute force and
ground truth planted in simulated data."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.temporal.profile import (
    PEAK_HOURS,
    hotspot_profiles,
    profile_peaks,
    temporal_profile,
    temporal_trend,
)


@pytest.fixture(scope="module")
def toronto() -> gpd.GeoDataFrame:
    return hs.datasets.load_toronto(quiet=True)


def small(times: list[str], **columns: list) -> gpd.GeoDataFrame:
    n = len(times)
    return gpd.GeoDataFrame(
        {"time": pd.to_datetime(times), **columns},
        geometry=shapely.points(np.arange(n, dtype=float), np.zeros(n)),
        crs="EPSG:27700",
    )


def test_counts_equal_a_groupby_with_every_cell_present(toronto):
    prof = temporal_profile(toronto, groups="category")
    t = toronto["time"]
    ref = toronto.groupby(["category", t.dt.day_of_week, t.dt.hour]).size()
    cats = sorted(toronto["category"].unique())
    full = pd.MultiIndex.from_tuples(list(itertools.product(cats, range(7), range(24))))
    ref = ref.reindex(full, fill_value=0)
    assert len(prof) == 168 * len(cats)
    assert prof["group"].tolist() == [c for c in cats for _ in range(168)]
    assert prof["weekday"].tolist()[:168] == [d for d in range(7) for _ in range(24)]
    assert prof["hour"].tolist()[:168] == list(range(24)) * 7
    assert prof["weekday_name"].iloc[0] == "Mon" and prof["weekday_name"].iloc[167] == "Sun"
    np.testing.assert_array_equal(prof["count"].to_numpy(), ref.to_numpy())
    shares = prof.groupby("group")["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0)
    meta = prof.attrs["hotspot"]
    assert meta["method"] == "temporal_profile"
    assert meta["counts"] == {
        "incidents": len(toronto),
        "used": len(toronto),
        "no_time": 0,
        "no_group": 0,
    }
    assert meta["period"]["end"] == "2021-12-31"


@pytest.mark.parametrize(
    ("by", "key", "n"),
    [(("hour",), "hour", 24), ("weekday", "weekday", 7), (["month"], "month", 12)],
)
def test_one_dimensional_profiles_equal_a_groupby(toronto, by, key, n):
    prof = temporal_profile(toronto, by)
    ref = toronto.groupby(
        getattr(toronto["time"].dt, {"weekday": "day_of_week"}.get(key, key))
    ).size()
    assert len(prof) == n and (prof["group"] == "all incidents").all()
    np.testing.assert_array_equal(prof["count"].to_numpy(), ref.to_numpy())
    assert prof["share"].sum() == pytest.approx(1.0)


def test_weights_sum_like_a_groupby_of_the_weights(toronto):
    rng = np.random.default_rng(1)
    inc = toronto.assign(harm=rng.integers(0, 50, len(toronto)).astype(float))
    prof = temporal_profile(inc, ("weekday",), weights="harm", groups="category")
    ref = inc.groupby(["category", inc["time"].dt.day_of_week])["harm"].sum()
    np.testing.assert_allclose(prof["weighted"].to_numpy(), ref.to_numpy())
    np.testing.assert_allclose(prof.groupby("group")["weighted_share"].sum(), 1.0)
    as_array = temporal_profile(
        inc, ("weekday",), weights=inc["harm"].to_numpy(), groups="category"
    )
    np.testing.assert_allclose(as_array["weighted"], prof["weighted"])


def test_missing_times_and_labels_are_counted_not_dropped_silently():
    inc = small(
        ["2024-01-01 10:00", None, "2024-01-02 11:30", "2024-01-03 12:00"],
        kind=["a", "b", None, "a"],
    )
    prof = temporal_profile(inc, ("hour",), groups="kind")
    assert prof.attrs["hotspot"]["counts"] == {
        "incidents": 4,
        "used": 2,
        "no_time": 1,
        "no_group": 1,
    }
    assert prof["group"].unique().tolist() == ["a"]
    assert prof.loc[prof["count"] > 0, "hour"].tolist() == [10, 12]


def test_time_windows_are_spread_over_the_hours_they_cover():
    inc = small(
        ["2024-01-05 22:00", "2024-01-01 10:15", None, "2024-01-07 23:30"],
        kind=["a", "a", "a", "b"],
    )
    inc["time_start"] = inc["time"]
    inc["time_end"] = pd.to_datetime(["2024-01-06 02:00", None, None, "2024-01-08 00:30"])
    prof = temporal_profile(inc, groups="kind")
    a = prof[prof["group"] == "a"].set_index(["weekday", "hour"])["count"]
    friday_night = [(4, 22), (4, 23), (5, 0), (5, 1)]
    assert a[friday_night].tolist() == [0.25] * 4 and a[(0, 10)] == 1.0
    assert a.sum() == 2.0
    b = prof[prof["group"] == "b"].set_index(["weekday", "hour"])["count"]
    assert b[(6, 23)] == b[(0, 0)] == 0.5  # across the week's end
    assert prof.attrs["hotspot"]["temporal_profile"]["aoristic"] is True
    assert prof.attrs["hotspot"]["counts"]["no_time"] == 1
    with pytest.raises(HotspotInputError, match="repeated index labels"):
        temporal_profile(inc.set_axis([0, 0, 1, 2]))


def test_groups_from_a_boolean_series(toronto):
    night = (toronto["time"].dt.hour < 6) | (toronto["time"].dt.hour >= 22)
    prof = temporal_profile(toronto, ("hour",), groups=night)
    assert prof["group"].unique().tolist() == [False, True]
    day = prof[prof["group"] == False]  # noqa: E712
    assert day.loc[day["hour"].isin([0, 1, 2, 3, 4, 5, 22, 23]), "count"].sum() == 0
    assert prof["count"].sum() == len(toronto)


def test_occurrences_correct_for_a_period_that_is_not_whole_weeks():
    # 2024-01-01 is a Monday; ten days hold two Mondays, Tuesdays and Wednesdays.
    inc = small(["2024-01-01 09:00", "2024-01-08 09:00", "2024-01-10 09:00"])
    prof = temporal_profile(inc, ("weekday",), normalise="occurrences")
    assert prof["occurrences"].tolist() == [2, 2, 2, 1, 1, 1, 1]
    assert prof["rate"].tolist() == [1.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0]


def test_peaks_are_the_brute_force_best_window_wrapping_the_week():
    # Sunday 22:00 to Monday 01:59: the window wraps from the end of the week to its start.
    times = [
        "2024-01-07 22:10",
        "2024-01-07 23:10",
        "2024-01-08 00:10",
        "2024-01-08 01:10",
        "2024-01-10 12:00",
        "2024-01-11 12:00",
    ]
    prof = temporal_profile(small(times))
    peaks = profile_peaks(prof)
    share = prof["share"].to_numpy()
    brute = [sum(share[(s + k) % 168] for k in range(PEAK_HOURS)) for s in range(168)]
    assert peaks["start"].iloc[0] == int(np.argmax(brute)) == 6 * 24 + 22
    assert peaks["label"].iloc[0] == "Sun 22:00–02:00"
    assert peaks["share"].iloc[0] == pytest.approx(4 / 6)


def planted_city() -> gpd.GeoDataFrame:
    """A simulated city whose persistent hot spot happens on Friday nights 22:00–02:00."""
    inc, _ = hs.simulate.simulate_incidents(
        n_background=3000,
        hotspots=[
            {
                "x": 5000,
                "y": 5000,
                "radius": 150,
                "profile": "persistent",
                "rate": 20,
                "category": "burglary",
            }
        ],
        study_area=shapely.box(0, 0, 10000, 10000),
        periods=52,
        rng=3,
    )
    rng = np.random.default_rng(4)
    hot = (inc["category"] == "burglary").to_numpy()
    friday = inc["time"].dt.normalize() - pd.to_timedelta(inc["time"].dt.day_of_week - 4, unit="D")
    minutes = pd.to_timedelta(22 * 60 + rng.integers(0, 240, len(inc)), unit="min")
    inc.loc[hot, "time"] = (friday + minutes)[hot]
    return inc


def test_hotspot_profiles_find_the_planted_friday_night_and_conserve_counts():
    inc = planted_city()
    cells = hs.count_incidents(inc, hs.square_grid(inc, 250, quiet=True), quiet=True)
    hot = hs.gistar(cells)
    table = hotspot_profiles(inc, hot, top=3)
    groups = table["group"].unique().tolist()
    assert groups[-1] == "rest of the area" and groups[0] == "hot spot 1"
    counts = table.attrs["hotspot"]["counts"]
    totals = table.groupby("group", sort=False)["count"].sum()
    assert totals.sum() == counts["used"]
    assert counts["used"] + counts["no_time"] + counts["outside_cells"] == len(inc)
    # each hot spot's count is the incidents assign_cells puts in its cell
    ids = hs.assign_cells(inc, hot)
    for name, cell in table.groupby("group", sort=False)["cell"].first().dropna().items():
        assert totals[name] == int((ids == cell).sum())
    z_order = hot.loc[table["cell"].dropna().unique(), "gistar_z"].to_numpy()
    assert (np.diff(z_order) <= 0).all() or (
        hot.loc[table["cell"].dropna().unique(), "gistar_bin"] == 3
    ).all()
    summary = table.attrs["hotspot"]["hotspot_profiles"]["summary"]
    assert summary[0].startswith("hot spot 1 (") and "peaks Fri 22:00–02:00" in summary[0]
    assert all(f"hot spot {k}" in summary[k - 1] for k in (1, 2, 3))
    # the rest: its share of Friday 22:00 to Saturday 02:00, counted from the times themselves
    rest = ids.notna() & ~ids.isin(table["cell"].dropna().unique())
    how = inc.loc[rest.to_numpy(), "time"]
    hour_of_week = how.dt.day_of_week * 24 + how.dt.hour
    in_window = hour_of_week.isin([4 * 24 + 22, 4 * 24 + 23, 5 * 24, 5 * 24 + 1]).mean()
    peaks = profile_peaks(table).set_index("group")
    assert peaks.loc["rest of the area", "share"] == pytest.approx(in_window)
    assert peaks.loc["hot spot 1", "share"] > 0.95 > 0.5 > in_window
    assert len(table) == 168 * len(groups)


def test_trend_bins_span_the_data_and_flag_partial_ends():
    inc = small(
        ["2024-01-15 10:00", "2024-02-01 00:00", "2024-03-31 23:00", "2024-05-10 08:00", None]
    )
    t = temporal_trend(inc, "MS")
    assert t["start"].tolist() == list(pd.date_range("2024-01-01", "2024-05-01", freq="MS"))
    assert t["end"].iloc[-1] == pd.Timestamp("2024-06-01")
    assert t["count"].tolist() == [1, 1, 1, 0, 1]
    assert t["partial"].tolist() == [True, False, False, False, True]
    assert t.attrs["hotspot"]["counts"] == {"incidents": 5, "counted": 4, "no_time": 1}
    whole = temporal_trend(small(["2024-01-01 00:00", "2024-02-29 23:59"]), "MS")
    assert whole["partial"].tolist() == [False, False]


def test_trend_partial_flags_match_the_cube(toronto):
    year = toronto[toronto["time"] >= "2021-03-03"]
    t = temporal_trend(year, "W")
    cube = hs.space_time_cube(year, hs.square_grid(year, 5000, quiet=True), "W", quiet=True)
    assert t["start"].tolist() == cube.bins.tolist()
    np.testing.assert_array_equal(t["partial"].to_numpy(), cube.partial_bins)
    np.testing.assert_array_equal(t["count"].to_numpy(), cube.counts.sum(axis=1))
    assert t["partial"].tolist()[0] is True and t["count"].sum() == len(year)


def test_input_is_unchanged(toronto):
    before = toronto.copy()
    attrs = repr(toronto.attrs)
    temporal_profile(toronto, groups="category", weights=np.ones(len(toronto)))
    temporal_trend(toronto, "YS")
    pd.testing.assert_frame_equal(toronto, before)
    assert repr(toronto.attrs) == attrs


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": ("hour", "weekday")}, "temporal_profile: by=\\('hour', 'weekday'\\) is not one"),
        ({"by": "minute"}, "by=\\('minute',\\) is not one of"),
        ({"groups": "nope"}, "temporal_profile: the incidents has no 'nope' column"),
        ({"groups": pd.Series([1, 2], index=[5, 6])}, "groups= is a Series of 2 values"),
        ({"groups": 3}, "groups=int is not a column name"),
        ({"weights": [1.0]}, "weights= has shape \\(1,\\)"),
        ({"normalise": "yes"}, "normalise='yes' is not one of"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    inc = small(["2024-01-01 10:00", "2024-01-02 11:00"])
    with pytest.raises(HotspotInputError, match=match):
        temporal_profile(inc, **kwargs)


def test_bad_inputs_raise():
    inc = small(["2024-01-01 10:00", "2024-01-02 11:00"])
    with pytest.raises(HotspotInputError, match="weights='w' has 1 negative"):
        temporal_profile(inc.assign(w=[1.0, -1.0]), weights="w")
    with pytest.raises(HotspotInputError, match="no datetime 'time' column"):
        temporal_profile(inc.drop(columns="time"))
    monthly = inc.copy()
    monthly.attrs = {"hotspot": {"time_resolution": "month"}}
    with pytest.raises(HotspotInputError, match="dated by month only"):
        temporal_profile(monthly)
    assert temporal_profile(monthly, "month")["count"].sum() == 2
    with pytest.raises(HotspotInputError, match="^temporal_trend: freq='fortnight'"):
        temporal_trend(inc, "fortnight")
    with pytest.raises(HotspotInputError, match="hotspot_profiles: top=0"):
        hotspot_profiles(inc, gpd.GeoDataFrame(), top=0)


def test_drawings_follow_the_analysts_layout(toronto, tmp_path):
    from hotspot.maps.profile_plot import profile_grid, profile_plot

    recent = toronto[toronto["time"] >= "2021-01-01"]
    prof = temporal_profile(recent, groups="category")
    one = prof[prof["group"] == "Robbery"]
    ax = profile_plot(one)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["00", "01"]
    image = ax.images[0].get_array()
    np.testing.assert_allclose(image, one["share"].to_numpy().reshape(7, 24) * 100)
    subtitle = " ".join(t.get_text() for t in ax.texts)
    assert f"{int(one['count'].sum()):,} incidents" in subtitle and "2021-01-01 to" in subtitle
    assert len(ax.patches) == PEAK_HOURS  # the peak window outlined
    ax.figure.savefig(tmp_path / "heat.png")
    with pytest.raises(HotspotInputError, match="holds 5 groups"):
        profile_plot(prof)
    bars = profile_plot(temporal_profile(recent, "month"))
    assert len(bars.patches) == 12
    t = temporal_trend(recent, "MS")
    line = profile_plot(t)
    assert [x.get_text() for x in line.get_legend().get_texts()] == ["whole months"]
    cut = temporal_trend(toronto[toronto["time"] >= "2021-03-10"], "MS")
    legend = [x.get_text() for x in profile_plot(cut).get_legend().get_texts()]
    assert legend[1].startswith("partial months (1)")
    fig = profile_grid(prof)
    assert sum(a.get_label() != "<colorbar>" for a in fig.axes) == 5
    with pytest.raises(HotspotInputError, match="small multiples"):
        profile_grid(temporal_profile(recent, "hour"))
    with pytest.raises(HotspotInputError, match="profile_plot: profile= was made by None"):
        profile_plot(pd.DataFrame({"share": [1.0]}))

"""The ranked hot spot table: planted hot spots first, places from the data, honest rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.report.ranking import COLUMNS

PLANTED = [  # strongest first, each at a 250 m cell centre: the table must list them in order
    {"x": 432125, "y": 432125, "radius": 60, "profile": "persistent", "rate": 9},
    {"x": 437625, "y": 435625, "radius": 60, "profile": "persistent", "rate": 6},
    {"x": 434125, "y": 436625, "radius": 60, "profile": "persistent", "rate": 4},
    {"x": 438625, "y": 431125, "radius": 60, "profile": "persistent", "rate": 2.5},
]


@pytest.fixture(scope="module")
def planted_city():
    inc, truth = hs.datasets.simulate_incidents(
        n_background=6000, hotspots=PLANTED, periods=52, freq="W", rng=11
    )
    cells = hs.count_incidents(inc, hs.square_grid(inc, 250, quiet=True), quiet=True)
    hot = hs.gistar(cells, weights="auto", permutations=199, rng=0, quiet=True)
    return inc, hot


def test_planted_hot_spots_come_first_in_order(planted_city):
    _, hot = planted_city
    table = hs.hotspot_table(hot, n=len(PLANTED))
    centres = hot.loc[table["cell_id"]].geometry.centroid
    for rank, (planted, centre) in enumerate(zip(PLANTED, centres, strict=True), start=1):
        distance = centre.distance(shapely.Point(planted["x"], planted["y"]))
        assert distance < 250, f"rank {rank} is {distance:.0f} m from planted hot spot {rank}"
    assert table["confidence"].tolist() == ["99 %"] * len(PLANTED)
    assert table["rank"].tolist() == [1, 2, 3, 4]


def test_columns_counts_and_rates(planted_city):
    _, hot = planted_city
    table = hs.hotspot_table(hot, n=30)
    assert list(table.columns) == [c for c in COLUMNS if c in table.columns]
    assert {"rank", "cell_id", "lon", "lat", "incidents", "share", "confidence"} <= set(table)
    counts = hot.loc[table["cell_id"], "count"].to_numpy()
    assert (table["incidents"].to_numpy() == counts).all()
    assert np.allclose(table["share"], counts / hot["count"].sum())
    days = hot.attrs["hotspot"]["period"]["days"]
    assert np.allclose(table["incidents_per_year"], counts * 365.25 / days)
    # hot spots first, then the busiest of the rest; within each, most incidents first
    hot_first = table["confidence"].str.endswith("%") & ~table["confidence"].str.startswith("cold")
    assert (np.diff(hot_first.to_numpy().astype(int)) <= 0).all()  # no hot row after a non-hot
    for flag in (True, False):
        part = table.loc[hot_first == flag, "incidents"].to_numpy()
        assert (np.diff(part) <= 0).all()
    # the centre is in the cell, in WGS 84
    lonlat = hot.loc[table["cell_id"]].to_crs(4326).geometry.array
    assert shapely.contains(lonlat, shapely.points(table["lon"], table["lat"])).all()
    assert table.attrs["hotspot"]["period"] == hot.attrs["hotspot"]["period"]


def test_ties_are_broken_the_same_way_every_time(planted_city):
    _, hot = planted_city
    shuffled = hot.sample(frac=1, random_state=3)
    shuffled.attrs = hot.attrs
    a, b = hs.hotspot_table(hot, n=200), hs.hotspot_table(shuffled, n=200)
    pd.testing.assert_frame_equal(a, b)
    tied = a[a.duplicated(["confidence", "incidents"], keep=False)]
    assert len(tied) > 10  # there are ties to break: the smaller cell id first
    for _, group in tied.groupby(["confidence", "incidents"]):
        assert group["cell_id"].is_monotonic_increasing


def test_places_come_from_the_incidents(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    hot = hs.gistar(cells, permutations=99, rng=0, quiet=True)
    table = hs.hotspot_table(hot, n=10, incidents=west_yorkshire)
    ids = hs.assign_cells(west_yorkshire, cells)
    for _, row in table.iterrows():
        mine = west_yorkshire[ids.eq(row["cell_id"]).fillna(False).to_numpy(dtype=bool)]
        district = mine["LSOA name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
        assert row["area"] == district.value_counts().index[0]
        assert row["location"] == mine["Location"].value_counts().index[0]
        assert row["incidents"] == len(mine)
    assert set(table["area"]) <= {"Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"}


def test_trend_from_emerging(toronto):
    inc = toronto[(toronto["time"] >= "2019-01-01") & (toronto["time"] < "2022-01-01")]
    cells = hs.count_incidents(inc, hs.square_grid(inc, 1000, quiet=True), quiet=True)
    cube = hs.space_time_cube(inc, cells, "MS", quiet=True)
    emerging = hs.emerging_hotspots(cube, quiet=True)
    hot = hs.gistar(cells, permutations=0, quiet=True)
    table = hs.hotspot_table(hot, n=15, emerging=emerging)
    found = emerging.loc[table["cell_id"]]
    assert table["emerging_category"].tolist() == found["emerging_category"].tolist()
    rising = (found["emerging_trend_p"] < 0.05) & (found["emerging_trend_tau"] > 0)
    falling = (found["emerging_trend_p"] < 0.05) & (found["emerging_trend_tau"] < 0)
    expected = np.where(rising, "rising", np.where(falling, "falling", "no trend"))
    assert table["trend"].tolist() == expected.tolist()


def test_bad_input_says_what_to_do(planted_city):
    _, hot = planted_city
    with pytest.raises(hs.HotspotInputError, match="count"):
        hs.hotspot_table(hot.drop(columns="count"))
    with pytest.raises(hs.HotspotInputError, match="positive whole number"):
        hs.hotspot_table(hot, n=0)
    plain = hot.drop(columns=[c for c in hot.columns if c.startswith("gistar")])
    table = hs.hotspot_table(plain, n=5)  # counts only: ranked by incidents
    assert "confidence" not in table
    assert table["incidents"].tolist() == sorted(plain["count"], reverse=True)[:5]
    assert isinstance(table, pd.DataFrame)


def test_the_table_is_stamped_and_the_input_left_as_it_was(planted_city):
    _, hot = planted_city
    before = (hot.copy(), repr(hot.attrs))
    table = hs.hotspot_table(hot, n=5)
    meta = table.attrs["hotspot"]
    assert meta["kind"] == "cells" and meta["method"] == "hotspot_table"
    assert meta["hotspot_table"]["n"] == 5 and meta["rng_seed"] is None
    assert meta["period"] == hot.attrs["hotspot"]["period"]
    assert meta["ranked_by"] == meta["hotspot_table"]["ranked_by"]  # read by the report page
    pd.testing.assert_frame_equal(hot, before[0])
    assert repr(hot.attrs) == before[1]


def test_parameters_are_checked_by_name(planted_city):
    _, hot = planted_city
    with pytest.raises(hs.HotspotInputError, match="hotspot_table: n=2.5"):
        hs.hotspot_table(hot, n=2.5)
    with pytest.raises(hs.HotspotInputError, match="hotspot_table: result= is a DataFrame"):
        hs.hotspot_table(pd.DataFrame(hot))
    with pytest.raises(hs.HotspotInputError, match="hotspot_table: emerging= has no"):
        hs.hotspot_table(hot, emerging=hot)

"""Every output states the period its numbers cover: the stamp, and every map's footer."""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot._period import period_of, period_of_bins
from hotspot.maps.export import result_facts


def test_months_with_gaps_are_listed_as_months():
    t = pd.to_datetime(["2016-07-01", "2017-07-01", "2018-07-01", "2018-07-01"])
    p = period_of(t, "month")
    assert p["label"] == "Jul 2016, Jul 2017, Jul 2018"
    assert (p["start"], p["end"], p["days"]) == ("2016-07-01", "2018-07-31", 93)
    runs = pd.to_datetime(["2019-01-01", "2019-02-01", "2019-03-01", "2019-11-01", "2020-01-01"])
    assert period_of(runs, "month")["label"] == "Jan–Mar 2019, Nov 2019, Jan 2020"
    across = pd.to_datetime(["2019-12-01", "2020-01-01"])
    assert period_of(across, "month")["label"] == "Dec 2019–Jan 2020"


def test_days_and_bins():
    p = period_of(pd.Series(pd.to_datetime(["2017-01-01 00:05", "2017-12-31 23:50", None])))
    assert p == {
        "start": "2017-01-01",
        "end": "2017-12-31",
        "label": "2017-01-01 to 2017-12-31",
        "days": 365,
    }
    assert period_of(pd.Series([], dtype="datetime64[ns]")) is None
    b = period_of_bins(pd.Timestamp("2017-01-02"), pd.Timestamp("2018-01-01"), "week", 52)
    assert b["label"] == "2017-01-02 to 2017-12-31 (52 weeks)" and b["days"] == 364


@pytest.fixture(scope="module")
def results(toronto, west_yorkshire):
    """One result of every kind a map draws, each made from a window of the data."""
    year = toronto[(toronto["time"] >= "2020-03-01") & (toronto["time"] < "2021-03-01")]
    cells = hs.count_incidents(year, hs.square_grid(year, 1000, quiet=True), quiet=True)
    cube = hs.space_time_cube(year, cells, "W", quiet=True)
    burglary = year[year["category"] == "Break and Enter"].iloc[:3000]
    clustered = hs.cluster_incidents(year.iloc[:20000], "hdbscan", min_cluster_size=50, quiet=True)
    wy_cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 3000, quiet=True), quiet=True
    )
    return {
        "counts": (cells, year),
        "gistar": (hs.gistar(cells, permutations=0, quiet=True), year),
        "lisa": (hs.lisa(cells, permutations=99, rng=0, quiet=True), year),
        "emerging": (hs.emerging_hotspots(cube, quiet=True), None),
        "timeline": (cube, None),
        "density": (hs.kde(year, quiet=True), year),
        "clusters": (hs.cluster_summary(clustered), year.iloc[:20000]),
        "chains": (hs.near_repeat_chains(burglary, distance=200, days=7), burglary),
        "months": (hs.gistar(wy_cells, permutations=0, quiet=True), west_yorkshire),
    }


def _expected(kind, result, incidents):
    if kind == "emerging":  # the analysed bins: the cube's whole bins
        meta = result.attrs["hotspot"]["emerging"]
        first = pd.Timestamp(meta["bins"][0])
        n = meta["bins"][2]
        return period_of_bins(first, first + pd.Timedelta(weeks=n), "week", n)["label"]
    if kind == "timeline":
        return period_of_bins(result.bins[0], result.bin_edges[-1], "week", len(result.bins))[
            "label"
        ]
    resolution = "month" if kind == "months" else "hour"
    return period_of(incidents["time"], resolution)["label"]


KINDS = [
    "counts",
    "gistar",
    "lisa",
    "emerging",
    "timeline",
    "density",
    "clusters",
    "chains",
    "months",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_footer_states_the_analysed_period(results, kind, tmp_path):
    result, incidents = results[kind]
    expected = _expected(kind, result, incidents)
    assert result_facts(result)["Period"] == expected
    page = hs.maps.export_map(result, tmp_path / f"{kind}.html", offline=True).read_text()
    footer = re.search(r"class='hotspot-footer'[^>]*>(.*?)</div>", page, re.S)
    assert footer is not None
    assert f"<b>Period</b>: {html.escape(expected)}" in footer.group(1)
    from hotspot.maps.png import _footer_lines

    assert f"Period: {expected}" in " ".join(_footer_lines(result, False, 10_000))


def test_emerging_period_leaves_out_partial_bins(results):
    result, _ = results["emerging"]
    cube, _ = results["timeline"]
    dropped = result.attrs["hotspot"]["emerging"]["partial_bins_left_out"]
    assert dropped == [f"{b:%Y-%m-%d}" for b in cube.bins[cube.partial_bins]]
    assert result.attrs["hotspot"]["period"]["start"] > f"{cube.bins[0]:%Y-%m-%d}"
    assert np.isin(dropped, [f"{b:%Y-%m-%d}" for b in (cube.bins[0], cube.bins[-1])]).all()

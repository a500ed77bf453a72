"""The space-time cube: conservation, bins, month-resolution refusal, netCDF round trip."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspot as hs

CRS = "EPSG:27700"
AREA = gpd.GeoSeries([shapely.box(1000, 1000, 2000, 2000)], crs=CRS)


def incidents(x, y, times):
    frame = gpd.GeoDataFrame(
        {"time": pd.to_datetime(times)}, geometry=gpd.points_from_xy(x, y), crs=CRS
    )
    return hs.read_incidents(frame, quiet=True)


@settings(max_examples=30, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.floats(900, 2100, allow_nan=False),
            st.floats(900, 2100, allow_nan=False),
            st.integers(0, 365 * 24),
        ),
        min_size=1,
        max_size=80,
    ),
    freq=st.sampled_from(["D", "W", "2W", "MS", "W-SAT"]),
    window=st.tuples(st.integers(0, 200), st.integers(0, 200)),
)
def test_cube_conserves_every_incident(data, freq, window):
    x, y, hours = (np.array(v) for v in zip(*data, strict=True))
    times = pd.Timestamp("2023-01-01") + pd.to_timedelta(hours, unit="h")
    inc = incidents(x, y, times)
    cells = hs.square_grid(AREA, 250)
    start = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(min(window)))
    end = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(max(window)) + 120)
    cube = hs.space_time_cube(inc, cells, freq, start=start, end=end, quiet=True)
    acc = cube.attrs["counts"]
    assert acc["incidents"] == len(inc)
    assert acc["counted"] + acc["outside_cells"] + acc["outside_bins"] + acc["missing_time"] == len(
        inc
    )
    assert cube.total() == acc["counted"]
    # independent recount: incidents inside the cells and inside [first bin, end of last bin)
    edges = cube.bin_edges
    in_cells = hs.assign_cells(inc, cells).notna().to_numpy()
    in_bins = ((inc["time"] >= edges[0]) & (inc["time"] < edges[-1])).to_numpy()
    assert cube.total() == int((in_cells & in_bins).sum())
    assert cube.counts.dtype == np.int64 and cube.counts.min() >= 0


def test_cube_matches_counts_and_bins_on_toronto(toronto):
    cells = hs.square_grid(toronto, 1000, quiet=True)
    cube = hs.space_time_cube(toronto, cells, "W", start="2019-01-01", end="2019-12-31", quiet=True)
    assert cube.shape == (53, len(cells))
    assert (cube.bins.day_of_week == 0).all()  # Monday-to-Sunday weeks
    assert cube.bins[0] == pd.Timestamp("2018-12-31")
    assert (np.diff(cube.bin_edges.asi8) == 7 * 24 * 3600 * 10**6).all()
    # each weekly slice equals count_incidents on that week's incidents
    week = toronto[(toronto["time"] >= "2019-03-04") & (toronto["time"] < "2019-03-11")]
    k = cube.bins.get_loc(pd.Timestamp("2019-03-04"))
    expected = hs.count_incidents(week, cells, quiet=True)["count"].to_numpy()
    assert (cube.counts[k] == expected).all()
    weekly = (
        toronto.set_index("time")
        .sort_index()
        .loc["2018-12-31":"2020-01-05"]
        .resample("W-SUN")
        .size()
    )
    assert (cube.bin_totals().to_numpy() == weekly.to_numpy()).all()


def test_monthly_cube_of_police_uk_data(west_yorkshire):
    cells = hs.hex_grid(west_yorkshire, 2000, study_area="convex", quiet=True)  # every incident
    cube = hs.space_time_cube(west_yorkshire, cells, "MS", quiet=True)
    assert cube.shape[0] == 25
    totals = cube.bin_totals()
    assert totals[totals > 0].to_dict() == {
        pd.Timestamp("2016-07-01"): 25_829,
        pd.Timestamp("2017-07-01"): 26_996,
        pd.Timestamp("2018-07-01"): 30_752,
    }
    assert cube.attrs["period"]["label"] == "2016-07-01 to 2018-07-31 (25 months)"
    # the default grid leaves the 11 far-away incidents out, and the cube says so
    default = hs.space_time_cube(
        west_yorkshire, hs.hex_grid(west_yorkshire, 2000, quiet=True), "MS", quiet=True
    )
    assert default.attrs["counts"]["outside_cells"] == 11
    assert default.total() + 11 == cube.total() == len(west_yorkshire)


@pytest.mark.parametrize("freq", ["W", "D", "h", "2W"])
def test_month_resolution_refuses_finer_bins(west_yorkshire, freq):
    cells = hs.square_grid(west_yorkshire, 5000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"dated by month only.*use freq='MS'"):
        hs.space_time_cube(west_yorkshire, cells, freq)


@pytest.mark.parametrize("freq", ["5min", "B", "W-XYZ", "", "MS-JAN"])
def test_unsupported_freq(toronto, freq):
    cells = hs.square_grid(toronto, 5000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="freq="):
        hs.space_time_cube(toronto, cells, freq)


def test_cube_needs_times():
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1010.0], [1010.0]), crs=CRS)
    with pytest.raises(hs.HotspotInputError, match="no datetime 'time' column"):
        hs.space_time_cube(frame, hs.square_grid(AREA, 250), "W")


def test_left_out_incidents_announced(toronto, capsys):
    cells = hs.square_grid(toronto, 2000, quiet=True)
    cube = hs.space_time_cube(toronto, cells, "MS", start="2014-01", end="2021-12")
    assert cube.attrs["counts"]["outside_bins"] == 1_057
    assert "1,057 of 240,992 incidents are not in the cube" in capsys.readouterr().err


def test_netcdf_round_trip(tmp_path, toronto):
    cells = hs.hex_grid(toronto, 1500, quiet=True)
    cube = hs.space_time_cube(toronto, cells, "MS", start="2020-01", end="2021-12", quiet=True)
    path = tmp_path / "cube.nc"
    cube.to_netcdf(path)
    back = hs.read_cube(path)
    assert back.freq == "MS"
    assert back.bins.equals(cube.bins)
    np.testing.assert_array_equal(back.counts, cube.counts)
    assert back.cells.crs.equals(cube.cells.crs)
    assert back.cells.index.equals(cube.cells.index)
    assert back.cells.geometry.geom_equals_exact(cube.cells.geometry, tolerance=1e-6).all()
    assert (back.cells["hex_q"] == cube.cells["hex_q"]).all()
    # the file is plain netCDF: xarray reads the counts without hotspot
    import xarray as xr

    with xr.open_dataset(path, engine="h5netcdf") as ds:
        assert ds["count"].dims == ("time", "cell_id")
        assert int(ds["count"].sum()) == cube.total()


def test_netcdf_round_trip_with_string_cell_ids(tmp_path):
    beats = gpd.GeoDataFrame(
        {"name": ["North", "South"]},
        geometry=[shapely.box(1000, 1500, 2000, 2000), shapely.box(1000, 1000, 2000, 1500)],
        crs=CRS,
        index=pd.Index(["N1", "S1"], name="beat"),
    )
    inc = incidents(
        [1100, 1100, 1900], [1900, 1100, 1100], ["2024-01-01", "2024-01-09", "2024-01-10"]
    )
    cube = hs.space_time_cube(inc, beats, "W", quiet=True)
    cube.to_netcdf(tmp_path / "beats.nc")
    back = hs.read_cube(tmp_path / "beats.nc")
    assert list(back.cells.index) == ["N1", "S1"]
    assert list(back.cells["name"]) == ["North", "South"]
    np.testing.assert_array_equal(back.counts, [[1, 0], [0, 2]])


def test_cube_is_stamped_and_the_stamp_survives_netcdf(tmp_path, west_yorkshire):
    from hotspot._result import method_of

    cells = hs.hex_grid(west_yorkshire, 5000, quiet=True)
    cells_attrs = repr(cells.attrs)
    cube = hs.space_time_cube(
        west_yorkshire, cells, "MS", start="2016-01", end="2018-12", quiet=True
    )
    assert (cube.attrs["kind"], cube.attrs["method"]) == ("cube", "space_time_cube")
    assert method_of(cube) == cube.method == "space_time_cube"
    assert cube.attrs["rng_seed"] is None
    assert cube.attrs["space_time_cube"]["freq"] == "MS"
    assert cube.params["period"] == cube.attrs["period"]
    assert cube.params["method"] == "space_time_cube" and cube.params["n_bins"] == 36
    assert cube.attrs["padding"] == {"before": 6, "after": 5}
    assert repr(cells.attrs) == cells_attrs  # the cells are not touched
    cube.to_netcdf(tmp_path / "cube.nc")
    back = hs.read_cube(tmp_path / "cube.nc")
    for key in ("kind", "method", "space_time_cube", "period", "coverage", "padding"):
        assert back.attrs[key] == cube.attrs[key], key
    assert method_of(back) == "space_time_cube"


def test_cube_parameters_are_checked_with_one_error_type(toronto):
    cells = hs.square_grid(toronto, 5000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="space_time_cube: freq=7 is not a frequency"):
        hs.space_time_cube(toronto, cells, 7)
    with pytest.raises(hs.HotspotInputError, match="space_time_cube: start='the 1st' is not a"):
        hs.space_time_cube(toronto, cells, "MS", start="the 1st")
    with pytest.raises(hs.HotspotInputError, match="space_time_cube: end='2019-01' is before"):
        hs.space_time_cube(toronto, cells, "MS", start="2020-01", end="2019-01")


# --- time windows (aoristic spreading) and incident weights ---------------------------------


def windowed(n=60, seed=0, max_hours=24 * 9, exact_share=0.3, harm=True):
    """Random incidents over 2023 with windows to the minute (some exact), inside AREA but a
    few outside it, and a harm weight."""
    gen = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(
        gen.integers(0, 200 * 24 * 60, n), unit="min"
    )
    length = pd.to_timedelta(gen.integers(1, max_hours * 60, n), unit="min")
    end = pd.Series(start + length)
    end[gen.random(n) < exact_share] = pd.NaT
    frame = gpd.GeoDataFrame(
        {
            "time": start,
            "time_start": start,
            "time_end": end.to_numpy(),
            "harm": gen.choice([0.0, 1.0, 2.5, 10.0], n),
        },
        geometry=gpd.points_from_xy(gen.uniform(950, 2050, n), gen.uniform(950, 2050, n)),
        crs=CRS,
    )
    if not harm:
        frame = frame.drop(columns="harm")
    return frame


def minute_by_minute(inc, cube):
    """Brute force: each incident's window cut into minutes, each minute 1/len of the incident,
    binned by the cube's own edges; exact times whole in their bin. (n_bins, n_cells)."""
    cells = hs.assign_cells(inc, cube.cells)
    col = {c: j for j, c in enumerate(cube.cells.index)}
    edges = cube.bin_edges
    out = np.zeros(cube.shape)
    outside = 0.0
    for label, row in inc.iterrows():
        if pd.isna(cells[label]):
            continue
        if pd.isna(row["time_end"]) or row["time_end"] <= row["time_start"]:
            minutes = pd.DatetimeIndex([row["time_start"]])
        else:
            minutes = pd.date_range(
                row["time_start"], row["time_end"], freq="min", inclusive="left"
            )
        k = edges.searchsorted(minutes, side="right") - 1
        inside = (k >= 0) & (k < cube.shape[0])
        np.add.at(out, (k[inside], col[cells[label]]), 1.0 / len(minutes))
        outside += (~inside).sum() / len(minutes)
    return out, outside


@pytest.mark.parametrize("freq", ["W", "MS", "D", "2W"])
def test_aoristic_cube_matches_minute_by_minute_and_conserves(freq):
    inc = windowed(seed=3)
    cells = hs.square_grid(AREA, 250)
    last = inc["time"].idxmax()  # found 60 days on: most of its window is beyond the last bin
    inc.loc[last, "geometry"] = shapely.Point(1500, 1500)
    inc.loc[last, "time_end"] = inc.loc[last, "time"] + pd.Timedelta(days=60)
    cube = hs.space_time_cube(inc, cells, freq, aoristic=True, quiet=True)
    assert cube.counts.dtype == np.float64
    expected, outside = minute_by_minute(inc, cube)
    np.testing.assert_allclose(cube.counts, expected, atol=1e-9)
    acc = cube.attrs["counts"]
    in_area = hs.assign_cells(inc, cells).notna()
    assert acc["outside_cells"] == int((~in_area).sum()) > 0
    assert acc["outside_bins"] == pytest.approx(outside)
    assert acc["outside_bins"] > 0  # windows run past the last bin (it follows the starts)
    assert acc["windows"] == int(inc["time_end"].notna().sum())
    # conserved: every incident is in the cube, outside the cells, beyond the bins or timeless
    parts = cube.total() + acc["outside_cells"] + acc["outside_bins"] + acc["missing_time"]
    assert parts == pytest.approx(len(inc)) and acc["incidents"] == len(inc)
    assert acc["counted"] == pytest.approx(cube.total())


@pytest.mark.parametrize("freq", ["W", "MS", "D"])
def test_aoristic_cube_equals_aoristic_weights_grouped_by_bin_and_cell(freq):
    from hotspot.temporal.aoristic import aoristic_weights

    inc = windowed(n=200, seed=5, max_hours=24 * 40)
    cells = hs.square_grid(AREA, 500)
    cube = hs.space_time_cube(
        inc, cells, freq, start="2023-02-01", end="2023-05-31", aoristic=True, quiet=True
    )
    w = aoristic_weights(inc, unit=freq)
    w["cell"] = hs.assign_cells(inc, cells).reindex(w["incident"]).to_numpy()
    inside = w["cell"].notna() & w["unit"].isin(cube.bins)
    grouped = w[inside].groupby(["unit", "cell"])["weight"].sum()
    expected = grouped.unstack(fill_value=0.0).reindex(
        index=cube.bins, columns=cells.index, fill_value=0.0
    )
    np.testing.assert_allclose(cube.counts, expected.to_numpy(), atol=1e-9)
    acc = cube.attrs["counts"]
    assert acc["outside_bins"] == pytest.approx(w.loc[w["cell"].notna() & ~inside, "weight"].sum())
    total = cube.total() + acc["outside_cells"] + acc["outside_bins"] + acc["missing_time"]
    assert total == pytest.approx(len(inc))


def test_exact_times_give_the_same_cube_with_or_without_aoristic():
    inc = windowed(seed=8, exact_share=1.0)  # window columns, but every end missing
    inc.loc[inc.index[:5], "time_end"] = inc["time_start"].iloc[:5].to_numpy()  # zero-length
    inc.loc[inc.index[5], ["time", "time_start"]] = pd.NaT  # one without a time
    cells = hs.square_grid(AREA, 250)
    plain = hs.space_time_cube(inc, cells, "W", quiet=True)
    spread = hs.space_time_cube(inc, cells, "W", aoristic=True, quiet=True)
    np.testing.assert_array_equal(spread.counts, plain.counts)
    assert spread.bins.equals(plain.bins)
    np.testing.assert_array_equal(spread.partial_bins, plain.partial_bins)
    for key in ("incidents", "counted", "outside_cells", "outside_bins", "missing_time"):
        assert spread.attrs["counts"][key] == plain.attrs["counts"][key], key
    assert spread.attrs["counts"]["missing_time"] + spread.attrs["counts"]["outside_cells"] >= 1
    assert spread.attrs["counts"]["windows"] == 0


def test_aoristic_without_window_columns_is_an_error(toronto):
    cells = hs.square_grid(toronto, 5000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"space_time_cube: aoristic=True.*'time_end'"):
        hs.space_time_cube(toronto, cells, "MS", aoristic=True)
    with pytest.raises(hs.HotspotInputError, match="aoristic='yes' is not one of True, False"):
        hs.space_time_cube(windowed(), hs.square_grid(AREA, 250), "W", aoristic="yes")


@pytest.mark.parametrize("aoristic", [False, True])
def test_weighted_cube_sums_the_weights_and_keeps_the_counts(aoristic):
    from hotspot.temporal.aoristic import aoristic_weights

    inc = windowed(n=150, seed=11)
    cells = hs.square_grid(AREA, 250)
    kw = {"start": "2023-01-15", "end": "2023-06-15", "quiet": True, "aoristic": aoristic}
    plain = hs.space_time_cube(inc, cells, "W", **kw)
    cube = hs.space_time_cube(inc, cells, "W", incident_weights="harm", **kw)
    by_array = hs.space_time_cube(inc, cells, "W", incident_weights=inc["harm"].to_numpy(), **kw)
    np.testing.assert_array_equal(by_array.counts, cube.counts)
    # independent: a pandas groupby of the weights by (bin, cell)
    frame = pd.DataFrame({"cell": hs.assign_cells(inc, cells), "harm": inc["harm"]})
    if aoristic:
        w = aoristic_weights(inc, unit="W").set_index("incident")
        frame = w.join(frame)
        frame["harm"] = frame["harm"] * frame["weight"]
        frame["bin"] = frame["unit"]
    else:
        frame["bin"] = inc["time"].dt.to_period("W").dt.start_time
    frame = frame[frame["cell"].notna() & frame["bin"].isin(cube.bins)]
    expected = (
        frame.groupby(["bin", "cell"])["harm"]
        .sum()
        .unstack(fill_value=0.0)
        .reindex(index=cube.bins, columns=cells.index, fill_value=0.0)
    )
    np.testing.assert_allclose(cube.counts, expected.to_numpy(), atol=1e-9)
    assert cube.counts.dtype == np.float64
    np.testing.assert_array_equal(cube.counts_unweighted, plain.counts)
    np.testing.assert_array_equal(cube.incident_counts, plain.counts)
    assert plain.counts_unweighted is None and plain.incident_counts is plain.counts
    assert cube.attrs["counts"] == plain.attrs["counts"]
    acc = cube.attrs["incident_weights"]
    assert acc["given_as"] == "column 'harm'" and acc["total"] == pytest.approx(inc["harm"].sum())
    assert acc["counted"] == pytest.approx(cube.counts.sum())
    parts = acc["counted"] + acc["outside_cells"] + acc["outside_bins"] + acc["missing_time"]
    assert parts == pytest.approx(acc["total"])
    assert cube.attrs["space_time_cube"]["incident_weights"] == "column 'harm'"


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ("damage", "incident_weights='damage' is not a column"),
        ([1.0, 2.0], "has 2 values but there are 60 incidents"),
        ("name", "column 'name' is str, not numbers"),
        (np.full(60, -1.0), r"must be >= 0; rows 0, 1, 2, 3, 4 \(and 55 more\) are negative"),
        (np.r_[np.nan, np.ones(59)], "missing or infinite in rows 0;"),
        (3, "incident_weights=3 must be a column name or an array"),
    ],
)
def test_bad_incident_weights(weights, match):
    inc = windowed()
    inc["name"] = "x"
    with pytest.raises(hs.HotspotInputError, match="space_time_cube: .*" + match):
        hs.space_time_cube(inc, hs.square_grid(AREA, 250), "W", incident_weights=weights)


def test_windows_and_weights_leave_the_input_unchanged():
    inc = windowed()
    inc.attrs["hotspot"] = {"note": "mine"}
    before, attrs = inc.copy(), repr(inc.attrs)
    hs.space_time_cube(
        inc, hs.square_grid(AREA, 250), "MS", aoristic=True, incident_weights="harm", quiet=True
    )
    pd.testing.assert_frame_equal(inc, before)
    assert repr(inc.attrs) == attrs


def test_netcdf_round_trip_of_an_aoristic_weighted_cube(tmp_path):
    inc = windowed(n=120, seed=2)
    cube = hs.space_time_cube(
        inc, hs.square_grid(AREA, 250), "W", aoristic=True, incident_weights="harm", quiet=True
    )
    cube.to_netcdf(tmp_path / "cube.nc")
    back = hs.read_cube(tmp_path / "cube.nc")
    assert back.counts.dtype == np.float64
    np.testing.assert_array_equal(back.counts, cube.counts)
    np.testing.assert_array_equal(back.counts_unweighted, cube.counts_unweighted)
    for key in ("counts", "incident_weights", "space_time_cube", "period", "coverage"):
        assert back.attrs[key] == cube.attrs[key], key
    assert back.total() == pytest.approx(cube.total())

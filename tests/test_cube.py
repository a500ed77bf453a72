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

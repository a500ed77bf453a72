"""read_incidents on the real datasets, every source format, schema detection and projection."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import hotspot as hs
from hotspot.datasets import data_path


def report(inc):
    return inc.attrs["hotspot"]["load_report"]


def test_west_yorkshire_load_report_counts(west_yorkshire):
    r = report(west_yorkshire)
    assert r.schema == "police.uk street-level"
    assert r.columns == {
        "lon": "Longitude",
        "lat": "Latitude",
        "time": "Month",
        "category": "Crime type",
    }
    assert (r.rows_read, r.rows_kept, r.excluded) == (
        87_348,
        83_577,
        {"missing coordinates": 3_771},
    )
    assert r.crs == "EPSG:27700"
    assert r.time_resolution == "month"
    assert (r.time_min, r.time_max) == (pd.Timestamp("2016-07-01"), pd.Timestamp("2018-07-01"))
    assert r.timezone is None  # month-only text has no UTC offset: nothing was converted
    assert any("22,515 distinct locations" in n and "121 incidents" in n for n in r.notes)
    # the excluded rows are the ones without coordinates, as read
    excluded = hs.excluded_incidents(west_yorkshire)
    assert len(excluded) == 3_771
    assert excluded["Longitude"].isna().all()
    assert set(excluded["reason"]) == {"missing coordinates"}


def test_toronto_load_report_counts(toronto):
    r = report(toronto)
    assert r.schema == "Toronto MCI"
    assert r.columns["hour"] == "occurrencehour"
    assert (r.rows_read, r.rows_kept, r.rows_excluded) == (240_992, 240_992, 0)
    assert r.crs == "EPSG:32617"
    assert r.time_resolution == "hour"
    assert any("18,787 distinct locations" in n and "917 incidents" in n for n in r.notes)
    assert any(n.startswith("2,011 rows exactly repeat") for n in r.notes)
    tail = [n for n in r.notes if "long tail" in n]
    assert tail and "1,057 before 2014-01-01" in tail[0] and "1966-06-09" in tail[0]
    # the offsets are converted to the zone of the incidents' own location
    assert r.timezone == "America/Toronto" and "median point" in r.timezone_reason


def test_toronto_times_are_local_date_plus_hour(toronto):
    raw = pd.read_parquet(data_path("toronto.parquet"))
    # "2014/03/02 05:00:00+00" is local midnight of 2 March 2014 (EST); hour 8 → 08:00 local
    assert raw.loc[0, "occurrencedate"] == "2014/03/02 05:00:00+00"
    assert raw.loc[0, "occurrencehour"] == 8
    assert toronto.loc[0, "time"] == pd.Timestamp("2014-03-02 08:00")
    # summer dates are written at 04:00 UTC (EDT): still that local day
    summer = raw.index[raw["occurrencedate"].str.startswith("2019/07/15")][0]
    assert toronto.loc[summer, "time"].date() == pd.Timestamp("2019-07-15").date()
    assert toronto.loc[summer, "time"].hour == raw.loc[summer, "occurrencehour"]
    # Independent reference: the local calendar date from the offset, plus the hour
    dates = pd.to_datetime(raw["occurrencedate"], utc=True).dt.tz_convert("America/Toronto")
    expected = dates.dt.round("D").dt.tz_localize(None) + pd.to_timedelta(
        raw["occurrencehour"], unit="h"
    )
    assert (toronto["time"] == expected.astype("datetime64[ns]")).all()


def test_toronto_dst_quirk_dates_rounded_to_their_day(toronto):
    raw = pd.read_parquet(data_path("toronto.parquet"))
    rows = raw.index[raw["occurrencedate"] == "1978/04/10 04:00:00+00"]
    assert len(rows) == 1
    assert toronto.loc[rows[0], "time"].date() == pd.Timestamp("1978-04-10").date()
    assert any("not at local midnight" in n for n in report(toronto).notes)


def test_original_columns_kept_and_standard_columns_added(west_yorkshire):
    for column in ("Month", "Longitude", "Latitude", "LSOA code", "Crime type", "time", "category"):
        assert column in west_yorkshire.columns
    assert pd.api.types.is_datetime64_any_dtype(west_yorkshire["time"])
    assert (west_yorkshire["category"] == west_yorkshire["Crime type"]).all()


def test_projection_matches_pyproj_reference(west_yorkshire):
    lon = west_yorkshire["Longitude"].to_numpy()
    lat = west_yorkshire["Latitude"].to_numpy()
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    np.testing.assert_allclose(west_yorkshire.geometry.x, x, atol=1e-6)
    np.testing.assert_allclose(west_yorkshire.geometry.y, y, atol=1e-6)
    # Leeds Town Hall, published OS grid reference SE 299 339 (about 429 900, 433 900)
    town_hall = gpd.GeoSeries(gpd.points_from_xy([-1.54913], [53.80008]), crs=4326)
    inc = hs.read_incidents(pd.DataFrame({"lon": [-1.54913], "lat": [53.80008]}), quiet=True)
    assert inc.geometry.iloc[0].distance(town_hall.to_crs(27700).iloc[0]) < 1e-6
    assert (
        abs(inc.geometry.x.iloc[0] - 429_900) < 150 and abs(inc.geometry.y.iloc[0] - 433_900) < 150
    )


def test_transformer_is_made_once_per_pair_and_projects_as_pyproj_does():
    from concurrent.futures import ThreadPoolExecutor

    from pyproj import CRS

    from hotspot._projection import transformer

    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-2.0, -1.0, 100), rng.uniform(53.0, 54.0, 100)
    cached = transformer(CRS.from_epsg(4326), CRS.from_epsg(27700))
    assert transformer(CRS.from_epsg(4326), CRS.from_epsg(27700)) is cached  # equal CRSs
    reference = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    np.testing.assert_array_equal(cached.transform(lon, lat), reference)
    # shared with other threads (pyproj gives each thread its own PROJ object): same numbers
    with ThreadPoolExecutor(2) as pool:
        for got in pool.map(lambda _: cached.transform(lon, lat), range(4)):
            np.testing.assert_array_equal(got, reference)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [(-79.39, 43.70, 32617), (151.21, -33.87, 32756), (2.35, 48.86, 32631), (-0.12, 51.5, 27700)],
)
def test_automatic_crs(lon, lat, epsg):
    inc = hs.read_incidents(pd.DataFrame({"latitude": [lat], "longitude": [lon]}), quiet=True)
    assert inc.crs.to_epsg() == epsg


def test_crs_argument_with_lonlat_is_the_target():
    df = pd.DataFrame({"lat": [43.7, 43.71], "lon": [-79.4, -79.39]})
    inc = hs.read_incidents(df, crs="EPSG:3857", quiet=True)
    assert inc.crs.to_epsg() == 3857
    with pytest.raises(hs.HotspotInputError, match="not a projected CRS in metres"):
        hs.read_incidents(df, crs="EPSG:4326", quiet=True)


def test_xy_with_crs_kept_as_given():
    df = pd.DataFrame({"Easting": [430000.0, 431000.0], "Northing": [433000.0, 433500.0]})
    inc = hs.read_incidents(df, crs=27700, quiet=True)
    assert report(inc).columns == {"x": "Easting", "y": "Northing"}
    assert list(inc.geometry.x) == [430000.0, 431000.0]


def test_generic_csv_with_unusual_names(tmp_path):
    path = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "Incident Ref": ["A1", "A2", "A3", "A4"],
            "LAT": [51.50, 51.51, None, 51.52],
            "Lng": [-0.12, -0.11, -0.10, -0.13],
            "Occurred On": ["2023-05-01 13:45", "2023-05-02 08:00", "2023-05-03 00:30", "bad"],
            "Offence": ["Burglary", "Robbery", "Burglary", "Theft"],
        }
    ).to_csv(path, index=False)
    inc = hs.read_incidents(path, quiet=True)
    r = report(inc)
    assert r.schema == "generic"
    assert r.columns == {"lon": "Lng", "lat": "LAT", "time": "Occurred On", "category": "Offence"}
    assert r.excluded == {"missing coordinates": 1, "unparseable time": 1}
    assert list(inc["Incident Ref"]) == ["A1", "A2"]
    assert r.time_resolution == "minute"
    assert inc.crs.to_epsg() == 27700


def _sample(n=200):
    frame = pd.read_parquet(data_path("toronto.parquet")).iloc[:n]
    return frame


@pytest.mark.parametrize(
    "fmt", ["csv", "csv.gz", "parquet", "geoparquet", "geojson", "gpkg", "shp"]
)
def test_every_source_format_gives_the_same_incidents(tmp_path, fmt):
    frame = _sample()
    reference = hs.read_incidents(frame, quiet=True)
    path = tmp_path / f"incidents.{fmt}"
    if fmt in ("csv", "csv.gz"):
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path)
    else:
        gdf = gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame["Long"], frame["Lat"]), crs=4326
        )
        if fmt == "geoparquet":
            gdf.to_parquet(path)
        elif fmt == "shp":  # shapefile field names are at most 10 characters
            gdf.rename(columns=lambda c: c[:10]).drop(columns=["occurrenceh"[:10]]).to_file(path)
        else:
            gdf.to_file(path)
    inc = hs.read_incidents(path, quiet=True)
    assert len(inc) == len(reference)
    assert inc.crs.to_epsg() == 32617
    np.testing.assert_allclose(inc.geometry.x, reference.geometry.x, atol=1e-3)
    np.testing.assert_allclose(inc.geometry.y, reference.geometry.y, atol=1e-3)
    if fmt != "shp":  # shapefiles cannot hold the long column name occurrencedate intact
        assert (inc["time"].to_numpy() == reference["time"].to_numpy()).all()


def test_geodataframe_in_metres_is_kept(toronto):
    sub = toronto.iloc[:50][["time", "category", "geometry"]]
    inc = hs.read_incidents(sub, quiet=True)
    assert inc.crs == toronto.crs
    assert inc.geometry.equals(sub.geometry)


def test_source_frame_not_modified():
    frame = _sample(50)
    before = frame.copy(deep=True)
    hs.read_incidents(frame, quiet=True)
    pd.testing.assert_frame_equal(frame, before)


def test_load_report_prints_a_table(west_yorkshire, capsys):
    hs.load_report(west_yorkshire)
    out = capsys.readouterr().out
    assert "rows read              87,348" in out
    assert "missing coordinates  3,771" in out
    assert "EPSG:27700" in out


def test_load_report_html_is_escaped():
    frame = pd.DataFrame({"lat": [51.5], "lon": [-0.1], "<script>x</script>": [1]})
    inc = hs.read_incidents(frame, category="<script>x</script>", quiet=True)
    page = report(inc)._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_announcement_and_quiet(capsys):
    frame = pd.DataFrame({"lat": [51.5, 0.0], "lon": [-0.1, 0.0]})
    hs.read_incidents(frame)
    err = capsys.readouterr().err
    assert "read 2 rows from DataFrame: kept 1, excluded 1 (coordinates at (0, 0): 1)" in err
    hs.read_incidents(frame, quiet=True)
    assert capsys.readouterr().err == ""


def test_report_survives_pandas_operations_cheaply(toronto):
    subset = toronto[toronto["category"] == "Robbery"]
    assert subset.attrs["hotspot"]["load_report"] is report(toronto)


def test_month_only_times():
    frame = pd.DataFrame(
        {"lat": [53.8, 53.81], "lon": [-1.5, -1.51], "Month": ["2018-07", "2018-8"]}
    )
    inc = hs.read_incidents(frame, quiet=True)
    assert list(inc["time"]) == [pd.Timestamp("2018-07-01"), pd.Timestamp("2018-08-01")]
    assert report(inc).time_resolution == "month"


def test_timezone_aware_datetimes_converted_consistently():
    times = pd.to_datetime(["2021-03-14 06:30:00+00:00", "2021-07-01 03:59:00+00:00"])
    frame = pd.DataFrame({"lat": [43.7, 43.7], "lon": [-79.4, -79.4], "time": times})
    inc = hs.read_incidents(frame, timezone="America/Toronto", quiet=True)
    # 06:30 UTC on 14 March 2021 is before the 07:00 UTC switch to EDT: 01:30 EST
    assert list(inc["time"]) == [pd.Timestamp("2021-03-14 01:30"), pd.Timestamp("2021-06-30 23:59")]


def test_incidents_are_stamped_and_the_source_frame_is_untouched():
    df = pd.DataFrame({"lat": [53.80, 53.79], "lon": [-1.55, -1.54], "date": ["2024-03-01"] * 2})
    df.attrs["note"] = "mine"
    before = repr(df.attrs)
    inc = hs.read_incidents(df, time="date", time_range=("2024-01-01", "2024-12-31"), quiet=True)
    meta = inc.attrs["hotspot"]
    assert (meta["kind"], meta["method"], meta["rng_seed"]) == ("incidents", "read_incidents", None)
    # a subset keeps these attrs, so the incidents carry no period of their own: each result
    # takes the period of the incidents it is given
    assert meta["period"] is None
    params = meta["read_incidents"]
    assert params["source"] == "DataFrame" and params["columns"]["time"] == "date"
    assert params["time_range"] == ["2024-01-01", "2024-12-31"]
    # what readers use is where it was
    assert meta["load_report"] is hs.incidents.get_load_report(inc)
    assert (meta["crs"], meta["time_resolution"]) == ("EPSG:27700", "day")
    assert repr(df.attrs) == before


def test_study_area_of_the_wrong_kind_names_read_incidents():
    df = pd.DataFrame({"lat": [53.80, 53.79], "lon": [-1.55, -1.54]})
    with pytest.raises(hs.HotspotInputError, match="read_incidents: study_area='nowhere.gpkg'"):
        hs.read_incidents(df, study_area="nowhere.gpkg", quiet=True)


# -- time windows ---------------------------------------------------------------------------------

WINDOW_ROWS = {
    "lat": [53.80, 53.79],
    "lon": [-1.55, -1.54],
}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("From", "To"),
        ("First Committed", "Last Committed"),
        ("OCCURRED_FROM", "occurred to"),
        ("Start Time", "End_Time"),
        ("date-from", "Date To"),
    ],
)
def test_window_columns_found_by_name(start, end):
    df = pd.DataFrame(
        {
            **WINDOW_ROWS,
            start: ["2024-03-01 22:00", "2024-03-02 10:00"],
            end: ["2024-03-02 06:00", ""],
        }
    )
    inc = hs.read_incidents(df, quiet=True)
    r = report(inc)
    assert (r.columns["time_start"], r.columns["time_end"], r.columns["time"]) == (
        start,
        end,
        start,
    )
    assert inc["time"].tolist() == pd.to_datetime(["2024-03-01 22:00", "2024-03-02 10:00"]).tolist()
    assert inc["time_end"].iloc[0] == pd.Timestamp("2024-03-02 06:00")
    assert inc["time_end"].isna().iloc[1]
    assert r.windows == {"window": 1, "no end": 1}
    assert list(df.columns) == ["lat", "lon", start, end]  # the frame is not modified


def test_window_columns_given_and_parsed_like_time():
    df = pd.DataFrame(
        {
            **WINDOW_ROWS,
            "a": ["14/03/2024 21:30", "15/03/2024 09:00"],
            "b": [45366.0, "16/03/2024 08:00"],  # an Excel serial: 2024-03-15 00:00
        }
    )
    inc = hs.read_incidents(df, time_start="a", time_end="b", quiet=True)
    assert (
        inc["time_start"].tolist()
        == pd.to_datetime(["2024-03-14 21:30", "2024-03-15 09:00"]).tolist()
    )
    assert (
        inc["time_end"].tolist()
        == pd.to_datetime(["2024-03-15 00:00", "2024-03-16 08:00"]).tolist()
    )


def test_one_of_a_window_pair_is_the_time():
    df = pd.DataFrame({**WINDOW_ROWS, "Occurred From": ["2024-03-01", "2024-03-02"]})
    inc = hs.read_incidents(df, quiet=True)
    assert report(inc).columns["time"] == "Occurred From" and report(inc).windows is None
    assert "time_end" not in inc.columns
    df = pd.DataFrame({**WINDOW_ROWS, "to": ["x", "y"]})  # the bare "to" is not taken
    assert "time" not in hs.read_incidents(df, quiet=True).columns


def test_time_given_against_the_window_start_is_refused():
    df = pd.DataFrame(
        {
            **WINDOW_ROWS,
            "d": ["2024-03-01"] * 2,
            "From": ["2024-03-01"] * 2,
            "To": ["2024-03-02"] * 2,
        }
    )
    with pytest.raises(hs.HotspotInputError, match="with a window the time is its start"):
        hs.read_incidents(df, time="d", quiet=True)

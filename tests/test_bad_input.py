"""Bad-input matrix for ``hotspot.read_incidents``.

Every case either raises a ``HotspotInputError`` whose message names the
file/column and says what to do, or loads with an exact exclusion count and reason. Every case
that loads also checks conservation: each row read is either kept or excluded with its reason.
Inputs are small real files written to ``tmp_path`` (or small frames), never mocks.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

import hotspot as hs
from hotspot import HotspotInputError

# Eight good incidents in Leeds (inside Great Britain, so the British National Grid is chosen).
GOOD_ROWS = [f"53.8{i},-1.5{i},2018-07-0{i + 1}" for i in range(8)]
HEADER = "lat,lon,date"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def msg(*parts: str) -> str:
    """A regex matching the literal ``parts`` in order, anything in between."""
    return ".*".join(re.escape(p) for p in parts)


def report_of(inc: gpd.GeoDataFrame) -> hs.LoadReport:
    return inc.attrs["hotspot"]["load_report"]


def conserved(inc: gpd.GeoDataFrame) -> tuple[hs.LoadReport, pd.DataFrame]:
    """Check conservation of rows; return the report and the excluded rows."""
    report = report_of(inc)
    excluded = hs.excluded_incidents(inc)
    assert report.rows_read == report.rows_kept + sum(report.excluded.values())
    assert len(inc) + len(excluded) == report.rows_read
    assert report.rows_kept == len(inc)
    assert excluded["reason"].value_counts().to_dict() == report.excluded
    assert not set(inc.index) & set(excluded.index)
    return report, excluded


def reasons_by_row(excluded: pd.DataFrame) -> dict:
    return excluded["reason"].astype(str).to_dict()


# --------------------------------------------------------------------------------------------
# sources that cannot be read
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.csv", "empty.parquet", "empty.geojson"])
def test_empty_file_zero_bytes(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "is empty (0 bytes)", "no incidents")
    ):
        hs.read_incidents(path, quiet=True)


def test_header_only(tmp_path):
    path = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "has columns (lat, lon, date) but no rows", "no incidents to read"),
    ):
        hs.read_incidents(path, quiet=True)


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("junk.parquet", np.random.default_rng(1).bytes(2000), "could not be read as parquet"),
        ("junk.csv", np.random.default_rng(1).bytes(2000), "could not be read as csv"),
        ("table.csv", bytes(range(256)) * 8, "could not be read as csv"),
        ("plain.csv.gz", b"lat,lon\n53.8,-1.5\n", "could not be read as csv.gz"),
        ("junk.geojson", np.random.default_rng(2).bytes(2000), "could not be read as geojson"),
    ],
    ids=["random-parquet", "random-csv", "binary-csv", "not-gzipped", "random-geojson"],
)
def test_unreadable_file(tmp_path, name, content, kind):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), kind, "Check that the file is complete and of the type its extension"),
    ):
        hs.read_incidents(path, quiet=True)


def test_unknown_extension(tmp_path):
    # (.xlsx was the example here until workbooks became readable: SPSS files are not)
    path = tmp_path / "crimes.sav"
    path.write_bytes(b"$FL2 not really a table")
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "unknown file type '.sav'", "Supported: .csv", "pass the DataFrame"),
    ):
        hs.read_incidents(path, quiet=True)


def test_broken_workbook(tmp_path):
    path = tmp_path / "crimes.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "could not be read as xlsx", "Check that the file")
    ):
        hs.read_incidents(path, quiet=True)


def test_folder(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(HotspotInputError, match=msg(str(folder), "is a folder", "file inside it")):
        hs.read_incidents(folder, quiet=True)


def test_a_folder_or_pattern_of_many_files_points_at_read_partitions(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("2020-01.csv", "2020-02.csv"):
        (folder / name).write_text("lat,lon\n53.8,-1.5\n")
    pattern = str(folder / "*.csv")
    with pytest.raises(
        HotspotInputError, match=msg(pattern, "matching 2 files", "scale.read_partitions")
    ):
        hs.read_incidents(pattern, quiet=True)
    with pytest.raises(HotspotInputError, match=msg(str(folder), "is a folder", "read_partitions")):
        hs.read_incidents(folder, quiet=True)


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(HotspotInputError, match=msg(str(path), "no such file", "Check the path")):
        hs.read_incidents(str(path), quiet=True)


@pytest.mark.parametrize("source", [[(53.8, -1.5)], {"lat": [53.8]}, 42, None], ids=type)
def test_wrong_type(source):
    with pytest.raises(
        HotspotInputError,
        match=msg("read_incidents: source=", "file path, a pandas DataFrame or a GeoDataFrame"),
    ):
        hs.read_incidents(source, quiet=True)


def test_gzipped_csv_reads_fine(tmp_path):
    path = tmp_path / "crimes.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("\n".join([HEADER + ",category", *(r + ",burglary" for r in GOOD_ROWS)]) + "\n")
    inc = hs.read_incidents(path, quiet=True)
    report, excluded = conserved(inc)
    assert (report.rows_read, report.rows_kept, report.excluded) == (8, 8, {})
    assert report.crs == "EPSG:27700"
    assert inc["time"].min() == pd.Timestamp("2018-07-01")
    assert (inc["category"] == "burglary").all()


# --------------------------------------------------------------------------------------------
# columns that cannot be identified
# --------------------------------------------------------------------------------------------


def test_no_coordinate_columns(tmp_path):
    path = write_csv(tmp_path / "nocoords.csv", ["Leeds,LS1,2018-07-01"], "town,postcode,date")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "no coordinate columns found",
            "town, postcode, date",
            "lon= and lat=",
            "x= and y= with crs=",
        ),
    ):
        hs.read_incidents(path, quiet=True)


def test_ambiguous_columns(tmp_path):
    path = write_csv(tmp_path / "two_lats.csv", ["53.8,53.8,-1.5"], "lat,latitude,lon")
    with pytest.raises(
        HotspotInputError,
        match=msg(str(path), "several columns could be the lat column: 'lat', 'latitude'", "lat="),
    ):
        hs.read_incidents(path, quiet=True)


def test_given_column_does_not_exist(tmp_path):
    path = write_csv(tmp_path / "cols.csv", ["53.8,-1.5"], "Latitude,Longitude")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "column 'latitud' given as lat= is not in the data",
            "Did you mean 'Latitude'",
            "Available columns: Latitude, Longitude",
        ),
    ):
        hs.read_incidents(path, lat="latitud", lon="Longitude", quiet=True)


def test_duplicated_index_on_dataframe():
    df = pd.DataFrame({"lat": [53.8, 53.81, 53.82], "lon": [-1.5, -1.51, -1.52]}, index=[0, 1, 1])
    with pytest.raises(
        HotspotInputError, match=msg("DataFrame", "repeated labels", ".reset_index(drop=True)")
    ):
        hs.read_incidents(df, quiet=True)


# --------------------------------------------------------------------------------------------
# coordinates
# --------------------------------------------------------------------------------------------


def test_text_in_coordinates_csv(tmp_path):
    rows = [*GOOD_ROWS, "53.8N,-1.5,2018-07-09", "53.7,1.5W,2018-07-09", "n/a,-1.5,2018-07-09"]
    inc = hs.read_incidents(write_csv(tmp_path / "text.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    # "n/a" is one of the NA markers every CSV reader knows: it reads as a blank.
    assert reasons_by_row(excluded) == {
        8: "non-numeric coordinates",
        9: "non-numeric coordinates",
        10: "missing coordinates",
    }
    assert report.excluded == {"non-numeric coordinates": 2, "missing coordinates": 1}


def test_text_in_coordinates_frame():
    df = pd.DataFrame(
        {
            "lat": ["53.80", "n/a", "53.8N", " 53.81 ", "north"],
            "lon": [-1.5, -1.5, -1.5, -1.5, -1.5],
        }
    )
    inc = hs.read_incidents(df, quiet=True)
    report, excluded = conserved(inc)
    assert reasons_by_row(excluded) == {
        1: "non-numeric coordinates",
        2: "non-numeric coordinates",
        4: "non-numeric coordinates",
    }
    assert list(inc.index) == [0, 3]


def test_nan_and_blank_coordinates(tmp_path):
    rows = [*GOOD_ROWS, ",-1.5,2018-07-09", "53.8,,2018-07-09", ",,2018-07-09"]
    inc = hs.read_incidents(write_csv(tmp_path / "blank.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"missing coordinates": 3}
    assert sorted(excluded.index) == [8, 9, 10]

    df = pd.DataFrame({"lat": [53.8, np.nan, None, "", "  ", 53.81], "lon": [-1.5] * 6})
    inc = hs.read_incidents(df, quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"missing coordinates": 4}
    assert sorted(excluded.index) == [1, 2, 3, 4]


def test_coordinates_at_zero_zero(tmp_path):
    rows = [*GOOD_ROWS, "0,0,2018-07-09", "0.0,0.0,2018-07-09", "0,-1.5,2018-07-09"]
    inc = hs.read_incidents(write_csv(tmp_path / "nullisland.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    # (0, -1.5) is a real place (in the Gulf of Guinea) but far from Leeds: not (0, 0), kept.
    assert report.excluded == {"coordinates at (0, 0)": 2}
    assert sorted(excluded.index) == [8, 9]


def test_latitude_beyond_90(tmp_path):
    rows = [*GOOD_ROWS, "95,-1.5,2018-07-09", "-90.5,-1.5,2018-07-09", "53.8,-190,2018-07-09"]
    inc = hs.read_incidents(write_csv(tmp_path / "lat95.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"coordinates outside the valid lon/lat range": 3}
    assert sorted(excluded.index) == [8, 9, 10]
    assert report.crs == "EPSG:27700"


def test_whole_file_swapped_lat_lon_is_an_error(tmp_path):
    # Los Angeles with the columns swapped: "Latitude" holds -118.x, beyond ±90, while
    # "Longitude" holds 34.x, a valid latitude. (UK or Toronto swaps stay within ±90 and cannot
    # be told from a real place by range alone.)
    rows = ["-118.24,34.05,2018-07-01", "-118.30,34.10,2018-07-02", "-118.20,33.99,2018-07-03"]
    path = write_csv(tmp_path / "la.csv", rows, "Latitude,Longitude,date")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "latitude and longitude look swapped",
            "3 of 3 values in 'Latitude'",
            "beyond ±90",
            "Pass lon='Latitude', lat='Longitude'",
        ),
    ):
        hs.read_incidents(path, quiet=True)


def toronto_with_swapped_rows(n_good: int, n_swapped: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = n_good + n_swapped
    lat = 43.70 + rng.normal(0, 0.05, n)
    lon = -79.40 + rng.normal(0, 0.08, n)
    # The last rows have latitude and longitude exchanged: lat=-79.4, lon=43.7 (Antarctica).
    lat[n_good:], lon[n_good:] = lon[n_good:].copy(), lat[n_good:].copy()
    return pd.DataFrame({"lat": lat, "lon": lon})


@pytest.mark.parametrize(("n_good", "n_swapped"), [(400, 3), (97, 3)], ids=["3-of-403", "3-of-100"])
def test_a_few_swapped_rows_are_excluded(n_good, n_swapped):
    df = toronto_with_swapped_rows(n_good, n_swapped)
    inc = hs.read_incidents(df, quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"latitude and longitude swapped": n_swapped}
    assert sorted(excluded.index) == list(range(n_good, n_good + n_swapped))
    assert report.crs == "EPSG:32617"
    assert any(
        n.startswith(f"{n_swapped} rows have latitude and longitude the wrong way")
        for n in report.notes
    )


def test_infinite_lon_lat_are_not_kept(tmp_path):
    rows = [*GOOD_ROWS, "inf,-1.5,2018-07-09", "53.8,-inf,2018-07-09"]
    inc = hs.read_incidents(write_csv(tmp_path / "inf.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert sorted(excluded.index) == [8, 9]
    assert np.isfinite(inc.geometry.x).all() and np.isfinite(inc.geometry.y).all()
    assert report.crs == "EPSG:27700"


def test_infinite_xy_are_not_kept():
    df = pd.DataFrame({"x": [430_000.0, np.inf, 431_000.0], "y": [433_000.0, 433_000.0, -np.inf]})
    inc = hs.read_incidents(df, crs="EPSG:27700", quiet=True)
    report, excluded = conserved(inc)
    assert sorted(excluded.index) == [1, 2]
    assert np.isfinite(inc.geometry.x).all() and np.isfinite(inc.geometry.y).all()


# --------------------------------------------------------------------------------------------
# projected coordinates and CRS
# --------------------------------------------------------------------------------------------


def test_xy_without_crs(tmp_path):
    path = write_csv(tmp_path / "xy.csv", ["430000,433000", "431000,434000"], "easting,northing")
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path), "x='easting', y='northing'", "no CRS was given", "Pass their CRS, e.g. crs="
        ),
    ):
        hs.read_incidents(path, quiet=True)


def test_xy_in_us_survey_feet_reprojected_to_utm(tmp_path):
    # Manhattan in NAD83 / New York Long Island (ftUS).
    xs, ys = [987_000.0, 988_000.0, 1_000_000.0], [211_000.0, 212_000.0, 200_000.0]
    rows = [f"{x},{y}" for x, y in zip(xs, ys, strict=True)]
    inc = hs.read_incidents(
        write_csv(tmp_path / "nyc.csv", rows, "x,y"), crs="EPSG:2263", quiet=True
    )
    report, excluded = conserved(inc)
    assert report.excluded == {}
    assert inc.crs.to_epsg() == 32618
    assert report.crs == "EPSG:32618"
    assert "US survey foot" in report.crs_reason
    ex, ey = Transformer.from_crs(2263, 32618, always_xy=True).transform(xs, ys)
    np.testing.assert_allclose(inc.geometry.x, ex, atol=0.01)
    np.testing.assert_allclose(inc.geometry.y, ey, atol=0.01)


def test_xy_in_feet_with_every_row_invalid(tmp_path):
    path = write_csv(tmp_path / "bad_feet.csv", ["abc,def", "0,0"], "x,y")
    with pytest.raises(
        HotspotInputError, match=msg(str(path), "every one of the 2 rows was excluded")
    ):
        hs.read_incidents(path, crs="EPSG:2263", quiet=True)


def leeds_points(**columns) -> gpd.GeoDataFrame:
    data = {"date": ["2018-07-01", "2018-07-02", "2018-07-03"], **columns}
    geometry = gpd.points_from_xy([-1.50, -1.51, -1.52], [53.80, 53.81, 53.82])
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def test_geographic_geodataframe_is_projected_with_a_message(capsys):
    inc = hs.read_incidents(leeds_points())
    report, excluded = conserved(inc)
    assert report.excluded == {}
    assert inc.crs.to_epsg() == 27700
    err = capsys.readouterr().err
    assert "GeoDataFrame is in geographic WGS 84; projected to OSGB36 / British National" in err
    assert "EPSG:27700" in err


def test_geodataframe_missing_geometries_excluded():
    gdf = leeds_points()
    gdf.loc[1, "geometry"] = None
    gdf.loc[2, "geometry"] = shapely.Point()
    inc = hs.read_incidents(gdf, quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"missing geometry": 2}
    assert sorted(excluded.index) == [1, 2]


def test_geodataframe_without_crs():
    gdf = leeds_points().set_crs(None, allow_override=True)
    with pytest.raises(
        HotspotInputError, match=msg("GeoDataFrame has no CRS", "gdf.set_crs('EPSG:4326')")
    ):
        hs.read_incidents(gdf, quiet=True)


def test_geodataframe_in_feet_with_every_geometry_missing():
    gdf = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[None, shapely.Point()], crs="EPSG:2263")
    with pytest.raises(HotspotInputError, match=msg("every one of the 2 rows was excluded")):
        hs.read_incidents(gdf, quiet=True)


def test_polygons_instead_of_points(tmp_path):
    gdf = leeds_points().to_crs(27700)
    gdf.loc[[1, 2], "geometry"] = gdf.geometry[[1, 2]].buffer(20)
    path = tmp_path / "areas.geojson"
    gdf.to_file(path)
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "must be points",
            "2 geometries are Polygon",
            "first rows: 1, 2",
            "gdf.set_geometry(gdf.representative_point())",
        ),
    ):
        hs.read_incidents(path, quiet=True)


def test_multipoint_suggests_explode():
    gdf = leeds_points()
    gdf.index = [10, 11, 12]
    gdf.loc[12, "geometry"] = shapely.MultiPoint([(-1.5, 53.8), (-1.6, 53.7)])
    with pytest.raises(
        HotspotInputError,
        match=msg(
            "1 geometries are MultiPoint", "first rows: 12", "gdf.explode(index_parts=False)"
        ),
    ):
        hs.read_incidents(gdf, quiet=True)


# --------------------------------------------------------------------------------------------
# times
# --------------------------------------------------------------------------------------------


def test_mixed_date_formats_are_parsed_with_a_note(tmp_path):
    rows = [*GOOD_ROWS, "53.7,-1.4,14/07/2018", "53.7,-1.41,25/12/2018"]
    inc = hs.read_incidents(write_csv(tmp_path / "mixed.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {}
    assert inc.loc[8, "time"] == pd.Timestamp("2018-07-14")
    assert inc.loc[9, "time"] == pd.Timestamp("2018-12-25")
    notes = [n for n in report.notes if "mixed date formats" in n]
    assert len(notes) == 1
    assert "2 rows" in notes[0] and "'14/07/2018'" in notes[0] and "time_format=" in notes[0]


def test_mixed_day_first_dates_are_read_consistently():
    # '14/07/2018' proves the non-ISO rows are day-first; '03/07/2018' must then be 3 July
    # (or be excluded as ambiguous), never 7 March.
    df = pd.DataFrame(
        {
            "lat": [53.8, 53.81, 53.82],
            "lon": [-1.5] * 3,
            "date": ["2018-07-01", "03/07/2018", "14/07/2018"],
        }
    )
    inc = hs.read_incidents(df, quiet=True)
    conserved(inc)
    assert inc.loc[2, "time"] == pd.Timestamp("2018-07-14")
    assert 1 not in inc.index or inc.loc[1, "time"] == pd.Timestamp("2018-07-03")


@pytest.mark.filterwarnings("ignore:Could not infer format")
@pytest.mark.parametrize("first", [False, True], ids=["bad-row-last", "bad-row-first"])
def test_unparseable_and_missing_dates(tmp_path, first):
    bad = ["53.7,-1.4,not a date", "53.7,-1.41,"]
    rows = [*bad, *GOOD_ROWS] if first else [*GOOD_ROWS, *bad]
    inc = hs.read_incidents(write_csv(tmp_path / "dates.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"unparseable time": 1, "missing time": 1}
    bad_index = [0, 1] if first else [8, 9]
    assert reasons_by_row(excluded) == dict(
        zip(bad_index, ["unparseable time", "missing time"], strict=True)
    )
    assert inc["time"].notna().all()


def test_future_dates(tmp_path):
    rows = [*GOOD_ROWS, "53.7,-1.4,2099-01-01", "53.7,-1.4,2100-12-31"]
    inc = hs.read_incidents(write_csv(tmp_path / "future.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"time in the future": 2}
    assert sorted(excluded.index) == [8, 9]
    assert report.time_max == pd.Timestamp("2018-07-08")


@pytest.mark.parametrize(
    ("year_typo", "reason"),
    [("2999-12-31", "time in the future"), ("1018-07-01", None)],
    ids=["2999", "1018"],
)
def test_years_beyond_nanosecond_range_are_excluded_not_a_crash(tmp_path, year_typo, reason):
    # datetime64[ns] ends in 2262 and starts in 1677; a typo'd year must cost one row, not the
    # whole load.
    rows = [*GOOD_ROWS, f"53.7,-1.4,{year_typo}"]
    inc = hs.read_incidents(write_csv(tmp_path / "typo.csv", rows), quiet=True)
    report, excluded = conserved(inc)
    assert list(excluded.index) == [8]
    if reason is not None:
        assert report.excluded == {reason: 1}


def test_time_range_end_date_is_inclusive(tmp_path):
    times = [
        "2018-07-01 23:59",
        "2018-07-02 00:00",
        "2018-07-04 12:00",
        "2018-07-05 23:59",
        "2018-07-06 00:00",
        "2018-08-01 09:00",
    ]
    rows = [f"53.8{i},-1.5,{t}" for i, t in enumerate(times)]
    inc = hs.read_incidents(
        write_csv(tmp_path / "range.csv", rows), time_range=("2018-07-02", "2018-07-05"), quiet=True
    )
    report, excluded = conserved(inc)
    assert report.excluded == {"outside time_range": 3}
    assert sorted(excluded.index) == [0, 4, 5]
    assert list(inc["time"]) == [pd.Timestamp(t) for t in times[1:4]]


@pytest.mark.parametrize("bad_hour", ["25", "-1", "7.5", ""], ids=["25", "-1", "7.5", "blank"])
def test_invalid_hour_in_separate_hour_column(tmp_path, bad_hour):
    rows = [
        "53.80,-1.50,2018-07-01,0",
        "53.81,-1.51,2018-07-02,23",
        f"53.82,-1.52,2018-07-03,{bad_hour}",
        "53.83,-1.53,2018-07-04,7",
    ]
    inc = hs.read_incidents(
        write_csv(tmp_path / "hours.csv", rows, "lat,lon,date,hour"), quiet=True
    )
    report, excluded = conserved(inc)
    assert report.columns["hour"] == "hour"
    assert report.excluded == {"invalid hour": 1}
    assert list(excluded.index) == [2]
    assert list(inc["time"]) == [
        pd.Timestamp("2018-07-01 00:00"),
        pd.Timestamp("2018-07-02 23:00"),
        pd.Timestamp("2018-07-04 07:00"),
    ]


# --------------------------------------------------------------------------------------------
# study area, strict, all excluded, input untouched
# --------------------------------------------------------------------------------------------

LEEDS_BOX = shapely.box(-1.6, 53.75, -1.4, 53.85)


@pytest.mark.parametrize("kind", ["geoseries-wgs84", "bare-polygon-in-output-crs"])
def test_study_area_excludes_points_outside(kind):
    df = pd.DataFrame(
        {"lat": [53.80, 53.81, 53.82, 53.95, 53.70], "lon": [-1.50, -1.51, -1.52, -1.50, -1.50]}
    )
    area = gpd.GeoSeries([LEEDS_BOX], crs="EPSG:4326")
    if kind == "bare-polygon-in-output-crs":
        area = area.to_crs(27700).iloc[0]
    inc = hs.read_incidents(df, study_area=area, quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {"outside the study area": 2}
    assert sorted(excluded.index) == [3, 4]


def test_strict_raises_with_the_breakdown(tmp_path):
    rows = [*GOOD_ROWS, "0,0,2018-07-09", "95,-1.5,2018-07-09", "53.8,-1.5,not a date"]
    path = write_csv(tmp_path / "strict.csv", rows)
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "strict=True and 3 of 11 rows would be excluded",
            "coordinates at (0, 0): 1",
            "coordinates outside the valid lon/lat range: 1",
            "unparseable time: 1",
            "first rows: 8, 9, 10",
            "drop strict=True",
            "hotspot.excluded_incidents()",
        ),
    ):
        hs.read_incidents(path, strict=True, quiet=True)
    # Without strict the same file loads with exactly those exclusions.
    inc = hs.read_incidents(path, quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {
        "coordinates at (0, 0)": 1,
        "coordinates outside the valid lon/lat range": 1,
        "unparseable time": 1,
    }


def test_every_row_excluded(tmp_path):
    path = write_csv(tmp_path / "nothing.csv", ["0,0,2018-07-01", "0,0,2018-07-02", ",,2018-07-03"])
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "every one of the 3 rows was excluded",
            "missing coordinates: 1, coordinates at (0, 0): 2",
            "Check the columns used",
        ),
    ):
        hs.read_incidents(path, quiet=True)


def test_input_dataframe_is_not_modified():
    df = pd.DataFrame(
        {
            "lat": ["53.8", "0", "n/a", "53.81", "53.82"],
            "lon": [-1.5, 0.0, -1.5, -1.51, -1.52],
            "date": ["2018-07-01", "2018-07-02", "2018-07-03", "14/07/2018", "2099-01-01"],
            "time": ["a", "b", "c", "d", "e"],  # clashes with the standard "time" column
            "geometry": [1, 2, 3, 4, 5],  # clashes with the output geometry column
        },
        index=[5, 6, 7, 8, 9],
    )
    before = df.copy(deep=True)
    inc = hs.read_incidents(df, time="date", quiet=True)
    report, excluded = conserved(inc)
    assert report.excluded == {
        "coordinates at (0, 0)": 1,
        "non-numeric coordinates": 1,
        "time in the future": 1,
    }
    pd.testing.assert_frame_equal(df, before)
    assert df.attrs == {}
    assert list(inc["time_original"]) == ["a", "d"]


def test_input_geodataframe_is_not_modified():
    gdf = leeds_points(category=["theft", "burglary", "theft"])
    gdf.loc[1, "geometry"] = None
    before = gdf.copy(deep=True)
    inc = hs.read_incidents(gdf, quiet=True)
    conserved(inc)
    pd.testing.assert_frame_equal(gdf, before)
    assert gdf.crs == before.crs and gdf.attrs == {}

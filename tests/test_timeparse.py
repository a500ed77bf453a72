"""Bad-input matrix for times, local zones, swapped axes and the causes named when nothing loads.

Every case asserts its outcome class: it loads with exact counts (and ``rows_read == rows_kept +
rows_excluded``), it is refused with a ``HotspotInputError`` naming the cause and the fix, or its
bad rows are excluded with the right reason. Inputs are small real files or frames, and the two
embedded real datasets; the property tests generate mixed-format time columns.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hotspot as hs
from hotspot import HotspotInputError
from hotspot.datasets import data_path
from hotspot.incidents._timeparse import (
    AMBIGUOUS_MIN_ROWS,
    PLACEHOLDER_MIN_ROWS,
    parse_times,
    shapes,
)

# Leeds: the British National Grid is chosen and tzfpy says Europe/London.
LEEDS = (53.80, -1.55)
MINNEAPOLIS = (44.98, -93.27)


def msg(*parts: str) -> str:
    """A regex matching the literal ``parts`` in order, anything in between."""
    return ".*".join(re.escape(p) for p in parts)


def frame(times, where=LEEDS, **columns) -> pd.DataFrame:
    n = len(times)
    lat, lon = where
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "lat": lat + rng.uniform(-0.02, 0.02, n),
            "lon": lon + rng.uniform(-0.02, 0.02, n),
            "date": list(times),
            **columns,
        }
    )


def write(path: Path, df: pd.DataFrame) -> Path:
    df.to_csv(path, index=False)
    return path


def load(source, **options) -> tuple[gpd.GeoDataFrame, hs.LoadReport, pd.DataFrame]:
    """Load quietly and check conservation; return incidents, report, excluded rows."""
    inc = hs.read_incidents(source, quiet=True, **options)
    report = inc.attrs["hotspot"]["load_report"]
    excluded = hs.excluded_incidents(inc)
    assert report.rows_read == report.rows_kept + report.rows_excluded
    assert len(inc) + len(excluded) == report.rows_read
    assert excluded["reason"].value_counts().to_dict() == report.excluded
    return inc, report, excluded


ISO = [f"2019-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)][:1000]
ISO_1000 = (ISO * 3)[:1000]


# --------------------------------------------------------------------------------------------
# one value never decides the file
# --------------------------------------------------------------------------------------------


def test_one_impossible_date_among_iso_is_excluded_alone(tmp_path):
    path = write(tmp_path / "iso.csv", frame([*ISO_1000, "31/31/2019"]))
    inc, report, excluded = load(path)
    assert (report.rows_kept, report.excluded) == (1000, {"unparseable time": 1})
    assert excluded.index.tolist() == [1000]
    assert excluded.loc[1000, "date"] == "31/31/2019"
    assert any("unparseable time" in n and "'31/31/2019'" in n for n in report.notes)


def test_one_ambiguous_date_among_iso_is_excluded_with_a_note(tmp_path):
    path = write(tmp_path / "iso.csv", frame([*ISO_1000, "01/02/2019"]))
    inc, report, excluded = load(path)
    assert (report.rows_kept, report.excluded) == (1000, {"ambiguous day/month": 1})
    note = next(n for n in report.notes if n.startswith("ambiguous day/month"))
    assert "'01/02/2019'" in note and "time_format='%d/%m/%Y'" in note


def test_time_format_applies_to_its_rows_only(tmp_path):
    # the advice of the note: the other 1,000 rows keep their own format
    path = write(tmp_path / "iso.csv", frame([*ISO_1000, "01/02/2019"]))
    inc, report, excluded = load(path, time_format="%d/%m/%Y")
    assert (report.rows_kept, report.excluded) == (1001, {})
    assert inc.loc[1000, "time"] == pd.Timestamp("2019-02-01")
    assert inc.loc[0, "time"] == pd.Timestamp(ISO_1000[0])


def test_time_format_list_first_that_fits():
    df = frame(["01/02/2019", "2019-03-04 10:00", "05.06.2019"])
    inc, report, _ = load(df, time_format=["%m/%d/%Y", "%d.%m.%Y"])
    assert list(inc["time"]) == [
        pd.Timestamp("2019-01-02"),
        pd.Timestamp("2019-03-04 10:00"),
        pd.Timestamp("2019-06-05"),
    ]


def test_small_ambiguous_group_follows_the_files_other_numeric_dates():
    dates = [f"{d}/07/2019 10:00" for d in range(13, 29)] * 5 + ISO[:100] + ["01/02/2019"] * 3
    inc, report, _ = load(frame(dates))
    assert report.excluded == {}
    assert (inc["time"].iloc[-3:] == pd.Timestamp("2019-02-01")).all()
    mixed = next(n for n in report.notes if n.startswith("mixed date formats"))
    assert "day first like the file's other numeric dates" in mixed


def test_large_ambiguous_group_raises_naming_file_column_rows_and_fix(tmp_path):
    n = AMBIGUOUS_MIN_ROWS
    path = write(
        tmp_path / "amb.csv", frame(ISO[:200] + ["01/02/2019 10:00", "03/04/2019 11:00"] * n)
    )
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            f"{2 * n} rows of 'date'",
            "'01/02/2019 10:00'",
            "day-first or month-first",
            "time_format='%d/%m/%Y %H:%M'",
            "time_format='%m/%d/%Y %H:%M'",
            "CLI: --time-format '%d/%m/%Y %H:%M'",
        ),
    ):
        hs.read_incidents(path, quiet=True)
    inc, report, _ = load(path, time_format="%m/%d/%Y %H:%M")
    assert report.rows_kept == 200 + 2 * n
    assert inc["time"].iloc[-1] == pd.Timestamp("2019-03-04 11:00")


def test_ambiguous_dates_equal_either_way_are_kept():
    inc, report, _ = load(frame(ISO[:100] + ["05/05/2019", "01/02/2019"]))
    assert report.excluded == {"ambiguous day/month": 1}
    assert inc.loc[100, "time"] == pd.Timestamp("2019-05-05")


def test_day_first_settled_per_group_and_minority_is_impossible():
    # day-first proven by 13–28; one month-first row (07/25/2019) is impossible that way
    dates = [f"{d}/07/2019" for d in range(13, 29)] + ["03/07/2019", "07/25/2019"]
    inc, report, excluded = load(frame(dates))
    assert report.excluded == {"unparseable time": 1}
    assert excluded["date"].tolist() == ["07/25/2019"]
    assert inc.loc[16, "time"] == pd.Timestamp("2019-07-03")


def test_large_mix_of_day_first_and_month_first_raises():
    dates = [f"{d}/07/2019" for d in range(13, 29)] * 2 + [
        f"07/{d}/2019" for d in range(13, 29)
    ] * 2
    with pytest.raises(
        HotspotInputError,
        match=msg(
            "'date' mixes day-first dates (32 rows", "month-first dates (32 rows", "time_format="
        ),
    ):
        hs.read_incidents(frame(dates), quiet=True)


# --------------------------------------------------------------------------------------------
# numbers, clocks, placeholders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_text", [False, True], ids=["float-column", "text-column"])
def test_excel_serial_dates_are_converted(as_text):
    serials = [43466.75, 43467.0, 43831.5]
    values = [str(v) for v in serials] if as_text else serials
    inc, report, _ = load(frame(values))
    assert list(inc["time"]) == [
        pd.Timestamp("2019-01-01 18:00"),
        pd.Timestamp("2019-01-02"),
        pd.Timestamp("2020-01-01 12:00"),
    ]
    assert any("Excel serial dates" in n for n in report.notes)


@pytest.mark.parametrize("unit", ["s", "ms"])
def test_epoch_numbers_are_utc_converted_to_local_time(unit):
    # 2019-07-01 04:00 UTC is 2019-07-01 05:00 in Leeds (BST)
    stamp = pd.Timestamp("2019-07-01 04:00", tz="UTC").timestamp()
    value = int(stamp) if unit == "s" else int(stamp * 1000)
    inc, report, _ = load(frame([value, value + (3600 if unit == "s" else 3_600_000)]))
    assert inc["time"].iloc[0] == pd.Timestamp("2019-07-01 05:00")
    assert report.timezone == "Europe/London"


@pytest.mark.parametrize(
    ("values", "cause"),
    [
        ([25_000.0 + i for i in range(5)], "they look like Excel serial dates, but 25,002 is 1968"),
        (
            [500_000_000 + i for i in range(5)],
            "they look like epoch seconds, but 500000002 is 1985",
        ),
        ([12.0, 13.0, 14.0], "plain numbers"),
    ],
    ids=["excel-before-1990", "epoch-before-1990", "small-numbers"],
)
def test_numbers_that_are_no_plausible_date_name_what_was_found(values, cause):
    with pytest.raises(
        HotspotInputError,
        match=msg("every one of the", "unparseable time", "Likely cause", cause, "1990"),
    ):
        hs.read_incidents(frame(values), quiet=True)
    # among good rows they are excluded, not guessed
    inc, report, _ = load(frame(ISO[:50] + [str(v) for v in values]))
    assert report.excluded == {"unparseable time": len(values)}


def test_time_only_values_are_never_dated_today():
    inc, report, excluded = load(frame(ISO[:20] + ["14:30", "09:15:00"]))
    assert report.excluded == {"time without a date": 2}
    with pytest.raises(
        HotspotInputError,
        match=msg("time without a date: 3", "times of day without a date", "'14:30'", "hour="),
    ):
        hs.read_incidents(frame(["14:30", "09:15", "2:30 PM"]), quiet=True)


def test_time_column_beside_a_date_column_is_combined(tmp_path):
    df = frame(["2019-03-04", "2019-03-05", "2019-03-06"]).rename(columns={"date": "Date"})
    df["Time"] = ["14:30", "2:15 PM", "25:00"]
    inc, report, _ = load(write(tmp_path / "split.csv", df))
    assert report.columns["time"] == "Date" and report.columns["hour"] == "Time"
    assert report.excluded == {"invalid hour": 1}
    assert list(inc["time"]) == [pd.Timestamp("2019-03-04 14:30"), pd.Timestamp("2019-03-05 14:15")]
    assert report.time_resolution == "minute"


@pytest.mark.parametrize("placeholder", ["1900-01-01", "1970-01-01 00:00:00", "1899-12-30"])
def test_placeholder_dates_in_bulk_are_excluded(placeholder):
    times = ISO[:300] + [placeholder] * PLACEHOLDER_MIN_ROWS
    inc, report, _ = load(frame(times))
    assert report.excluded == {"placeholder date": PLACEHOLDER_MIN_ROWS}
    assert any("placeholder" in n and placeholder[:10] in n for n in report.notes)
    assert report.time_min == pd.Timestamp(ISO[0])


def test_a_lone_placeholder_date_is_kept_with_a_note():
    inc, report, _ = load(frame(ISO[:300] + ["1970-01-01"]))
    assert report.excluded == {}
    assert any("1 row is dated 1970-01-01" in n and "kept" in n for n in report.notes)


def test_placeholder_dates_at_another_time_are_real_times():
    inc, report, _ = load(frame(ISO[:300] + ["1970-01-01 14:00"] * 20))
    assert report.excluded == {}


def test_impossible_dates_and_typos_in_one_file():
    times = ISO[:20] + ["2019-02-30", "2019-13-01", "2999-01-01", "soon", ""]
    inc, report, excluded = load(frame(times))
    assert report.excluded == {
        "unparseable time": 3,
        "time in the future": 1,
        "missing time": 1,
    }


# --------------------------------------------------------------------------------------------
# local time
# --------------------------------------------------------------------------------------------


def test_offset_times_become_local_time_of_the_incidents_place():
    # police stops in Minneapolis, written in UTC: 04:xx UTC in summer is 23:xx local (CDT)
    utc = pd.date_range("2019-06-01 04:00", periods=60, freq="D", tz="UTC") + pd.Timedelta(
        minutes=30
    )
    text = utc.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
    inc, report, _ = load(frame(text, where=MINNEAPOLIS))
    assert report.timezone == "America/Chicago"
    assert "median point" in report.timezone_reason
    assert (inc["time"].dt.hour == 23).all()
    assert any("converted to America/Chicago local time" in n for n in report.notes)
    assert "time zone" in dict(report.rows())


def test_new_years_eve_in_utc_is_not_a_long_tail():
    days = pd.date_range("2018-01-01 12:00", "2018-12-31 12:00", freq="12h", tz="America/Chicago")
    eve = pd.date_range("2018-12-31 20:00", periods=30, freq="7min", tz="America/Chicago")
    text = days.append(eve).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S+00:00").tolist()
    inc, report, _ = load(frame(text, where=MINNEAPOLIS))
    assert report.time_max < pd.Timestamp("2019-01-01")
    assert not any("long tail" in n for n in report.notes)


def test_timezone_overrides_the_location():
    inc, report, _ = load(frame(["2019-07-01T04:00:00Z"]), timezone="America/Toronto")
    assert inc["time"].iloc[0] == pd.Timestamp("2019-07-01 00:00")
    assert (report.timezone, report.timezone_reason) == ("America/Toronto", "given as timezone=")


def test_naive_times_stay_as_written():
    inc, report, _ = load(frame(["2019-07-01 04:00"], where=MINNEAPOLIS))
    assert inc["time"].iloc[0] == pd.Timestamp("2019-07-01 04:00")
    assert report.timezone is None


def test_incidents_spanning_zones_use_the_most_common_with_a_note():
    df = pd.concat(
        [
            frame(["2019-07-01T04:00:00Z"] * 30, where=MINNEAPOLIS),
            frame(["2019-07-01T04:00:00Z"] * 10),
        ],
        ignore_index=True,
    )
    inc, report, _ = load(df)
    assert report.timezone == "America/Chicago"
    assert (
        "span several zones" in report.timezone_reason and "Europe/London" in report.timezone_reason
    )


@pytest.mark.parametrize("bad", ["Mars/Olympus", "EST5EDT/x", "london"])
def test_invalid_timezone_is_a_clean_error(bad):
    with pytest.raises(
        HotspotInputError, match=msg(f"timezone={bad!r}", "timezone='Europe/London'")
    ):
        hs.read_incidents(frame(["2019-07-01"]), timezone=bad, quiet=True)


# --------------------------------------------------------------------------------------------
# swapped axes, whole file, on the real data
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "lon", "lat", "kept", "zone"),
    [
        ("west_yorkshire.parquet", "Longitude", "Latitude", 83_577, "Etc/GMT-4"),
        ("toronto.parquet", "Long", "Lat", 240_992, "Antarctica/"),
    ],
    ids=["west-yorkshire", "toronto"],
)
def test_real_files_with_swapped_columns_are_caught_and_swap_axes_reads_them(
    tmp_path, dataset, lon, lat, kept, zone
):
    raw = pd.read_parquet(data_path(dataset))
    path = write(tmp_path / "swapped.csv", raw.rename(columns={lon: lat, lat: lon}))
    with pytest.raises(
        HotspotInputError,
        match=msg(
            str(path),
            "latitude and longitude look swapped for the whole file",
            zone,
            "swap_axes=True (CLI: --swap-axes)",
        ),
    ):
        hs.read_incidents(path, quiet=True)
    inc, report, _ = load(path, swap_axes=True)
    assert report.rows_kept == kept
    assert report.columns["lon"] == lat and report.columns["lat"] == lon  # as the file names them
    assert any("swap_axes=True" in n for n in report.notes)


def test_swap_axes_on_a_correct_file_is_caught_too():
    df = frame(ISO[:50])
    with pytest.raises(HotspotInputError, match="look swapped"):
        hs.read_incidents(df, swap_axes=True, quiet=True)


def test_projected_xy_swapped_are_caught(toronto):
    xy = pd.DataFrame({"x": toronto.geometry.y.iloc[:500], "y": toronto.geometry.x.iloc[:500]})
    with pytest.raises(HotspotInputError, match=msg("x and y look swapped", "swap_axes=True")):
        hs.read_incidents(xy, crs="EPSG:32617", quiet=True)
    inc, report, _ = load(xy, crs="EPSG:32617", swap_axes=True)
    np.testing.assert_allclose(inc.geometry.x, toronto.geometry.x.iloc[:500])


def test_swap_axes_on_a_geodataframe():
    gdf = gpd.GeoDataFrame(
        {"date": ISO[:3]}, geometry=gpd.points_from_xy([53.80, 53.81, 53.82], [-1.5] * 3), crs=4326
    )
    inc, report, _ = load(gdf, swap_axes=True)
    assert inc.crs.to_epsg() == 27700


def test_a_few_swapped_rows_stay_row_exclusions():
    df = frame(ISO[:100])
    df.loc[[3, 7], ["lat", "lon"]] = df.loc[[3, 7], ["lon", "lat"]].to_numpy()
    inc, report, _ = load(df)
    assert report.excluded == {"latitude and longitude swapped": 2}


# --------------------------------------------------------------------------------------------
# nothing loads: the message names the cause from the values
# --------------------------------------------------------------------------------------------


def test_projected_metres_in_lat_lon_columns():
    df = pd.DataFrame({"lat": 433_000.0 + np.arange(20), "lon": 430_000.0 + np.arange(20)})
    with pytest.raises(
        HotspotInputError,
        match=msg(
            "every one of the 20 rows was excluded",
            "projected coordinates",
            "x='lon', y='lat', crs=",
            "crs='EPSG:27700'",
            "CLI: --x lon --y lat --crs EPSG:27700",
        ),
    ):
        hs.read_incidents(df, quiet=True)


def test_decimal_commas_in_coordinates(tmp_path):
    path = tmp_path / "semicolon.csv"
    rows = [f"53,{80 + i};-1,{50 + i};2019-01-0{i + 1}" for i in range(5)]
    path.write_text("lat;lon;date\n" + "\n".join(rows) + "\n")
    # the reader detects the decimal comma on its own; told otherwise, the message says why
    inc, report, _ = load(path)
    assert report.rows_kept == 5
    with pytest.raises(
        HotspotInputError,
        match=msg(
            "'lon' and 'lat' hold numbers written with a decimal comma",
            "decimal=','",
            "--decimal ,",
        ),
    ):
        hs.read_incidents(path, decimal=".", quiet=True)


def test_thousands_separators_in_xy():
    df = pd.DataFrame({"x": ["430,100", "431,200"], "y": ["433,100", "433,900"]})
    with pytest.raises(
        HotspotInputError, match=msg("'x' and 'y' hold numbers written with thousands separators")
    ):
        hs.read_incidents(df, crs="EPSG:27700", quiet=True)


@pytest.mark.parametrize(
    ("columns", "hint"),
    [
        ({"A": [53.801, 53.79], "B": [-1.552, -1.54]}, "lat='A', lon='B' (CLI: --lat A --lon B)"),
        (
            {"E": [430_100.0, 431_200.0], "N": [433_100.0, 433_900.0]},
            "x='E', y='N' and their CRS, e.g. crs='EPSG:27700' (CLI: --x E --y N --crs EPSG:27700)",
        ),
    ],
    ids=["degrees", "projected"],
)
def test_no_coordinate_columns_names_the_likely_ones(columns, hint):
    with pytest.raises(HotspotInputError, match=msg("no coordinate columns found", hint)):
        hs.read_incidents(pd.DataFrame(columns), quiet=True)


@pytest.mark.parametrize("bad", ["EPSG:99999", "not a crs", 3.5])
def test_crs_garbage_is_a_clean_error(bad):
    df = pd.DataFrame({"x": [430_100.0], "y": [433_100.0]})
    with pytest.raises(HotspotInputError, match=msg(f"crs={bad!r}", "crs='EPSG:27700'")):
        hs.read_incidents(df, crs=bad, quiet=True)
    with pytest.raises(HotspotInputError, match=msg(f"crs={bad!r}")):
        hs.read_incidents(frame(ISO[:2]), crs=bad, quiet=True)


# --------------------------------------------------------------------------------------------
# the load report shows how the source was read
# --------------------------------------------------------------------------------------------


def test_read_as_row_when_the_reader_recorded_it():
    df = frame(ISO[:3])
    df.attrs["hotspot_source"] = {
        "format": "csv",
        "encoding": "cp1252",
        "sep": ";",
        "decimal": ",",
        "detected": ("encoding",),
        "notes": ("3 bytes were not valid UTF-8",),
    }
    inc, report, _ = load(df)
    rows = report.rows()
    assert ("read as", "csv, encoding='cp1252' (detected), sep=';', decimal=','") in rows
    assert ("note", "3 bytes were not valid UTF-8") in rows
    assert report.to_dict()["read_as"]["encoding"] == "cp1252"


def test_no_read_as_row_without_it():
    inc, report, _ = load(frame(ISO[:3]))
    assert "read as" not in dict(report.rows())
    assert report.read_as is None
    str(report)


# --------------------------------------------------------------------------------------------
# properties: mixed formats with impossible values always load, excluding exactly those
# --------------------------------------------------------------------------------------------

FORMATS = ("%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y/%m/%d")
IMPOSSIBLE = (
    "2019-02-30 10:00",
    "31/31/2019 10:00",
    "2019/13/01",
    "30/02/2019 08:00",
    "2019-00-10 10:00",
)


@st.composite
def mixed_columns(draw):
    n = draw(st.integers(min_value=3, max_value=60))
    minutes = draw(st.lists(st.integers(0, 5 * 365 * 24 * 60), min_size=n, max_size=n).map(sorted))
    times = [pd.Timestamp("2016-01-01") + pd.Timedelta(minutes=m) for m in minutes]
    which = draw(st.lists(st.integers(0, len(FORMATS) - 1), min_size=n, max_size=n))
    texts, expected = [], []
    for t, k in zip(times, which, strict=True):
        fmt = FORMATS[k]
        if fmt == "%Y/%m/%d":
            t = t.normalize()
        texts.append(t.strftime(fmt))
        expected.append(t.floor("min"))
    # the day-first group has a day above 12 somewhere
    anchor = pd.Timestamp("2018-05-25 13:45")
    texts.append(anchor.strftime("%d/%m/%Y %H:%M"))
    expected.append(anchor)
    bad = draw(st.lists(st.sampled_from(IMPOSSIBLE), max_size=4))
    positions = draw(st.lists(st.integers(0, len(texts)), min_size=len(bad), max_size=len(bad)))
    for value, position in zip(bad, positions, strict=True):
        texts.insert(position, value)
        expected.insert(position, None)
    return texts, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_columns())
def test_mixed_formats_load_and_only_impossible_values_are_excluded(column):
    texts, expected = column
    parsed = parse_times(pd.Series(texts))
    bad = [i for i, e in enumerate(expected) if e is None]
    assert parsed.reasons[parsed.reasons.notna()].index.tolist() == bad
    assert set(parsed.reasons.dropna()) <= {"unparseable time"}
    good = [i for i, e in enumerate(expected) if e is not None]
    assert parsed.times.iloc[good].tolist() == [expected[i] for i in good]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_columns())
def test_mixed_formats_through_read_incidents_conserve_rows(column):
    texts, expected = column
    inc, report, excluded = load(frame(texts))
    assert report.rows_kept == sum(e is not None for e in expected)
    assert set(excluded["reason"]) <= {"unparseable time"}


def test_shapes_group_single_and_double_digits():
    assert shapes(pd.Series(["1/7/2018", "13/07/2018"])).nunique() == 1


@pytest.mark.parametrize("dominant", FORMATS[:2], ids=["iso-dominant", "day-first-dominant"])
def test_large_columns_read_their_commonest_format_in_one_pass_with_the_same_result(dominant):
    # over 2,000 distinct values: the commonest format is read in one pass, the rest by group
    rng = np.random.default_rng(5)
    times = pd.Timestamp("2016-01-01") + pd.to_timedelta(
        rng.integers(0, 5 * 365 * 24 * 60, 6000), unit="min"
    )
    other = FORMATS[1] if dominant == FORMATS[0] else FORMATS[0]
    fmts = np.where(rng.random(6000) < 0.9, dominant, other)
    texts = [t.strftime(f) for t, f in zip(times, fmts, strict=True)]
    texts[10:10] = list(IMPOSSIBLE)
    parsed = parse_times(pd.Series(texts))
    assert parsed.reasons.dropna().index.tolist() == list(range(10, 10 + len(IMPOSSIBLE)))
    kept = parsed.times.drop(index=range(10, 10 + len(IMPOSSIBLE)))
    assert kept.tolist() == [t.floor("min") for t in times]

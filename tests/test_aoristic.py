"""Aoristic weights against a minute-by-minute allocation, and time windows in read_incidents."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.errors import HotspotInputError
from hotspot.temporal import aoristic_weights

# Windows that cross the boundaries that matter, then random ones (minutes, naive local time).
PLANTED = [
    ("2024-03-04 23:10", "2024-03-05 01:40"),  # midnight
    ("2024-03-10 22:00", "2024-03-11 03:00"),  # Sunday → Monday: the week's end
    ("2024-01-31 20:00", "2024-02-01 04:30"),  # month's end
    ("2023-12-31 23:30", "2024-01-01 00:30"),  # year's end
    ("2024-03-31 00:30", "2024-03-31 03:30"),  # Europe/London clocks go forward
    ("2024-10-27 00:30", "2024-10-27 03:30"),  # Europe/London clocks go back
    ("2024-06-30 18:00", "2024-07-07 18:00"),  # exactly a week, across a quarter
    ("2024-05-01 10:00", "2024-05-01 10:00"),  # zero length: a point
    ("2024-05-02 09:59", None),  # no end: a point
]
UNITS = [
    "hour_of_week",
    "hour",
    "weekday",
    "month",
    "h",
    "D",
    "W",
    "W-SAT",
    "MS",
    "QS",
    "YS",
    "2W",
    "3D",
]


def random_windows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = pd.Timestamp("2023-12-20")
    start = base + pd.to_timedelta(rng.integers(0, 330 * 24 * 60, n), unit="min")
    minutes = np.where(
        rng.random(n) < 0.5, rng.integers(0, 48 * 60, n), rng.integers(0, 7 * 1440, n)
    )
    end = start + pd.to_timedelta(minutes, unit="min")
    planted_start = pd.to_datetime([a for a, _ in PLANTED])
    planted_end = pd.to_datetime([b for _, b in PLANTED])
    starts = planted_start.append(pd.DatetimeIndex(start))
    ends = planted_end.append(pd.DatetimeIndex(end))
    frame = pd.DataFrame(
        {"time": starts, "time_start": starts, "time_end": ends},
        index=pd.Index([f"r{i}" for i in range(len(starts))], name="id"),
    )
    return frame


def brute_force(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Every minute of every window, labelled with its unit, counted and divided."""
    pieces = []
    for label, row in frame.iterrows():
        if pd.isna(row["time_end"]) or row["time_end"] <= row["time_start"]:
            minutes = pd.DatetimeIndex([row["time"]])
        else:
            minutes = pd.date_range(
                row["time_start"], row["time_end"], freq="min", inclusive="left"
            )
        pieces.append(pd.DataFrame({"incident": label, "minute": minutes}))
    m = pd.concat(pieces, ignore_index=True)
    t = m["minute"]
    if unit == "hour_of_week":
        m["unit"] = t.dt.day_of_week * 24 + t.dt.hour
    elif unit == "hour":
        m["unit"] = t.dt.hour
    elif unit == "weekday":
        m["unit"] = t.dt.day_of_week
    elif unit == "month":
        m["unit"] = t.dt.month
    else:
        multiple = int("".join(ch for ch in unit if ch.isdigit()) or 1)
        base = unit.lstrip("0123456789")
        period = {"MS": "M", "QS": "Q", "YS": "Y", "W": "W-SUN"}.get(base, base)
        periods = t.dt.to_period(period)
        if multiple > 1:  # bins counted from the bin of the earliest time, as the cube does
            first = periods.min()
            # each distinct period's bin worked out once, not once per minute
            bins = {p: first + ((p - first).n // multiple) * multiple for p in periods.unique()}
            periods = periods.map(bins)
        m["unit"] = pd.PeriodIndex(periods).start_time
    counts = m.groupby(["incident", "unit"]).size().rename("n").reset_index()
    counts["weight"] = counts["n"] / counts.groupby("incident")["n"].transform("sum")
    return counts.drop(columns="n")


@pytest.mark.parametrize("unit", UNITS)
def test_weights_equal_minute_by_minute_allocation(unit):
    frame = random_windows(40, seed=13)
    got = aoristic_weights(frame, unit=unit)
    want = brute_force(frame, unit)
    key = ["incident", "unit"]
    merged = got.merge(want, on=key, how="outer", suffixes=("", "_want"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"]
    np.testing.assert_allclose(merged["weight"], merged["weight_want"], rtol=1e-12, atol=1e-15)
    sums = got.groupby("incident")["weight"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    assert set(sums.index) == set(frame.index)
    assert (got["weight"] > 0).all()


def test_dst_nights_are_measured_in_wall_clock_minutes():
    frame = random_windows(0, seed=0).iloc[4:6]  # 00:30–03:30 on both Europe/London changes
    got = aoristic_weights(frame, unit="hour")
    for label in frame.index:
        w = got[got["incident"] == label].set_index("unit")["weight"]
        # 180 wall-clock minutes: 30 in hour 0, 60 in hours 1 and 2, 30 in hour 3
        np.testing.assert_allclose(w.reindex([0, 1, 2, 3]).to_numpy(), [1 / 6, 1 / 3, 1 / 3, 1 / 6])


def test_exact_times_fall_wholly_in_their_hour_of_week():
    rng = np.random.default_rng(2)
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, 5000), unit="min")
    frame = pd.DataFrame({"time": times})
    got = aoristic_weights(frame)
    assert (got["weight"] == 1.0).all() and len(got) == len(frame)
    hour_of_week = frame["time"].dt.day_of_week * 24 + frame["time"].dt.hour
    expected = frame.groupby(hour_of_week).size()
    observed = got.groupby("unit")["weight"].sum()
    np.testing.assert_array_equal(observed.index.to_numpy(), expected.index.to_numpy())
    np.testing.assert_array_equal(observed.to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(
        got["unit"].to_numpy(), (times.day_of_week * 24 + times.hour).to_numpy()
    )


def test_counts_and_points_without_a_time():
    frame = random_windows(5, seed=1)
    frame.loc["r0", ["time", "time_start"]] = pd.NaT
    frame.loc["r1", "time_end"] = frame.loc["r1", "time_start"] - pd.Timedelta(hours=2)
    got = aoristic_weights(frame, unit="weekday")
    counts = got.attrs["hotspot"]["aoristic_weights"]
    assert counts["incidents"] == len(frame) == counts["weighted"] + counts["no_time"]
    assert counts["weighted"] == counts["windows"] + counts["points"]
    assert counts["no_time"] == 1 and counts["negative_windows"] == 1
    assert "r0" not in set(got["incident"])
    negative = got[got["incident"] == "r1"]
    assert negative["weight"].tolist() == [1.0]
    assert negative["unit"].tolist() == [frame.loc["r1", "time"].day_of_week]
    assert got.attrs["hotspot"]["method"] == "aoristic_weights"
    assert got.attrs["hotspot"]["kind"] == "incidents"


def test_input_unchanged():
    frame = random_windows(10, seed=5)
    frame.attrs["hotspot"] = {"kind": "incidents", "method": "read_incidents", "x": [1]}
    before, attrs = frame.copy(deep=True), copy.deepcopy(frame.attrs)
    aoristic_weights(frame, unit="D")
    pd.testing.assert_frame_equal(frame, before)
    assert frame.attrs == attrs


@pytest.mark.parametrize(
    ("unit", "match"),
    [
        ("minute", "unit='minute' is not a unit"),
        ("W-XYZ", "unit='W-XYZ': only weeks take an anchor"),
        (3, "unit=3"),
    ],
)
def test_bad_unit(unit, match):
    frame = random_windows(2, seed=0)
    with pytest.raises(HotspotInputError, match=f"aoristic_weights: {match}"):
        aoristic_weights(frame, unit=unit)


def test_refuses_frames_without_datetimes():
    with pytest.raises(
        HotspotInputError, match="aoristic_weights: the incidents frame has no 'time'"
    ):
        aoristic_weights(pd.DataFrame({"when": [1]}))
    with pytest.raises(HotspotInputError, match=r"incidents\['time'\] is"):
        aoristic_weights(pd.DataFrame({"time": ["2024-01-01"]}))


def test_calendar_bins_are_labelled_like_the_cube():
    """The bins' starts are those of hotspot.space_time_cube for the same freq."""
    inc, _ = hs.simulate.simulate_incidents(n_background=300, rng=4)
    cells = hs.square_grid(inc, 2000, quiet=True)
    for freq in ("W", "MS", "D"):
        cube = hs.space_time_cube(inc, cells, freq=freq, quiet=True)
        got = aoristic_weights(inc, unit=freq)
        assert set(got["unit"]) <= set(cube.bins)
        per_bin = got.groupby("unit")["weight"].sum().reindex(cube.bins, fill_value=0)
        np.testing.assert_allclose(per_bin.to_numpy(), cube.counts.sum(axis=1))


@pytest.mark.slow  # 100,000 windows: the vectorised path at scale (speed is not asserted here)
def test_hundred_thousand_week_long_windows_each_spread_over_the_whole_week():
    rng = np.random.default_rng(0)
    n = 100_000
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 525_600, n), unit="min")
    frame = pd.DataFrame(
        {"time": start, "time_start": start, "time_end": start + pd.Timedelta(days=7)}
    )
    got = aoristic_weights(frame, unit="hour_of_week")
    sums = np.bincount(np.asarray(got["incident"]), weights=got["weight"].to_numpy(), minlength=n)
    np.testing.assert_allclose(sums, 1.0, rtol=1e-9)
    # a week-long window covers every hour of the week exactly once: 1/168 each, minute by minute
    off_hour = frame.index[np.asarray(start.minute) != 0][0]
    assert (got["incident"] == off_hour).sum() == 168
    np.testing.assert_allclose(got.loc[got["incident"] == off_hour, "weight"], 1 / 168)


CSV = """lat,lon,First Committed,Last Committed,category
53.80,-1.55,2024-03-01 22:00,2024-03-02 06:00,burglary
53.80,-1.55,2024-03-01 22:00,2024-03-01 20:00,burglary
53.80,-1.55,2024-03-01 22:00,,burglary
53.80,-1.55,2024-03-01 22:00,2024-03-20 06:00,burglary
53.80,-1.55,,2024-03-20 06:00,burglary
53.80,-1.55,2024-03-01 22:00,2024-03-01 22:00,burglary
53.80,-1.55,2024-03-02 23:00,2024-03-03 01:00,burglary
53.80,-1.55,2024-03-02 23:00,soon,burglary
"""


def test_load_report_counts_windows(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_text(CSV)
    inc = hs.read_incidents(path, quiet=True)
    r = inc.attrs["hotspot"]["load_report"]
    assert r.columns["time_start"] == "First Committed" == r.columns["time"]
    assert r.columns["time_end"] == "Last Committed"
    assert r.excluded == {"missing time": 1}
    assert r.windows == {
        "window": 2,
        "window over 7 days, capped": 1,
        "zero-length window": 1,
        "no end": 1,
        "unreadable end": 1,
        "negative window": 1,
    }
    assert sum(r.windows.values()) == r.rows_kept == 7
    assert (inc["time"] == inc["time_start"]).all()
    assert inc.loc[1, "time_end"] is pd.NaT and inc.loc[2, "time_end"] is pd.NaT
    assert inc.loc[3, "time_end"] == pd.Timestamp("2024-03-08 22:00")
    assert pd.api.types.is_datetime64_any_dtype(inc["time_end"])
    assert "negative window" in str(r) and r.to_dict()["windows"] == r.windows
    # the capped window is spread over 7 days, the negative one is a point at its start
    w = aoristic_weights(inc, unit="D")
    assert w.loc[w["incident"] == 3, "weight"].count() == 8
    assert w.loc[w["incident"] == 1, "weight"].tolist() == [1.0]
    days = w[w["incident"] == 6].set_index("unit")["weight"]
    np.testing.assert_allclose(days.to_numpy(), [0.5, 0.5])

"""hotspot.scale: the whole-file decisions of ``read_incidents`` taken on the whole archive.

The reference is ``read_incidents`` on the concatenated files. The files are built so that
each partition alone decides otherwise (a week of ``dd/mm`` dates whose days are all ≤ 12
raises alone; three placeholder dates are "in bulk" in a file of 100 rows but not of 1,000),
and the partitioned read must still give the in-memory load report and rows, re-reading only
the partitions that decided otherwise.
"""

from __future__ import annotations

import re

import dask
import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot import scale
from hotspot.errors import HotspotInputError
from hotspot.incidents import get_load_report


@pytest.fixture(autouse=True)
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def incidents(dates: list[str], rng: np.random.Generator, start: int = 0) -> pd.DataFrame:
    """Points in Toronto with the given text dates and an ``id`` to match rows by."""
    n = len(dates)
    return pd.DataFrame(
        {
            "id": np.arange(start, start + n),
            "lat": 43.70 + rng.uniform(-0.05, 0.05, n),
            "lon": -79.40 + rng.uniform(-0.05, 0.05, n),
            "date": dates,
        }
    )


def write(pieces: list[pd.DataFrame], tmp_path) -> tuple[list[str], str]:
    """The pieces as Parquet partition files, and the concatenated file."""
    folder = tmp_path / "parts"
    folder.mkdir()
    paths = []
    for i, piece in enumerate(pieces):
        path = folder / f"part-{i:03d}.parquet"
        piece.reset_index(drop=True).to_parquet(path)
        paths.append(str(path))
    whole = tmp_path / "all.parquet"
    pd.concat(pieces, ignore_index=True).to_parquet(whole)
    return paths, str(whole)


def assert_same(lazy: scale.LazyIncidents, whole: str) -> None:
    """Identical load report (rows read, kept, excluded by reason) and kept rows and times."""
    memory = hs.read_incidents(whole, quiet=True)
    expected = get_load_report(memory)
    got = lazy.load_report()
    assert got.rows_read == expected.rows_read
    assert got.rows_kept == expected.rows_kept
    assert got.excluded == expected.excluded
    assert got.time_min == expected.time_min
    assert got.time_max == expected.time_max
    assert got.windows == expected.windows
    assert sorted(got.excluded_rows["id"]) == sorted(expected.excluded_rows["id"])
    rows = lazy.compute()
    pd.testing.assert_series_equal(
        rows.set_index("id")["time"].sort_index(),
        pd.Series(memory.set_index("id")["time"]).sort_index(),
    )


def timed(days: pd.DatetimeIndex, rng: np.random.Generator, per_day: int) -> pd.Series:
    minutes = rng.integers(0, 24 * 60, size=len(days) * per_day)
    return pd.Series(np.repeat(days, per_day) + pd.to_timedelta(minutes, unit="min"))


def weekly(fmt: str, seed: int, per_day: int = 4) -> list[pd.DataFrame]:
    """Incidents from January to April 2019 in files of one week each, dates in ``fmt``."""
    rng = np.random.default_rng(seed)
    times = timed(pd.date_range("2019-01-01", "2019-04-30", freq="D"), rng, per_day)
    frame = incidents(list(times.dt.strftime(fmt)), rng)
    week = times.dt.to_period("W").to_numpy()
    return [frame[week == w] for w in pd.unique(week)]


def cut(pieces: list[pd.DataFrame], seed: int) -> list[pd.DataFrame]:
    """The rows of ``pieces`` cut again at random places (some cuts inside a week)."""
    whole = pd.concat(pieces)
    rng = np.random.default_rng(seed)
    cuts = np.sort(
        rng.choice(np.arange(1, len(whole)), size=int(rng.integers(5, 25)), replace=False)
    )
    return [whole.iloc[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)], strict=True)]


def all_low_days(piece: pd.DataFrame) -> bool:
    return bool((piece["date"].str[:2].astype(int) <= 12).all())


# --------------------------------------------------------------------------------------------
# day/month order
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"])
def test_weekly_files_whose_days_are_all_low_read_as_the_whole(fmt, tmp_path):
    pieces = weekly(fmt, 1)
    first = fmt[:2] == "%d"
    low = [p for p in pieces if all_low_days(p.assign(date=p["date"].str[0 if first else 3 :]))]
    assert len(low) >= 4  # the weeks of the 1st to the 12th whose days alone settle nothing
    with pytest.raises(HotspotInputError, match="could be day-first or month-first"):
        hs.read_incidents(low[0], quiet=True)  # alone, such a week raises
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    assert_same(lazy, whole)
    settled = lazy.settled_or_self()
    expected = hs.read_incidents(whole, quiet=True)
    assert get_load_report(expected).excluded == {}
    # a week read provisionally day-first is read again when the archive is month-first
    if first:
        assert settled.rereads == ()
    else:
        assert 0 < len(settled.rereads) < len(paths)
        assert all(
            all_low_days(pieces[i].assign(date=pieces[i]["date"].str[3:])) for i in settled.rereads
        )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"])
def test_random_partitionings_read_as_the_whole(fmt, seed, tmp_path):
    pieces = cut(weekly(fmt, 10 + seed, per_day=3), seed)
    paths, whole = write(pieces, tmp_path)
    assert_same(scale.read_partitions(paths, quiet=True), whole)


def test_a_column_read_in_one_pass_in_memory_decides_as_the_partitions(tmp_path):
    """Over 2,000 distinct dates: in memory the commonest format is read in one pass
    (``_dominant``); the weekly files, of a few hundred each, are grouped by shape."""
    pieces = weekly("%m/%d/%Y %H:%M", 13, per_day=25)
    whole_dates = pd.concat(pieces)["date"]
    assert whole_dates.nunique() > 2000 > max(p["date"].nunique() for p in pieces)
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    assert_same(lazy, whole)
    assert lazy.settled_or_self().rereads


def test_time_windows_settle_each_column(tmp_path):
    """``occurred_from`` and ``occurred_to``, month-first, both settled by the other weeks."""
    pieces = weekly("%m/%d/%Y %H:%M", 14)
    pieces = [
        p.rename(columns={"date": "occurred_from"}).assign(
            occurred_to=(pd.to_datetime(p["date"], format="%m/%d/%Y %H:%M") + pd.Timedelta("3h"))
            .dt.strftime("%m/%d/%Y %H:%M")
            .to_numpy()
        )
        for p in pieces
    ]
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    assert_same(lazy, whole)
    assert set(lazy.partition_reports()[0].decisions) == {"occurred_from", "occurred_to"}
    rows = lazy.compute()
    assert ((rows["time_end"] - rows["time"]) == pd.Timedelta("3h")).all()


def test_the_only_evidence_in_one_file_settles_every_file(tmp_path):
    """Month-first dates, all ≤ 12 except in the last file (the 13th to the 20th)."""
    rng = np.random.default_rng(3)
    pieces = []
    for month in range(1, 6):
        days = pd.date_range(f"2019-{month:02d}-01", f"2019-{month:02d}-12", freq="D")
        pieces.append(incidents(list(timed(days, rng, 3).dt.strftime("%m/%d/%Y %H:%M")), rng))
    days = pd.date_range("2019-06-13", "2019-06-20", freq="D")
    pieces.append(incidents(list(timed(days, rng, 1).dt.strftime("%m/%d/%Y %H:%M")), rng))
    pieces = [p.assign(id=p["id"] + 1000 * i) for i, p in enumerate(pieces)]
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    reports = lazy.partition_reports()
    assert [r.rows_kept for r in reports] == [len(p) for p in pieces]
    assert lazy.settled_or_self().rereads == (0, 1, 2, 3, 4)  # each read day-first at first
    assert_same(lazy, whole)
    persisted = scale.read_partitions(paths, quiet=True).persist()  # persist settles too
    assert persisted.rereads == (0, 1, 2, 3, 4)
    assert persisted.settled_or_self() is persisted
    assert_same(persisted, whole)
    # month first: 05/03 is 3 May
    rows = lazy.compute()
    first = rows.set_index("id").loc[pieces[4]["id"].iloc[0], "time"]
    assert first.month == 5


def test_a_large_ambiguous_group_over_the_archive_raises_the_in_memory_error(tmp_path):
    rng = np.random.default_rng(4)
    days = pd.date_range("2019-03-01", "2019-03-12", freq="D")
    dates = list(timed(days, rng, 5).dt.strftime("%d/%m/%Y %H:%M"))
    pieces = [incidents(dates[i : i + 12], rng, i) for i in range(0, len(dates), 12)]
    paths, whole = write(pieces, tmp_path)
    with pytest.raises(HotspotInputError) as memory:
        hs.read_incidents(whole, quiet=True)
    lazy = scale.read_partitions(paths, quiet=True)  # each file is small: no error alone
    assert all("ambiguous day/month" in r.excluded for r in dask.compute(*lazy.reports))
    with pytest.raises(HotspotInputError) as found:
        lazy.load_report()
    essentials = r"(\d+ rows of 'date' \([\d.]+%\)).*(could be day-first or month-first).*Pass (.*)"
    want = re.search(essentials, str(memory.value)).groups()
    got = re.search(essentials, str(found.value)).groups()
    assert got == want
    assert "part-000.parquet" in str(found.value)
    with pytest.raises(HotspotInputError, match="could be day-first or month-first"):
        lazy.compute()


def test_mixed_orders_over_the_archive_raise_the_in_memory_error(tmp_path):
    rng = np.random.default_rng(5)
    day_first = timed(pd.date_range("2019-03-13", "2019-03-31"), rng, 2).dt.strftime("%d/%m/%Y")
    month_first = timed(pd.date_range("2019-04-13", "2019-04-30"), rng, 2).dt.strftime("%m/%d/%Y")
    pieces = [incidents(list(day_first), rng), incidents(list(month_first), rng, 1000)]
    paths, whole = write(pieces, tmp_path)
    with pytest.raises(HotspotInputError) as memory:
        hs.read_incidents(whole, quiet=True)
    lazy = scale.read_partitions(paths, quiet=True)
    with pytest.raises(HotspotInputError) as found:
        lazy.load_report()
    essentials = r"mixes day-first dates \((\d+) rows.*month-first dates \((\d+) rows"
    assert (
        re.search(essentials, str(found.value)).groups()
        == re.search(essentials, str(memory.value)).groups()
    )


def test_a_small_ambiguous_group_without_a_majority_is_excluded_as_in_memory(tmp_path):
    """Votes tie over the archive (30 day-first dates, 30 month-first ones written otherwise),
    so 10 ambiguous dates with a time are excluded; the files of each half alone would have
    read them in their own order."""
    rng = np.random.default_rng(6)
    late = pd.date_range("2019-05-13", "2019-05-27")
    day_first = list(timed(late, rng, 2).dt.strftime("%d/%m/%Y"))  # 30 rows
    month_first = list(timed(late, rng, 2).dt.strftime("%m-%d-%Y"))  # 30 rows
    june = pd.date_range("2019-06-01", "2019-06-11").drop(pd.Timestamp("2019-06-06"))
    ambiguous = list(timed(june, rng, 1).dt.strftime("%d/%m/%Y %H:%M"))  # 10, none 06/06
    iso = list(
        timed(pd.date_range("2019-01-01", "2019-03-31"), rng, 3).dt.strftime("%Y-%m-%d %H:%M")
    )
    pieces = [
        incidents(day_first + ambiguous[:4], rng, 0),
        incidents(month_first + ambiguous[4:7], rng, 1000),
        incidents(iso + ambiguous[7:], rng, 2000),
    ]
    paths, whole = write(pieces, tmp_path)
    memory = get_load_report(hs.read_incidents(whole, quiet=True))
    assert memory.excluded == {"ambiguous day/month": 10}
    lazy = scale.read_partitions(paths, quiet=True)
    alone = [get_load_report(hs.read_incidents(p, quiet=True)).excluded for p in paths]
    assert alone[:2] == [{}, {}]  # each half reads its ambiguous dates in its own order
    assert_same(lazy, whole)
    assert lazy.settled_or_self().rereads == (0, 1)


def test_partitions_that_agree_are_not_read_again(tmp_path):
    """Every week holds a day above 12 (weeks from the 13th) or none is ambiguous."""
    pieces = [p for p in weekly("%d/%m/%Y %H:%M", 7) if not all_low_days(p)]
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    reports = dask.compute(*lazy.reports)
    assert lazy.settle(reports) is lazy
    assert lazy.settled_or_self() is lazy
    assert_same(lazy, whole)


def test_datetime_columns_have_nothing_to_settle(tmp_path):
    rng = np.random.default_rng(8)
    times = timed(pd.date_range("2019-01-01", "2019-02-28"), rng, 5)
    frame = incidents(list(times.dt.strftime("%Y-%m-%d %H:%M")), rng).assign(date=times.to_numpy())
    pieces = [frame.iloc[i : i + 37] for i in range(0, len(frame), 37)]
    paths, whole = write(pieces, tmp_path)
    lazy = scale.read_partitions(paths, quiet=True)
    assert lazy.settle(dask.compute(*lazy.reports)) is lazy
    assert_same(lazy, whole)


# --------------------------------------------------------------------------------------------
# placeholder dates in bulk
# --------------------------------------------------------------------------------------------


def with_placeholders(sizes: list[int], hits: list[int], seed: int) -> list[pd.DataFrame]:
    """Files of ``sizes`` ISO dates, ``hits[i]`` of them 1970-01-01 at midnight."""
    rng = np.random.default_rng(seed)
    pieces, start = [], 0
    for size, n in zip(sizes, hits, strict=True):
        days = pd.date_range("2019-01-01", periods=size, freq="h")
        dates = list(days.strftime("%Y-%m-%d %H:%M"))
        for k in rng.choice(size, size=n, replace=False):
            dates[k] = "1970-01-01 00:00"
        pieces.append(incidents(dates, rng, start))
        start += size
    return pieces


@pytest.mark.parametrize(
    ("sizes", "hits", "excluded"),
    [
        ([1000] * 5, [3] * 5, 15),  # 3 per file is too few alone, 15 is bulk
        ([1000] * 4 + [100], [0] * 4 + [1], 0),  # bulk alone in 100 rows, not in 4,100
        ([1000, 1000, 300], [2, 2, 3], 0),  # 7 of 2,300: kept (the last file alone excludes)
        ([1500] * 3, [3, 3, 4], 10),  # 10 rows: bulk by number
        ([400] * 3, [1, 1, 1], 0),  # 3 of 1,200: kept; each file alone keeps its 1 (0.5 % = 2)
    ],
)
def test_placeholder_dates_in_bulk_over_the_archive(sizes, hits, excluded, tmp_path):
    pieces = with_placeholders(sizes, hits, 9)
    paths, whole = write(pieces, tmp_path)
    memory = get_load_report(hs.read_incidents(whole, quiet=True))
    assert memory.excluded.get("placeholder date", 0) == excluded
    lazy = scale.read_partitions(paths, quiet=True)
    assert_same(lazy, whole)


@pytest.mark.parametrize("seed", range(4))
def test_placeholder_dates_over_random_files(seed, tmp_path):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    sizes = [int(s) for s in rng.integers(50, 1500, size=k)]
    hits = [int(h) for h in rng.integers(0, 4, size=k)]
    paths, whole = write(with_placeholders(sizes, hits, seed), tmp_path)
    assert_same(scale.read_partitions(paths, quiet=True), whole)


def test_placeholders_are_counted_among_dates_read_in_the_archives_order(tmp_path):
    """``30/12/1899`` is a placeholder read day-first only. The second file is month-first
    alone (13 dates such as 02/13/2019 against 6 placeholders): it does not see its 6; the
    third sees 6, bulk in its 306 rows. The archive is day-first: 12 placeholders, bulk."""
    rng = np.random.default_rng(12)
    late = pd.date_range("2019-05-13", "2019-05-31")
    day_first = list(timed(late, rng, 106).dt.strftime("%d/%m/%Y"))  # 2,014 rows
    low = list(timed(pd.date_range("2019-02-01", "2019-02-12"), rng, 3).dt.strftime("%d/%m/%Y"))
    month_first = [f"02/{d}/2019" for d in range(13, 26)]
    pieces = [
        incidents(day_first, rng, 0),
        incidents(low + ["30/12/1899"] * 6 + month_first, rng, 5000),
        incidents(low * 8 + ["30/12/1899"] * 6 + low[:18], rng, 9000),
    ]
    paths, whole = write(pieces, tmp_path)
    memory = get_load_report(hs.read_incidents(whole, quiet=True))
    assert memory.excluded == {"placeholder date": 12, "unparseable time": 13}
    alone = get_load_report(hs.read_incidents(paths[1], quiet=True)).excluded
    assert "placeholder date" not in alone
    lazy = scale.read_partitions(paths, quiet=True)
    assert_same(lazy, whole)
    assert lazy.settled_or_self().rereads == (1,)


@pytest.mark.slow
def test_settles_on_a_local_cluster(tmp_path):
    """Worker processes read, the client sums the evidence, the re-reads run on the workers."""
    import logging

    import distributed

    pieces = weekly("%m/%d/%Y %H:%M", 15) + with_placeholders([1000] * 5, [3] * 5, 15)
    pieces = [p.assign(id=p["id"] + 100_000 * i) for i, p in enumerate(pieces)]
    paths, whole = write(pieces, tmp_path)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        lazy = scale.read_partitions(paths, client=client, quiet=True)
        assert_same(lazy, whole)
        rereads = lazy.settled_or_self().rereads
    n_weeks = len(pieces) - 5
    assert set(range(n_weeks, len(pieces))) <= set(rereads)  # the placeholder files
    assert get_load_report(hs.read_incidents(whole, quiet=True)).excluded == {
        "placeholder date": 15
    }


# --------------------------------------------------------------------------------------------
# counts and cubes settle before they answer
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", ["W", "2W"])
def test_counts_and_cubes_of_an_unsettled_archive_equal_in_memory(freq, tmp_path):
    """A count or cube is the first computation on the collection: the month-first weeks read
    day-first alone are read again before the answer, which equals the in-memory one."""
    paths, whole = write(weekly("%m/%d/%Y %H:%M", 4), tmp_path)
    memory = hs.read_incidents(whole, quiet=True)
    cells = hs.square_grid(memory, 2000, quiet=True)
    expected_cube = hs.space_time_cube(memory, cells, freq, end="2019-04-20", quiet=True)
    cube = hs.space_time_cube(
        scale.read_partitions(paths, quiet=True), cells, freq, end="2019-04-20", quiet=True
    )
    np.testing.assert_array_equal(cube.counts, expected_cube.counts)
    assert cube.bins.equals(expected_cube.bins)
    assert cube.attrs["counts"] == expected_cube.attrs["counts"]
    counts = hs.count_incidents(scale.read_partitions(paths, quiet=True), cells, quiet=True)
    np.testing.assert_array_equal(
        counts["count"], hs.count_incidents(memory, cells, quiet=True)["count"]
    )


def test_a_selection_made_before_settling_survives_the_reread(tmp_path):
    """where() on provisional partitions: the partitions read again keep the selection."""
    paths, whole = write(weekly("%m/%d/%Y %H:%M", 5), tmp_path)
    memory = hs.read_incidents(whole, quiet=True)
    cells = hs.square_grid(memory, 2000, quiet=True)

    def even_ids(frame: pd.DataFrame) -> pd.Series:
        return frame["id"] % 2 == 0

    chosen = scale.read_partitions(paths, quiet=True).where(even_ids)
    cube = hs.space_time_cube(chosen, cells, "W", quiet=True)
    assert chosen.settled_or_self().rereads  # some weeks were read again
    expected = hs.space_time_cube(memory[memory["id"] % 2 == 0], cells, "W", quiet=True)
    np.testing.assert_array_equal(cube.counts, expected.counts)
    assert cube.attrs["selection"] == "even_ids(rows)"
    assert set(chosen.compute()["id"] % 2) == {0}

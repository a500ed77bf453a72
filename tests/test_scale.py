"""hotspot.scale: partitioned reading, counting and cubes on Dask.

The reference is the in-memory path on the same rows: ``read_incidents`` on the concatenated
file, then ``count_incidents`` / ``space_time_cube``. Random partitionings (seeded) include an
empty file and a file of only bad rows; a two-worker LocalCluster checks the distributed run
and that a worker killed mid-computation loses and double-counts nothing.
"""

from __future__ import annotations

import logging
import os
import signal
import time

import dask
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot import scale
from hotspot.datasets import data_path
from hotspot.errors import HotspotInputError
from hotspot.incidents import get_load_report

N_ROWS = 6000


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """Toronto break and enters as exported (text dates with a UTC offset, local hour),
    with bad rows planted: missing latitude, (0, 0), an unparseable and a missing date."""
    frame = pd.read_parquet(data_path("toronto.parquet"))
    frame = frame[frame["MCI"] == "Break and Enter"]
    frame = frame.iloc[:N_ROWS].reset_index(drop=True)
    rng = np.random.default_rng(1)
    rows = rng.choice(N_ROWS, size=40, replace=False)
    frame.loc[rows[:15], "Lat"] = np.nan
    frame.loc[rows[15:22], ["Lat", "Long"]] = 0.0
    frame.loc[rows[22:32], "occurrencedate"] = "not a date"
    frame.loc[rows[32:], "occurrencedate"] = None
    frame["harm"] = rng.integers(1, 50, size=N_ROWS) / 4.0
    return frame


def bad_rows(raw: pd.DataFrame, n: int = 9) -> pd.DataFrame:
    """Rows that read_incidents excludes, each for a reason of its own."""
    clean = raw[
        raw["Lat"].notna()
        & (raw["Lat"] != 0)
        & raw["occurrencedate"].notna()
        & (raw["occurrencedate"] != "not a date")
    ]
    rows = clean.iloc[100 : 100 + n].copy()
    rows.loc[rows.index[0::3], "Lat"] = np.nan
    rows.loc[rows.index[1::3], "occurrencedate"] = "not a date"
    rows.loc[rows.index[2::3], ["Lat", "Long"]] = 0.0
    return rows


def partitioned(raw: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    """A random partitioning of ``raw`` into 3–6 pieces, with an empty piece and a piece of
    only bad rows put in at random places."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 7))
    cuts = np.sort(rng.choice(np.arange(300, len(raw) - 300), size=k - 1, replace=False))
    pieces = [raw.iloc[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    pieces.insert(int(rng.integers(0, len(pieces) + 1)), raw.iloc[:0])
    pieces.insert(int(rng.integers(1, len(pieces) + 1)), bad_rows(raw))
    return pieces


def write(pieces: list[pd.DataFrame], folder, kind: str) -> tuple[str, str]:
    """The pieces as partition files in ``folder``, and the concatenated file beside it."""
    folder.mkdir()
    for i, piece in enumerate(pieces):
        path = folder / f"part-{i:03d}.{kind}"
        if kind == "parquet":
            piece.reset_index(drop=True).to_parquet(path)
        else:
            piece.to_csv(path, index=False)
    whole = folder.parent / f"{folder.name}-all.{kind}"
    full = pd.concat(pieces, ignore_index=True)
    if kind == "parquet":
        full.to_parquet(whole)
    else:
        full.to_csv(whole, index=False)
    return str(folder), str(whole)


def plain_attrs(attrs: dict) -> dict:
    """Result attrs without the load report's own record (its source and notes differ)."""
    return {k: v for k, v in attrs.items() if k != "incidents_report"}


def assert_same_report(lazy_report, memory_report) -> None:
    assert lazy_report.rows_read == memory_report.rows_read
    assert lazy_report.rows_kept == memory_report.rows_kept
    assert lazy_report.excluded == memory_report.excluded
    assert list(lazy_report.excluded) == list(memory_report.excluded)  # reasons in order
    assert lazy_report.time_min == memory_report.time_min
    assert lazy_report.time_max == memory_report.time_max
    assert lazy_report.time_resolution == memory_report.time_resolution
    assert lazy_report.crs == memory_report.crs
    assert lazy_report.timezone == memory_report.timezone
    assert lazy_report.rows_read == lazy_report.rows_kept + lazy_report.rows_excluded
    assert sorted(lazy_report.excluded_rows["reason"]) == sorted(
        memory_report.excluded_rows["reason"]
    )


def assert_same_cells(lazy_cells, memory_cells) -> None:
    assert list(lazy_cells.columns) == list(memory_cells.columns)
    assert lazy_cells.index.equals(memory_cells.index)
    np.testing.assert_array_equal(lazy_cells["count"], memory_cells["count"])
    assert lazy_cells["count"].dtype == memory_cells["count"].dtype
    assert plain_attrs(lazy_cells.attrs["hotspot"]) == plain_attrs(memory_cells.attrs["hotspot"])


def assert_same_cube(lazy_cube, memory_cube) -> None:
    np.testing.assert_array_equal(lazy_cube.counts, memory_cube.counts)
    assert lazy_cube.counts.dtype == memory_cube.counts.dtype
    assert lazy_cube.bins.equals(memory_cube.bins)
    np.testing.assert_array_equal(lazy_cube.partial_bins, memory_cube.partial_bins)
    assert lazy_cube.cells.equals(memory_cube.cells)
    assert plain_attrs(lazy_cube.attrs) == plain_attrs(memory_cube.attrs)


@pytest.fixture(scope="module")
def grid(raw) -> gpd.GeoDataFrame:
    inc = hs.read_incidents(raw, quiet=True)
    return hs.square_grid(inc, 500, quiet=True)


# --------------------------------------------------------------------------------------------
# the property: any partitioning gives what the in-memory path gives
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_parquet_partitions_match_in_memory(raw, grid, tmp_path, seed):
    pieces = partitioned(raw, seed)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    assert lazy.npartitions == len(pieces)
    assert_same_report(lazy.load_report(), get_load_report(memory))
    assert_same_cells(
        hs.count_incidents(lazy, grid, quiet=True), hs.count_incidents(memory, grid, quiet=True)
    )
    freq = ("W", "MS", "2W", "D")[seed]
    assert_same_cube(
        hs.space_time_cube(lazy, grid, freq, quiet=True),
        hs.space_time_cube(memory, grid, freq, quiet=True),
    )


@pytest.mark.slow
@pytest.mark.parametrize("shards", [3, 8])
def test_a_cube_summed_in_cell_ranges_equals_in_memory(raw, grid, tmp_path, monkeypatch, shards):
    """Large grids sum their tallies by ranges of cells: forced here on a small one, with
    weights."""
    from hotspot.scale import cube as lazy_cube

    monkeypatch.setattr(lazy_cube, "SHARD_CELLS", 0)
    monkeypatch.setattr(lazy_cube, "SHARDS", shards)
    pieces = partitioned(raw, 1)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    for weights in (None, "x_m"):
        kwargs = {} if weights is None else {"incident_weights": weights}
        if weights is not None:
            memory = memory.assign(x_m=memory.geometry.x)
        assert_same_cube(
            hs.space_time_cube(lazy, grid, "W", quiet=True, **kwargs),
            hs.space_time_cube(memory, grid, "W", quiet=True, **kwargs),
        )


@pytest.mark.parametrize(
    ("freq", "start", "end"),
    [
        ("W", None, None),
        ("2W", None, None),
        ("3D", None, None),
        ("W", "2014-03-05", None),
        ("W", None, "2015-06-30"),
        ("2W", "2014-03-05", None),
        ("2W", None, "2015-06-30"),
        ("2W", "2014-03-05", "2015-06-30"),
        ("MS", "2013-11-20", "2016-02-01"),
        ("2W", None, "2000-01-01"),
    ],
)
def test_cube_bounds_and_multiples_match_in_memory(raw, grid, tmp_path, freq, start, end):
    """The one-pass cube keys tallies by absolute period and folds them into bins after: every
    combination of start, end and multiple (the end-only multiple needs the span first) gives
    the in-memory cube, padding and incidents outside the bins included."""
    pieces = partitioned(raw, 7)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    kwargs = {"start": start, "end": end, "quiet": True}
    try:
        expected = hs.space_time_cube(memory, grid, freq, **kwargs)
    except HotspotInputError as err:
        with pytest.raises(HotspotInputError) as found:
            scale.space_time_cube(lazy, grid, freq, **kwargs)
        assert str(found.value) == str(err)
        return
    assert_same_cube(scale.space_time_cube(lazy, grid, freq, **kwargs), expected)


def test_the_cube_reads_each_partition_once(raw, grid, tmp_path, monkeypatch):
    """One pass: every file is read by one task, whatever start/end are given (only an
    end without a start on a multiple frequency needs a pass for the span first)."""
    from hotspot.scale import read as lazy_read

    calls: list[str] = []
    original = lazy_read.read_incidents

    def counting(source, **options):
        if isinstance(source, str | os.PathLike):  # not the all-bad file's retry (a frame)
            calls.append(os.fspath(source))
        return original(source, **options)

    pieces = partitioned(raw, 8)
    folder, _ = write(pieces, tmp_path / "parts", "parquet")
    monkeypatch.setattr(lazy_read, "read_incidents", counting)
    lazy = scale.read_partitions(folder, quiet=True)
    first_pass = len(calls)
    with dask.config.set(scheduler="synchronous"):
        cube = scale.space_time_cube(lazy, grid, "W", quiet=True)
    files = sorted(os.fspath(p) for p in (tmp_path / "parts").iterdir())
    assert sorted(calls[first_pass:]) == files
    assert cube.attrs["counts"]["incidents"] == lazy.load_report().rows_kept


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
def test_csv_partitions_match_in_memory(raw, grid, tmp_path, seed):
    pieces = partitioned(raw, 100 + seed)
    folder, whole = write(pieces, tmp_path / "parts", "csv")
    lazy = scale.read_partitions(os.path.join(folder, "part-*.csv"), quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    assert lazy.npartitions == len(pieces)
    assert_same_report(lazy.load_report(), get_load_report(memory))
    assert_same_cells(
        scale.count_incidents(lazy, grid, quiet=True), hs.count_incidents(memory, grid, quiet=True)
    )
    assert_same_cube(
        scale.space_time_cube(lazy, grid, "MS", start="2014-06", end="2016-03", quiet=True),
        hs.space_time_cube(memory, grid, "MS", start="2014-06", end="2016-03", quiet=True),
    )


@pytest.mark.slow
def test_many_small_partitions_reduce_in_a_tree(raw, grid, tmp_path):
    """30 files of 100 rows: the tallies are summed over two levels of the tree (30 → 4 → 1)."""
    pieces = [raw.iloc[i : i + 100] for i in range(0, 3000, 100)]
    folder, whole = write(pieces, tmp_path / "many", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    assert lazy.npartitions == 30
    assert_same_report(lazy.load_report(), get_load_report(memory))
    assert_same_cells(
        hs.count_incidents(lazy, grid, quiet=True), hs.count_incidents(memory, grid, quiet=True)
    )
    assert_same_cube(
        hs.space_time_cube(lazy, grid, "QS", quiet=True),
        hs.space_time_cube(memory, grid, "QS", quiet=True),
    )


def test_empty_and_bad_only_partitions_are_accounted(raw, tmp_path):
    """Three files: 500 good rows, none, and 9 bad ones (3 reasons, 3 rows each)."""
    pieces = [raw.iloc[1000:1500], raw.iloc[:0], bad_rows(raw)]
    folder, _ = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    reports = lazy.partition_reports()
    assert [r.rows_read for r in reports] == [500, 0, 9]
    assert reports[2].rows_kept == 0
    assert reports[2].excluded == {
        "missing coordinates": 3,
        "coordinates at (0, 0)": 3,
        "unparseable time": 3,
    }
    total = lazy.load_report()
    planted = raw.iloc[1000:1500]
    assert total.rows_read == 509
    assert total.rows_kept == 509 - total.rows_excluded
    # the planted bad rows of the first file, counted by hand
    n_missing = int(planted["Lat"].isna().sum())
    assert total.excluded["missing coordinates"] == 3 + n_missing
    assert set(total.excluded_rows.index.get_level_values("partition")) <= set(lazy.paths)
    assert len(total.excluded_rows) == total.rows_excluded
    assert len(lazy.compute()) == total.rows_kept


@pytest.mark.slow
def test_polygons_and_weights_match_in_memory(raw, grid, tmp_path):
    """User polygons (a spatial index per partition, shared edges counted once) and a
    weighted count."""
    pieces = partitioned(raw, 7)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    # 2 km squares with no grid attrs: counted by their geometries
    x0, y0, x1, y1 = grid.total_bounds
    xs, ys = np.arange(x0, x1, 2000.0), np.arange(y0, y1, 2000.0)
    boxes = [shapely.box(x, y, x + 2000, y + 2000) for x in xs for y in ys]
    polygons = gpd.GeoDataFrame(geometry=boxes, crs=grid.crs)
    lazy_cells = hs.count_incidents(lazy, polygons, quiet=True)
    memory_cells = hs.count_incidents(memory, polygons, quiet=True)
    assert lazy_cells.attrs["hotspot"]["counts"]["method"].startswith("spatial index")
    assert_same_cells(lazy_cells, memory_cells)
    weighted = hs.count_incidents(lazy, grid, incident_weights="harm", quiet=True)
    reference = hs.count_incidents(memory, grid, incident_weights="harm", quiet=True)
    np.testing.assert_array_equal(weighted["count"], reference["count"])
    np.testing.assert_allclose(weighted["count_weighted"], reference["count_weighted"], rtol=1e-12)
    a, b = weighted.attrs["hotspot"]["counts"], reference.attrs["hotspot"]["counts"]
    for key in ("weighted_total", "weighted_counted", "weighted_outside"):
        assert a[key] == pytest.approx(b[key], rel=1e-12)
    # harm is a multiple of 1/4: every sum is exact, so equal to the hand sum of the column
    kept = memory["harm"].to_numpy()
    assert a["weighted_total"] == kept.sum()
    cube = hs.space_time_cube(lazy, grid, "YS", incident_weights="harm", quiet=True)
    ref_cube = hs.space_time_cube(memory, grid, "YS", incident_weights="harm", quiet=True)
    np.testing.assert_allclose(cube.counts, ref_cube.counts, rtol=1e-12)
    np.testing.assert_array_equal(cube.counts_unweighted, ref_cube.counts_unweighted)
    assert cube.attrs["incident_weights"] == ref_cube.attrs["incident_weights"]


@pytest.mark.slow
def test_month_resolution_partitions_match_in_memory(tmp_path):
    """data.police.uk rows dated by month (West Yorkshire, one row in ten), shuffled into
    four files and an empty one: the month resolution, the months' period label, the cube."""
    raw = pd.read_parquet(data_path("west_yorkshire.parquet")).iloc[::10]
    raw = raw.sample(frac=1.0, random_state=3).reset_index(drop=True)
    cuts = [0, 2000, 2000, 4500, 6000, len(raw)]
    pieces = [raw.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    folder, whole = write(pieces, tmp_path / "wy", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    report = lazy.load_report()
    assert_same_report(report, get_load_report(memory))
    assert report.time_resolution == "month"
    assert report.excluded["missing coordinates"] == int(raw["Longitude"].isna().sum())
    cells = hs.hex_grid(memory, 2000, quiet=True)
    counted = hs.count_incidents(lazy, cells, quiet=True)
    assert_same_cells(counted, hs.count_incidents(memory, cells, quiet=True))
    assert counted.attrs["hotspot"]["period"]["label"] == "Jul 2016, Jul 2017, Jul 2018"
    cube = hs.space_time_cube(lazy, cells, "MS", quiet=True)
    assert_same_cube(cube, hs.space_time_cube(memory, cells, "MS", quiet=True))
    assert len(cube.bins) == 25  # July 2016 to July 2018
    with pytest.raises(HotspotInputError, match="dated by month only"):
        hs.space_time_cube(lazy, cells, "W")


def test_toy_counts_by_hand(tmp_path):
    """Six incidents in two files on a 100 m grid: the counts per cell known by hand."""
    folder = tmp_path / "toy"
    folder.mkdir()
    rows = pd.DataFrame(
        {
            "x": [650_050.0, 650_060, 650_150, 650_150, 650_250, 640_000],
            "y": [4_830_050.0, 4_830_020, 4_830_050, 4_830_100, 4_830_050, 4_830_050],
            "date": ["2020-01-06", "2020-01-07", "2020-01-14", "2020-01-14", "2020-01-20", "x"],
        }
    )
    rows.iloc[:4].to_csv(folder / "a.csv", index=False)
    rows.iloc[4:].to_csv(folder / "b.csv", index=False)
    lazy = scale.read_partitions(folder, x="x", y="y", time="date", crs=32617, quiet=True)
    cells = gpd.GeoDataFrame(
        geometry=[
            shapely.box(650_000 + 100 * i, 4_830_000, 650_100 + 100 * i, 4_830_100)
            for i in range(3)
        ],
        crs=32617,
    )
    counted = hs.count_incidents(lazy, cells, quiet=True)
    # (650150, 4830100) is on the top edge of the second cell: inside it
    assert counted["count"].tolist() == [2, 2, 1]
    assert counted.attrs["hotspot"]["counts"]["incidents"] == 5
    assert lazy.load_report().excluded == {"unparseable time": 1}
    cube = hs.space_time_cube(lazy, cells, "W", quiet=True)
    assert cube.counts.tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 1]]
    assert str(cube.bins[0].date()) == "2020-01-06"


def test_categorical_columns_keep_values_other_files_do_not_know(tmp_path):
    """Categories differ from file to file: no value may turn into NaN."""
    folder = tmp_path / "cats"
    folder.mkdir()
    rows = pd.DataFrame(
        {
            "x": [650_050.0, 650_060, 650_150, 650_250],
            "y": [4_830_050.0, 4_830_020, 4_830_050, 4_830_050],
            "date": ["2020-01-06", "2020-01-07", "2020-01-14", "2020-01-20"],
            "kind": ["burglary", "burglary", "robbery", "theft"],
            "beat": ["A1", "A1", "B2", "C3"],
        }
    )
    for name, part in (("a", rows.iloc[:2]), ("b", rows.iloc[2:])):
        part.astype({"kind": "category", "beat": "category"}).to_parquet(folder / f"{name}.parquet")
    lazy = scale.read_partitions(
        folder, x="x", y="y", time="date", category="kind", crs=32617, quiet=True
    )
    frame = lazy.compute()
    assert sorted(frame["beat"].astype(str)) == ["A1", "A1", "B2", "C3"]
    assert sorted(frame["category"].astype(str)) == ["burglary", "burglary", "robbery", "theft"]


def test_crs_and_timezone_decided_once(raw, tmp_path, capsys):
    folder, _ = write([raw.iloc[:400], raw.iloc[400:800]], tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder)
    assert "EPSG:32617" in capsys.readouterr().err
    assert lazy.options["crs"] == "EPSG:32617"
    assert lazy.options["timezone"] == "America/Toronto"
    assert lazy.crs.to_epsg() == 32617
    given = scale.read_partitions(folder, crs="EPSG:3857", quiet=True)
    assert given.crs.to_epsg() == 3857
    assert {r.crs for r in given.partition_reports()} == {"EPSG:3857"}


def test_partition_in_another_utm_zone_is_reprojected_to_the_first(raw, tmp_path):
    """GeoParquet in degrees: read_incidents picks each file's own UTM zone (17N for
    Toronto, 16N for the same points 7 degrees west); every partition ends in the first's."""
    folder = tmp_path / "geo"
    folder.mkdir()
    a = raw.iloc[:300].dropna(subset=["Lat", "Long"])
    a = a[a["Lat"] != 0]
    b = a.assign(Long=a["Long"] - 7.0)
    for name, piece in (("a", a), ("b", b)):
        points = gpd.points_from_xy(piece["Long"], piece["Lat"], crs=4326)
        frame = gpd.GeoDataFrame(piece.drop(columns=["Lat", "Long"]), geometry=points)
        frame.reset_index(drop=True).to_parquet(folder / f"{name}.parquet")
    alone = hs.read_incidents(str(folder / "b.parquet"), quiet=True)
    assert alone.crs.to_epsg() == 32616
    lazy = scale.read_partitions(folder, quiet=True)
    assert lazy.crs.to_epsg() == 32617
    reports = lazy.partition_reports()
    assert [r.crs for r in reports] == ["EPSG:32617", "EPSG:32617"]
    assert "reprojected to EPSG:32617" in reports[1].crs_reason
    rows = lazy.compute()
    expected = alone.to_crs(32617)
    second = rows.loc[1]
    np.testing.assert_allclose(second.geometry.x, expected.geometry.x, atol=1e-6)
    np.testing.assert_allclose(second.geometry.y, expected.geometry.y, atol=1e-6)


def test_bad_input(raw, grid, tmp_path):
    with pytest.raises(HotspotInputError, match="names no files"):
        scale.read_partitions(str(tmp_path / "nothing-*.parquet"))
    with pytest.raises(HotspotInputError, match="must be a folder"):
        scale.read_partitions(3)
    folder, _ = write([bad_rows(raw), raw.iloc[:0]], tmp_path / "bad", "parquet")
    with pytest.raises(HotspotInputError, match="none of the 2 partitions has a row"):
        scale.read_partitions(folder)
    folder, _ = write([raw.iloc[:300]], tmp_path / "ok", "parquet")
    lazy = scale.read_partitions(folder, quiet=True)
    with pytest.raises(HotspotInputError, match="aoristic=True is not available"):
        hs.space_time_cube(lazy, grid, "W", aoristic=True)
    with pytest.raises(HotspotInputError, match="pass the name of a column"):
        hs.count_incidents(lazy, grid, incident_weights=np.ones(300))
    with pytest.raises(HotspotInputError, match="is not a column"):
        hs.count_incidents(lazy, grid, incident_weights="nope")
    with pytest.raises(HotspotInputError, match="not a frequency"):
        hs.space_time_cube(lazy, grid, "fortnight!")
    with pytest.raises(HotspotInputError, match="reproject one"):
        hs.count_incidents(lazy, grid.to_crs(3857))
    # in-memory incidents given to hotspot.scale go to the in-memory functions
    memory = hs.read_incidents(raw.iloc[:300], quiet=True)
    np.testing.assert_array_equal(
        scale.count_incidents(memory, grid, quiet=True)["count"],
        hs.count_incidents(lazy, grid, quiet=True)["count"],
    )


# --------------------------------------------------------------------------------------------
# a distributed cluster: two worker processes
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster, set_as_default=False, timeout="60s")
    client.wait_for_workers(2, timeout=120)
    yield client
    client.close()
    cluster.close()


@pytest.mark.slow
def test_local_cluster_matches_in_memory(raw, grid, tmp_path, client):
    pieces = partitioned(raw, 11)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, client=client, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    assert_same_report(lazy.load_report(), get_load_report(memory))
    assert_same_cells(
        hs.count_incidents(lazy, grid, quiet=True), hs.count_incidents(memory, grid, quiet=True)
    )
    assert_same_cube(
        hs.space_time_cube(lazy, grid, "MS", quiet=True),
        hs.space_time_cube(memory, grid, "MS", quiet=True),
    )
    persisted = lazy.persist()
    # each partition is now one key held by the cluster, not a read task
    assert all(len(part[0].__dask_graph__()) == 1 for part in persisted.parts)
    np.testing.assert_array_equal(
        hs.count_incidents(persisted, grid, quiet=True)["count"],
        hs.count_incidents(memory, grid, quiet=True)["count"],
    )


@pytest.mark.slow
def test_killed_worker_loses_and_doubles_nothing(raw, grid, tmp_path, client):
    """A partition task sleeps; the worker running it is killed (SIGKILL) mid-task; the
    nanny restarts it, the scheduler runs the task again, and the totals are conserved."""
    import dataclasses
    from concurrent.futures import ThreadPoolExecutor

    import dask

    pieces = partitioned(raw, 5)
    folder, whole = write(pieces, tmp_path / "parts", "parquet")
    lazy = scale.read_partitions(folder, client=client, quiet=True)
    memory = hs.read_incidents(whole, quiet=True)
    expected = hs.count_incidents(memory, grid, quiet=True)

    started = tmp_path / "started"
    started.mkdir()

    def slow(part, folder):
        """Leave a mark naming this worker process, then take a while."""
        mark = os.path.join(folder, f"{os.getpid()}-{time.monotonic_ns()}")
        with open(mark, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(4)
        return part

    slowed = dask.delayed(slow, pure=True, nout=2)(
        lazy.parts[1], str(started), dask_key_name="slow-part"
    )
    lazy = dataclasses.replace(lazy, parts=(lazy.parts[0], tuple(slowed), *lazy.parts[2:]))

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(hs.count_incidents, lazy, grid, quiet=True)
        deadline = time.monotonic() + 120
        while not any(started.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        marks = list(started.iterdir())
        assert len(marks) == 1, "the slow task never started"
        pid = int(marks[0].read_text())
        time.sleep(0.5)  # well inside its 4 s
        assert not running.done()
        os.kill(pid, signal.SIGKILL)
        counted = running.result(timeout=300)
    client.wait_for_workers(2, timeout=120)
    # the task ran again, in another process; the killed one was replaced by the nanny
    pids = {int(m.read_text()) for m in started.iterdir()}
    assert len(pids) == 2 and pid in pids
    assert pid not in client.run(os.getpid).values()
    np.testing.assert_array_equal(counted["count"], expected["count"])
    lazy_counts = counted.attrs["hotspot"]["counts"]
    memory_counts = expected.attrs["hotspot"]["counts"]
    assert lazy_counts == memory_counts
    assert lazy_counts["counted"] + lazy_counts["outside"] == len(memory)

"""hotspot.simulate.write_partitioned_incidents: a national-like archive written file by file.

References: the layout and counts are checked against the arithmetic of the documented rules
(``ceil(count / rows_per_file)`` equal files per force and year); the rows against the
planted geography (every point inside its force's rectangle, projected back from degrees
independently with pyproj), the published crime-type shares (a chi-square test) and uniform
times; the memory bound with tracemalloc at two sizes; and the read-back by
``hotspot.scale.read_partitions`` against ``hotspot.read_incidents`` on the concatenated files.
"""

from __future__ import annotations

import json
import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from scipy import stats

import hotspot as hs
from hotspot import scale
from hotspot.errors import HotspotInputError
from hotspot.simulate import CRIME_TYPE_SHARES, NATIONAL_BOX, write_partitioned_incidents

N = 50_000
ROWS_PER_FILE = 4_000


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    truth = write_partitioned_incidents(
        folder, N, years=2, start="2019-01-01", rows_per_file=ROWS_PER_FILE, rng=7
    )
    return folder, truth


def read_all(folder, truth) -> pd.DataFrame:
    return pd.concat(
        [pd.read_parquet(folder / name) for name in truth["files"]["file"]], ignore_index=True
    )


def test_file_layout_follows_the_documented_rule(archive):
    folder, truth = archive
    files = truth["files"]
    on_disk = sorted(p.name for p in folder.glob("*.parquet"))
    assert on_disk == sorted(files["file"]) == list(files["file"])  # name order = force, year
    assert (folder / "simulation.json").is_file()
    # one or more files per force and year: ceil(count / rows_per_file), equal within one row
    for (force, year), group in files.groupby(["force", "year"]):
        total = int(group["rows"].sum())
        assert len(group) == max(1, math.ceil(total / ROWS_PER_FILE)), (force, year)
        assert group["rows"].max() - group["rows"].min() <= 1
        assert group["rows"].max() <= ROWS_PER_FILE
        assert list(group["part"]) == list(range(len(group)))
        for _, row in group.iterrows():
            assert row["file"] == f"force-{force + 1:02d}_{year}_part-{row['part']:03d}.parquet"
    assert set(files["year"]) == {2019, 2020}
    assert files["force"].nunique() == 43 == len(truth["forces"])
    first = pd.read_parquet(folder / files["file"].iloc[0])
    assert list(first.columns) == truth["columns"]
    assert truth["columns"] == ["Date", "Longitude", "Latitude", "Crime type", "Falls within"]
    assert pd.api.types.is_datetime64_any_dtype(first["Date"])
    manifest = json.loads((folder / "simulation.json").read_text())
    assert manifest["n_incidents"] == N and manifest["seed"] == 7
    assert [f["file"] for f in manifest["files"]] == list(files["file"])


def test_row_counts_are_exact(archive):
    folder, truth = archive
    rows = read_all(folder, truth)
    assert len(rows) == N == truth["n_incidents"] == int(truth["files"]["rows"].sum())
    for _, f in truth["files"].iterrows():
        one = pd.read_parquet(folder / f["file"])
        assert len(one) == f["rows"]
        assert set(one["Falls within"].astype(str)) == {f["name"]}
        year = pd.to_datetime(one["Date"]).dt.year
        assert (year == f["year"]).all()
    per_force = rows["Falls within"].astype(str).value_counts()
    expected = truth["forces"].set_index("name")["n_incidents"]
    assert per_force.sort_index().to_dict() == expected.sort_index().to_dict()


def test_points_lie_in_their_force_and_the_national_box(archive):
    folder, truth = archive
    rows = read_all(folder, truth)
    back = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = back.transform(rows["Longitude"].to_numpy(), rows["Latitude"].to_numpy())
    xmin, ymin, xmax, ymax = NATIONAL_BOX
    tol = 1.0  # metres: 6 decimals of a degree are ~0.1 m
    # strictly inside the national box (kept 1 m clear of its edge), so inside a grid over it
    assert (x > xmin).all() and (x < xmax).all()
    assert (y > ymin).all() and (y < ymax).all()
    boxes = truth["forces"].set_index("name").loc[rows["Falls within"].astype(str)]
    assert (x > boxes["xmin"].to_numpy() - tol).all()
    assert (x < boxes["xmax"].to_numpy() + tol).all()
    assert (y > boxes["ymin"].to_numpy() - tol).all()
    assert (y < boxes["ymax"].to_numpy() + tol).all()
    # The 43 rectangles tile the box: their areas sum to its area.
    f = truth["forces"]
    area = ((f["xmax"] - f["xmin"]) * (f["ymax"] - f["ymin"])).sum()
    assert area == pytest.approx((xmax - xmin) * (ymax - ymin))
    # Towns concentrate the incidents: within 2 sigma of a force's biggest town there are
    # more than the town's own share times P(within 2 sigma) = 1 - exp(-2) (Rayleigh), less
    # the truncation; a uniform spread would put only the disc's area share there.
    towns = truth["towns"]
    big = towns[towns["town"] == 0].set_index("force")
    force_of = truth["forces"].set_index("name").loc[rows["Falls within"].astype(str), "force"]
    cx = big.loc[force_of, "x"].to_numpy()
    cy = big.loc[force_of, "y"].to_numpy()
    sd = big.loc[force_of, "sigma"].to_numpy()
    near = np.hypot(x - cx, y - cy) < 2 * sd
    rect = (f["xmax"] - f["xmin"]) * (f["ymax"] - f["ymin"])
    disc_share = (np.pi * (2 * big["sigma"]) ** 2 / rect.to_numpy()).mean()
    assert near.mean() > 2 * disc_share
    assert near.mean() > 0.5 * big["share"].mean() * (1 - math.exp(-2))


def test_crime_types_and_times_follow_the_documented_draws(archive):
    folder, truth = archive
    rows = read_all(folder, truth)
    observed = rows["Crime type"].astype(str).value_counts()
    shares = pd.Series(CRIME_TYPE_SHARES) / sum(CRIME_TYPE_SHARES.values())
    assert set(observed.index) == set(shares.index)
    expected = shares.loc[observed.index] * len(rows)
    assert stats.chisquare(observed.to_numpy(), expected.to_numpy()).pvalue > 1e-4
    t = pd.to_datetime(rows["Date"])
    assert t.min() >= pd.Timestamp("2019-01-01") and t.max() < pd.Timestamp("2021-01-01")
    assert (t.dt.microsecond == 0).all() and (t.dt.nanosecond == 0).all()
    span = (pd.Timestamp("2021-01-01") - pd.Timestamp("2019-01-01")).total_seconds()
    u = (t - pd.Timestamp("2019-01-01")).dt.total_seconds().to_numpy() / span
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    one = pd.read_parquet(truth["path"] + "/" + truth["files"]["file"].iloc[0])
    assert one["Date"].is_monotonic_increasing


def test_same_rng_same_files_other_rng_other_files(tmp_path):
    a = write_partitioned_incidents(tmp_path / "a", 6_000, forces=5, rows_per_file=700, rng=3)
    b = write_partitioned_incidents(
        tmp_path / "b", 6_000, forces=5, rows_per_file=700, rng=np.random.default_rng(3)
    )
    c = write_partitioned_incidents(tmp_path / "c", 6_000, forces=5, rows_per_file=700, rng=3)
    d = write_partitioned_incidents(tmp_path / "d", 6_000, forces=5, rows_per_file=700, rng=4)
    assert a["files"].equals(c["files"])
    for name in a["files"]["file"]:
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "a" / name), pd.read_parquet(tmp_path / "c" / name)
        )
    first = a["files"]["file"].iloc[0]
    assert not pd.read_parquet(tmp_path / "a" / first).equals(
        pd.read_parquet(tmp_path / "d" / first)
    )
    assert b["seed"] is None and a["seed"] == 3
    # the geography is fixed: the same forces and towns whatever the rng
    pd.testing.assert_frame_equal(a["towns"], d["towns"])
    fresh = write_partitioned_incidents(tmp_path / "e", 100, forces=2, rng=None)
    again = write_partitioned_incidents(tmp_path / "f", 100, forces=2, rng=fresh["seed"])
    assert again["files"].equals(fresh["files"]) and again["seed"] == fresh["seed"]
    name = fresh["files"]["file"].iloc[0]
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "e" / name), pd.read_parquet(tmp_path / "f" / name)
    )


def _peak(folder, n: int) -> int:
    tracemalloc.start()
    try:
        write_partitioned_incidents(folder, n, forces=2, rows_per_file=20_000, rng=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_is_bounded_by_the_file_size_not_by_n(tmp_path):
    small = _peak(tmp_path / "small", 40_000)
    large = _peak(tmp_path / "large", 400_000)  # 10x the rows, same 20,000 per file
    # The documented bound: about 100 bytes per row of one file, plus a few MB.
    bound = 200 * 20_000 + 8 * 2**20
    assert small < bound and large < bound, (small, large)
    assert large < 1.5 * small, (small, large)  # a whole-n array would make it ~10x


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    truth = write_partitioned_incidents(
        folder, 8_000, forces=3, years=2, rows_per_file=1_500, rng=11
    )
    return folder, truth


@pytest.mark.slow  # 3 to 13 s on the shared 2-core machine: dask, a cube in two passes
def test_read_partitions_equals_read_incidents_on_the_concatenation(small_archive):
    folder, truth = small_archive
    N = truth["n_incidents"]
    assert len(truth["files"]) >= 6
    lazy = scale.read_partitions(folder, quiet=True)
    assert lazy.npartitions == len(truth["files"])
    together = hs.read_incidents(read_all(folder, truth), quiet=True)
    computed = lazy.compute()
    assert lazy.crs.to_epsg() == 27700 and together.crs.to_epsg() == 27700
    report = lazy.load_report()
    assert report.rows_read == report.rows_kept == N == len(together)
    assert report.schema == hs.incidents.get_load_report(together).schema
    np.testing.assert_array_equal(computed.geometry.x.to_numpy(), together.geometry.x.to_numpy())
    np.testing.assert_array_equal(computed.geometry.y.to_numpy(), together.geometry.y.to_numpy())
    np.testing.assert_array_equal(computed["time"].to_numpy(), together["time"].to_numpy())
    assert computed["category"].astype(str).tolist() == together["category"].astype(str).tolist()
    cells = hs.square_grid(together, 10_000, study_area="bbox", quiet=True)
    lazy_cube = hs.space_time_cube(lazy, cells, "W", quiet=True)
    memory_cube = hs.space_time_cube(together, cells, "W", quiet=True)
    np.testing.assert_array_equal(lazy_cube.counts, memory_cube.counts)
    assert int(lazy_cube.counts.sum()) == N


def test_month_dates_and_bng_coordinates(tmp_path):
    truth = write_partitioned_incidents(
        tmp_path / "m", 3_000, forces=3, dates="month", coordinates="bng", rng=0
    )
    assert truth["columns"] == ["Month", "Easting", "Northing", "Crime type", "Falls within"]
    rows = read_all(tmp_path / "m", truth)
    assert rows["Month"].str.fullmatch(r"2020-\d\d").all()
    f = truth["forces"].set_index("name").loc[rows["Falls within"].astype(str)]
    assert (rows["Easting"].to_numpy() >= f["xmin"].to_numpy()).all()
    assert (rows["Northing"].to_numpy() < f["ymax"].to_numpy()).all()
    inc = hs.read_incidents(rows, x="Easting", y="Northing", crs="EPSG:27700", quiet=True)
    assert hs.incidents.get_load_report(inc).time_resolution == "month"
    lonlat = write_partitioned_incidents(tmp_path / "p", 3_000, forces=3, dates="month", rng=0)
    police = hs.read_incidents(read_all(tmp_path / "p", lonlat), quiet=True)
    assert hs.incidents.get_load_report(police).schema == "police.uk street-level"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_incidents": 10.0}, TypeError, "n_incidents must be an int"),
        ({"n_incidents": 0}, HotspotInputError, "n_incidents=0 is below 1"),
        ({"forces": 0}, HotspotInputError, "forces=0 is below 1"),
        ({"years": 0}, HotspotInputError, "years=0 is below 1"),
        ({"rows_per_file": 0}, HotspotInputError, "rows_per_file=0 is below 1"),
        ({"dates": "week"}, HotspotInputError, "dates='week' is not one of 'datetime', 'month'"),
        ({"coordinates": "utm"}, HotspotInputError, "coordinates='utm' is not one of"),
        ({"rng": "0"}, TypeError, "rng must be None, an int seed"),
        ({"start": "not a date"}, HotspotInputError, "start='not a date' is not a date"),
    ],
)
def test_bad_arguments_say_what_to_pass(tmp_path, kwargs, error, match):
    args = {"n_incidents": 100, **kwargs}
    with pytest.raises(error, match=match):
        write_partitioned_incidents(tmp_path / "x", **args)
    assert not (tmp_path / "x").exists()  # nothing written before the checks pass


def test_a_folder_with_files_is_refused(tmp_path):
    (tmp_path / "old.parquet").write_bytes(b"")
    with pytest.raises(HotspotInputError, match="is not empty; pass a new or empty folder"):
        write_partitioned_incidents(tmp_path, 100, rng=0)
    with pytest.raises(TypeError, match="path must be a folder path"):
        write_partitioned_incidents(3, 100, rng=0)

"""The shared checks of _validate: memory estimates before allocating, output paths."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspot as hs
from hotspot import _validate
from hotspot._validate import (
    check_grid_cells,
    check_memory,
    check_output_file,
    check_output_folder,
    check_permutations,
    format_bytes,
)

GB = 10**9


@pytest.fixture
def eight_gb(monkeypatch):
    """A machine with 8 GB free, whatever runs the tests."""
    monkeypatch.setattr(_validate, "available_memory", lambda: 8 * GB)


@pytest.fixture(scope="module")
def cells():
    """A 20 x 20 grid of counts with a planted hot corner (400 cells, queen: 8 neighbours)."""
    area = gpd.GeoSeries([shapely.box(0, 0, 2000, 2000)], crs="EPSG:27700")
    grid = hs.square_grid(area, 100)
    counts = np.random.default_rng(0).poisson(3, len(grid))
    counts[(grid["row"] < 4) & (grid["col"] < 4)] += 20
    return grid.assign(count=counts)


def test_format_bytes():
    assert format_bytes(0) == "0 bytes"
    assert format_bytes(999) == "999 bytes"
    assert format_bytes(1000) == "1 kB"
    assert format_bytes(94_584_000_000_000) == "94.6 TB"
    assert format_bytes(192 * GB) == "192 GB"


def test_check_memory_boundary_and_message(eight_gb):
    check_memory(8 * GB, "exactly what is free", "never shown")
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^a table would need about 8 GB of memory, more than the 8 GB this process can "
        r"still use; ask for less$",
    ):
        check_memory(8 * GB + 1, "a table", "ask for less")


def test_check_memory_unknown_memory_checks_nothing(monkeypatch):
    monkeypatch.setattr(_validate, "available_memory", lambda: None)
    check_memory(10**30, "anything", "never shown")


def test_check_permutations_gives_the_estimate_and_a_number_that_fits(eight_gb):
    check_permutations(999, 8, 24, what="11,823 cells")
    with pytest.raises(hs.HotspotInputError) as info:
        check_permutations(999_999_999, 8, 24, what="11,823 cells with up to 8 neighbours")
    message = str(info.value)
    assert message.startswith(
        "999,999,999 permutations of 11,823 cells with up to 8 neighbours, 8 values × 24 bytes "
        "each, would need about 192 GB of memory, more than the 8 GB"
    )
    # half of the free memory / 192 bytes a permutation, rounded down to 1, 2 or 5 x 10^k
    assert message.endswith("use at most 20,000,000 permutations (999 is the usual choice).")
    with pytest.raises(hs.HotspotInputError, match="not even one permutation fits"):
        check_permutations(1, 10**12, 8, what="a giant table")


@pytest.mark.parametrize(
    "run",
    [
        lambda c: hs.gistar(c, permutations=999_999_999, quiet=True),
        lambda c: hs.lisa(c, permutations=999_999_999),
        lambda c: hs.moran(c, permutations=10**12),
        lambda c: hs.general_g(c, weights=300, permutations=10**12),
    ],
    ids=["gistar", "lisa", "moran", "general_g"],
)
def test_statistics_refuse_permutations_that_do_not_fit(cells, eight_gb, run):
    with pytest.raises(hs.HotspotInputError, match=r"permutations of .* would need about .*B"):
        run(cells)


def test_gistar_message_names_the_cells_and_the_neighbours(cells, eight_gb):
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^999,999,999 permutations of 400 cells with up to 8 neighbours, 8 values × 24 "
        r"bytes each, would need about 192 GB of memory, more than the 8 GB .* use at most "
        r"20,000,000 permutations",
    ):
        hs.gistar(cells, weights="queen", permutations=999_999_999, quiet=True)


def test_knox_refuses_permutations_that_do_not_fit(toronto, eight_gb):
    from hotspot.spacetime.nearrepeat import knox_test

    burglary = toronto[toronto["category"] == "Break and Enter"].iloc[:200]
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^999,999,999 permutations of the Knox table, 30 values × 16 bytes each, would "
        r"need about 480 GB",
    ):
        knox_test(burglary, permutations=999_999_999)


def test_ripley_refuses_permutations_that_do_not_fit(toronto, eight_gb):
    with pytest.raises(hs.HotspotInputError, match=r"Ripley's L at 2 distances"):
        hs.ripley(toronto.iloc[:100], [100, 200], permutations=10**12, quiet=True)


def test_emerging_refuses_permutations_that_do_not_fit(toronto, eight_gb):
    year = toronto[toronto["time"] >= "2021-01-01"]
    cube = hs.space_time_cube(year, hs.square_grid(year, 2000, quiet=True), "W", quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"space-time cells with up to \d+ neighbours"):
        hs.emerging_hotspots(cube, permutations=999_999_999, global_window="cube")


@pytest.mark.slow
def test_refused_before_anything_is_allocated_under_a_memory_limit():
    """Under an address-space limit of 1.5 GB more than the process holds, 10^9 permutations
    are refused by the estimate (naming the limit), not by a failed allocation: without the
    check numpy would ask for 64 GB here and raise MemoryError."""
    script = textwrap.dedent(
        """
        import resource
        import geopandas as gpd, numpy as np, shapely
        import hotspot as hs
        from hotspot._validate import available_memory

        area = gpd.GeoSeries([shapely.box(0, 0, 2000, 2000)], crs="EPSG:27700")
        cells = hs.square_grid(area, 100)
        cells["count"] = np.random.default_rng(0).poisson(3, len(cells))
        hs.gistar(cells, permutations=9, quiet=True)  # compiles the kernels first
        with open("/proc/self/status") as status:
            used = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmSize:"))
        limit = used + 1_500_000_000
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
        assert available_memory() <= 1_500_000_000
        try:
            hs.gistar(cells, weights="queen", permutations=10**9, quiet=True)
        except MemoryError as err:
            print("MemoryError", err)
        except hs.HotspotInputError as err:
            print("HotspotInputError", err)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=300
    )
    if "/proc/self/status" in done.stderr:
        pytest.skip("no /proc: not Linux")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("HotspotInputError 1,000,000,000 permutations"), done.stdout
    assert "would need about 192 GB" in done.stdout
    assert "more than the 1." in done.stdout  # the limit, not the machine's memory


def test_check_grid_cells_too_few_cells():
    assert check_grid_cells(250, (40_000, 30_000)) == 160 * 120
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^--cell-size 1e\+09 m is larger than the incidents' whole extent \(40.0 km × "
        r"30.0 km\): the grid would have about 1 cell, too few to show hot spots. Use at most "
        r"10,000 m",
    ):
        check_grid_cells(1e9, (40_000, 30_000), name="--cell-size")
    with pytest.raises(hs.HotspotInputError, match="about 8 cells, too few"):
        check_grid_cells(5000, (40_000, 0))
    assert check_grid_cells(1e9, (0, 0)) == 1  # one location: the grid's own message speaks


def test_check_grid_cells_too_many_cells(eight_gb):
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^--cell-size 1 m: a grid over the incidents' extent \(40.0 km × 30.0 km, about "
        r"1,200,000,000 cells\) would need about 2.4 TB of memory, .* use a larger cell size: at "
        r"least 50 m\.$",
    ):
        check_grid_cells(1, (40_000, 30_000), name="--cell-size")
    with pytest.raises(hs.HotspotInputError, match="positive number of metres"):
        check_grid_cells(float("nan"), (1, 1))
    with pytest.raises(hs.HotspotInputError, match="would need about"):
        check_grid_cells(1e-320, (40_000, 30_000))  # no overflow on the way


def test_output_file_checks(tmp_path):
    assert check_output_file(tmp_path / "new" / "map.html", "map.html").name == "map.html"
    with pytest.raises(
        hs.HotspotInputError, match=r"is a folder; give a file name such as .*m\.png"
    ):
        check_output_file(tmp_path, "m.png")
    (tmp_path / "afile").write_text("")
    with pytest.raises(hs.HotspotInputError, match="afile is a file, not a folder"):
        check_output_file(tmp_path / "afile" / "sub" / "map.html", "map.html")
    with pytest.raises(hs.HotspotInputError, match="str or pathlib.Path"):
        check_output_file(None, "map.html")


def test_output_folder_checks(tmp_path):
    assert check_output_folder(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    (tmp_path / "afile.txt").write_text("")
    with pytest.raises(hs.HotspotInputError, match=r"^--out .*afile.txt is a file; give a folder"):
        check_output_folder(tmp_path / "afile.txt", "--out")
    with pytest.raises(hs.HotspotInputError, match="cannot be created: .*afile.txt is a file"):
        check_output_folder(tmp_path / "afile.txt" / "out")


def test_map_exports_refuse_a_folder(tmp_path, cells, toronto):
    with pytest.raises(
        hs.HotspotInputError, match=r"is a folder; give a file name such as .*map\.html"
    ):
        hs.maps.export_map(cells, tmp_path)
    with pytest.raises(
        hs.HotspotInputError, match=r"is a folder; give a file name such as .*map\.png"
    ):
        hs.maps.to_png(cells, tmp_path)
    year = toronto[toronto["time"] >= "2021-01-01"]
    cube = hs.space_time_cube(year, hs.square_grid(year, 5000, quiet=True), "MS", quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"give a file name such as .*chart\.png"):
        hs.maps.time_chart(cube, tmp_path)
    assert list(tmp_path.iterdir()) == []

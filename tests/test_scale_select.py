"""LazyIncidents.where: a selection of the rows of every partition.

The reference is the in-memory path on the same rows: ``read_incidents`` on the concatenated
file, the same mask, then ``count_incidents`` / ``space_time_cube``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot import scale
from hotspot.datasets import data_path
from hotspot.errors import HotspotInputError


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[str, str]:
    """5,000 Toronto incidents of every major category in four Parquet files (one empty),
    and the concatenated file."""
    frame = pd.read_parquet(data_path("toronto.parquet"))
    frame = frame[frame["occurrencedate"].str[:4].isin(["2016", "2017", "2018", "2019"])]
    frame = frame.sample(5000, random_state=3).reset_index(drop=True)
    folder = tmp_path_factory.mktemp("select") / "parts"
    folder.mkdir()
    pieces = [frame.iloc[:1700], frame.iloc[:0], frame.iloc[1700:3100], frame.iloc[3100:]]
    for i, piece in enumerate(pieces):
        piece.reset_index(drop=True).to_parquet(folder / f"part-{i}.parquet")
    whole = folder.parent / "all.parquet"
    frame.to_parquet(whole)
    return str(folder), str(whole)


@pytest.fixture(scope="module")
def memory(files) -> gpd.GeoDataFrame:
    return hs.read_incidents(files[1], quiet=True)


@pytest.fixture(scope="module")
def lazy(files):
    return scale.read_partitions(files[0], quiet=True)


@pytest.fixture(scope="module")
def grid(memory) -> gpd.GeoDataFrame:
    return hs.square_grid(memory, 1000, quiet=True)


def _plain(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if k not in ("incidents_report", "selection")}


def _same_counts(lazy_cells, memory_cells) -> None:
    np.testing.assert_array_equal(lazy_cells["count"], memory_cells["count"])
    assert _plain(lazy_cells.attrs["hotspot"]) == _plain(memory_cells.attrs["hotspot"])


def _same_cube(lazy_cube, memory_cube) -> None:
    np.testing.assert_array_equal(lazy_cube.counts, memory_cube.counts)
    assert lazy_cube.bins.equals(memory_cube.bins)
    np.testing.assert_array_equal(lazy_cube.partial_bins, memory_cube.partial_bins)
    assert _plain(lazy_cube.attrs) == _plain(memory_cube.attrs)


def test_a_category_equals_the_in_memory_subset(lazy, memory, grid):
    burglary = lazy.where(category="Break and Enter")
    subset = memory[memory["category"] == "Break and Enter"]
    assert 0 < len(subset) < len(memory)
    counts = hs.count_incidents(burglary, grid, quiet=True)
    _same_counts(counts, hs.count_incidents(subset, grid, quiet=True))
    assert counts["count"].sum() == len(subset)
    assert counts.attrs["hotspot"]["selection"] == "category == 'Break and Enter'"
    cube = hs.space_time_cube(burglary, grid, "MS", quiet=True)
    _same_cube(cube, hs.space_time_cube(subset, grid, "MS", quiet=True))
    assert cube.attrs["selection"] == "category == 'Break and Enter'"
    assert cube.attrs["counts"]["incidents"] == len(subset)


def test_lists_chains_and_functions_combine_as_and(lazy, memory, grid):
    wanted = ["Assault", "Robbery"]

    def year_2018(frame: pd.DataFrame) -> pd.Series:
        return frame["time"].dt.year == 2018

    chosen = lazy.where(category=wanted).where(year_2018)
    mask = memory["category"].isin(wanted) & (memory["time"].dt.year == 2018)
    assert 0 < mask.sum()
    _same_cube(
        hs.space_time_cube(chosen, grid, "W", quiet=True),
        hs.space_time_cube(memory[mask], grid, "W", quiet=True),
    )
    assert chosen.selection_label() == "category in ('Assault', 'Robbery') and year_2018(rows)"
    # the original is unchanged: where gives a new collection
    assert lazy.selection_label() is None
    assert hs.count_incidents(lazy, grid, quiet=True)["count"].sum() == len(memory)


def test_the_load_report_stays_the_files(lazy):
    """The reader's accounting is of the files; the selection is recorded beside it."""
    assert lazy.where(category="Robbery").load_report().rows_kept == lazy.load_report().rows_kept


def test_a_selection_survives_persist_and_compute(lazy, memory):
    chosen = lazy.where(category="Robbery").persist()
    computed = chosen.compute()
    assert len(computed) == int((memory["category"] == "Robbery").sum())
    assert set(computed["category"]) == {"Robbery"}


def test_a_column_name_with_spaces_through_a_dict(tmp_path):
    frame = pd.read_parquet(data_path("toronto.parquet")).iloc[:600]
    frame = frame.assign(**{"Falls within": np.where(np.arange(600) % 3 == 0, "North", "South")})
    paths = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    frame.iloc[:300].to_parquet(paths[0])
    frame.iloc[300:].reset_index(drop=True).to_parquet(paths[1])
    lazy = scale.read_partitions(paths, quiet=True)
    north = lazy.where(**{"Falls within": "North"}).compute()
    assert len(north) == int((frame["Falls within"] == "North").sum())
    assert set(north["Falls within"]) == {"North"}


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((), {}, "give a condition"),
        (("category",), {}, "not a function"),
        ((), {"crime": "Robbery"}, "'crime' is not a column"),
        ((), {"category": []}, "empty list"),
    ],
)
def test_bad_selections_are_refused_when_made(lazy, args, kwargs, match):
    with pytest.raises(HotspotInputError, match=match):
        lazy.where(*args, **kwargs)


def test_a_function_that_is_not_a_mask_is_named(lazy, grid):
    def sums(frame: pd.DataFrame) -> int:
        return len(frame)

    with pytest.raises(HotspotInputError, match=r"sums\(rows\) gave .* not a boolean mask"):
        hs.count_incidents(lazy.where(sums), grid, quiet=True)


def test_a_selection_that_keeps_nothing_says_so(lazy, grid):
    empty = lazy.where(category="Burglary")  # Toronto calls it "Break and Enter"
    for run in (
        lambda: hs.count_incidents(empty, grid, quiet=True),
        lambda: hs.space_time_cube(empty, grid, "W", quiet=True),
    ):
        with pytest.raises(
            HotspotInputError, match=r"where\(category == 'Burglary'\) kept none of the 5,000"
        ):
            run()


def test_maps_of_a_selection_say_which_rows_they_show(lazy, grid, tmp_path):
    """The selection travels with the results made from the counts (Gi* here) and is printed
    in the footer of the exported map (and the PNG's: the same facts), beside the data and
    the period."""
    from hotspot.maps._facts import result_facts

    counts = hs.count_incidents(lazy.where(category="Robbery"), grid, quiet=True)
    hot = hs.gistar(counts, weights="queen", permutations=0, quiet=True)
    assert result_facts(hot)["Selection"] == "rows where category == 'Robbery'"
    path = tmp_path / "robbery.html"
    hs.maps.export_map(hot, path, offline=True)
    html = path.read_text(encoding="utf-8")
    assert "<b>Selection</b>: rows where category == &#x27;Robbery&#x27;" in html
    assert "Selection" not in result_facts(hs.count_incidents(lazy, grid, quiet=True))

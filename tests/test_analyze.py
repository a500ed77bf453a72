"""The standard pipeline: every incident accounted for, choices recorded, reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.analyze import run_analysis, select_categories


@pytest.fixture(scope="module")
def toronto_2021(toronto):
    return toronto[toronto["time"] >= "2021-01-01"]


def test_pipeline_on_timed_data_runs_every_step(toronto_2021):
    a = run_analysis(
        toronto_2021,
        name="t",
        title="Toronto 2021",
        cell_size=500,
        freq="W",
        knox_categories=["Break and Enter"],
        permutations=99,
        progress=False,
    )
    assert int(a.cells["count"].sum()) == len(toronto_2021) == a.n_incidents
    assert a.gistar is not None and a.surface is not None and len(a.clusters) > 0
    assert a.emerging is not None and len(a.cube.bins) >= 10
    assert a.cube.total() == len(toronto_2021)  # the cube covers the whole year
    breakins = int((toronto_2021["category"] == "Break and Enter").sum())
    assert a.knox_incidents == breakins  # one year of them
    assert int(a.knox.observed.to_numpy().sum()) == breakins * (breakins - 1) // 2
    assert a.settings["knox"]["categories"] == ["Break and Enter"]
    assert a.settings["cell_size"] == 500 and a.notes == []


def test_pipeline_on_monthly_data_says_what_it_skipped(west_yorkshire):
    a = run_analysis(
        west_yorkshire,
        name="wy",
        title="WY",
        cell_size=3000,
        grid="hex",
        permutations=99,
        progress=False,
    )
    assert a.emerging is None and a.knox is None
    assert any("by month" in note for note in a.notes)


def test_pipeline_is_reproducible_with_rng(toronto_2021):
    runs = [
        run_analysis(
            toronto_2021,
            name="t",
            title="t",
            cell_size=1000,
            permutations=99,
            rng=7,
            progress=False,
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].gistar["gistar_p_sim"], runs[1].gistar["gistar_p_sim"])
    pd.testing.assert_frame_equal(runs[0].knox.pvalue, runs[1].knox.pvalue)


def test_categories_are_checked_and_counted(toronto_2021):
    robbery = select_categories(toronto_2021, ["Robbery"])
    assert len(robbery) == int((toronto_2021["category"] == "Robbery").sum())
    with pytest.raises(hs.HotspotInputError, match="Robbery"):
        select_categories(toronto_2021, ["Robery"])
    a = run_analysis(
        toronto_2021,
        name="t",
        title="t",
        cell_size=1000,
        categories=["Robbery"],
        permutations=99,
        progress=False,
    )
    assert a.n_incidents == len(robbery) == int(a.cells["count"].sum())
    assert f"{len(robbery):,} of {len(toronto_2021):,}" in a.notes[0]
    with pytest.raises(hs.HotspotInputError, match="square"):
        run_analysis(toronto_2021, name="t", title="t", grid="triangle", progress=False)


@pytest.mark.parametrize("public", [False, True])
def test_report_of_a_small_file_says_what_it_could_not_show(toronto, tmp_path, public):
    from hotspot.report import write_analysis, write_report

    robbery = toronto[(toronto["category"] == "Robbery") & (toronto["time"] >= "2021-06-01")]
    few = robbery.iloc[:60]
    a = run_analysis(few, name="few", title="60 robberies", permutations=99, progress=False)
    section = write_analysis(a, tmp_path, offline=True, public=public, min_count=50)
    page = write_report([section], tmp_path).read_text()
    assert "HDBSCAN found no cluster of at least 100 incidents among 60" in page
    assert not (tmp_path / "few_clusters.html").exists()
    assert (tmp_path / "few_gistar.html").exists() and (tmp_path / "few_timeline.html").exists()
    if public:  # no place has 50 incidents within a bandwidth
        assert "Density map not shown" in page and not (tmp_path / "few_density.html").exists()
    else:
        assert (tmp_path / "few_density.html").exists()


def test_pipeline_on_data_without_times(toronto):
    lonlat = toronto.geometry.iloc[:500].to_crs(4326)
    inc = hs.read_incidents(pd.DataFrame({"lat": lonlat.y, "lon": lonlat.x}), quiet=True)
    a = run_analysis(inc, name="x", title="x", permutations=99, progress=False)
    assert a.emerging is None and a.knox is None and int(a.cells["count"].sum()) == 500
    assert any("have no times" in note for note in a.notes)

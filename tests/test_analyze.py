"""The standard pipeline: every incident accounted for, choices recorded, reproducible.

``make test-fast`` keeps the pipeline runs that check a step of their own (every step on a year
of Toronto, monthly data, a category filter, no times, the defaults, the long tail); the
repeated runs and the written reports are marked slow (``make test`` runs them)."""

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
    assert a.settings["cell_size"] == 500
    # the only note: the partial weeks at both ends (2021 starts on a Friday, ends on a Friday)
    assert len(a.notes) == 1 and "partial bin(s)" in a.notes[0]
    # the cube spans the data: its first bin holds the first incident, its last the last
    first, last = toronto_2021["time"].min(), toronto_2021["time"].max()
    assert a.cube.bins[0] <= first < a.cube.bins[1]
    assert a.cube.bin_edges[-2] <= last < a.cube.bin_edges[-1]
    assert a.cube.counts[0].sum() > 0 and a.cube.counts[-1].sum() > 0
    assert a.cube.partial_bins.tolist() == [True] + [False] * (len(a.cube.bins) - 2) + [True]
    assert a.period["label"] == f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"


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


@pytest.mark.slow  # two whole pipelines
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


@pytest.mark.slow  # a whole pipeline and its report, twice
@pytest.mark.parametrize("public", [False, True])
def test_report_of_a_small_file_says_what_it_could_not_show(toronto, tmp_path, public):
    from hotspot.report.write import write_analysis, write_report

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


def _stationary_file(tmp_path, seed):
    """One year of a stationary city (constant rate, no hot spot) written as a CSV file."""
    inc, _ = hs.datasets.simulate_incidents(
        n_background=15000, hotspots=[], periods=52, freq="W", rng=seed
    )
    lonlat = inc.to_crs(4326)
    frame = pd.DataFrame(
        {
            "longitude": lonlat.geometry.x,
            "latitude": lonlat.geometry.y,
            "date": inc["time"].dt.strftime("%Y-%m-%d %H:%M"),
        }
    )
    path = tmp_path / f"stationary_{seed}.csv"
    frame.to_csv(path, index=False)
    return path


# three cities, against a lucky draw; make test-fast runs the first (seeds 1 and 2 repeat its
# check on other draws, a second each)
@pytest.mark.parametrize(
    "seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)]
)
def test_stationary_city_shows_no_trend_through_the_defaults(tmp_path, seed):
    """A constant-rate year through analyze's defaults: fewer than 5 % of the analysed cells
    trend (the padded two-year cube made 99 % of them trend), and the cube starts at the data."""
    inc = hs.read_incidents(_stationary_file(tmp_path, seed), quiet=True)
    a = run_analysis(inc, name="s", title="s", permutations=99, progress=False)  # defaults
    e = a.emerging
    analysed = e["emerging_category"] != "not analysed (no incidents)"
    alpha = e.attrs["hotspot"]["emerging"]["alpha"]
    trending = (e.loc[analysed, "emerging_trend_p"] < alpha).mean()
    assert analysed.sum() > 500
    assert trending < 0.05
    first = inc["time"].min()
    assert a.cube.bins[0] <= first < a.cube.bins[1]
    assert a.cube.attrs["padding"] == {"before": 0, "after": 0}


def test_padded_cube_is_announced_and_its_padding_left_out_of_the_trend(capsys):
    inc, _ = hs.datasets.simulate_incidents(
        n_background=8000, hotspots=[], periods=52, freq="W", rng=3
    )
    cells = hs.count_incidents(inc, hs.square_grid(inc, 500, quiet=True), quiet=True)
    cube = hs.space_time_cube(inc, cells, "W", start="2023-01-02")  # a year before the data
    assert "before the first incident" in capsys.readouterr().err
    assert cube.attrs["padding"]["before"] == 52 and cube.partial_bins[:52].all()
    out = hs.emerging_hotspots(cube, quiet=True)
    assert len(out.attrs["hotspot"]["emerging"]["partial_bins_left_out"]) >= 52
    kept = hs.emerging_hotspots(cube, quiet=True, partial="keep")  # ArcGIS: every bin
    up = lambda r: ((r["emerging_trend_p"] < 0.05) & (r["emerging_trend_tau"] > 0)).mean()  # noqa: E731
    assert up(out) < 0.05 < up(kept)


def test_long_tail_is_left_out_and_counted(toronto):
    sample = toronto.iloc[::20]
    a = run_analysis(sample, name="t", title="t", cell_size=2000, permutations=9, progress=False)
    tail = a.left_out["outside the core period"]
    assert tail == int((sample["time"] < "2014-01-01").sum()) > 0
    assert a.n_incidents + tail == len(sample)
    assert a.period["start"] == "2014-01-01"
    assert any("core period" in note for note in a.notes)
    # --start/--end override the core period
    b = run_analysis(
        sample,
        name="t",
        title="t",
        cell_size=2000,
        permutations=9,
        progress=False,
        start="2020-01-01",
        end="2020-12-31",
    )
    assert b.period["label"] == "2020-01-01 to 2020-12-31"
    assert b.n_incidents + b.left_out["outside --start/--end"] == len(sample)

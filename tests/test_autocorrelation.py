"""Global tests against published values and esda."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.stats import GlobalTest, SeriesTest


@pytest.fixture(scope="module")
def columbus():
    cells = hs.datasets.load_columbus()
    cells.index = pd.Index(cells["POLYID"].astype(str), name="cell_id")
    return cells


@pytest.fixture(scope="module")
def columbus_gal(libpysal):
    return libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()


def test_moran_columbus_published_values(columbus, columbus_gal):
    # libpysal's bundled columbus.gal (queen), row-standardised, normality
    result = hs.moran(
        columbus, "CRIME", weights=columbus_gal, assumption="normality", permutations=0
    )
    assert result.statistic == pytest.approx(0.500189, abs=5e-7)
    assert result.expected == pytest.approx(-0.020833, abs=5e-7)
    assert result.z == pytest.approx(5.6303, abs=5e-5)
    assert result.params["weights"] == "libpysal W"


@pytest.mark.slow  # esda's numba compile (10-20 s)
def test_moran_matches_esda_both_assumptions_and_permutations(columbus, columbus_gal, esda):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran(
            columbus["CRIME"].to_numpy(), columbus_gal, transformation="r", permutations=0
        )
    rand = hs.moran(columbus, "CRIME", weights=columbus_gal, permutations=999, rng=0)
    assert rand.z == pytest.approx(ref.z_rand, abs=1e-9)
    assert rand.variance == pytest.approx(ref.VI_rand, rel=1e-9)
    assert rand.pvalue_sim == pytest.approx(0.001)
    assert len(rand.null_distribution) == 999
    assert abs(rand.null_distribution.mean() - rand.expected) < 4 * np.sqrt(rand.variance / 999)


def test_general_g_matches_esda(columbus, columbus_gal, esda):
    ref = esda.G(columbus["CRIME"].to_numpy(), columbus_gal, permutations=0)
    ours = hs.general_g(columbus, "CRIME", weights=columbus_gal, permutations=99, rng=1)
    assert ours.statistic == pytest.approx(ref.G, rel=1e-12)
    assert ours.expected == pytest.approx(ref.EG, rel=1e-12)
    assert ours.z == pytest.approx(ref.z_norm, rel=1e-9)
    assert 0 < ours.pvalue_sim <= 1


def test_incremental_autocorrelation_lattice_equals_sparse_and_esda(west_yorkshire, esda, libpysal):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    distances = [2000.0, 3000.0, 4500.0, 6000.0]
    fast = hs.incremental_autocorrelation(cells, distances=distances)
    plain = cells.copy()
    plain.attrs = {}
    slow = hs.incremental_autocorrelation(plain, distances=distances)
    np.testing.assert_allclose(fast.statistic, slow.statistic, rtol=1e-9)
    np.testing.assert_allclose(fast.z, slow.z, rtol=1e-9)
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    for d, row in zip(distances, fast.table.itertuples(), strict=True):
        w = libpysal.weights.DistanceBand(
            xy, threshold=d * (1 + 1e-9), binary=True, silence_warnings=True
        )
        ref = esda.Moran(
            cells["count"].to_numpy(dtype=float), w, transformation="b", permutations=0
        )
        assert row.moran_i == pytest.approx(ref.I, rel=1e-9)
        assert row.z == pytest.approx(ref.z_rand, rel=1e-9)


def test_incremental_autocorrelation_hex_lattice(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.hex_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    plain = cells.copy()
    plain.attrs = {}
    d = [2000.0, 3500.0, 4000.0]
    np.testing.assert_allclose(
        hs.incremental_autocorrelation(cells, distances=d).z,
        hs.incremental_autocorrelation(plain, distances=d).z,
        rtol=1e-9,
    )


def test_peak_marking():
    from hotspot.stats.autocorrelation import mark_peaks

    z = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 6.0])
    p = np.array([0.5, 0.2, 0.01, 0.001, 0.001, 0.0])
    peak, first, best = mark_peaks(z, p)
    assert peak.tolist() == [False, True, False, True, False, False]  # ends are never peaks
    assert first.tolist() == [False, False, False, True, False, False]  # the first *significant*
    assert best.tolist() == first.tolist()


def test_incremental_table_contract(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    before = cells.copy()
    result = hs.incremental_autocorrelation(cells)
    assert isinstance(result, SeriesTest)
    table = result.table
    assert list(table.columns) == [
        "distance",
        "moran_i",
        "expected",
        "variance",
        "z",
        "pvalue",
        "n_islands",
        "peak",
        "first_peak",
        "max_peak",
    ]
    assert len(table) == 10 and table["distance"].iloc[0] == 1000.0
    assert (np.diff(table["distance"]) == 1000.0).all()
    assert table["first_peak"].sum() <= 1 and table["max_peak"].sum() <= 1
    # the Series in the GlobalTest vocabulary are the table's columns, on the distances
    for attribute, column in (
        ("statistic", "moran_i"),
        ("expected", "expected"),
        ("z", "z"),
        ("pvalue", "pvalue"),
    ):
        series = getattr(result, attribute)
        assert series.index.name == "distance"
        np.testing.assert_array_equal(series.index, table["distance"])
        np.testing.assert_array_equal(series.to_numpy(), table[column].to_numpy())
    assert result.alternative == "two-sided" and result.permutations == 0
    params = result.params
    assert params["method"] == "incremental_autocorrelation" and result.method == params["method"]
    assert params["period"] == cells.attrs["hotspot"]["period"] and params["rng_seed"] is None
    assert params["peaks"] == table.loc[table["peak"], "distance"].tolist()
    first = table.loc[table["first_peak"], "distance"].tolist()
    assert params["first_peak"] == (first[0] if first else None)
    pd.testing.assert_frame_equal(cells, before)


def test_incremental_result_still_reads_as_its_table_with_a_warning(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    result = hs.incremental_autocorrelation(cells, distances=[2000.0, 4000.0])
    with pytest.warns(FutureWarning, match=r"\.table"):
        z = result["z"]
    pd.testing.assert_series_equal(z, result.table["z"])
    with pytest.warns(FutureWarning):
        assert len(result) == 2


def test_choose_distance_band_reads_the_first_peak(west_yorkshire, capsys):
    from hotspot.stats.incremental import choose_distance_band

    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )
    result = hs.incremental_autocorrelation(cells)
    nb = choose_distance_band(cells, "count")
    expected = result.params["first_peak"] or float(result.table["distance"].iloc[0])
    assert nb.params["distance"] == expected
    assert f"automatic distance band {expected:,.0f} m" in capsys.readouterr().err
    assert nb.params["incremental"]["distance"] == result.table["distance"].tolist()


def test_global_errors(columbus, columbus_gal):
    with pytest.raises(hs.HotspotInputError, match="^moran: assumption='gaussian' is not one"):
        hs.moran(columbus, "CRIME", weights=columbus_gal, assumption="gaussian")
    with pytest.raises(hs.HotspotInputError, match="^general_g: .*non-negative"):
        hs.general_g(columbus.assign(CRIME=columbus["CRIME"] - 50), "CRIME", weights=columbus_gal)
    with pytest.raises(hs.HotspotInputError, match="^incremental_autocorrelation: assumption="):
        hs.incremental_autocorrelation(columbus, "CRIME", assumption="gaussian")
    with pytest.raises(hs.HotspotInputError, match="^incremental_autocorrelation: distances="):
        hs.incremental_autocorrelation(columbus, "CRIME", distances=[-1.0])
    with pytest.raises(hs.HotspotInputError, match="^incremental_autocorrelation: .*no 'nope'"):
        hs.incremental_autocorrelation(columbus, "nope")


@pytest.mark.parametrize("test", [hs.moran, hs.general_g])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"column": "nope"}, "no 'nope' column"),
        ({"alternative": "both"}, "alternative='both' is not one of 'two-sided'"),
        ({"permutations": -1}, "permutations=-1 must be at least 0"),
        ({"permutations": 9.5}, "permutations=9.5 must be a whole number"),
        ({"rng": "seed"}, "rng='seed' must be None, an int seed"),
    ],
)
def test_bad_parameters_name_the_function_and_the_parameter(columbus, test, kwargs, match):
    with pytest.raises(hs.HotspotInputError, match=f"^{test.__name__}: .*{match}"):
        test(columbus, **{"column": "CRIME", "weights": "queen", **kwargs})


def test_moran_transform_checked(columbus):
    with pytest.raises(hs.HotspotInputError, match="^moran: transform='V' is not one of 'B', 'R'"):
        hs.moran(columbus, "CRIME", transform="V")
    lower = hs.moran(columbus, "CRIME", transform="b", permutations=0)
    assert lower.params["transform"] == "B"


@pytest.mark.parametrize(("test", "name"), [(hs.moran, "moran"), (hs.general_g, "general_g")])
def test_global_results_follow_the_contract(west_yorkshire, test, name):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    before = cells.copy()
    attrs_before = copy.deepcopy(cells.attrs)
    result = test(cells, permutations=19, rng=5)
    assert isinstance(result, GlobalTest)
    assert result.permutations == 19 and len(result.null_distribution) == 19
    assert result.params["method"] == name == result.method
    assert result.params["period"] == cells.attrs["hotspot"]["period"]
    assert result.params["rng_seed"] == 5
    assert result.alternative == "two-sided"
    again = test(cells, permutations=19, rng=5)
    assert again.pvalue_sim == result.pvalue_sim
    np.testing.assert_array_equal(again.null_distribution, result.null_distribution)
    analytical = test(cells, permutations=0, rng=np.random.default_rng(1))
    assert analytical.permutations == 0 and analytical.pvalue_sim is None
    assert analytical.params["rng_seed"] is None
    pd.testing.assert_frame_equal(cells, before)
    assert cells.attrs.keys() == attrs_before.keys()
    assert cells.attrs["hotspot"].keys() == attrs_before["hotspot"].keys()
    for key in ("kind", "method", "period", "rng_seed"):
        assert cells.attrs["hotspot"].get(key) == attrs_before["hotspot"].get(key)


def test_global_tests_without_a_period(columbus, columbus_gal):
    result = hs.moran(columbus, "CRIME", weights=columbus_gal, permutations=0)
    assert result.params["period"] is None and result.params["method"] == "moran"

"""Global tests against published values and esda."""

from __future__ import annotations

import warnings

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest

import hotspot as hs


@pytest.fixture(scope="module")
def columbus():
    cells = hs.datasets.load_columbus()
    cells.index = pd.Index(cells["POLYID"].astype(str), name="cell_id")
    return cells


@pytest.fixture(scope="module")
def columbus_gal():
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
def test_moran_matches_esda_both_assumptions_and_permutations(columbus, columbus_gal):
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


def test_general_g_matches_esda(columbus, columbus_gal):
    ref = esda.G(columbus["CRIME"].to_numpy(), columbus_gal, permutations=0)
    ours = hs.general_g(columbus, "CRIME", weights=columbus_gal, permutations=99, rng=1)
    assert ours.statistic == pytest.approx(ref.G, rel=1e-12)
    assert ours.expected == pytest.approx(ref.EG, rel=1e-12)
    assert ours.z == pytest.approx(ref.z_norm, rel=1e-9)
    assert 0 < ours.pvalue_sim <= 1


def test_incremental_autocorrelation_lattice_equals_sparse_and_esda(west_yorkshire):
    cells = hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 2000, quiet=True), quiet=True
    )
    distances = [2000.0, 3000.0, 4500.0, 6000.0]
    fast = hs.incremental_autocorrelation(cells, distances=distances)
    plain = cells.copy()
    plain.attrs = {}
    slow = hs.incremental_autocorrelation(plain, distances=distances)
    np.testing.assert_allclose(fast["moran_i"], slow["moran_i"], rtol=1e-9)
    np.testing.assert_allclose(fast["z"], slow["z"], rtol=1e-9)
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    for d, row in zip(distances, fast.itertuples(), strict=True):
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
        hs.incremental_autocorrelation(cells, distances=d)["z"],
        hs.incremental_autocorrelation(plain, distances=d)["z"],
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
    table = hs.incremental_autocorrelation(cells)
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


def test_global_errors(columbus, columbus_gal):
    with pytest.raises(hs.HotspotInputError, match="assumption"):
        hs.moran(columbus, "CRIME", weights=columbus_gal, assumption="gaussian")
    with pytest.raises(hs.HotspotInputError, match="non-negative"):
        hs.general_g(columbus.assign(CRIME=columbus["CRIME"] - 50), "CRIME", weights=columbus_gal)

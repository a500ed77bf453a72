"""Gi* and local Moran's I against esda, hand formulas and planted ground truth."""

from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs

P_SIM = 9999


@pytest.fixture(scope="module")
def columbus():
    cells = hs.datasets.load_columbus()
    cells.index = pd.Index(cells["POLYID"].astype(str), name="cell_id")
    return cells


@pytest.fixture(scope="module")
def columbus_w(libpysal):
    return libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()


@pytest.fixture(scope="module")
def wy_cells(west_yorkshire):
    return hs.count_incidents(
        west_yorkshire, hs.square_grid(west_yorkshire, 1000, quiet=True), quiet=True
    )


def esda_g_local(esda, y, w, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, transform="B", star=True, **kw)


def test_gistar_z_equals_esda_on_columbus(columbus, columbus_w, esda):
    out = hs.gistar(columbus, "CRIME", weights=columbus_w, permutations=0, quiet=True)
    ref = esda_g_local(esda, columbus["CRIME"].to_numpy(), columbus_w, permutations=0)
    np.testing.assert_allclose(out["gistar_z"], ref.Zs, atol=1e-9, rtol=0)


def test_gistar_z_equals_esda_on_west_yorkshire_grid(wy_cells, esda, libpysal):
    out = hs.gistar(wy_cells, weights="queen", permutations=0, quiet=True)
    w = libpysal.weights.Queen.from_dataframe(
        wy_cells.reset_index(drop=True), use_index=False, silence_warnings=True
    )
    ref = esda_g_local(esda, wy_cells["count"].to_numpy(dtype=float), w, permutations=0)
    np.testing.assert_allclose(out["gistar_z"], ref.Zs, atol=1e-9, rtol=0)


def test_gistar_row_standardised_matches_the_general_formula(wy_cells):
    out = hs.gistar(wy_cells, weights="rook", transform="R", permutations=0, quiet=True)
    # ArcGIS's general Gi* formula, written out with a dense loop
    x = wy_cells["count"].to_numpy(dtype=float)
    n = len(x)
    nb = hs.build_weights(wy_cells, "rook")
    dense = nb.matrix.toarray() + np.eye(n)
    dense /= dense.sum(axis=1, keepdims=True)
    xbar, s = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    expected = []
    for i in range(n):
        wi = dense[i]
        num = wi @ x - xbar * wi.sum()
        den = s * np.sqrt((n * (wi**2).sum() - wi.sum() ** 2) / (n - 1))
        expected.append(num / den)
    np.testing.assert_allclose(out["gistar_z"], expected, atol=1e-9)


def monte_carlo_z(ours, theirs, permutations):
    p = (ours + theirs) / 2
    return (ours - theirs) / np.sqrt(2 * p * (1 - p) / permutations)


@pytest.mark.slow
def test_gistar_p_sim_agrees_with_esda_within_monte_carlo_error(columbus, columbus_w, esda):
    out = hs.gistar(columbus, "CRIME", weights=columbus_w, permutations=P_SIM, rng=3, quiet=True)
    ref = esda_g_local(
        esda, columbus["CRIME"].to_numpy(), columbus_w, permutations=P_SIM, seed=7, n_jobs=1
    )
    # esda's p_sim is one-sided in the observed direction; ours is two-sided (twice that)
    d = monte_carlo_z(out["gistar_p_sim"].to_numpy() / 2, ref.p_sim, P_SIM)
    assert np.abs(d).max() < 4.0
    assert np.abs(d).mean() < 1.2


@pytest.mark.slow  # esda's numba compile (10-20 s)
def test_lisa_matches_esda(columbus, columbus_w, esda):
    out = hs.lisa(columbus, "CRIME", weights=columbus_w, permutations=P_SIM, rng=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = esda.Moran_Local(
            columbus["CRIME"].to_numpy(),
            columbus_w,
            transformation="r",
            permutations=P_SIM,
            seed=9,
            n_jobs=1,
        )
    np.testing.assert_allclose(out["lisa_i"], ref.Is, atol=1e-9)
    np.testing.assert_allclose(out["lisa_z"], (ref.Is - ref.EI) / np.sqrt(ref.VI), atol=1e-9)
    assert (out["lisa_q"].to_numpy() == np.array(["HH", "LH", "LL", "HL"])[ref.q - 1]).all()
    d = monte_carlo_z(out["lisa_p_sim"].to_numpy() / 2, ref.p_sim, P_SIM)
    assert np.abs(d).max() < 4.0


def test_lisa_cluster_labels_are_significance_aware(columbus, columbus_w):
    out = hs.lisa(columbus, "CRIME", weights=columbus_w, permutations=999, rng=0, alpha=0.05)
    significant = out["lisa_p_sim"] <= 0.05
    assert (out.loc[significant, "lisa_cluster"] == out.loc[significant, "lisa_q"]).all()
    assert (out.loc[~significant, "lisa_cluster"] == "not significant").all()
    assert out.attrs["hotspot"]["lisa"]["clusters"] == out["lisa_cluster"].value_counts().to_dict()


def test_bins_follow_fdr_at_each_level(wy_cells):
    from scipy.stats import false_discovery_control

    out = hs.gistar(wy_cells, weights="queen", permutations=0, quiet=True)
    q = false_discovery_control(out["gistar_p"].to_numpy(), method="bh")
    expected = np.select([q <= 0.01, q <= 0.05, q <= 0.10], [3, 2, 1], 0) * np.sign(out["gistar_z"])
    assert (out["gistar_bin"].to_numpy() == expected).all()
    raw = hs.gistar(wy_cells, weights="queen", permutations=0, fdr=False, quiet=True)
    p = raw["gistar_p"].to_numpy()
    expected = np.select([p <= 0.01, p <= 0.05, p <= 0.10], [3, 2, 1], 0) * np.sign(raw["gistar_z"])
    assert (raw["gistar_bin"].to_numpy() == expected).all()
    assert (np.abs(raw["gistar_bin"]) >= np.abs(out["gistar_bin"])).all()


def simulated_cells(hotspots, rng, cell_size=250):
    inc, truth = hs.datasets.simulate_incidents(
        n_background=4000, hotspots=hotspots, periods=12, rng=rng
    )
    cells = hs.count_incidents(
        inc, hs.square_grid(inc, cell_size, study_area="bbox", buffer=0, quiet=True), quiet=True
    )
    return inc, truth, cells


def test_planted_hotspots_are_found():
    hotspots = [
        {"x": 432000, "y": 432000, "radius": 150, "profile": "persistent", "rate": 40},
        {"x": 436000, "y": 434500, "radius": 150, "profile": "persistent", "rate": 40},
        {"x": 438000, "y": 431500, "radius": 200, "profile": "persistent", "rate": 40},
    ]
    inc, truth, cells = simulated_cells(hotspots, rng=11)
    out = hs.gistar(cells, weights="queen", permutations=0, quiet=True)
    centres = cells.geometry.centroid
    planted = np.zeros(len(cells), dtype=bool)
    for _, h in truth.iterrows():
        planted |= (centres.distance(shapely.Point(h["x"], h["y"])) <= h["radius"]).to_numpy()
    found = out["gistar_bin"].to_numpy() >= 2
    assert planted.sum() >= 3
    assert found[planted].mean() >= 0.9


def test_false_positive_rate_on_complete_spatial_randomness():
    rng = np.random.default_rng(2024)
    rates = []
    for _ in range(5):
        x = rng.uniform(430000, 440000, 6000)
        y = rng.uniform(430000, 438000, 6000)
        inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:27700")
        area = gpd.GeoSeries([shapely.box(430000, 430000, 440000, 438000)], crs="EPSG:27700")
        cells = hs.count_incidents(inc, hs.square_grid(area, 250), quiet=True)
        out = hs.gistar(cells, weights="queen", permutations=0, fdr=True, quiet=True)
        rates.append((np.abs(out["gistar_bin"]) >= 2).mean())
    assert np.mean(rates) <= 0.05


def test_output_contract_and_input_not_mutated(wy_cells):
    before = wy_cells.copy()
    for kwargs in (
        {"permutations": 0},
        {"permutations": 19, "rng": 1},
        {"transform": "R", "permutations": 0},
    ):
        out = hs.gistar(wy_cells, weights="queen", quiet=True, **kwargs)
        assert out.index.equals(wy_cells.index)
        assert list(out.columns[-4:]) == ["gistar_z", "gistar_p", "gistar_p_sim", "gistar_bin"]
        assert out["gistar_bin"].dtype == np.int8
        assert out["gistar_bin"].between(-3, 3).all()
        assert out["gistar_p"].between(0, 1).all()
        assert out.attrs["hotspot"]["gistar"]["weights"] == "queen contiguity"
    lis = hs.lisa(wy_cells, permutations=0)
    assert list(lis.columns[-6:]) == [
        "lisa_i",
        "lisa_z",
        "lisa_p",
        "lisa_p_sim",
        "lisa_q",
        "lisa_cluster",
    ]
    assert set(lis["lisa_q"]) <= {"HH", "LL", "HL", "LH"}
    pd.testing.assert_frame_equal(wy_cells, before)


def test_same_rng_same_result(wy_cells):
    a = hs.gistar(wy_cells, weights="queen", permutations=99, rng=42, quiet=True)
    b = hs.gistar(
        wy_cells, weights="queen", permutations=99, rng=np.random.default_rng(42), quiet=True
    )
    np.testing.assert_array_equal(a["gistar_p_sim"], b["gistar_p_sim"])
    c = hs.gistar(wy_cells, weights="queen", permutations=99, rng=43, quiet=True)
    assert not np.array_equal(a["gistar_p_sim"], c["gistar_p_sim"])


def test_cells_without_neighbours_are_reported(capsys):
    cells = gpd.GeoDataFrame(
        {"count": [5, 1, 0, 9]},
        geometry=[
            shapely.box(0, 0, 1, 1),
            shapely.box(1, 0, 2, 1),
            shapely.box(2, 0, 3, 1),
            shapely.box(10, 10, 11, 11),
        ],
        crs="EPSG:27700",
    )
    out = hs.gistar(cells, weights="rook", permutations=9, rng=0)
    assert "1 cells have no neighbours under rook contiguity (cells 3)" in capsys.readouterr().err
    assert np.isnan(out.loc[3, "gistar_z"]) and out.loc[3, "gistar_bin"] == 0
    assert np.isnan(out.loc[3, "gistar_p_sim"])
    assert out.attrs["hotspot"]["gistar"]["n_islands"] == 1


def test_automatic_weights_announced_and_recorded(wy_cells, capsys):
    out = hs.gistar(wy_cells, weights="auto", permutations=0)
    assert "automatic distance band" in capsys.readouterr().err
    params = out.attrs["hotspot"]["gistar"]["weights_params"]
    assert params["kind"] == "distance" and "chosen_by" in params


def test_default_weights_are_queen_as_in_lisa(wy_cells, capsys):
    out = hs.gistar(wy_cells, permutations=0)
    assert "automatic distance band" not in capsys.readouterr().err
    assert out.attrs["hotspot"]["gistar"]["weights"] == "queen contiguity"
    queen = hs.gistar(wy_cells, weights="queen", permutations=0, quiet=True)
    np.testing.assert_array_equal(out["gistar_z"], queen["gistar_z"])
    assert hs.lisa(wy_cells, permutations=0).attrs["hotspot"]["lisa"]["weights"] == (
        "queen contiguity"
    )


@pytest.mark.parametrize("statistic", [hs.gistar, hs.lisa])
def test_weights_none_is_the_deprecated_spelling_of_auto(wy_cells, statistic):
    auto = statistic(wy_cells, weights="auto", permutations=0, quiet=True)
    with pytest.warns(FutureWarning, match="weights='auto'"):
        old = statistic(wy_cells, weights=None, permutations=0, quiet=True)
    name = statistic.__name__
    assert old.attrs["hotspot"][name]["weights"] == auto.attrs["hotspot"][name]["weights"]
    assert old.attrs["hotspot"][name]["weights"].startswith("distance band")
    pd.testing.assert_frame_equal(old, auto)


@pytest.mark.parametrize(
    ("statistic", "kwargs"),
    [(hs.gistar, {}), (hs.lisa, {}), (hs.gistar, {"permutations": 19, "rng": 7})],
)
def test_results_are_stamped_and_the_input_is_untouched(wy_cells, statistic, kwargs):
    from hotspot._result import method_of

    before = wy_cells.copy()
    attrs_before = copy.deepcopy(wy_cells.attrs)
    out = statistic(wy_cells, quiet=True, **{"permutations": 0, **kwargs})
    name = statistic.__name__
    meta = out.attrs["hotspot"]
    assert method_of(out) == name
    assert meta["kind"] == "cells" and meta["method"] == name
    assert meta["rng_seed"] == kwargs.get("rng")
    assert meta[name]["rng_seed"] == kwargs.get("rng")
    assert meta[name]["permutations"] == kwargs.get("permutations", 0)
    # the cells' records are carried over: the grid, the counts and their period
    for key in ("grid", "counts", "period"):
        assert meta[key] == wy_cells.attrs["hotspot"][key]
    assert meta["period"]["label"]
    pd.testing.assert_frame_equal(wy_cells, before)
    assert wy_cells.attrs.keys() == attrs_before.keys()
    assert wy_cells.attrs["hotspot"].keys() == attrs_before["hotspot"].keys()
    for key in ("kind", "method", "period", "rng_seed"):  # the input's own stamp stays
        assert wy_cells.attrs["hotspot"].get(key) == attrs_before["hotspot"].get(key)
    assert name not in wy_cells.attrs["hotspot"]


def test_method_of_a_gistar_result_is_gistar(wy_cells):
    from hotspot._result import method_of

    assert method_of(hs.gistar(wy_cells, permutations=0, quiet=True)) == "gistar"


BAD_ARGUMENTS = [
    ({"column": "nope"}, "no 'nope' column"),
    ({"alternative": "both"}, "alternative='both' is not one of 'two-sided'"),
    ({"transform": "V"}, "transform='V' is not one of 'B', 'R'"),
    ({"permutations": -1}, "permutations=-1 must be at least 0"),
    ({"permutations": 9.5}, "permutations=9.5 must be a whole number"),
    ({"alpha": 5}, "alpha=5 must be a number between 0 and 1"),
    ({"fdr": "yes"}, "fdr='yes' is not one of True, False"),
    ({"rng": "seed"}, "rng='seed' must be None, an int seed"),
]


@pytest.mark.parametrize("statistic", [hs.gistar, hs.lisa])
@pytest.mark.parametrize(("kwargs", "match"), BAD_ARGUMENTS)
def test_bad_parameters_name_the_function_and_the_parameter(wy_cells, statistic, kwargs, match):
    with pytest.raises(hs.HotspotInputError, match=f"^{statistic.__name__}: .*{match}"):
        statistic(wy_cells, **{"weights": "queen", **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": "queen-ish"}, "knn:<k>"),
        ({"weights": -5}, "positive number of metres"),
    ],
)
def test_bad_weights(wy_cells, kwargs, match):
    with pytest.raises(hs.HotspotInputError, match=match):
        hs.gistar(wy_cells, **kwargs)


def test_neighbours_of_other_cells_refused(wy_cells):
    other = hs.build_weights(wy_cells.iloc[:50], "queen")
    with pytest.raises(hs.HotspotInputError, match="^gistar: weights are Neighbours of 50 cells"):
        hs.gistar(wy_cells, weights=other)


def test_lower_case_transform_accepted(wy_cells):
    upper = hs.gistar(wy_cells, transform="R", permutations=0, quiet=True)
    lower = hs.gistar(wy_cells, transform="r", permutations=0, quiet=True)
    pd.testing.assert_frame_equal(upper, lower)
    assert lower.attrs["hotspot"]["gistar"]["transform"] == "R"


def test_constant_or_missing_values_refused(wy_cells):
    with pytest.raises(hs.HotspotInputError, match="same value in every row"):
        hs.gistar(wy_cells.assign(count=1), weights="queen")
    with pytest.raises(hs.HotspotInputError, match="missing or non-numeric"):
        hs.gistar(
            wy_cells.assign(count=np.where(wy_cells.index == 3, np.nan, 1.0)), weights="queen"
        )

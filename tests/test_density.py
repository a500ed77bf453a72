"""Kernel density: agreement with an independent direct kernel sum, mass, contract, rules, errors.

The reference density in these tests is computed here, from the kernel formulas, by summing
over every (incident, evaluation point) pair within the kernel's reach found with a k-d tree
(the Gaussian over 8 standard deviations, untruncated in practice). It shares no code with
hotspot's binned FFT.
"""

from __future__ import annotations

import math
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import xarray as xr
from pandas.testing import assert_frame_equal
from scipy.spatial import cKDTree

import hotspot as hs
from hotspot.density import (
    density_hotspots,
    density_to_cells,
    dual_kde,
    kde,
    kde_bandwidth,
    surface_to_geotiff_array,
)
from hotspot.errors import HotspotInputError, HotspotWarning

ENGINE = "hotspot.density._engine"  # the module whose constants choose the engine

CRS = "EPSG:27700"
KERNELS = ("quartic", "gaussian", "epanechnikov", "triangular", "uniform")
# per-axis standard deviation = bandwidth / factor (radius for the compact kernels)
SD_FACTOR = {
    "quartic": 2 * math.sqrt(2),
    "gaussian": 1.0,
    "epanechnikov": math.sqrt(6),
    "triangular": math.sqrt(20 / 3),
    "uniform": 2.0,
}


def kernel_value(kernel: str, u: np.ndarray) -> np.ndarray:
    """The kernels as written in the issue (integrating to 1 over the unit disc / plane)."""
    if kernel == "gaussian":
        return np.exp(-0.5 * u**2) / (2 * np.pi)
    profile = {
        "quartic": 3 / np.pi * (1 - u**2) ** 2,
        "epanechnikov": 2 / np.pi * (1 - u**2),
        "triangular": 3 / np.pi * (1 - u),
        "uniform": np.full(u.shape, 1 / np.pi),
    }[kernel]
    return np.where(u < 1, profile, 0.0)


def direct_sum(x, y, w, qx, qy, kernel, h):
    """Density per km² at (qx, qy): the kernel summed over every incident in reach."""
    reach = 8 * h if kernel == "gaussian" else h
    points = cKDTree(np.column_stack([x, y]))
    out = np.zeros(len(qx))
    for start in range(0, len(qx), 50_000):
        sl = slice(start, start + 50_000)
        targets = cKDTree(np.column_stack([qx[sl], qy[sl]]))
        pairs = targets.sparse_distance_matrix(points, reach, output_type="ndarray")
        contrib = kernel_value(kernel, pairs["v"] / h) * w[pairs["j"]]
        out[sl] = np.bincount(pairs["i"], contrib, minlength=len(qx[sl]))
    return out / h**2 * 1e6


def xy(gdf):
    return shapely.get_x(gdf.geometry.array), shapely.get_y(gdf.geometry.array)


def node_grid(surface):
    gx, gy = np.meshgrid(surface["x"].to_numpy(), surface["y"].to_numpy())
    return gx, gy


def points(x, y, **columns):
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(x, y), crs=CRS)


@pytest.fixture(scope="module")
def toronto_sample(toronto):
    rng = np.random.default_rng(20261127)
    return toronto.iloc[np.sort(rng.choice(len(toronto), 5_000, replace=False))]


@pytest.fixture(scope="module")
def simulated():
    """3,000 clustered incidents with piles on repeated addresses, in a 12 x 9 km town."""
    rng = np.random.default_rng(7)
    x0, y0 = 430_000.0, 430_000.0
    parts_x = [rng.uniform(x0, x0 + 12_000, 1_200)]
    parts_y = [rng.uniform(y0, y0 + 9_000, 1_200)]
    for cx, cy, s, n in (
        (3_000, 4_000, 250, 700),
        (8_000, 6_500, 600, 700),
        (9_500, 2_000, 120, 300),
    ):
        parts_x.append(rng.normal(x0 + cx, s, n))
        parts_y.append(rng.normal(y0 + cy, s, n))
    x, y = np.concatenate(parts_x), np.concatenate(parts_y)
    piles = rng.choice(len(x), 100, replace=False)  # 100 addresses with 1-30 extra incidents
    extra = rng.integers(1, 31, len(piles))
    x = np.concatenate([x, np.repeat(x[piles], extra)])[:3_000]
    y = np.concatenate([y, np.repeat(y[piles], extra)])[:3_000]
    return points(x, y, severity=rng.integers(1, 4, len(x)))


# --------------------------------------------------------------------------------------------
# independent reference: a direct kernel sum
# --------------------------------------------------------------------------------------------


def assert_matches_direct(surface, inc, kernel, bandwidth, weights=None, tol=0.01):
    x, y = xy(inc)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
    values = surface.to_numpy()
    gx, gy = node_grid(surface)
    big = np.isfinite(values) & (values > 0.01 * np.nanmax(values))
    ref = direct_sum(x, y, w, gx[big], gy[big], kernel, bandwidth)
    rel = np.abs(values[big] - ref) / ref
    assert big.sum() > 1_000
    assert rel.max() < tol, f"{kernel}: max relative error {rel.max():.4f} over {big.sum()} nodes"
    return rel


@pytest.mark.parametrize("kernel", KERNELS)
def test_raster_matches_direct_sum_on_toronto(toronto_sample, kernel):
    bandwidth = 150.0 * SD_FACTOR[kernel]  # every kernel with a 150 m standard deviation
    surface = kde(toronto_sample, bandwidth=bandwidth, kernel=kernel, quiet=True)
    assert surface.attrs["hotspot"]["kde"]["refinement"] == 1  # the default cells suffice
    assert_matches_direct(surface, toronto_sample, kernel, bandwidth)


@pytest.mark.parametrize("kernel", KERNELS)
def test_raster_matches_direct_sum_on_simulated_with_weights(simulated, kernel):
    bandwidth = 220.0 * SD_FACTOR[kernel]
    surface = kde(
        simulated, bandwidth=bandwidth, kernel=kernel, incident_weights="severity", quiet=True
    )
    assert_matches_direct(surface, simulated, kernel, bandwidth, simulated["severity"])


@pytest.mark.parametrize("kernel", ["quartic", "gaussian", "triangular"])
@pytest.mark.parametrize("path", ["refined lattice", "direct"])
def test_coarse_cells_still_match_direct_sum(simulated, kernel, path, monkeypatch):
    """Cells coarser than the kernel resolves: a refined lattice or a direct sum, both exact."""
    monkeypatch.setattr(f"{ENGINE}.DIRECT_COST_PER_PAIR", 1e9 if path == "refined lattice" else 0)
    bandwidth = 150.0 * SD_FACTOR[kernel]
    with pytest.warns(HotspotWarning, match="smaller than the cell size"):
        surface = kde(simulated, bandwidth=bandwidth, kernel=kernel, cell_size=500, quiet=True)
    record = surface.attrs["hotspot"]["kde"]
    if path == "refined lattice":
        assert record["refinement"] >= 3 and record["refinement"] % 2 == 1
    else:
        assert record["method"].startswith("direct")
    x, y = xy(simulated)
    gx, gy = node_grid(surface)
    values = surface.to_numpy()
    big = values > 0.01 * values.max()
    ref = direct_sum(x, y, np.ones(len(x)), gx[big], gy[big], kernel, bandwidth)
    assert np.abs(values[big] / ref - 1).max() < 0.01


@pytest.mark.parametrize("kernel", KERNELS)
def test_cells_are_the_direct_sum_at_centroids(simulated, kernel):  # hexagons: always direct
    bandwidth = 200.0 * SD_FACTOR[kernel]
    cells = hs.hex_grid(simulated, 200, quiet=True)
    out = kde(simulated, cells=cells, bandwidth=bandwidth, kernel=kernel, quiet=True)
    c = cells.geometry.centroid
    x, y = xy(simulated)
    ref = direct_sum(x, y, np.ones(len(x)), c.x.to_numpy(), c.y.to_numpy(), kernel, bandwidth)
    got = out["kde_density"].to_numpy()
    if kernel == "gaussian":  # ours is truncated where < 1e-6 of the mass is left out
        big = ref > 0.01 * ref.max()
        np.testing.assert_allclose(got[big], ref[big], rtol=2e-4)
    else:
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9 * ref.max())


@pytest.mark.parametrize("shape", ["square", "hex"])
def test_cells_fall_back_to_a_lattice(simulated, monkeypatch, capsys, shape):
    """Beyond MAX_DIRECT_PAIRS: the square grid's centres are lattice nodes; hexagons interpolate."""
    monkeypatch.setattr(f"{ENGINE}.MAX_DIRECT_PAIRS", 0)
    cells = (hs.square_grid if shape == "square" else hs.hex_grid)(simulated, 250, quiet=True)
    out = kde(simulated, cells=cells, bandwidth=600, kernel="quartic")
    assert ("too many for a direct sum" in capsys.readouterr().err) == (shape == "hex")
    method = out.attrs["hotspot"]["kde"]["method"]
    assert "centroids" in method and ("bilinear" in method) == (shape == "hex")
    c = cells.geometry.centroid
    x, y = xy(simulated)
    ref = direct_sum(x, y, np.ones(len(x)), c.x.to_numpy(), c.y.to_numpy(), "quartic", 600)
    got = out["kde_density"].to_numpy()
    big = ref > 0.01 * ref.max()
    assert np.abs(got[big] / ref[big] - 1).max() < 0.01


# --------------------------------------------------------------------------------------------
# mass, weights, truncation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel", KERNELS)
def test_surface_integrates_to_the_incident_count(toronto_sample, kernel):
    surface = kde(toronto_sample, bandwidth=120 * SD_FACTOR[kernel], kernel=kernel, quiet=True)
    cell_km2 = surface.attrs["cell_size"] ** 2 / 1e6
    total = float(surface.sum()) * cell_km2
    assert total == pytest.approx(len(toronto_sample), rel=0.01)
    assert surface.attrs["hotspot"]["kde"]["mass"] == pytest.approx(total)


def test_gaussian_truncation_loses_less_than_a_millionth():
    """KDEpy cuts where the kernel value drops below 1e-4 (2.3 sigma at 300 m); we do not."""
    one = points([500_000.0], [200_000.0])
    surface = kde(one, bandwidth=300, kernel="gaussian", cell_size=50, quiet=True)
    total = float(surface.sum()) * 0.05**2
    assert abs(total - 1) < 2e-6
    # the reach of the kernel on the raster: beyond 5 sigma the density is still > 0
    gx, gy = node_grid(surface)
    r = np.hypot(gx - 500_000.0, gy - 200_000.0)
    assert (surface.to_numpy()[(r > 5 * 300) & (r < 5.2 * 300)] > 0).all()


def test_weights_equal_repeated_rows(simulated):
    k = simulated["severity"].to_numpy()
    repeated = simulated.loc[simulated.index.repeat(k)]
    a = kde(simulated, bandwidth=500, cell_size=100, incident_weights="severity", quiet=True)
    b = kde(repeated, bandwidth=500, cell_size=100, quiet=True)
    c = kde(simulated, bandwidth=500, cell_size=100, incident_weights=k.astype(float), quiet=True)
    assert a.shape == b.shape
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(a.to_numpy(), c.to_numpy())
    assert a.attrs["hotspot"]["kde"]["total_weight"] == k.sum() == len(repeated)


def test_duplicated_locations_count_fully(simulated):
    """1,000 incidents on one address weigh 1,000 times one incident there."""
    pile = points(np.full(1_000, 431_000.0), np.full(1_000, 431_000.0))
    one = pile.iloc[:1]
    a = kde(pile, bandwidth=400, cell_size=50, quiet=True)
    b = kde(one, bandwidth=400, cell_size=50, quiet=True)
    np.testing.assert_allclose(a.to_numpy(), 1_000 * b.to_numpy(), rtol=1e-9, atol=1e-9)
    # at the pile itself: 1,000 x K(0) = 1000 x 3 / (pi h^2), per km²
    assert float(a.max()) <= 1_000 * 3 / (np.pi * 400**2) * 1e6 * (1 + 1e-9)


# --------------------------------------------------------------------------------------------
# output contract
# --------------------------------------------------------------------------------------------


def test_raster_contract(simulated):
    before = simulated.copy()
    surface = kde(simulated, bandwidth=600, cell_size=100, quiet=True)
    assert isinstance(surface, xr.DataArray)
    assert surface.name == "kde_density" and surface.dims == ("y", "x")
    xs, ys = surface["x"].to_numpy(), surface["y"].to_numpy()
    assert np.allclose(np.diff(xs), 100) and np.allclose(np.diff(ys), -100)
    assert np.allclose(np.mod(xs, 100), 50) and np.allclose(np.mod(ys, 100), 50)  # aligned
    a, b, c, d, e, f = surface.attrs["transform"]
    assert (a, b, d, e) == (100.0, 0.0, 0.0, -100.0)
    assert c == xs[0] - 50 and f == ys[0] + 50
    assert gpd.GeoSeries([], crs=surface.attrs["crs"]).crs.equals(simulated.crs)
    assert surface.attrs["units"] == "incidents per km²"
    assert surface.attrs["kernel"] == "quartic" and surface.attrs["bandwidth"] == 600
    assert surface.attrs["bandwidth_rule"] == "given" and surface.attrs["cell_size_rule"] == "given"
    assert not np.isnan(surface.to_numpy()).any() and (surface.to_numpy() >= 0).all()
    # the raster covers the incidents + 3 bandwidths
    x, y = xy(simulated)
    assert xs[0] - 50 <= x.min() - 1800 and xs[-1] + 50 >= x.max() + 1800
    assert ys[-1] - 50 <= y.min() - 1800 and ys[0] + 50 >= y.max() + 1800
    assert_frame_equal(simulated, before)


def test_cells_contract_keeps_index_and_columns_and_input(simulated):
    cells = hs.hex_grid(simulated, 500, quiet=True)
    cells.index = pd.Index([f"h{i}" for i in range(len(cells))], name="hex")
    cells["beat"] = "A"
    before_cells, before_inc = cells.copy(), simulated.copy()
    attrs_before = dict(cells.attrs)
    out = kde(simulated, cells=cells, bandwidth=700, quiet=True)
    assert list(out.columns) == [*cells.columns, "kde_density"]
    assert out.index.equals(cells.index)
    assert out["kde_density"].dtype == np.float64 and (out["kde_density"] >= 0).all()
    record = out.attrs["hotspot"]["kde"]
    assert record["evaluated_at"] == "cell centroids" and record["bandwidth"] == 700
    assert out.attrs["hotspot"]["grid"] == cells.attrs["hotspot"]["grid"]
    assert_frame_equal(cells, before_cells)
    assert_frame_equal(simulated, before_inc)
    assert cells.attrs.keys() == attrs_before.keys()
    assert "kde" not in cells.attrs["hotspot"]


def test_existing_kde_column_is_replaced_and_announced(simulated, capsys):
    cells = hs.square_grid(simulated, 1000, quiet=True)
    cells["kde_density"] = -1.0
    out = kde(simulated, cells=cells, bandwidth=1200)
    assert "already had a 'kde_density' column" in capsys.readouterr().err
    assert (out["kde_density"] >= 0).all()


def test_study_area_masks_outside_and_keeps_values_inside(simulated):
    x, y = xy(simulated)
    area = shapely.Point(x.mean(), y.mean()).buffer(3_000)
    full = kde(simulated, bandwidth=500, cell_size=100, quiet=True)
    clipped = kde(simulated, bandwidth=500, cell_size=100, study_area=area, quiet=True)
    minx, miny, maxx, maxy = area.bounds
    xs, ys = clipped["x"].to_numpy(), clipped["y"].to_numpy()
    assert xs[0] - 50 <= minx and xs[-1] + 50 >= maxx and ys[-1] - 50 <= miny
    gx, gy = node_grid(clipped)
    inside = shapely.contains_xy(area, gx, gy)
    values = clipped.to_numpy()
    assert np.isnan(values[~inside]).all() and np.isfinite(values[inside]).all()
    same = full.sel(x=clipped["x"], y=clipped["y"]).to_numpy()
    np.testing.assert_allclose(values[inside], same[inside], rtol=1e-9, atol=1e-9)
    assert clipped.attrs["hotspot"]["kde"]["edge_correction"] is False


def test_edge_correction_restores_the_density_at_the_edge():
    rng = np.random.default_rng(3)
    inc = points(rng.uniform(0, 20_000, 40_000), rng.uniform(0, 20_000, 40_000))
    area = shapely.box(0, 0, 20_000, 20_000)
    kw = {"bandwidth": 1_000, "cell_size": 250, "kernel": "uniform", "study_area": area}
    plain = kde(inc, quiet=True, **kw)
    fixed = kde(inc, edge_correction=True, quiet=True, **kw)
    expected = 40_000 / 400  # incidents per km²
    edge = plain.sel(x=125, method="nearest").to_numpy()[20:-20]  # nodes 125 m from the edge
    middle = plain.sel(x=10_125).to_numpy()[20:-20]
    assert np.nanmean(edge) < 0.65 * expected < np.nanmean(middle)
    fixed_edge = fixed.sel(x=125, method="nearest").to_numpy()[20:-20]
    assert np.nanmean(fixed_edge) == pytest.approx(expected, rel=0.05)
    far = slice(20, -20)  # rows more than a bandwidth from the top and bottom edges
    np.testing.assert_allclose(
        fixed.sel(x=10_125).to_numpy()[far], plain.sel(x=10_125).to_numpy()[far], rtol=1e-12
    )
    assert fixed.attrs["hotspot"]["kde"]["edge_correction"] is True


# --------------------------------------------------------------------------------------------
# bandwidth rules and announcements
# --------------------------------------------------------------------------------------------


def test_bandwidth_rules_follow_their_formulas(toronto_sample):
    x, y = xy(toronto_sample)
    n = len(x)
    pooled = math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    iqr = (
        math.sqrt(
            (
                (np.percentile(x, 75) - np.percentile(x, 25)) ** 2
                + (np.percentile(y, 75) - np.percentile(y, 25)) ** 2
            )
            / 2
        )
        / 1.349
    )
    scott = pooled * n ** (-1 / 6)
    silverman = min(pooled, iqr) * n ** (-1 / 6)
    distinct = np.unique(np.column_stack([x, y]), axis=0)
    d, _ = cKDTree(distinct).query(distinct, k=11)
    nn_radius = d[:, 10].mean()
    for kernel in KERNELS:
        f = SD_FACTOR[kernel]
        assert kde_bandwidth(toronto_sample, "scott", kernel=kernel) == pytest.approx(scott * f)
        assert kde_bandwidth(toronto_sample, "silverman", kernel=kernel) == pytest.approx(
            silverman * f
        )
        assert kde_bandwidth(toronto_sample, "nn", kernel=kernel) == pytest.approx(
            nn_radius / SD_FACTOR["quartic"] * f
        )
    assert kde_bandwidth(toronto_sample) == pytest.approx(nn_radius)  # default: nn, quartic


def test_automatic_choices_are_announced_and_recorded(simulated, capsys):
    surface = kde(simulated)
    err = capsys.readouterr().err
    h = kde_bandwidth(simulated, "nn")
    assert re.search(rf"bandwidth not given: using {h:,.0f} m as the quartic radius", err)
    assert "10th nearest" in err
    size = surface.attrs["cell_size"]
    assert f"cell_size not given: using {size:g} m" in err
    record = surface.attrs["hotspot"]["kde"]
    assert record["bandwidth"] == pytest.approx(h) and record["bandwidth_rule"] == "nn"
    assert surface.attrs["bandwidth_rule"] == "nn"
    # the default cell: a round number <= sd / 2 (and <= the shorter side / 50)
    assert 0 < size <= h / SD_FACTOR["quartic"] / 2
    assert size in {m * 10.0**k for m in (1, 2, 2.5, 5) for k in range(-1, 5)}
    kde(simulated, quiet=True)
    assert capsys.readouterr().err == ""


def test_gaussian_rule_is_announced_as_a_standard_deviation(simulated, capsys):
    kde(simulated, bandwidth="scott", kernel="gaussian", cell_size=200)
    err = capsys.readouterr().err
    sd = kde_bandwidth(simulated, "scott", kernel="gaussian")
    assert f"bandwidth='scott': using {sd:,.0f} m as the gaussian standard deviation" in err


def test_warns_when_bandwidth_is_smaller_than_cell_size(simulated):
    with pytest.warns(
        HotspotWarning, match=r"bandwidth \(300 m\) is smaller than the cell size \(500 m\)"
    ):
        kde(simulated, bandwidth=300, cell_size=500, quiet=True)
    cells = hs.square_grid(simulated, 1000, quiet=True)
    with pytest.warns(HotspotWarning, match="smaller than the typical cell side"):
        kde(simulated, cells=cells, bandwidth=300, quiet=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kde(simulated, bandwidth=600, cell_size=500, quiet=True)


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------


def test_errors_say_what_to_do(simulated):
    with pytest.raises(
        HotspotInputError, match="kde: kernel='box' is not one of 'quartic', 'gaussian'"
    ):
        kde(simulated, kernel="box")
    with pytest.raises(
        HotspotInputError,
        match="kde: bandwidth='auto' is not one of 'nn', 'scott', 'silverman'; or pass a number",
    ):
        kde(simulated, bandwidth="auto")
    with pytest.raises(
        HotspotInputError, match="kde: bandwidth=-5 must be a positive number of metres"
    ):
        kde(simulated, bandwidth=-5)
    with pytest.raises(
        HotspotInputError, match=re.escape("kde: bandwidth=[500] must be a positive number")
    ):
        kde(simulated, bandwidth=[500])  # not a number: the same error type as any other
    with pytest.raises(HotspotInputError, match="kde: cell_size=0 must be a positive number"):
        kde(simulated, bandwidth=500, cell_size=0)
    with pytest.raises(HotspotInputError, match="incident_weights='value' is not a column"):
        kde(simulated, bandwidth=500, incident_weights="value")
    with pytest.raises(
        HotspotInputError, match="incident_weights has 3 values but there are 3,000"
    ):
        kde(simulated, bandwidth=500, incident_weights=[1, 2, 3])
    bad = np.ones(len(simulated))
    bad[[4, 9]] = -1
    with pytest.raises(
        HotspotInputError, match="incident_weights must be >= 0; rows 4, 9 are negative"
    ):
        kde(simulated, bandwidth=500, incident_weights=bad)
    bad[[4, 9]] = np.nan
    with pytest.raises(HotspotInputError, match="missing or infinite in rows 4, 9"):
        kde(simulated, bandwidth=500, incident_weights=bad)
    with pytest.raises(
        HotspotInputError,
        match="kde: incident_weights=3 must be a column name or an array of one number",
    ):
        kde(simulated, bandwidth=500, incident_weights=3)
    cells = hs.square_grid(simulated, 1000, quiet=True)
    with pytest.raises(HotspotInputError, match="Pass one of them"):
        kde(simulated, cells=cells, cell_size=100, bandwidth=500)
    with pytest.raises(
        HotspotInputError, match="kde: edge_correction=True needs the edge: pass study_area="
    ):
        kde(simulated, bandwidth=500, edge_correction=True)
    with pytest.raises(HotspotInputError, match="kde: edge_correction='yes' must be True or"):
        kde(simulated, bandwidth=500, edge_correction="yes")
    with pytest.raises(
        HotspotInputError,
        match=r"would have [\d,]+ cells \(limit 16,000,000\); use a larger cell_size",
    ):
        kde(simulated, bandwidth=500, cell_size=2)
    with pytest.raises(HotspotInputError, match="not a projected CRS in metres"):
        kde(simulated.to_crs(4326), bandwidth=500)
    with pytest.raises(HotspotInputError, match="reproject one"):
        kde(simulated, cells=cells.to_crs(32630), bandwidth=500)
    with pytest.raises(HotspotInputError, match="incidents must be a GeoDataFrame"):
        kde(pd.DataFrame({"x": [1]}))


def test_nn_rule_needs_enough_distinct_locations():
    few = points([0.0, 10, 20, 0, 0], [0.0, 0, 0, 0, 0])
    with pytest.raises(
        HotspotInputError, match="needs at least 11 distinct incident locations \\(there are 3\\)"
    ):
        kde(few)
    pile = points([5.0] * 4, [7.0] * 4)
    with pytest.raises(HotspotInputError, match="all incidents share one location"):
        kde(pile, bandwidth="scott")
    assert float(kde(pile, bandwidth=100, cell_size=10, quiet=True).max()) > 0


# --------------------------------------------------------------------------------------------
# dual kde
# --------------------------------------------------------------------------------------------


def test_dual_kde_of_identical_inputs_is_one_where_defined(simulated, capsys):
    ratio = dual_kde(simulated, simulated.copy(), bandwidth=500, cell_size=100)
    err = capsys.readouterr().err
    assert "min_denominator not given" in err
    values = ratio.to_numpy()
    defined = np.isfinite(values)
    assert ratio.name == "dual_kde_ratio" and defined.sum() > 1_000
    np.testing.assert_allclose(values[defined], 1.0, rtol=1e-9)
    # undefined exactly where the denominator is below the documented default threshold
    threshold = 3 / (np.pi * 500**2) * 1e6
    assert ratio.attrs["min_denominator"] == pytest.approx(threshold)
    den = kde(simulated, bandwidth=500, cell_size=100, quiet=True)
    den = den.sel(x=ratio["x"], y=ratio["y"]).to_numpy()
    np.testing.assert_array_equal(defined, den >= threshold)


def test_dual_kde_ratio_and_shared_grid(simulated):
    num = simulated[simulated["severity"] == 3]
    ratio = dual_kde(num, simulated, bandwidth=800, cell_size=200, min_denominator=5.0, quiet=True)
    a = kde(num, bandwidth=800, cell_size=200, quiet=True)
    b = kde(simulated, bandwidth=800, cell_size=200, quiet=True)
    grid_b = b.sel(x=ratio["x"], y=ratio["y"]).to_numpy()  # the grid holds both point sets
    grid_a = a.reindex(x=ratio["x"], y=ratio["y"], method="nearest", tolerance=1).to_numpy()
    grid_a = np.nan_to_num(grid_a)
    expected = np.where(grid_b >= 5.0, grid_a / np.where(grid_b > 0, grid_b, 1), np.nan)
    np.testing.assert_allclose(ratio.to_numpy(), expected, rtol=1e-7, atol=1e-12)
    assert np.nanmax(ratio.to_numpy()) <= 1 + 1e-9
    cells = dual_kde(
        num, simulated, bandwidth=800, cells=hs.square_grid(simulated, 500, quiet=True), quiet=True
    )
    assert {"dual_kde_numerator", "dual_kde_denominator", "dual_kde_ratio"} <= set(cells.columns)


def test_dual_kde_errors(simulated):
    with pytest.raises(HotspotInputError, match="numerator are in .* but denominator are in"):
        dual_kde(simulated, simulated.to_crs(32630), bandwidth=500)
    with pytest.raises(
        HotspotInputError, match="dual_kde: min_denominator=-1.0 must be a number >= 0"
    ):
        dual_kde(simulated, simulated, bandwidth=500, min_denominator=-1.0)


# --------------------------------------------------------------------------------------------
# density hot spots, cells, GeoTIFF
# --------------------------------------------------------------------------------------------


def test_density_hotspots_cover_the_top_share_of_a_surface(simulated):
    surface = kde(simulated, bandwidth=400, cell_size=100, quiet=True)
    hot = density_hotspots(surface, top=0.05)
    values = surface.to_numpy().ravel()
    n_top = math.ceil(0.05 * values.size)
    threshold = np.sort(values)[::-1][n_top - 1]
    chosen = values >= threshold
    meta = hot.attrs["hotspot"]["density_hotspots"]
    assert hot["density_hotspots_n_cells"].sum() == chosen.sum() == meta["cells"]
    assert 0.05 <= meta["area_share"] < 0.05 + 2 / values.size
    assert hot["density_hotspots_area_km2"].sum() == pytest.approx(chosen.sum() * 0.01)
    assert hot.geometry.area.sum() == pytest.approx(chosen.sum() * 100**2)
    assert hot["density_hotspots_mass_share"].sum() == pytest.approx(
        values[chosen].sum() / values.sum()
    )
    assert hot["density_hotspots_mass"].sum() == pytest.approx(values[chosen].sum() * 0.01)
    assert (hot.geom_type == "Polygon").all() and hot.index.name == "hotspot_id"
    assert hot["density_hotspots_mass"].is_monotonic_decreasing
    assert hot.geometry.union_all().area == pytest.approx(hot.geometry.area.sum())  # disjoint
    # every selected node lies in a hot-spot polygon, no other node does
    gx, gy = node_grid(surface)
    covered = shapely.contains_xy(hot.geometry.union_all(), gx.ravel(), gy.ravel())
    np.testing.assert_array_equal(covered, chosen)


def test_density_hotspots_from_cells_by_area(simulated):
    cells = kde(simulated, cells=hs.hex_grid(simulated, 250, quiet=True), bandwidth=500, quiet=True)
    hot = density_hotspots(cells, top=0.1)
    area = cells.geometry.area.to_numpy()
    dens = cells["kde_density"].to_numpy()
    meta = hot.attrs["hotspot"]["density_hotspots"]
    assert 0.1 <= meta["area_share"] < 0.1 + area.max() / area.sum() + 1e-12
    chosen = dens >= meta["threshold"]
    assert hot["density_hotspots_n_cells"].sum() == chosen.sum()
    assert hot.geometry.area.sum() == pytest.approx(area[chosen].sum())
    assert hot["density_hotspots_mass_share"].sum() == pytest.approx(
        (dens * area)[chosen].sum() / (dens * area).sum()
    )
    with pytest.raises(HotspotInputError, match="density_hotspots: top=5 must be a share in"):
        density_hotspots(cells, top=5)
    with pytest.raises(HotspotInputError, match="no 'kde_density'"):
        density_hotspots(hs.hex_grid(simulated, 250, quiet=True))


def test_density_to_cells_and_geotiff_array(simulated):
    x, y = xy(simulated)
    area = shapely.Point(x.mean(), y.mean()).buffer(2_500)
    surface = kde(simulated, bandwidth=500, cell_size=200, study_area=area, quiet=True)
    cells = density_to_cells(surface)
    values = surface.to_numpy()
    assert len(cells) == np.isfinite(values).sum()
    assert list(cells.columns) == ["row", "col", "kde_density", "geometry"]
    assert np.allclose(cells.geometry.area, 200**2)
    np.testing.assert_allclose(np.sort(cells["kde_density"]), np.sort(values[np.isfinite(values)]))
    counted = hs.count_incidents(simulated, cells, quiet=True)  # a square grid for count_incidents
    assert counted.attrs["hotspot"]["counts"]["method"] == "arithmetic (square grid)"
    band, transform, crs = surface_to_geotiff_array(surface)
    assert band.dtype == np.float32 and band.shape == values.shape
    assert (band[np.isnan(values)] == -9999.0).all()
    np.testing.assert_allclose(band[np.isfinite(values)], values[np.isfinite(values)], rtol=1e-6)
    assert transform == tuple(surface.attrs["transform"])
    # pixel (row i, col j) centre = transform applied to (j + 0.5, i + 0.5)
    a, b, c, d, e, f = transform
    assert c + a * 3.5 == surface["x"][3] and f + e * 5.5 == surface["y"][5]
    assert gpd.GeoSeries([], crs=crs).crs.equals(simulated.crs)
    with pytest.raises(
        HotspotInputError, match="density_to_cells: expected a surface from hotspot.kde"
    ):
        density_to_cells(cells)
    with pytest.raises(HotspotInputError, match="not a hotspot surface"):
        surface_to_geotiff_array(xr.DataArray(values, dims=("y", "x")))


@pytest.mark.parametrize("kernel", ["quartic", "uniform"])
def test_square_grid_cells_use_the_lattice_when_cheaper(simulated, kernel):
    """Many pairs: the centroids of a square grid are lattice nodes, within 1 % of the sum."""
    cells = hs.square_grid(simulated, 100, quiet=True)
    out = kde(simulated, cells=cells, bandwidth=1_500, kernel=kernel, quiet=True)
    record = out.attrs["hotspot"]["kde"]
    assert record["method"].startswith("linear binning") and "centroids" in record["method"]
    c = cells.geometry.centroid
    x, y = xy(simulated)
    ref = direct_sum(x, y, np.ones(len(x)), c.x.to_numpy(), c.y.to_numpy(), kernel, 1_500)
    got = out["kde_density"].to_numpy()
    big = ref > 0.01 * ref.max()
    assert np.abs(got[big] / ref[big] - 1).max() < 0.01


# --------------------------------------------------------------------------------------------
# the result contract, the parameter layer, renamed keywords
# --------------------------------------------------------------------------------------------


def frozen(frame):
    """A deep copy of a frame and a repr of its attrs, to check that it was not modified."""
    return frame.copy(deep=True), repr(frame.attrs)


def test_every_result_is_stamped_and_the_inputs_are_untouched(west_yorkshire):
    inc = west_yorkshire.iloc[::20]
    grid = hs.square_grid(inc, 2000, quiet=True)
    before_inc, before_grid = frozen(inc), frozen(grid)
    period = hs.count_incidents(inc, grid, quiet=True).attrs["hotspot"]["period"]
    surface = kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    on_cells = kde(inc, cells=grid, bandwidth=2000, quiet=True)
    ratio = dual_kde(inc.iloc[::2], inc, bandwidth=2000, cell_size=1000, quiet=True)
    ratio_cells = dual_kde(inc.iloc[::2], inc, bandwidth=2000, cells=grid, quiet=True)
    expected = {
        "kde": (surface, "surface"),
        "kde (cells)": (on_cells, "cells"),
        "dual_kde": (ratio, "surface"),
        "dual_kde (cells)": (ratio_cells, "cells"),
        "density_to_cells": (density_to_cells(surface), "cells"),
        "density_hotspots": (density_hotspots(surface), "clusters"),
        "density_hotspots (cells)": (density_hotspots(on_cells), "clusters"),
    }
    for case, (result, kind) in expected.items():
        meta = result.attrs["hotspot"]
        method = case.split(" ")[0]
        assert (meta["kind"], meta["method"]) == (kind, method), case
        assert isinstance(meta[method], dict) and meta["rng_seed"] is None, case
        assert meta["period"] == period, case  # the incidents' own period
    # cells keep what the grid carried; surfaces carry no load report (not incident-level)
    assert on_cells.attrs["hotspot"]["grid"] == grid.attrs["hotspot"]["grid"]
    assert "load_report" not in surface.attrs["hotspot"]
    assert surface.attrs["hotspot"]["places"] == on_cells.attrs["hotspot"]["places"]
    # what a surface's users read stays where it was
    assert surface.attrs["hotspot"]["kde"]["weights"] is None
    assert ratio.attrs["hotspot"]["dual_kde"]["min_denominator"] == ratio.attrs["min_denominator"]
    assert density_hotspots(surface).attrs["hotspot"]["kde"] == surface.attrs["hotspot"]["kde"]
    for frame, (data, attrs) in ((inc, before_inc), (grid, before_grid)):
        assert_frame_equal(frame, data)
        assert repr(frame.attrs) == attrs


def test_dual_kde_columns_and_surface_are_named_after_it(simulated):
    cells = hs.square_grid(simulated, 500, quiet=True)
    out = dual_kde(simulated.iloc[::3], simulated, bandwidth=800, cells=cells, quiet=True)
    new = [c for c in out.columns if c not in cells.columns]
    assert new == ["dual_kde_numerator", "dual_kde_denominator", "dual_kde_ratio"]
    hot = density_hotspots(out, top=0.2)  # the ratio column is found by its new name
    assert hot.attrs["hotspot"]["density_hotspots"]["column"] == "dual_kde_ratio"


def test_old_weights_keywords_warn_and_still_work(simulated):
    new = kde(simulated, bandwidth=500, cell_size=200, incident_weights="severity", quiet=True)
    with pytest.warns(FutureWarning, match="kde: weights= is now called incident_weights="):
        old = kde(simulated, bandwidth=500, cell_size=200, weights="severity", quiet=True)
    np.testing.assert_array_equal(old.to_numpy(), new.to_numpy())
    assert old.attrs["hotspot"]["kde"]["incident_weights"] == "column 'severity'"
    with pytest.raises(HotspotInputError, match="weights= is the old name of incident_weights="):
        kde(simulated, bandwidth=500, weights="severity", incident_weights="severity")
    num = simulated.iloc[::2]
    kw = {"bandwidth": 800, "cell_size": 200, "min_denominator": 1.0, "quiet": True}
    new = dual_kde(
        num,
        simulated,
        numerator_incident_weights="severity",
        denominator_incident_weights="severity",
        **kw,
    )
    with pytest.warns(FutureWarning) as caught:
        old = dual_kde(
            num, simulated, numerator_weights="severity", denominator_weights="severity", **kw
        )
    messages = sorted(str(w.message) for w in caught)
    assert messages[0].startswith("dual_kde: denominator_weights= is now called")
    assert messages[1].startswith("dual_kde: numerator_weights= is now called")
    np.testing.assert_array_equal(old.to_numpy(), new.to_numpy())


def test_parameter_errors_are_hotspot_input_errors_naming_the_parameter(simulated):
    surface = kde(simulated, bandwidth=500, cell_size=200, quiet=True)
    cases = [
        (lambda: kde_bandwidth(simulated, "auto"), "kde_bandwidth: rule='auto' is not one of"),
        (lambda: kde_bandwidth(simulated, 3), "kde_bandwidth: rule=3 is not one of"),
        (lambda: kde_bandwidth(simulated, kernel="box"), "kde_bandwidth: kernel='box'"),
        (lambda: kde(simulated, bandwidth=500, kernel=None), "kde: kernel=None is not one of"),
        (lambda: dual_kde(simulated, simulated, kernel="box"), "dual_kde: kernel='box'"),
        (
            lambda: dual_kde(simulated, simulated, bandwidth=500, min_denominator="1"),
            "dual_kde: min_denominator='1' must be a number",
        ),
        (
            lambda: dual_kde(simulated, simulated, bandwidth=500, numerator_incident_weights=2),
            "dual_kde: numerator_incident_weights=2 must be a column name",
        ),
        (lambda: density_hotspots(surface, top="5%"), "density_hotspots: top='5%' must be a"),
        (lambda: density_hotspots(surface, top=True), "density_hotspots: top=True must be a"),
        (
            lambda: density_hotspots(surface, column="kde_density"),
            "density_hotspots: column='kde_density' is for cells",
        ),
        (
            lambda: density_hotspots(hs.square_grid(simulated, 1000, quiet=True)),
            "density_hotspots: the cells have no 'kde_density'",
        ),
        (lambda: density_to_cells(surface, min_density="1"), "density_to_cells: min_density='1'"),
        (lambda: density_hotspots(surface.values), "density_hotspots: expected a surface"),
        (
            lambda: surface_to_geotiff_array(surface, nodata="none"),
            "surface_to_geotiff_array: nodata='none' must be a number",
        ),
    ]
    for call, message in cases:
        with pytest.raises(HotspotInputError, match=re.escape(message)):
            call()
    cells = hs.square_grid(simulated, 1000, quiet=True)
    cells["kde_density"] = "high"
    with pytest.raises(HotspotInputError, match="density_hotspots: column 'kde_density' has"):
        density_hotspots(cells)


def test_the_old_import_paths_still_work():
    from hotspot.density import M2_PER_KM2, peak_density
    from hotspot.density import surface as old

    assert old.density_hotspots is density_hotspots and old.kde_bandwidth is kde_bandwidth
    assert old.density_to_cells is density_to_cells
    assert old.surface_to_geotiff_array is surface_to_geotiff_array
    assert old.M2_PER_KM2 == M2_PER_KM2 == 1e6
    assert peak_density("quartic", 100) == pytest.approx(3 / (math.pi * 100**2))

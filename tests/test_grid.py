"""Grids and counts: conservation, edges and vertices counted once, agreement with a spatial join."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import EXAMPLE_HARM
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspot as hs
from hotspot._areas import nice_floor

CRS = "EPSG:27700"


def points(x, y):
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)


def covering_cell_ok(inc, cells, ids):
    """Every assigned incident lies in (or on the boundary of) its cell."""
    inside = ids.notna().to_numpy()
    geoms = cells.geometry.loc[ids[inside].astype(int)].array
    return bool(np.all(shapely.dwithin(geoms, inc.geometry.array[inside], 1e-6)))


coords = st.floats(min_value=0, max_value=2000, allow_nan=False, allow_infinity=False)
on_lines = st.integers(min_value=0, max_value=20).map(lambda k: k * 100.0)


@settings(max_examples=40, deadline=None)
@given(
    xs=st.lists(st.one_of(coords, on_lines), min_size=1, max_size=60),
    ys=st.lists(st.one_of(coords, on_lines), min_size=1, max_size=60),
    shape=st.sampled_from(["square", "hex"]),
)
def test_counts_conserve_incidents_and_edges_count_once(xs, ys, shape):
    n = min(len(xs), len(ys))
    inc = points(np.array(xs[:n]), np.array(ys[:n]))
    area = gpd.GeoSeries([shapely.box(0, 0, 2000, 2000)], crs=CRS)
    grid = hs.square_grid if shape == "square" else hs.hex_grid
    cells = grid(area, 100)
    counted = hs.count_incidents(inc, cells, quiet=True)
    meta = counted.attrs["hotspot"]["counts"]
    assert meta["incidents"] == meta["counted"] + meta["outside"] == n
    assert counted["count"].sum() == meta["counted"]
    # the cells overlapping the box cover it: every point in it is counted
    assert meta["outside"] == 0
    ids = hs.assign_cells(inc, cells)
    assert covering_cell_ok(inc, cells, ids)
    # same answer from the spatial index path (the cells as plain polygons)
    plain = gpd.GeoDataFrame(geometry=cells.geometry.array, crs=CRS)
    by_index = hs.count_incidents(inc, plain, quiet=True)
    assert int(by_index["count"].sum()) == meta["counted"]


def test_grid_vertex_and_outer_edge_points_counted_once():
    cells = hs.square_grid(gpd.GeoSeries([shapely.box(0, 0, 300, 200)], crs=CRS), 100)
    assert len(cells) == 6
    xs = [0, 100, 300, 300, 150, 300, 0, 200]
    ys = [0, 100, 200, 0, 200, 100, 200, 100]
    counted = hs.count_incidents(points(xs, ys), cells, quiet=True)
    assert counted["count"].sum() == len(xs)
    ids = hs.assign_cells(points(xs, ys), cells)
    # (100, 100) is a vertex of four cells: it goes to the cell above and to the right
    assert tuple(cells.loc[ids.iloc[1], ["row", "col"]]) == (1, 1)
    # (300, 200), the far corner of the grid, belongs to the last cell
    assert tuple(cells.loc[ids.iloc[2], ["row", "col"]]) == (1, 2)


def test_points_outside_reported(capsys):
    cells = hs.square_grid(gpd.GeoSeries([shapely.box(0, 0, 200, 200)], crs=CRS), 100)
    counted = hs.count_incidents(points([50, 250, -10], [50, 50, 50]), cells)
    assert counted.attrs["hotspot"]["counts"] == {
        "incidents": 3,
        "counted": 1,
        "outside": 2,
        "method": "arithmetic (square grid)",
    }
    assert "2 of 3 incidents lie outside every cell" in capsys.readouterr().err
    assert hs.assign_cells(points([250], [50]), cells).isna().all()


def test_counts_match_geopandas_sjoin_on_real_data(west_yorkshire):
    for grid in (hs.square_grid, hs.hex_grid):
        cells = grid(west_yorkshire, 500, quiet=True)
        counted = hs.count_incidents(west_yorkshire, cells, quiet=True)
        joined = gpd.sjoin(west_yorkshire[["geometry"]], cells[["geometry"]], predicate="within")
        assert joined.index.is_unique  # no point of these data lies on a shared edge
        reference = joined.groupby("cell_id").size().reindex(cells.index, fill_value=0)
        assert (counted["count"] == reference).all()
        # the default study area leaves out the 11 incidents far from the rest (test_areas.py)
        assert counted["count"].sum() == len(west_yorkshire) - 11


def test_hex_geometry():
    cells = hs.hex_grid(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=CRS), 100)
    areas = cells.geometry.area.to_numpy()
    np.testing.assert_allclose(areas, np.sqrt(3) / 2 * 100**2)
    # neighbouring centres are cell_size apart; hexagons tile without overlap
    assert shapely.union_all(cells.geometry.array).area == pytest.approx(areas.sum())
    centroids = cells.geometry.centroid
    first = centroids.iloc[0]
    nearest = np.sort(centroids.distance(first).to_numpy())[1]
    assert nearest == pytest.approx(100)


def test_grid_keeps_cells_touching_study_area_only():
    area = shapely.Polygon([(0, 0), (1000, 0), (0, 1000)])
    cells = hs.square_grid(gpd.GeoSeries([area], crs=CRS), 100)
    assert shapely.intersects(cells.geometry.array, area).all()
    assert len(cells) < 100  # the empty half of the bounding box is gone
    assert shapely.union_all(cells.geometry.array).covers(area)


def test_convex_study_area_is_buffered_hull(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 1000, study_area="convex", quiet=True)
    area = cells.attrs["hotspot"]["study_area"]
    assert area.covers(shapely.convex_hull(shapely.union_all(west_yorkshire.geometry.array)))
    assert (
        cells.attrs["hotspot"]["grid"]["study_area"]
        == "convex hull of the incidents buffered by 1000 m"
    )
    bbox = hs.square_grid(west_yorkshire, 1000, study_area="bbox", buffer=0, quiet=True)
    assert len(bbox) > len(cells)


def test_default_study_area_is_the_footprint(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 1000, quiet=True)
    hull = hs.square_grid(west_yorkshire, 1000, study_area="convex", quiet=True)
    area = cells.attrs["hotspot"]["study_area"]
    assert area.difference(hull.attrs["hotspot"]["study_area"]).area < 1.0  # m², rounding
    assert len(cells) < len(hull) / 2
    assert cells.attrs["hotspot"]["grid"]["study_area"] == (
        "the incidents' footprint: occupied 1,000 m cells buffered by 2,000 m, "
        "11 far-away incidents left out"
    )
    assert cells.attrs["hotspot"]["grid"]["footprint"]["scale"] == 1000.0
    named = hs.square_grid(west_yorkshire, 1000, study_area="footprint", quiet=True)
    assert named.geometry.equals(cells.geometry)
    tight = hs.square_grid(west_yorkshire, 1000, buffer=0, quiet=True)
    assert len(tight) < len(cells)
    assert tight.attrs["hotspot"]["grid"]["study_area"].startswith(
        "the incidents' footprint: occupied 1,000 m cells buffered by 0 m"
    )


def test_automatic_cell_size_announced_and_recorded(west_yorkshire, capsys):
    cells = hs.square_grid(west_yorkshire)
    err = capsys.readouterr().err
    # the study area's extent (the far-away incidents left out: with them it was 2000 m)
    assert "cell_size not given: using 1000 m (the shorter side of the study area's extent" in err
    assert cells.attrs["hotspot"]["grid"]["chosen"] == {"cell_size": 1000.0}
    hs.square_grid(west_yorkshire, quiet=True)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("value", "nice"),
    [(2033.3, 2000.0), (260.0, 250.0), (99.0, 50.0), (0.031, 0.025), (1e-4, 1e-4), (7.0, 5.0)],
)
def test_nice_cell_size_never_zero(value, nice):
    assert nice_floor(value) == pytest.approx(nice)
    assert nice_floor(value) > 0


def test_tiny_extent_gets_a_positive_cell_size():
    cells = hs.square_grid(points([0.0, 0.3], [0.0, 0.2]), quiet=True)
    assert cells.attrs["hotspot"]["grid"]["cell_size"] > 0
    with pytest.raises(hs.HotspotInputError, match="all incidents are on one location"):
        hs.square_grid(points([5.0, 5.0], [5.0, 5.0]), quiet=True)


def test_user_polygons_counted_by_spatial_index():
    # two "beats" sharing an edge at x = 100: a point on it is counted once
    beats = gpd.GeoDataFrame(
        {"beat": ["A", "B"]},
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
        crs=CRS,
        index=pd.Index(["A", "B"], name="beat_id"),
    )
    counted = hs.count_incidents(points([50, 100, 150, 500], [50, 50, 50, 50]), beats, quiet=True)
    assert counted["count"].to_dict() == {"A": 2, "B": 1}
    assert counted.attrs["hotspot"]["counts"]["outside"] == 1
    assert counted.attrs["hotspot"]["counts"]["method"].startswith("spatial index")


def test_input_cells_not_modified(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 2000, quiet=True)
    before = cells.copy()
    hs.count_incidents(west_yorkshire, cells, quiet=True)
    assert "count" not in cells.columns
    assert cells.equals(before)


def test_crs_mismatch_names_both(west_yorkshire, toronto):
    cells = hs.square_grid(toronto, 2000, quiet=True)
    with pytest.raises(hs.HotspotInputError, match=r"EPSG:27700.*EPSG:32617.*to_crs"):
        hs.count_incidents(west_yorkshire, cells)


def test_bad_cell_size():
    area = gpd.GeoSeries([shapely.box(0, 0, 10, 10)], crs=CRS)
    with pytest.raises(hs.HotspotInputError, match="positive number of metres"):
        hs.square_grid(area, 0)
    with pytest.raises(
        hs.HotspotInputError, match="square_grid: cell_size='100' must be a positive number"
    ):
        hs.square_grid(area, "100")
    with pytest.raises(hs.HotspotInputError, match="larger cell_size"):
        hs.square_grid(gpd.GeoSeries([shapely.box(0, 0, 1e6, 1e6)], crs=CRS), 1)


def test_geographic_cells_refused():
    cells = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    with pytest.raises(hs.HotspotInputError, match="not a projected CRS in metres"):
        hs.count_incidents(points([0.5], [0.5]).set_crs(4326, allow_override=True), cells)


@pytest.mark.parametrize(
    "bad", [shapely.box(0, 0, 1, 1), shapely.Point(), None, shapely.MultiPoint([(1, 1), (2, 2)])]
)
def test_non_point_incidents_refused_with_the_row(bad):
    frame = gpd.GeoDataFrame(
        geometry=[shapely.Point(50, 50), bad, shapely.Point(60, 60)], crs=CRS, index=[10, 11, 12]
    )
    cells = hs.square_grid(gpd.GeoSeries([shapely.box(0, 0, 200, 200)], crs=CRS), 100)
    with pytest.raises(hs.HotspotInputError, match=r"rows 11 are not .*read_incidents"):
        hs.count_incidents(frame, cells)


@pytest.mark.parametrize("grid", [hs.square_grid, hs.hex_grid])
def test_grid_moved_far_away_is_refused_naming_both_extents(west_yorkshire, grid):
    cells = grid(west_yorkshire, 1000, quiet=True)
    moved = cells.copy()
    moved["geometry"] = moved.translate(1_000_000, 0)  # row/col and attrs unchanged
    with pytest.raises(
        hs.HotspotInputError,
        match=r"^the cells \(x 1,38.* do not overlap the incidents \(x 389,862 to 499,464, .*\) "
        r"at all: they are 888.5 km apart \(both in EPSG:27700\).*another CRS.*another area",
    ):
        hs.count_incidents(west_yorkshire, moved)
    assert hs.assign_cells(west_yorkshire, moved).isna().all()  # a lookup: in no cell
    # the same for anyone's polygons
    plain = gpd.GeoDataFrame(geometry=moved.geometry.array, crs=moved.crs)
    with pytest.raises(hs.HotspotInputError, match="do not overlap"):
        hs.count_incidents(west_yorkshire, plain)


def by_geometry(inc, cells):
    """Counts from the cells' geometries alone (a spatial join)."""
    plain = gpd.GeoDataFrame(geometry=cells.geometry.array, crs=cells.crs)
    return hs.count_incidents(inc, plain, quiet=True)["count"].to_numpy()


@pytest.mark.parametrize("grid", [hs.square_grid, hs.hex_grid])
def test_tampered_indices_count_by_geometry_with_a_note(west_yorkshire, grid, capsys):
    cells = grid(west_yorkshire, 1000, quiet=True)
    first = cells.columns[0]  # row or hex_q
    tampered = cells.copy()
    tampered[first] += 1  # every cell now names its neighbour: no two cells share indices
    counted = hs.count_incidents(west_yorkshire, tampered)
    err = capsys.readouterr().err
    shape = "squares" if grid is hs.square_grid else "hexagons"
    assert f"cells are not the {shape} their {first}/" in err
    assert "spatial index instead" in err
    method = counted.attrs["hotspot"]["counts"]["method"]
    assert method.startswith("spatial index") and "do not match its geometry" in method
    np.testing.assert_array_equal(counted["count"].to_numpy(), by_geometry(west_yorkshire, cells))
    hs.count_incidents(west_yorkshire, tampered, quiet=True)
    assert "spatial index" not in capsys.readouterr().err


def test_grid_moved_a_little_counts_where_its_cells_are(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 1000, quiet=True)
    shifted = cells.copy()
    shifted["geometry"] = shifted.translate(500, 0)
    counted = hs.count_incidents(west_yorkshire, shifted, quiet=True)
    np.testing.assert_array_equal(counted["count"].to_numpy(), by_geometry(west_yorkshire, shifted))
    assert counted.attrs["hotspot"]["counts"]["method"].startswith("spatial index")


def test_clipped_cells_count_only_what_they_hold():
    area = gpd.GeoSeries([shapely.box(0, 0, 300, 300)], crs=CRS)
    cells = hs.square_grid(area, 100)
    clipped = cells.copy()
    clipped["geometry"] = clipped.intersection(shapely.box(0, 0, 250, 300))  # a coastline
    inc = points([50, 150, 280], [50, 50, 50])  # the last one is in the sea
    counted = hs.count_incidents(inc, clipped, quiet=True)
    assert counted["count"].sum() == 2
    assert counted.attrs["hotspot"]["counts"]["outside"] == 1


def test_two_grids_put_together_count_by_geometry(capsys):
    area = gpd.GeoSeries([shapely.box(0, 0, 300, 300)], crs=CRS)
    a, b = hs.square_grid(area, 100), hs.square_grid(area, 100)
    b["geometry"] = b.translate(0, 300)  # the same row/col, the next area north
    both = pd.concat([a, b], ignore_index=True)
    both.attrs = a.attrs
    counted = hs.count_incidents(points([50, 50], [50, 350]), both)
    assert "cells share their row/col with another" in capsys.readouterr().err
    assert counted["count"].sum() == 2 and counted.attrs["hotspot"]["counts"]["outside"] == 0


def test_subset_of_a_grid_still_counts_by_arithmetic(west_yorkshire):
    cells = hs.square_grid(west_yorkshire, 1000, quiet=True)
    subset = cells.iloc[::3]
    counted = hs.count_incidents(west_yorkshire, subset, quiet=True)
    assert counted.attrs["hotspot"]["counts"]["method"] == "arithmetic (square grid)"
    np.testing.assert_array_equal(counted["count"].to_numpy(), by_geometry(west_yorkshire, subset))


def test_grids_and_counts_are_stamped_and_leave_their_inputs_alone(west_yorkshire):
    inc = west_yorkshire.iloc[::10]
    before_inc, before_attrs = inc.copy(), repr(inc.attrs)
    for make, method in ((hs.square_grid, "square_grid"), (hs.hex_grid, "hex_grid")):
        cells = make(inc, 2000, quiet=True)
        meta = cells.attrs["hotspot"]
        assert (meta["kind"], meta["method"], meta["period"]) == ("cells", method, None)
        assert meta[method] == {"cell_size": 2000.0, "study_area": None, "buffer": None}
        assert meta["rng_seed"] is None and meta["grid"]["cell_size"] == 2000.0
        grid_attrs = repr(cells.attrs)
        counted = hs.count_incidents(inc, cells, quiet=True)
        meta = counted.attrs["hotspot"]
        assert (meta["kind"], meta["method"]) == ("cells", "count_incidents")
        assert meta["count_incidents"]["column"] == "count"
        assert meta["period"]["label"] == "Jul 2016, Jul 2017, Jul 2018"
        # what the grid recorded is inherited, and the grid itself is not touched
        assert meta[method] == cells.attrs["hotspot"][method]
        assert meta["grid"] == cells.attrs["hotspot"]["grid"]
        assert meta["study_area"] is cells.attrs["hotspot"]["study_area"]
        assert repr(cells.attrs) == grid_attrs and "count" not in cells.columns
    pd.testing.assert_frame_equal(inc, before_inc)
    assert repr(inc.attrs) == before_attrs


def test_grid_parameters_are_checked_with_one_error_type(west_yorkshire):
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=CRS)
    with pytest.raises(hs.HotspotInputError, match="hex_grid: buffer=-5 must be a number of"):
        hs.hex_grid(west_yorkshire, 1000, buffer=-5, quiet=True)
    with pytest.raises(hs.HotspotInputError, match="square_grid: buffer='1 km' must be"):
        hs.square_grid(west_yorkshire, 1000, study_area="convex", buffer="1 km", quiet=True)
    with pytest.raises(hs.HotspotInputError, match="square_grid: source= must be incidents"):
        hs.square_grid(shapely.box(0, 0, 1000, 1000), 100)
    with pytest.raises(hs.HotspotInputError, match="hex_grid: cell_size=nan must be a positive"):
        hs.hex_grid(area, float("nan"))
    with pytest.raises(hs.HotspotInputError, match="square_grid: study_area='convx' is neither"):
        hs.square_grid(west_yorkshire, 1000, study_area="convx", quiet=True)


def test_the_cell_size_rule_is_the_one_of_the_study_areas():
    from hotspot._areas import CELLS_ON_SHORTER_SIDE

    assert hs.grid.CELLS_ON_SHORTER_SIDE is CELLS_ON_SHORTER_SIDE == 50


# --- weighted counts (harm) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def harmed(west_yorkshire):
    from hotspot.incidents.harm import harm_weights

    return harm_weights(west_yorkshire, EXAMPLE_HARM)


@pytest.mark.parametrize("maker", [hs.square_grid, hs.hex_grid])
def test_weighted_counts_equal_a_groupby_of_the_weights_by_cell(harmed, maker):
    grid = maker(harmed, 1000, quiet=True)
    plain = hs.count_incidents(harmed, grid, quiet=True)
    weighted = hs.count_incidents(harmed, grid, incident_weights="harm", quiet=True)
    ids = hs.assign_cells(harmed, grid)
    expected = (
        pd.Series(harmed["harm"].to_numpy(), index=ids.to_numpy())
        .groupby(level=0)
        .sum()
        .reindex(grid.index, fill_value=0.0)
    )
    np.testing.assert_allclose(weighted["count_weighted"].to_numpy(), expected.to_numpy())
    assert weighted["count_weighted"].dtype == np.float64
    # the count column is the same as without weights, and so are the other columns
    pd.testing.assert_frame_equal(weighted.drop(columns="count_weighted"), plain)
    counts = weighted.attrs["hotspot"]["counts"]
    total = harmed["harm"].sum()
    outside = harmed["harm"][ids.isna()].sum()
    assert counts["weights"] == "harm"
    assert counts["weighted_total"] == pytest.approx(total, rel=1e-12)
    assert counts["weighted_outside"] == pytest.approx(outside, rel=1e-12)
    assert counts["weighted_counted"] + counts["weighted_outside"] == pytest.approx(
        counts["weighted_total"], rel=1e-12
    )
    assert counts["incidents"] == counts["counted"] + counts["outside"] == len(harmed)
    assert counts["harm_weights"]["table"] == EXAMPLE_HARM
    params = weighted.attrs["hotspot"]["count_incidents"]
    assert params["incident_weights"] == "harm" and params["weighted_column"] == "count_weighted"


def test_unit_weights_give_the_count_and_an_array_works_like_a_column(harmed):
    grid = hs.hex_grid(harmed, 2000, quiet=True)
    ones = hs.count_incidents(harmed, grid, incident_weights=np.ones(len(harmed)), quiet=True)
    np.testing.assert_array_equal(ones["count_weighted"], ones["count"].astype(float))
    assert ones.attrs["hotspot"]["counts"]["weights"] == "array"
    as_array = hs.count_incidents(
        harmed, grid, incident_weights=harmed["harm"].to_numpy(), quiet=True
    )
    as_column = hs.count_incidents(harmed, grid, incident_weights="harm", quiet=True)
    np.testing.assert_array_equal(as_array["count_weighted"], as_column["count_weighted"])
    assert "harm_weights" not in as_array.attrs["hotspot"]["counts"]


def test_unweighted_counts_keep_their_attrs_keys(west_yorkshire):
    cells = hs.count_incidents(west_yorkshire, hs.hex_grid(west_yorkshire, 2000, quiet=True))
    assert "count_weighted" not in cells.columns
    assert set(cells.attrs["hotspot"]["counts"]) == {
        "incidents",
        "counted",
        "outside",
        "method",
        "period",
    }
    assert cells.attrs["hotspot"]["count_incidents"] == {
        "column": "count",
        "cells_found_by": "arithmetic (hexagonal grid)",
    }


def _gistar_reference(cells, x):
    """Gi* (binary weights, the cell itself included) from queen neighbours found with
    shapely: cells sharing any boundary point."""
    n = len(cells)
    geoms = cells.geometry.array
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")  # includes each cell itself
    dense = np.zeros((n, n))
    dense[i, j] = 1.0
    wi = dense.sum(axis=1)
    xbar, s = x.mean(), np.sqrt((x**2).mean() - x.mean() ** 2)
    return (dense @ x - xbar * wi) / (s * np.sqrt((n * wi - wi**2) / (n - 1)))


def test_weighted_gistar_is_gistar_of_the_weighted_counts(harmed):
    cells = hs.count_incidents(
        harmed, hs.square_grid(harmed, 2000, quiet=True), incident_weights="harm", quiet=True
    )
    out = hs.gistar(cells, column="count_weighted", permutations=0, quiet=True)
    expected = _gistar_reference(cells, cells["count_weighted"].to_numpy(dtype=float))
    np.testing.assert_allclose(out["gistar_z"], expected, atol=1e-9, rtol=0)
    # and it is not the unweighted answer
    plain = hs.gistar(cells, permutations=0, quiet=True)
    assert not np.allclose(plain["gistar_z"], out["gistar_z"])


def test_weighted_counts_leave_incidents_and_cells_alone(harmed):
    import copy

    grid = hs.hex_grid(harmed, 2000, quiet=True)
    before_inc, before_grid = harmed.copy(), grid.copy()
    attrs_inc, attrs_grid = copy.deepcopy(harmed.attrs), copy.deepcopy(grid.attrs)
    weights = harmed["harm"].to_numpy().copy()
    counted = hs.count_incidents(harmed, grid, incident_weights=weights, quiet=True)
    pd.testing.assert_frame_equal(harmed, before_inc)
    pd.testing.assert_frame_equal(grid, before_grid)
    assert harmed.attrs["hotspot"].keys() == attrs_inc["hotspot"].keys()
    assert grid.attrs["hotspot"].keys() == attrs_grid["hotspot"].keys()
    np.testing.assert_array_equal(weights, harmed["harm"].to_numpy())
    meta = counted.attrs["hotspot"]
    assert (meta["kind"], meta["method"]) == ("cells", "count_incidents")
    assert "load_report" not in meta
    assert [c for c in counted.columns if c not in grid.columns] == ["count", "count_weighted"]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({1: np.nan}, "1 missing or non-numeric values \\(incidents 1\\)"),
        ({2: -1.0, 4: -3.0}, "2 negative values \\(incidents 2, 4\\)"),
        ({0: np.inf}, "1 infinite values \\(incidents 0\\)"),
        ({3: "heavy"}, "1 missing or non-numeric values \\(incidents 3\\)"),
    ],
)
def test_bad_weights_name_the_incidents(bad, match):
    inc = points([50, 150, 250, 350, 450], [50, 50, 50, 50, 50])
    cells = hs.square_grid(inc, 100, quiet=True)
    weights = pd.Series([1.0] * 5, dtype=object)
    for row, value in bad.items():
        weights[row] = value
    inc["w"] = weights
    with pytest.raises(hs.HotspotInputError, match=match) as err:
        hs.count_incidents(inc, cells, incident_weights="w", quiet=True)
    assert str(err.value).startswith("count_incidents: incident_weights='w' has ")
    with pytest.raises(hs.HotspotInputError, match="incident_weights='array'"):
        hs.count_incidents(inc, cells, incident_weights=weights.to_numpy(), quiet=True)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ("nope", "'nope' is not a column of the incidents"),
        (np.ones(3), "has 3 values for 5 incidents"),
        (np.ones((5, 2)), "pass a column name or an array"),
        (np.array([True] * 5), "holds True/False"),
        (pd.Series(np.ones(5), index=range(10, 15)), "index is not the incidents' index"),
    ],
)
def test_bad_weight_arguments(weights, match):
    inc = points([50, 150, 250, 350, 450], [50, 50, 50, 50, 50])
    cells = hs.square_grid(inc, 100, quiet=True)
    with pytest.raises(hs.HotspotInputError, match=match) as err:
        hs.count_incidents(inc, cells, incident_weights=weights, quiet=True)
    assert str(err.value).startswith("count_incidents: ")

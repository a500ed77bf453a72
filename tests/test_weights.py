"""Neighbour definitions against libpysal's builders on the same cells."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspot as hs


@pytest.fixture(scope="module")
def grids(west_yorkshire):
    return {
        "square": hs.square_grid(west_yorkshire, 2000, quiet=True),
        "hex": hs.hex_grid(west_yorkshire, 2000, quiet=True),
    }


def plain(cells):
    out = gpd.GeoDataFrame(geometry=cells.geometry.array, crs=cells.crs, index=cells.index)
    out.attrs = {}
    return out


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_grid_contiguity_equals_libpysal(grids, shape, kind, libpysal):
    cells = grids[shape]
    ours = hs.build_weights(cells, kind)
    assert ours.params["method"] == "grid indices"
    builder = libpysal.weights.Queen if kind == "queen" else libpysal.weights.Rook
    ref = builder.from_dataframe(
        cells.reset_index(drop=True), use_index=False, silence_warnings=True
    )
    assert (ours.matrix != ref.sparse).nnz == 0
    # the polygon path (no grid attrs) gives the same answer
    assert (hs.build_weights(plain(cells), kind).matrix != ours.matrix).nnz == 0


def test_distance_band_and_knn_equal_libpysal(grids, libpysal):
    cells = grids["square"]
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    band = hs.build_weights(cells, 4500.0)
    ref = libpysal.weights.DistanceBand(xy, threshold=4500.0, binary=True, silence_warnings=True)
    assert (band.matrix != ref.sparse).nnz == 0
    knn = hs.build_weights(cells, "knn:6")
    assert (knn.cardinalities == 6).all()
    ref_knn = libpysal.weights.KNN(xy, k=6)
    # ties between equidistant grid neighbours may be broken differently: compare distances
    ours_d = np.sort(np.linalg.norm(xy[knn.matrix.indices] - np.repeat(xy, 6, axis=0), axis=1))
    ref_d = np.sort(np.linalg.norm(xy[ref_knn.sparse.indices] - np.repeat(xy, 6, axis=0), axis=1))
    np.testing.assert_allclose(ours_d, ref_d)


def test_grid_centroids_exactly_one_cell_apart_are_neighbours(grids):
    assert (
        hs.build_weights(grids["square"], 2000).matrix
        != hs.build_weights(grids["square"], "rook").matrix
    ).nnz == 0


def test_libpysal_ids_must_match_the_cells(grids, libpysal):
    cells = grids["square"].iloc[:20]
    w = libpysal.weights.lat2W(4, 5)
    nb = hs.build_weights(cells, w)  # positional ids 0..19 == the grid's index
    assert nb.matrix.shape == (20, 20)
    with pytest.raises(hs.HotspotInputError, match="has 25 ids but there are 20 cells"):
        hs.build_weights(cells, libpysal.weights.lat2W(5, 5))


def test_caller_weights_never_changed(grids, libpysal):
    cells = grids["square"].iloc[:20]
    w = libpysal.weights.lat2W(4, 5)
    w.transform = "R"
    nb = hs.build_weights(cells, w)
    assert w.transform == "R"
    assert set(nb.matrix.data) == {1.0}


def test_islands_listed():
    cells = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)],
        crs="EPSG:27700",
    )
    nb = hs.build_weights(cells, "queen")
    assert nb.islands.tolist() == [2]
    assert nb.params["n_islands"] == 1


def test_distance_weights_need_metres():
    cells = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    assert hs.build_weights(cells, "rook").matrix.nnz == 2  # contiguity needs no CRS
    with pytest.raises(hs.HotspotInputError, match="no CRS"):
        hs.build_weights(cells, 1.5)


def test_libpysal_graph_accepted(grids):
    from libpysal.graph import Graph

    cells = grids["hex"]
    graph = Graph.build_contiguity(cells, rook=False)
    nb = hs.build_weights(cells, graph)
    assert nb.description == "libpysal Graph"
    assert (nb.matrix != hs.build_weights(cells, "queen").matrix).nnz == 0


@pytest.mark.parametrize("weights", [["queen"], {"k": 8}, True, "bishop", -300])
def test_unknown_weights_are_a_hotspot_input_error_listing_the_choices(grids, weights):
    with pytest.raises(hs.HotspotInputError, match="queen.*rook.*knn"):
        hs.build_weights(grids["square"], weights)

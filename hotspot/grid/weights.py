"""Neighbour definitions for cells: contiguity, k nearest neighbours, distance bands, or a
libpysal ``W``/``Graph``, as one sparse matrix aligned with the cells' rows.

Regular grids from :func:`hotspot.square_grid` / :func:`hotspot.hex_grid` get their contiguity
arithmetically from the row/column (axial) indices, with no polygon intersection; any other
polygons go through libpysal's contiguity builder. Distances are between cell centroids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

from hotspot._validate import check_cells, report_of
from hotspot.errors import HotspotInputError

ALLOWED = "'queen', 'rook', 'knn:<k>' (e.g. 'knn:8'), a distance band in metres (e.g. 300), or a libpysal W / Graph"

SQUARE_OFFSETS = {
    "rook": ((0, 1), (0, -1), (1, 0), (-1, 0)),
    "queen": ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)),
}
HEX_OFFSETS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))


@dataclass(frozen=True)
class Neighbours:
    """Spatial weights aligned with the rows of a cells frame.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array, shape (n, n)
        ``matrix[i, j]`` is the weight of cell j in cell i's neighbourhood; the diagonal is zero
        (statistics that include the cell itself, such as Gi*, add it).
    description : str
        How the neighbours were defined, for reports ("queen contiguity", "distance band 300 m").
    islands : ndarray of int
        Row positions of cells without any neighbour.
    params : dict
        The definition as data (kind, k, distance, how it was chosen).
    """

    matrix: sp.csr_array
    description: str
    islands: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of cells."""
        return self.matrix.shape[0]

    @property
    def cardinalities(self) -> np.ndarray:
        """Number of neighbours of each cell."""
        return np.diff(self.matrix.indptr)

    def with_self(self, weight: float = 1.0) -> sp.csr_array:
        """The matrix with ``weight`` on the diagonal (Gi*'s "star" neighbourhood)."""
        return (self.matrix + weight * sp.eye_array(self.n, format="csr")).tocsr()

    def row_standardised(self, include_self: bool = False) -> sp.csr_array:
        """Rows scaled to sum to 1 (rows of islands stay zero)."""
        m = self.with_self() if include_self else self.matrix
        sums = np.asarray(m.sum(axis=1)).ravel()
        scale = np.divide(1.0, sums, out=np.zeros_like(sums, dtype=float), where=sums > 0)
        return (sp.diags_array(scale) @ m).tocsr()


def _finish(rows: np.ndarray, cols: np.ndarray, values: np.ndarray | None, n: int) -> sp.csr_array:
    data = np.ones(len(rows)) if values is None else values
    m = sp.coo_array((data, (rows, cols)), shape=(n, n)).tocsr()
    m.sum_duplicates()
    m.setdiag(0)
    m.eliminate_zeros()
    m.sort_indices()
    return m


def _lookup_pairs(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Position of each query key in ``keys`` (-1 when absent)."""
    order = np.argsort(keys)
    sorted_keys = keys[order]
    i = np.clip(np.searchsorted(sorted_keys, query), 0, len(keys) - 1)
    return np.where(sorted_keys[i] == query, order[i], -1)


def _grid_contiguity(cells: gpd.GeoDataFrame, kind: str) -> sp.csr_array | None:
    grid = report_of(cells).get("grid")
    if not isinstance(grid, dict):
        return None
    if grid.get("shape") == "square" and {"row", "col"} <= set(cells.columns):
        a, b = cells["row"].to_numpy(np.int64), cells["col"].to_numpy(np.int64)
        offsets = SQUARE_OFFSETS[kind]
    elif grid.get("shape") == "hex" and {"hex_q", "hex_r"} <= set(cells.columns):
        a, b = cells["hex_q"].to_numpy(np.int64), cells["hex_r"].to_numpy(np.int64)
        offsets = HEX_OFFSETS
    else:
        return None
    keys = (a << 32) ^ (b & 0xFFFFFFFF)
    rows, cols = [], []
    n = len(cells)
    for da, db in offsets:
        pos = _lookup_pairs(keys, ((a + da) << 32) ^ ((b + db) & 0xFFFFFFFF))
        hit = pos >= 0
        rows.append(np.flatnonzero(hit))
        cols.append(pos[hit])
    return _finish(np.concatenate(rows), np.concatenate(cols), None, n)


def _polygon_contiguity(cells: gpd.GeoDataFrame, kind: str) -> sp.csr_array:
    from libpysal.graph import Graph

    plain = gpd.GeoDataFrame(
        geometry=cells.geometry.array, crs=cells.crs, index=pd.RangeIndex(len(cells))
    )
    graph = Graph.build_contiguity(plain, rook=(kind == "rook"))
    adj = graph.adjacency.reset_index()
    adj = adj[adj["weight"] > 0]
    return _finish(adj["focal"].to_numpy(), adj["neighbor"].to_numpy(), None, len(cells))


def centroids(cells: gpd.GeoDataFrame) -> np.ndarray:
    """Cell centroids as an (n, 2) array."""
    return shapely.get_coordinates(shapely.centroid(cells.geometry.array))


def distance_band(xy: np.ndarray, distance: float) -> sp.csr_array:
    """Binary weights: pairs of points at most ``distance`` apart (a hair of tolerance so that
    grid centroids exactly ``distance`` apart are neighbours)."""
    tree = cKDTree(xy)
    pairs = tree.query_pairs(distance * (1 + 1e-9), output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return _finish(rows, cols, None, len(xy))


def _knn(xy: np.ndarray, k: int) -> sp.csr_array:
    n = len(xy)
    if not 1 <= k < n:
        raise HotspotInputError(f"knn:{k} needs 1 <= k < number of cells ({n})")
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    # Drop each cell itself; where ties put it beyond the k+1 found, drop the farthest instead.
    drop = idx == np.arange(n)[:, None]
    drop[~drop.any(axis=1), -1] = True
    rows = np.repeat(np.arange(n), k)
    return _finish(rows, idx[~drop], None, n)


def _from_libpysal(weights: Any, cells: gpd.GeoDataFrame) -> tuple[sp.csr_array, str]:
    from libpysal.graph import Graph
    from libpysal.weights import W

    if isinstance(weights, Graph):
        ids = list(weights.unique_ids)
        matrix = weights.sparse
        kind = "libpysal Graph"
    elif isinstance(weights, W):
        ids = list(weights.id_order)
        matrix = weights.sparse
        kind = "libpysal W"
    else:
        raise HotspotInputError(
            f"weights={weights!r} is not understood: it is a {type(weights).__name__}; use "
            f"{ALLOWED}."
        )
    if len(ids) != len(cells):
        raise HotspotInputError(
            f"the {kind} has {len(ids)} ids but there are {len(cells)} cells; build it from these cells."
        )
    index = list(cells.index)
    if ids != index:
        if set(ids) == set(index):
            order = pd.Index(ids).get_indexer(index)
            matrix = matrix[order][:, order]
        elif ids == list(range(len(cells))):
            pass  # positional ids
        else:
            raise HotspotInputError(
                f"the {kind}'s ids do not match the cells' index (first ids {ids[:3]}, first cells "
                f"{index[:3]}); build it from these cells, e.g. Graph.build_contiguity(cells)."
            )
    m = sp.csr_array(matrix, dtype=float)
    m.setdiag(0)
    m.eliminate_zeros()
    # Only the neighbour structure is taken: a W's weights depend on whatever transform the
    # last library to touch it set (esda's statistics rewrite it in place), so the analysis
    # applies its own transform to binary links.
    m.data[:] = 1.0
    return m.tocsr(), kind


def build_weights(cells: gpd.GeoDataFrame, weights: Any = "queen") -> Neighbours:
    """Neighbours of each cell.

    Parameters
    ----------
    cells : GeoDataFrame
        Polygons (a grid or the user's areas) in a projected CRS in metres.
    weights : str, float, libpysal W or Graph, default="queen"
        ``"queen"`` (shared edge or corner), ``"rook"`` (shared edge), ``"knn:<k>"`` (k nearest
        centroids), a number (distance band in metres between centroids, inclusive), or a
        libpysal ``W``/``Graph`` whose ids are the cells' index (its links are used as binary
        neighbours; each analysis applies its own ``transform``).

    Returns
    -------
    Neighbours

    Raises
    ------
    HotspotInputError
        ``weights`` is none of the above (the allowed values are listed in words, not by
        :func:`hotspot._validate.check_choice`: ``"knn:<k>"`` and distances are too many to
        list), or a libpysal graph does not match the cells.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.square_grid(inc, 2000, quiet=True)
    >>> nb = hs.build_weights(cells, "rook")
    >>> nb.description, int(nb.cardinalities.max())
    ('rook contiguity', 4)
    """
    is_knn = isinstance(weights, str) and weights.strip().lower().startswith("knn")
    is_band = isinstance(weights, int | float | np.integer | np.floating)
    check_cells(cells, require_crs=is_knn or is_band)  # contiguity needs no CRS
    n = len(cells)
    params: dict[str, Any]
    if isinstance(weights, str):
        spec = weights.strip().lower()
        if spec in ("queen", "rook"):
            matrix = _grid_contiguity(cells, spec)
            method = "grid indices"
            if matrix is None:
                matrix = _polygon_contiguity(cells, spec)
                method = "polygon contiguity (libpysal)"
            description = f"{spec} contiguity"
            params = {"kind": spec, "method": method}
        elif match := re.fullmatch(r"knn\s*:\s*(\d+)", spec):
            k = int(match.group(1))
            matrix = _knn(centroids(cells), k)
            description = f"{k} nearest neighbours"
            params = {"kind": "knn", "k": k}
        else:
            raise HotspotInputError(f"weights={weights!r} is not understood; use {ALLOWED}.")
    elif isinstance(weights, int | float | np.integer | np.floating) and not isinstance(
        weights, bool
    ):
        distance = float(weights)
        if not np.isfinite(distance) or distance <= 0:
            raise HotspotInputError(
                f"weights={weights!r} is not a distance band: a band is a positive number of "
                f"metres (e.g. 300); or use {ALLOWED}."
            )
        matrix = distance_band(centroids(cells), distance)
        description = f"distance band {distance:g} m"
        params = {"kind": "distance", "distance": distance}
    else:
        matrix, kind = _from_libpysal(weights, cells)
        description = kind
        params = {"kind": kind}
    islands = np.flatnonzero(np.diff(matrix.indptr) == 0)
    params["n_islands"] = len(islands)
    params["mean_neighbours"] = float(matrix.nnz / n)
    return Neighbours(matrix=matrix, description=description, islands=islands, params=params)

"""Optimized hot spot analysis: ArcGIS's one-call workflow, every choice reported."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from hotspot._messages import announce
from hotspot._result import stamp
from hotspot._validate import (
    check_cells,
    check_incidents,
    check_permutation_count,
    check_rng,
    incident_xy,
)
from hotspot.errors import HotspotInputError
from hotspot.grid.cells import count_incidents, square_grid
from hotspot.stats.incremental import choose_distance_band
from hotspot.stats.local import gistar

__all__ = ["MIN_INCIDENTS", "locational_outliers", "optimized_hotspots"]

MIN_INCIDENTS = 30


def locational_outliers(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Incidents whose nearest other location is more than three standard deviations beyond the
    mean nearest-neighbour distance (between distinct locations), as ArcGIS defines them.

    Examples
    --------
    >>> x = np.r_[np.arange(50.0) % 10, 500.0]
    >>> y = np.r_[np.arange(50.0) // 10, 500.0]
    >>> np.flatnonzero(locational_outliers(x, y)).tolist()
    [50]
    """
    xy, inverse = np.unique(np.column_stack([x, y]), axis=0, return_inverse=True)
    if len(xy) < 3:
        return np.zeros(len(x), dtype=bool)
    distance = cKDTree(xy).query(xy, k=2)[0][:, 1]
    limit = distance.mean() + 3 * distance.std()
    return (distance > limit)[inverse.ravel()]


def optimized_hotspots(
    incidents: gpd.GeoDataFrame,
    *,
    cells: gpd.GeoDataFrame | None = None,
    cell_size: float | None = None,
    study_area: Any = None,
    permutations: int = 999,
    rng: Any = None,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """Hot spots in one call, choosing each parameter as ArcGIS's Optimized Hot Spot Analysis
    does and reporting every choice.

    1. **Assessment**: at least 30 incidents; locational outliers (nearest other location more
       than three standard deviations beyond the mean nearest-neighbour distance) are counted
       and left out of the study area and the automatic cell size.
    2. **Aggregation**: into ``cells`` when given, else a square grid over ``study_area`` (default
       the footprint of the non-outlying incidents, see :func:`hotspot.square_grid`) with
       ``cell_size`` (default the grid's automatic size).
    3. **Scale**: a distance band at the first significant peak of incremental spatial
       autocorrelation of the counts, else the smallest distance giving every cell a neighbour.
    4. **Gi*** with binary weights and the false-discovery-rate correction.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents`.
    cells : GeoDataFrame, optional
        Your own polygons (LSOAs, beats) or grid to aggregate into.
    cell_size : float, optional
        Grid cell size in metres when ``cells`` is not given.
    study_area : polygon, GeoSeries, GeoDataFrame, path or str, optional
        Where incidents are possible (ArcGIS's bounding polygons): a polygon, a frame, the path
        of a polygon file (GeoPackage, GeoJSON, Shapefile…) or a name of
        :func:`hotspot.square_grid` (``"footprint"``, the default, ``"convex"``, ``"concave"``,
        ``"bbox"``).
    permutations : int, default=999
        For ``gistar_p_sim`` (the bins come from the analytical p-values, as in ArcGIS), as
        :func:`hotspot.gistar`.
    rng : None, int or numpy Generator
        Randomness of the permutations (recorded as ``rng_seed`` when an int).
    quiet : bool, default=False
        Do not announce the choices.

    Returns
    -------
    GeoDataFrame
        The cells with ``count`` and the Gi* columns, stamped with ``kind="cells"`` and
        ``method="optimized_hotspots"``: ``attrs["hotspot"]["optimized_hotspots"]`` holds the
        arguments and each step (outliers, aggregation, scale with the incremental table,
        hot/cold counts), also under ``attrs["hotspot"]["optimized"]``; the Gi* record stays
        under ``"gistar"``.

    Notes
    -----
    ArcGIS, without bounding polygons, analyses only the fishnet cells holding at least one
    incident; here the grid covers the study area and empty cells take part, so that an empty
    stretch between two busy streets counts as the low values it is.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> hot = hs.optimized_hotspots(inc, permutations=0, quiet=True)
    >>> steps = hot.attrs["hotspot"]["optimized"]
    >>> steps["aggregation"]["cell_size"] > 0, steps["outliers"]["n_incidents"] >= 0
    (True, True)
    >>> hot.attrs["hotspot"]["method"]
    'optimized_hotspots'
    """
    func = "optimized_hotspots"
    check_incidents(incidents)
    permutations = check_permutation_count(permutations, func=func)
    _, seed = check_rng(rng, func=func)
    if cells is not None:
        check_cells(cells)
    x, y = incident_xy(incidents)
    if len(incidents) < MIN_INCIDENTS:
        raise HotspotInputError(
            f"{func}: optimized hot spot analysis needs at least {MIN_INCIDENTS} incidents; got "
            f"{len(incidents)}."
        )
    outliers = locational_outliers(x, y)
    steps: dict[str, Any] = {
        "outliers": {
            "n_incidents": int(outliers.sum()),
            "rule": "nearest other location > mean + 3 SD of nearest-neighbour distances",
        }
    }
    if outliers.any():
        announce(
            f"{int(outliers.sum()):,} incidents are locational outliers; they are left out of the "
            "study area and the cell size (and counted only if they fall in a cell)",
            quiet=quiet,
        )
    if cells is None:
        core = incidents.iloc[np.flatnonzero(~outliers)]
        grid = square_grid(core, cell_size, study_area=study_area, quiet=quiet)
        aggregation = {
            "method": "square grid",
            "cell_size": grid.attrs["hotspot"]["grid"]["cell_size"],
            "study_area": grid.attrs["hotspot"]["grid"]["study_area"],
        }
    else:
        grid = cells
        aggregation = {"method": "given polygons", "n_cells": len(cells)}
    counted = count_incidents(incidents, grid, quiet=quiet)
    aggregation["counts"] = counted.attrs["hotspot"]["counts"]
    steps["aggregation"] = aggregation
    nb = choose_distance_band(counted, "count", quiet=quiet)
    steps["scale"] = {
        "distance": nb.params["distance"],
        "chosen_by": nb.params["chosen_by"],
        "incremental": nb.params["incremental"],
    }
    out = gistar(
        counted,
        "count",
        weights=nb,
        permutations=permutations,
        fdr=True,
        rng=rng,
        quiet=quiet,
    )
    steps["result"] = {
        "hot_cells_95": int((out["gistar_bin"] >= 2).sum()),
        "cold_cells_95": int((out["gistar_bin"] <= -2).sum()),
        "n_cells": len(out),
    }
    params = {
        "cell_size": cell_size,
        "given_cells": cells is not None,
        "permutations": permutations,
        "rng_seed": seed,
        **steps,
    }
    stamp(out, kind="cells", method=func, params=params, source=out, rng=rng, optimized=steps)
    announce(
        f"optimized hot spots: {steps['result']['hot_cells_95']:,} hot and "
        f"{steps['result']['cold_cells_95']:,} cold cells at 95 % (FDR) of {len(out):,}, "
        f"distance band {nb.params['distance']:,.0f} m",
        quiet=quiet,
    )
    return out

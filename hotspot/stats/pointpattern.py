"""Point-pattern statistics on the incidents themselves: Clark–Evans and Ripley's K / L.

Both work on incident points (before any binning into cells) inside a study area, whose size
sets the intensity the pattern is compared with. The area is the convex hull of the incidents
unless the analyst gives one; the same points in a larger area look more clustered, so the
area used is always recorded with the result.
"""

from __future__ import annotations

import math
import numbers
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from hotspot._areas import hull_of_points
from hotspot._messages import announce
from hotspot._period import incidents_period
from hotspot._random import normal_pvalue, simulation_pvalue
from hotspot._result import GlobalTest, SeriesTest
from hotspot._validate import (
    NOT_GIVEN,
    check_alternative,
    check_choice,
    check_incidents,
    check_integer,
    check_permutation_count,
    check_permutations,
    check_rng,
    check_study_area,
    incident_xy,
    renamed_parameter,
)
from hotspot.errors import HotspotInputError, HotspotWarning

__all__ = ["MAX_POINTS", "nearest_neighbour_index", "ripley"]

AREA_KINDS = ("hull", "bbox")
NNI_EDGE_CORRECTIONS = (None, "donnelly")
RIPLEY_EDGE_CORRECTIONS = ("auto", "isotropic", "border", "none")

#: With edge_correction="auto", :func:`ripley` uses the isotropic correction up to this many
#: incidents and the border correction above (spatstat's ``Kest`` rule, ``nlarge=3000``).
AUTO_ISOTROPIC_MAX = 3_000

#: Above this many incidents :func:`ripley` analyses a random subsample of this size.
MAX_POINTS = 20_000
#: Largest isotropic edge-correction weight (as spatstat's ``edge.Ripley``, ``maxweight=100``).
MAX_WEIGHT = 100.0

# Clark & Evans (1954): standard error of the mean nearest-neighbour distance under CSR is
# 0.26136 / sqrt(n * density) = 0.26136 * sqrt(A) / n.
_CE_SE = 0.26136
_PAIR_CHUNK = 200_000
_DENSE_SEGMENTS = 256  # boundary distances by brute force up to this many segments


# =============================================================================== study area


@dataclass(frozen=True)
class _Analysed:
    """The incidents analysed and the study area they were analysed in."""

    x: np.ndarray
    y: np.ndarray
    polygon: shapely.Geometry | None  # None for an area given as a number
    area: float  # m²
    note: str  # where the area came from
    outside: int  # incidents left out, outside a given polygon
    period: dict[str, Any] | None  # of the incidents analysed


def _resolve_area(incidents: Any, study_area: Any, func: str, *, allow_number: bool) -> _Analysed:
    """Incident coordinates inside the study area, the area's polygon (None for a bare
    number), its size in m², a note saying where it came from, how many incidents were left
    out because they lie outside it, and the period of those analysed."""
    check_incidents(incidents)
    x, y = incident_xy(incidents)
    kinds = "'hull', 'bbox'"
    forms = (
        f"{kinds}, a polygon (shapely, in the incidents' CRS), a GeoSeries or GeoDataFrame of "
        "polygons, the path of a polygon file"
        + (" or the area in square metres" if allow_number else "")
    )
    if study_area is None:
        study_area = "hull"
    if isinstance(study_area, str) and study_area in AREA_KINDS:
        polygon = hull_of_points(x, y, "convex" if study_area == "hull" else "bbox", 0.0)
        if not polygon.area > 0:
            raise HotspotInputError(
                f"{func}: the incidents lie on one line or one location, so their "
                f"{'convex hull' if study_area == 'hull' else 'bounding box'} has no area; pass "
                "the study area as a polygon with study_area=."
            )
        note = (
            "convex hull of the incidents"
            if study_area == "hull"
            else "bounding box of the incidents"
        )
        return _Analysed(x, y, polygon, float(polygon.area), note, 0, incidents_period(incidents))
    if isinstance(study_area, str) and not Path(study_area).expanduser().exists():
        raise HotspotInputError(
            f"{func}: study_area={study_area!r} is not one of {kinds} nor an existing polygon "
            f"file; pass {forms}."
        )
    if isinstance(study_area, numbers.Real) and not isinstance(study_area, bool):
        if not allow_number:
            raise HotspotInputError(
                f"{func}: study_area={study_area!r} gives only the study area's size; {func} "
                "needs its shape, not only its size (edge corrections and the simulations use "
                "it): pass a polygon (shapely, GeoSeries or GeoDataFrame) or "
                "study_area='hull' / 'bbox'."
            )
        value = float(study_area)
        if not math.isfinite(value) or value <= 0:
            raise HotspotInputError(
                f"{func}: study_area={study_area!r} must be a positive number of square metres "
                f"(or {kinds}, a polygon)."
            )
        return _Analysed(
            x, y, None, value, "given as a number (m²)", 0, incidents_period(incidents)
        )
    if not isinstance(
        study_area, gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry | str | os.PathLike
    ):
        raise HotspotInputError(
            f"{func}: study_area must be {forms}, not {type(study_area).__name__}."
        )
    polygon = check_study_area(study_area, incidents.crs, func=func)
    if shapely.get_type_id(polygon) not in (3, 6):
        raise HotspotInputError(
            f"{func}: study_area must be polygons, got {polygon.geom_type}; pass the study "
            "area's polygon(s)."
        )
    inside = np.asarray(shapely.intersects_xy(polygon, x, y))
    outside = int((~inside).sum())
    if outside == len(x):
        raise HotspotInputError(
            f"{func}: none of the {len(x):,} incidents lie inside study_area; is it in the "
            "incidents' CRS? Reproject it with study_area.to_crs(incidents.crs)."
        )
    if outside:
        warnings.warn(
            f"{func}: {outside:,} of {len(x):,} incidents lie outside study_area and were left "
            "out; pass a larger study area or clip the incidents to it first.",
            HotspotWarning,
            stacklevel=3,
        )
        x, y = x[inside], y[inside]
    return _Analysed(
        x,
        y,
        polygon,
        float(polygon.area),
        "given polygon",
        outside,
        incidents_period(incidents, inside if outside else None),
    )


# =============================================================================== Clark–Evans


def nearest_neighbour_index(
    incidents: gpd.GeoDataFrame,
    *,
    study_area: Any = None,
    edge_correction: str | None = None,
    alternative: str = "two-sided",
    area: Any = NOT_GIVEN,
) -> GlobalTest:
    """Clark–Evans nearest-neighbour index: observed over expected mean nearest-neighbour
    distance under complete spatial randomness (CSR).

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres (from :func:`hotspot.read_incidents`).
    study_area : {"hull", "bbox"}, polygon, GeoSeries, GeoDataFrame, path or float, default="hull"
        The study area. ``"hull"`` (default): the convex hull of the incidents; ``"bbox"``:
        their axis-aligned bounding box; a shapely polygon (in the incidents' CRS), a GeoSeries
        or GeoDataFrame of polygons or the path of a polygon file (reprojected to the
        incidents' CRS); or the area in square metres. Incidents outside a given polygon are
        left out with a warning.
    edge_correction : {None, "donnelly"}, default=None
        ``"donnelly"`` uses Donnelly's (1978) expected distance and standard error, which
        allow for the points near the boundary whose nearest neighbour would lie outside
        (needs the area's perimeter, so not with a bare number).
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        ``"less"`` tests for clustering (R < 1), ``"greater"`` for dispersion (R > 1).
    area : deprecated
        The old name of ``study_area`` (a ``FutureWarning``; it stops working in 0.3).

    Returns
    -------
    GlobalTest
        ``statistic`` is R = observed / expected mean distance, ``expected`` is 1, ``z`` and
        ``pvalue`` are normal-approximation values, ``permutations`` is 0 and ``variance`` is
        the variance of R under CSR. ``params`` holds ``method``
        (``"nearest_neighbour_index"``), ``period`` (of the incidents analysed, None without
        times), ``rng_seed`` (None: nothing is random), ``n``, ``n_outside``, ``area_m2``,
        ``area_source``,
        ``perimeter_m`` (None for a bare number), ``edge_correction``,
        ``observed_mean_distance``, ``expected_mean_distance``, ``standard_error`` (of the
        mean distance), ``n_duplicate_locations`` (distinct locations holding more than one
        incident), ``n_at_shared_locations`` (incidents whose nearest neighbour is at
        distance 0) and ``study_area`` (the polygon, or None).

    Notes
    -----
    With n incidents in an area A, the mean distance from each incident to its nearest
    neighbour under CSR is expected to be ``0.5 * sqrt(A / n)`` with standard error
    ``0.26136 / sqrt(n**2 / A)`` (Clark & Evans 1954), and ``z = (observed - expected) / SE``.
    R ranges from 0 (all incidents on one location) through 1 (random) to 2.1491 (a
    triangular lattice, the most dispersed pattern).

    Donnelly's (1978) correction, with P the perimeter of the area:
    ``expected = 0.5 * sqrt(A / n) + (0.0514 + 0.041 / sqrt(n)) * P / n`` and
    ``SE = sqrt(0.0703 * A / n**2 + 0.037 * P * sqrt(A / n**5))``. It was derived for
    rectangle-like regions and n >= 7. Without it, edge effects lengthen the observed
    distances, biasing R upwards (towards dispersion), most for small n.

    **The area decides the answer**: the same points in a larger area look more clustered.
    The default convex hull is the smallest convex region holding every incident; a few
    outlying incidents inflate it. ArcGIS's Average Nearest Neighbor uses the area of the
    minimum enclosing rectangle of the features when no area is given;
    ``study_area="bbox"`` is the axis-aligned bounding box. Pass the real study area (a city or force boundary) when
    you have it.

    **Identical coordinates.** Police data put many incidents on one location (geomasking
    to street segments or snap points, repeat victimisation). Each incident is a point: an
    incident sharing its location with another has nearest-neighbour distance 0, which pulls
    R down. That is real clustering of the recorded incidents, not an error; the number of
    such locations and incidents is in ``params``. To study the pattern of places instead,
    drop duplicates first (``incidents.drop_duplicates("geometry")``).

    Time O(n log n) (a k-d tree query).

    References
    ----------
    Clark, P. J. & Evans, F. C. (1954). Distance to nearest neighbor as a measure of spatial
    relationships in populations. Ecology 35(4), 445–453.

    Donnelly, K. P. (1978). Simulations to determine the variance and edge effect of total
    nearest-neighbour distance. In I. Hodder (ed.), Simulation Studies in Archaeology,
    Cambridge University Press, 91–95.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.stats.pointpattern import nearest_neighbour_index
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> nni = nearest_neighbour_index(inc)
    >>> nni.statistic < 1, nni.pvalue < 0.001, nni.params["n_duplicate_locations"] > 1000
    (True, True, True)
    """
    func = "nearest_neighbour_index"
    if area is not NOT_GIVEN:
        study_area = renamed_parameter(func, "area", "study_area", area, study_area, None)
    alternative = check_alternative(alternative, func=func)
    edge_correction = check_choice(
        edge_correction, "edge_correction", NNI_EDGE_CORRECTIONS, func=func
    )
    analysed = _resolve_area(incidents, study_area, func, allow_number=True)
    x, y, polygon, a = analysed.x, analysed.y, analysed.polygon, analysed.area
    n = len(x)
    if n < 2:
        raise HotspotInputError(
            f"{func} needs at least 2 incidents inside the study area, got {n}: there is no "
            "nearest neighbour to measure."
        )
    xy = np.column_stack([x, y])
    distances, _ = cKDTree(xy).query(xy, k=2)
    nearest = distances[:, 1]
    observed = float(nearest.mean())
    _, counts = np.unique(xy, axis=0, return_counts=True)
    perimeter = None if polygon is None else float(polygon.length)
    if edge_correction is None:
        expected = 0.5 * math.sqrt(a / n)
        se = _CE_SE * math.sqrt(a) / n
    else:
        if perimeter is None:
            raise HotspotInputError(
                f"{func}: edge_correction='donnelly' needs the study area's perimeter; pass "
                "study_area as a polygon (or 'hull' / 'bbox') instead of a number."
            )
        expected = 0.5 * math.sqrt(a / n) + (0.0514 + 0.041 / math.sqrt(n)) * perimeter / n
        se = math.sqrt(0.0703 * a / n**2 + 0.037 * perimeter * math.sqrt(a / n**5))
    ratio = observed / expected
    z = (observed - expected) / se
    params = {
        "method": func,
        "period": analysed.period,
        "rng_seed": None,
        "alternative": alternative,
        "n": n,
        "n_outside": analysed.outside,
        "area_m2": a,
        "area_source": analysed.note,
        "perimeter_m": perimeter,
        "edge_correction": edge_correction,
        "observed_mean_distance": observed,
        "expected_mean_distance": expected,
        "standard_error": se,
        "n_duplicate_locations": int((counts > 1).sum()),
        "n_at_shared_locations": int(counts[counts > 1].sum()),
        "study_area": polygon,
    }
    return GlobalTest(
        name="Clark–Evans nearest-neighbour index",
        statistic=float(ratio),
        expected=1.0,
        z=float(z),
        pvalue=float(normal_pvalue(z, alternative)),
        alternative=alternative,
        variance=float((se / expected) ** 2),
        params=params,
        permutations=0,
    )


# =============================================================================== Ripley


class _Window:
    """A study-area polygon with what the K estimators need: its boundary segments in a
    spatial index, distances to the boundary, Ripley's isotropic weights, uniform points."""

    def __init__(self, polygon: shapely.Geometry) -> None:
        self.polygon = polygon
        shapely.prepare(polygon)
        self.area = float(polygon.area)
        rings = shapely.get_rings(shapely.get_parts(polygon))
        segments = []
        for ring in rings:
            c = shapely.get_coordinates(ring)
            segments.append(np.column_stack([c[:-1], c[1:]]))
        seg = np.concatenate(segments)
        seg = seg[(seg[:, 0] != seg[:, 2]) | (seg[:, 1] != seg[:, 3])]
        self.segments = seg  # x0, y0, x1, y1
        self.tree = shapely.STRtree(shapely.linestrings(seg.reshape(-1, 2, 2)))

    def boundary_distance(self, xy: np.ndarray) -> np.ndarray:
        """Distance from each point to the window's boundary (0 on it)."""
        seg = self.segments
        if len(seg) > _DENSE_SEGMENTS:
            idx, dist = self.tree.query_nearest(
                shapely.points(xy), return_distance=True, all_matches=False
            )
            out = np.empty(len(xy))
            out[idx[0]] = dist
            return out
        out = np.empty(len(xy))
        dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
        qa = dx * dx + dy * dy
        step = max(1, 2_000_000 // len(seg))
        for lo in range(0, len(xy), step):
            px = xy[lo : lo + step, 0, None] - seg[:, 0]
            py = xy[lo : lo + step, 1, None] - seg[:, 1]
            t = np.clip((px * dx + py * dy) / qa, 0.0, 1.0)
            px -= t * dx
            py -= t * dy
            out[lo : lo + step] = np.sqrt((px * px + py * py).min(axis=1))
        return out

    def uniform(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n points uniform in the window (rejection sampling from the bounding box)."""
        minx, miny, maxx, maxy = self.polygon.bounds
        fill = self.area / ((maxx - minx) * (maxy - miny))
        chunks, got = [], 0
        while got < n:
            m = int(1.2 * (n - got) / fill) + 64
            px = rng.uniform(minx, maxx, m)
            py = rng.uniform(miny, maxy, m)
            keep = shapely.contains_xy(self.polygon, px, py)
            chunks.append(np.column_stack([px[keep], py[keep]]))
            got += int(keep.sum())
        return np.concatenate(chunks)[:n]

    def inside_fraction(self, centres: np.ndarray, which: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Fraction of the circumference of the circle of radius ``r[p]`` around
        ``centres[which[p]]`` that lies inside the window, for each p (exact, by crossing
        the circle with the boundary segments)."""
        out = np.empty(len(r))
        if not len(r):
            return out
        c_idx, e_idx = self.tree.query(
            shapely.points(centres), predicate="dwithin", distance=float(r.max())
        )
        order = np.argsort(c_idx, kind="stable")
        c_idx, e_idx = c_idx[order], e_idx[order]
        start = np.searchsorted(c_idx, np.arange(len(centres)))
        count = np.bincount(c_idx, minlength=len(centres))
        for lo in range(0, len(r), _PAIR_CHUNK):
            hi = min(lo + _PAIR_CHUNK, len(r))
            out[lo:hi] = self._fraction_chunk(
                centres[which[lo:hi]], r[lo:hi], start[which[lo:hi]], count[which[lo:hi]], e_idx
            )
        return out

    def _fraction_chunk(
        self,
        centre: np.ndarray,
        r: np.ndarray,
        start: np.ndarray,
        count: np.ndarray,
        edges: np.ndarray,
    ) -> np.ndarray:
        m = len(r)
        # Every (circle, candidate boundary segment) combination, as flat arrays.
        pair = np.repeat(np.arange(m), count)
        pos = np.repeat(start - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
        seg = self.segments[edges[pos]]
        fx, fy = seg[:, 0] - centre[pair, 0], seg[:, 1] - centre[pair, 1]
        dx, dy = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
        qa = dx * dx + dy * dy
        # Keep the segments that reach into the disc (closest point within r).
        t = np.clip(-(fx * dx + fy * dy) / qa, 0.0, 1.0)
        ex, ey = fx + t * dx, fy + t * dy
        rr = r[pair]
        near = ex * ex + ey * ey <= rr * rr
        pair, fx, fy, dx, dy, qa, rr = (v[near] for v in (pair, fx, fy, dx, dy, qa, rr))
        n_near = np.bincount(pair, minlength=m)
        qb = 2.0 * (fx * dx + fy * dy)
        disc = qb * qb - 4.0 * qa * (fx * fx + fy * fy - rr * rr)
        real = disc >= 0
        root = np.sqrt(np.where(real, disc, 0.0))
        t1 = (-qb - root) / (2.0 * qa)
        t2 = (-qb + root) / (2.0 * qa)
        fraction = np.ones(m)
        # Common case: one segment enters the disc and the circle crosses it twice, so the
        # arc beyond its line, of half-angle acos(h / r), is outside and the rest inside.
        single = real & (n_near[pair] == 1) & (t1 > 0.0) & (t2 < 1.0)
        h = np.abs(fx[single] * dy[single] - fy[single] * dx[single]) / np.sqrt(qa[single])
        fraction[pair[single]] = 1.0 - np.arccos(np.minimum(h / rr[single], 1.0)) / np.pi
        done = np.zeros(m, dtype=bool)
        done[pair[single]] = True
        rest = ~done[pair]
        if rest.any():
            fraction_rest = self._crossings(
                centre,
                r,
                pair[rest],
                fx[rest],
                fy[rest],
                dx[rest],
                dy[rest],
                real[rest],
                t1[rest],
                t2[rest],
                m,
            )
            todo = ~done
            fraction[todo] = fraction_rest[todo]
        return fraction

    def _crossings(
        self,
        centre: np.ndarray,
        r: np.ndarray,
        pair: np.ndarray,
        fx: np.ndarray,
        fy: np.ndarray,
        dx: np.ndarray,
        dy: np.ndarray,
        real: np.ndarray,
        t1: np.ndarray,
        t2: np.ndarray,
        m: int,
    ) -> np.ndarray:
        """The general case: sort the crossings of each circle with the boundary by angle
        and test the middle of each arc between consecutive crossings."""
        eps = 1e-12
        crossing_pair, crossing_angle = [], []
        for t in (t1, t2):
            ok = real & (t >= -eps) & (t <= 1.0 + eps)
            crossing_pair.append(pair[ok])
            crossing_angle.append(np.arctan2(fy[ok] + t[ok] * dy[ok], fx[ok] + t[ok] * dx[ok]))
        cp = np.concatenate(crossing_pair)
        ca = np.mod(np.concatenate(crossing_angle), 2.0 * np.pi)
        inside_length = np.zeros(m)
        crossed = np.zeros(m, dtype=bool)
        if len(cp):
            order = np.argsort(cp * 8.0 + ca)  # by circle, then angle (< 2 pi < 8)
            cp, ca = cp[order], ca[order]
            first = np.r_[True, cp[1:] != cp[:-1]]
            last = np.r_[cp[1:] != cp[:-1], True]
            following = np.empty_like(ca)
            following[:-1] = ca[1:]
            following[last] = ca[first] + 2.0 * np.pi
            span = following - ca
            middle = ca + span / 2.0
            px = centre[cp, 0] + r[cp] * np.cos(middle)
            py = centre[cp, 1] + r[cp] * np.sin(middle)
            inside = shapely.contains_xy(self.polygon, px, py)
            inside_length = np.bincount(cp, weights=span * inside, minlength=m)
            crossed[cp] = True
        fraction = inside_length / (2.0 * np.pi)
        # A circle that crosses no boundary segment is wholly inside or wholly outside.
        whole = ~crossed
        if whole.any():
            fraction[whole] = shapely.contains_xy(
                self.polygon, centre[whole, 0] + r[whole], centre[whole, 1]
            ).astype(float)
        return fraction


def _k_estimate(
    xy: np.ndarray, window: _Window, distances: np.ndarray, correction: str
) -> np.ndarray:
    """Ripley's K at ``distances`` for the points ``xy`` in ``window``.

    Identical locations are merged into one tree point weighted by its multiplicity, so the
    cost depends on the number of distinct locations.
    """
    n = len(xy)
    loc, counts = np.unique(xy, axis=0, return_counts=True)
    w = counts.astype(float)
    tree = cKDTree(loc)
    if correction == "border":
        b = window.boundary_distance(loc)
        # A location contributes at the distances r <= its distance to the boundary.
        group = np.searchsorted(distances, b, side="right")
        numerator = np.zeros(len(distances))
        denominator = np.zeros(len(distances))
        for k in np.unique(group[group > 0]):
            sub = group == k
            ws = w[sub]
            pairs = cKDTree(loc[sub]).count_neighbors(tree, distances[:k], weights=(ws, w))
            numerator[:k] += pairs - ws.sum()
            denominator[:k] += ws.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return numerator * window.area / (n * denominator)
    pairs = tree.count_neighbors(tree, distances, weights=(w, w)) - n
    if correction == "isotropic":
        pairs = pairs + _isotropic_excess(loc, w, tree, window, distances)
    return pairs * window.area / (n * (n - 1))


def _isotropic_excess(
    loc: np.ndarray, w: np.ndarray, tree: cKDTree, window: _Window, distances: np.ndarray
) -> np.ndarray:
    """``sum (e_ij - 1) w_i w_j`` over the location pairs within each distance whose circle
    leaves the window (``d_ij > b_i``); the other pairs have weight 1."""
    rmax = float(distances[-1])
    b = window.boundary_distance(loc)
    near = np.flatnonzero(b < rmax)
    by_bin = np.zeros(len(distances) + 1)
    if not len(near):
        return by_bin[:-1]
    # Enumerate the pairs a bounded number at a time: split the centres near the boundary
    # into groups by their number of neighbours within rmax.
    found = tree.query_ball_point(loc[near], rmax, return_length=True)
    group = np.cumsum(found) // _PAIR_CHUNK
    for g in np.unique(group):
        centres = near[group == g]
        pairs = cKDTree(loc[centres]).sparse_distance_matrix(tree, rmax, output_type="ndarray")
        i, j, d = pairs["i"], pairs["j"], pairs["v"]
        leaves = d > b[centres[i]]
        i, j, d = i[leaves], j[leaves], d[leaves]
        fraction = window.inside_fraction(loc[centres], i, d)
        with np.errstate(divide="ignore"):
            weight = np.minimum(1.0 / fraction, MAX_WEIGHT)
        excess = w[centres[i]] * w[j] * (weight - 1.0)
        # A pair at distance d counts at every distance >= d: bin by the first such distance.
        by_bin += np.bincount(
            np.searchsorted(distances, d, side="left"), weights=excess, minlength=len(by_bin)
        )
    return np.cumsum(by_bin)[:-1]


def _check_distances(distances: Any, func: str) -> np.ndarray:
    example = "e.g. [100, 250, 500]"
    if isinstance(distances, str) or not isinstance(
        distances, Sequence | np.ndarray | pd.Series | pd.Index | numbers.Real
    ):
        raise HotspotInputError(
            f"{func}: distances={distances!r} must be a list or array of distances in metres, "
            f"{example}."
        )
    try:
        d = np.atleast_1d(np.asarray(distances, dtype=float))
    except (TypeError, ValueError):
        raise HotspotInputError(
            f"{func}: distances={distances!r} must be numbers of metres, {example}."
        ) from None
    if d.ndim != 1 or not len(d):
        raise HotspotInputError(
            f"{func}: distances={distances!r} must be a non-empty 1-D list of metres, {example}."
        )
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise HotspotInputError(
            f"{func}: distances must be positive finite numbers of metres, got {d.tolist()[:5]}."
        )
    return np.unique(d)


def _check_envelope(envelope: Any, func: str) -> str | float:
    if isinstance(envelope, str) and envelope == "minmax":
        return envelope
    if (
        isinstance(envelope, numbers.Real)
        and not isinstance(envelope, bool)
        and 0 < float(envelope) < 1
    ):
        return float(envelope)
    raise HotspotInputError(
        f"{func}: envelope={envelope!r} is not 'minmax' or a level in (0, 1), e.g. 0.95."
    )


def ripley(
    incidents: gpd.GeoDataFrame,
    distances: Sequence[float] | np.ndarray,
    *,
    study_area: Any = None,
    edge_correction: str = "auto",
    permutations: int = 99,
    envelope: str | float = "minmax",
    alternative: str = "two-sided",
    max_points: int | None = MAX_POINTS,
    rng: None | int | np.random.Generator = None,
    quiet: bool = False,
    area: Any = NOT_GIVEN,
) -> SeriesTest:
    """Ripley's K and L functions with a simulation envelope under complete spatial
    randomness (CSR).

    Until release 0.2 this returned the table itself; ``result["l"]`` and the like still read
    the table, with a ``FutureWarning``.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres (from :func:`hotspot.read_incidents`).
    distances : sequence of float
        Distances d in metres at which K is estimated (sorted, duplicates dropped).
    study_area : {"hull", "bbox"}, polygon, GeoSeries, GeoDataFrame or path, default="hull"
        The study area (see :func:`nearest_neighbour_index`); its shape is needed for the
        edge correction and the simulations, so a bare number is refused. Incidents outside
        a given polygon are left out with a warning.
    edge_correction : {"auto", "isotropic", "border", "none"}, default="auto"
        How pairs near the boundary are counted; see Notes. ``"auto"``: ``"isotropic"`` for
        at most 3,000 analysed incidents, ``"border"`` above (as spatstat's ``Kest``), announced
        and recorded.
    permutations : int, default=99
        Number of CSR patterns simulated for the envelope and ``pvalue_sim`` (0: none). 99
        where the statistics on cells default to 999: each simulated pattern costs as much as
        the data's own K (seconds on real data), and 99 is spatstat's usual envelope.
    envelope : "minmax" or float, default="minmax"
        ``"minmax"``: the pointwise minimum and maximum of the simulated L (with 99
        simulations, a pointwise two-sided test at the 2 % level); a float q in (0, 1): the
        pointwise ``(1 - q) / 2`` and ``(1 + q) / 2`` quantiles of the simulated L.
    alternative : {"two-sided", "greater", "less"}, default="two-sided"
        For ``pvalue_sim``: ``"greater"`` tests for clustering (L above CSR), ``"less"`` for
        regularity.
    max_points : int or None, default=20000
        Above this many incidents a uniform random subsample of this size (without
        replacement) is analysed, with a :class:`~hotspot.errors.HotspotWarning`. ``None``
        analyses every incident.
    rng : None, int or numpy.random.Generator
        Seed for the subsample and the simulations.
    quiet : bool, default=False
        Do not announce the edge correction chosen by ``"auto"``.
    area : deprecated
        The old name of ``study_area`` (a ``FutureWarning``; it stops working in 0.3).

    Returns
    -------
    SeriesTest
        Series indexed by ``distance`` (metres): ``statistic`` is L, ``expected`` is L under
        CSR (= d), ``z`` is NaN (there is no analytical test) and ``pvalue`` the simulation
        p-value (NaN without simulations); ``permutations`` is the number of simulations.
        ``table`` (indexed by ``distance``) has the columns ``k`` (m²), ``l`` = sqrt(K / pi)
        (m), ``l_minus_d``, ``k_csr`` = pi d² (K under CSR), ``l_low`` and ``l_high`` (the
        envelope of L from the simulations) and ``pvalue_sim``. ``params`` holds ``method``
        (``"ripley"``), ``period`` (of the incidents analysed), ``rng_seed``, ``n``,
        ``n_input``, ``n_outside``, ``subsampled``, ``n_locations``, ``area_m2``,
        ``area_source``, ``edge_correction``, ``permutations``, ``envelope``,
        ``alternative``, ``max_points``, ``seed`` (as ``rng_seed``) and ``study_area``; the
        table's ``attrs["hotspot"]["ripley"]`` holds the same record.

    Notes
    -----
    With n incidents in a window W of area A, the estimate is
    ``K(d) = A / (n (n - 1)) * sum_i sum_{j != i} e_ij 1(d_ij <= d)``, and
    ``L(d) = sqrt(K(d) / pi)``; under CSR, K(d) = pi d² and L(d) = d, so ``l_minus_d > 0``
    means more pairs within d than random (clustering) and ``< 0`` fewer (regularity).
    Incidents on the same location are pairs at distance 0 (counted at every d).

    Edge corrections (Baddeley, Rubak & Turner 2015, ch. 7.4; the same estimators as
    spatstat's ``Kest``):

    - ``"isotropic"`` (Ripley 1976): ``e_ij = 2 pi d_ij / (length of the circle of radius
      d_ij around i inside W)``, computed exactly for any polygon (with holes) by crossing the
      circle with the boundary segments, and capped at 100 as in spatstat. Pairs at distance
      0 have weight 1.
    - ``"border"`` (reduced sample): only incidents at least d from the boundary are centres:
      ``K(d) = A / n * sum_{i: b_i >= d} #{j != i: d_ij <= d} / #{i: b_i >= d}`` with b_i the
      distance from i to the boundary (NaN when no incident is that far inside).
    - ``"none"``: ``e_ij = 1``; K is biased low near the boundary. The simulated envelope has
      the same bias, so the comparison with CSR stays fair.

    ``pvalue_sim`` at each distance is ``(1 + #{simulated L as or more extreme}) / (1 +
    permutations)``; two-sided, "extreme" is the distance from the mean of the simulated L.
    These are pointwise: checking many distances at once is a multiple test (Baddeley et al.
    2014 explain the global envelope tests). The CSR patterns have the same number of points
    as the data, uniform in the same window.

    **Cost.** Identical locations are merged and weighted, so the data's K costs what its
    distinct locations cost. Pair counts use scipy's dual-tree ``cKDTree.count_neighbors``,
    roughly O(n log n + pairs within the largest d); the isotropic correction also visits
    every pair (i, j) with ``b_i < d_ij <= max(d)``, i.e. around the points near the boundary,
    so its cost grows as n² max(d)³. Each simulated pattern costs about as much as the data.
    Measured (2 cores) on Toronto's 240,992 incidents in their convex hull (680 km²), ten
    distances up to 1 km, 99 simulations of the default 20,000-point subsample: 16 s with
    ``"border"``, 27 s with ``"isotropic"``, 12 s with ``"none"``; without subsampling one
    simulated pattern of 240,992 points takes about 7 s. K is unchanged by independent random
    thinning, so a subsample estimates the same K with more noise; hence ``max_points``.

    References
    ----------
    Ripley, B. D. (1976). The second-order analysis of stationary point processes. Journal of
    Applied Probability 13(2), 255–266.

    Baddeley, A., Rubak, E. & Turner, R. (2015). Spatial Point Patterns: Methodology and
    Applications with R. Chapman & Hall/CRC.

    Baddeley, A., Diggle, P. J., Hardegen, A., Lawrence, T., Milne, R. K. & Nair, G. (2014).
    On tests of spatial pattern based on simulation envelopes. Ecological Monographs 84(3),
    477–489.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.stats.pointpattern import ripley
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> robbery = inc[inc["category"] == "Robbery"]
    >>> k = ripley(robbery, [250, 500, 1000], permutations=19, rng=0, quiet=True)
    >>> bool((k.statistic > k.table["l_high"]).all())  # clustered at every distance
    True
    >>> k.method, k.permutations
    ('ripley', 19)
    """
    func = "ripley"
    if area is not NOT_GIVEN:
        study_area = renamed_parameter(func, "area", "study_area", area, study_area, None)
    alternative = check_alternative(alternative, func=func)
    edge_correction = check_choice(
        edge_correction, "edge_correction", RIPLEY_EDGE_CORRECTIONS, func=func
    )
    permutations = check_permutation_count(permutations, func=func)
    if max_points is not None:
        max_points = check_integer(max_points, "max_points", minimum=3, example="20000", func=func)
    envelope = _check_envelope(envelope, func)
    generator, seed = check_rng(rng, func=func)
    d = _check_distances(distances, func)
    check_permutations(permutations, len(d), 16, what=f"Ripley's L at {len(d)} distances")
    analysed = _resolve_area(incidents, study_area, func, allow_number=False)
    polygon = analysed.polygon
    n_input = len(analysed.x)
    if n_input < 3:
        raise HotspotInputError(
            f"{func} needs at least 3 incidents inside the study area, got {n_input}."
        )
    xy = np.column_stack([analysed.x, analysed.y])
    subsampled = max_points is not None and n_input > max_points
    if subsampled:
        xy = xy[np.sort(generator.choice(n_input, size=max_points, replace=False))]
        warnings.warn(
            f"{func}: {n_input:,} incidents is more than max_points={max_points:,}; K is "
            f"estimated from a random subsample of {max_points:,} (K is unchanged by random "
            "thinning, but noisier). Pass max_points=None to use every incident (slower), "
            "or a larger max_points.",
            HotspotWarning,
            stacklevel=2,
        )
    n = len(xy)
    if edge_correction == "auto":
        edge_correction = "isotropic" if n <= AUTO_ISOTROPIC_MAX else "border"
        announce(
            f"edge_correction='auto': using {edge_correction!r} for {n:,} incidents "
            f"(isotropic up to {AUTO_ISOTROPIC_MAX:,}, border above); pass edge_correction= "
            "to choose",
            quiet=quiet,
        )
    window = _Window(polygon)
    k = _k_estimate(xy, window, d, edge_correction)
    l_obs = np.sqrt(k / np.pi)
    low = np.full(len(d), np.nan)
    high = np.full(len(d), np.nan)
    pvalue = np.full(len(d), np.nan)
    if permutations:
        sims = np.empty((permutations, len(d)))
        for s in range(permutations):
            sims[s] = _k_estimate(window.uniform(n, generator), window, d, edge_correction)
        l_sim = np.sqrt(sims / np.pi)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (border)
            if envelope == "minmax":
                low, high = np.nanmin(l_sim, axis=0), np.nanmax(l_sim, axis=0)
            else:
                q = (1.0 - envelope) / 2.0
                low, high = np.nanquantile(l_sim, [q, 1.0 - q], axis=0)
            centre = np.nanmean(l_sim, axis=0)
        pvalue = np.asarray(simulation_pvalue(l_obs, l_sim.T, centre, alternative), dtype=float)
        pvalue[np.isnan(l_obs)] = np.nan
    frame = pd.DataFrame(
        {
            "k": k,
            "l": l_obs,
            "l_minus_d": l_obs - d,
            "k_csr": np.pi * d**2,
            "l_low": low,
            "l_high": high,
            "pvalue_sim": pvalue,
        },
        index=pd.Index(d, name="distance"),
    )
    record = {
        "n": n,
        "n_input": n_input,
        "n_outside": analysed.outside,
        "subsampled": subsampled,
        "n_locations": len(np.unique(xy, axis=0)),
        "area_m2": window.area,
        "area_source": analysed.note,
        "edge_correction": edge_correction,
        "permutations": permutations,
        "envelope": envelope,
        "alternative": alternative,
        "max_points": max_points,
        "seed": seed,
        "study_area": polygon,
    }
    frame.attrs["hotspot"] = {
        "kind": "ripley",
        "method": func,
        "period": analysed.period,
        "ripley": record,
        "rng_seed": seed,
    }
    index = frame.index

    def series(values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(np.asarray(values, dtype=float), index=index, name=name)

    return SeriesTest(
        name="Ripley's L",
        statistic=series(l_obs, "l"),
        expected=series(d, "l_csr"),
        z=series(np.full(len(d), np.nan), "z"),
        pvalue=series(pvalue, "pvalue_sim"),
        alternative=alternative,
        permutations=permutations,
        table=frame,
        params={"method": func, "period": analysed.period, "rng_seed": seed, **record},
    )

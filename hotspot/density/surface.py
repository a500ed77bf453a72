"""Kernel density surfaces of incidents (:func:`kde`) and dual-kernel ratio surfaces
(:func:`dual_kde`).

:func:`kde` turns incidents into a density in incidents per km²: a raster surface (an
``xarray.DataArray`` ready for a GeoTIFF) or a ``kde_density`` column on cells the user gives.
:func:`dual_kde` divides two densities on the same grid (e.g. burglaries per dwelling). The
bandwidth rules are in :mod:`hotspot.density.bandwidth`, the choice of engine (binned FFT
lattice or direct k-d tree sum) in :mod:`hotspot.density._engine`, the raster in
:mod:`hotspot.density._raster`; surfaces are used by :mod:`hotspot.density.cells` and
:mod:`hotspot.density.geotiff`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xarray as xr

from hotspot._messages import announce
from hotspot._period import context_of
from hotspot._result import stamp
from hotspot._validate import (
    NOT_GIVEN,
    check_cells,
    check_incident_weights,
    check_incidents,
    check_same_crs,
    check_study_area,
    incident_xy,
    renamed_parameter,
)
from hotspot.density._engine import M2_PER_KM2, Smoothing, cells_density
from hotspot.density._kernels import peak_density
from hotspot.density._raster import raster_density, surface_array

# kde_bandwidth, density_hotspots, density_to_cells, GeoTiffArray and surface_to_geotiff_array
# moved to modules of their own when this one was split; they stay importable from here for
# code written before (hotspot/__init__.py), as does M2_PER_KM2 (hotspot.disclosure). New code
# imports them from hotspot.density.
from hotspot.density.bandwidth import check_kernel, choose_bandwidth, kde_bandwidth  # noqa: F401
from hotspot.density.cells import density_hotspots, density_to_cells  # noqa: F401
from hotspot.density.geotiff import GeoTiffArray, surface_to_geotiff_array  # noqa: F401
from hotspot.errors import HotspotInputError

__all__ = ["dual_kde", "kde"]

_UNITS = "incidents per km²"


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------


def _incident_weights(
    points: gpd.GeoDataFrame, weights: Any, *, name: str, func: str, what: str = "incident"
) -> tuple[np.ndarray, str | None]:
    """One weight per point (:func:`hotspot._validate.check_incident_weights`), all ones for
    None, refusing weights that are all zero."""
    values, note = check_incident_weights(points, weights, func=func, name=name, what=what)
    if values is None:
        return np.ones(len(points)), None
    if not values.sum() > 0:
        raise HotspotInputError(f"{func}: {name} sum to zero: there is no mass to spread.")
    return values, note


def _study_area(
    study_area: Any, crs: Any, edge_correction: object, *, func: str
) -> shapely.Geometry | None:
    if not isinstance(edge_correction, bool | np.bool_):
        raise HotspotInputError(
            f"{func}: edge_correction={edge_correction!r} must be True or False."
        )
    if study_area is None:
        if edge_correction:
            raise HotspotInputError(
                f"{func}: edge_correction=True needs the edge: pass study_area= (a polygon, "
                "GeoSeries, GeoDataFrame or the path of a polygon file)."
            )
        return None
    return check_study_area(study_area, crs, func=func)


def _check_cells_for(
    points: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, cell_size: Any, names: tuple, func: str
) -> None:
    check_cells(cells)
    check_same_crs(points, cells, names)
    if cell_size is not None:
        raise HotspotInputError(
            f"{func}: cell_size= sets the raster's cells; with cells= the density is evaluated "
            "at each of those cells' centroids. Pass one of them."
        )


def _record(spec: Smoothing, bw_record: dict, weights_note: str | None, n: int) -> dict:
    return {
        "kernel": spec.kernel,
        "bandwidth": spec.h,
        "bandwidth_rule": bw_record["rule"],
        "bandwidth_detail": bw_record["detail"],
        "kernel_sd": spec.sd,
        "support_radius": spec.radius,
        "incident_weights": weights_note,
        "weights": weights_note,  # the name hotspot.disclosure reads; see incident_weights
        "incidents": n,
        "total_weight": float(spec.w.sum()),
        "units": _UNITS if weights_note is None else f"weight ({weights_note}) per km²",
    }


def _context(incidents: gpd.GeoDataFrame) -> tuple[dict | None, dict]:
    """The period of the incidents, and their place labels as extra keys for :func:`stamp`."""
    context = context_of(incidents)
    places = {"places": context["places"]} if context.get("places") else {}
    return context.get("period"), places


def _fresh(frame: Any) -> Any:
    """``frame`` with an ``attrs`` dict of its own, so that stamping it leaves the input's
    alone (a copy's attrs may be the same dict)."""
    frame.attrs = dict(frame.attrs)
    return frame


# --------------------------------------------------------------------------------------------
# kernel density
# --------------------------------------------------------------------------------------------


def kde(
    incidents: gpd.GeoDataFrame,
    *,
    cells: gpd.GeoDataFrame | None = None,
    cell_size: float | None = None,
    bandwidth: float | str | None = None,
    kernel: str = "quartic",
    incident_weights: str | np.ndarray | pd.Series | None = None,
    study_area: Any = None,
    edge_correction: bool = False,
    quiet: bool = False,
    weights: Any = NOT_GIVEN,
) -> xr.DataArray | gpd.GeoDataFrame:
    """Kernel density of incidents, in incidents per km².

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres, e.g. from :func:`hotspot.read_incidents`.
    cells : GeoDataFrame, optional
        Polygons (:func:`hotspot.square_grid`, :func:`hotspot.hex_grid`, beats, LSOAs…). When
        given, the result is a copy of them with a ``kde_density`` column: the density at each
        cell's **centroid** (not the cell's average). Otherwise the result is a raster surface.
    cell_size : float, optional
        Side of the raster's square cells in metres (raster only). Default: the smaller of the
        data extent's shorter side / 50 (as :func:`hotspot.square_grid`) and half the kernel's
        standard deviation, rounded down to 1, 2, 2.5 or 5 x 10^k, and raised to the next
        round number while the raster would exceed 4 million cells; announced and recorded.
    bandwidth : float or {"nn", "scott", "silverman"}, optional
        Metres: the radius of the kernel's disc, or the standard deviation for
        ``kernel="gaussian"``. A rule name computes it from the incidents (see Notes); default
        ``"nn"``. The value and how it was obtained are announced and recorded.
    kernel : {"quartic", "gaussian", "epanechnikov", "triangular", "uniform"}, default="quartic"
        The quartic (biweight) kernel is the crime analysts' default (ArcGIS's Kernel Density
        uses it).
    incident_weights : str or array-like, optional
        A column name or one non-negative number per incident (severity, value stolen…); each
        incident counts that many times. Units become weight per km². (``weights`` elsewhere
        in hotspot means neighbours.)
    study_area : polygon, GeoSeries, GeoDataFrame or path, optional
        Raster nodes / cell centroids outside it are NaN, and the raster covers its bounds.
        Incidents outside it still contribute near its edge. A shapely polygon is taken to be
        in the incidents' CRS; frames and polygon files (the path, str or
        :class:`pathlib.Path`, of a GeoPackage, GeoJSON, Shapefile…, which needs a CRS) are
        reprojected. A grid's study area is ``cells.attrs["hotspot"]["study_area"]``.
    edge_correction : bool, default=False
        Divide the density at each node by the share of its kernel that falls inside the study
        area (Diggle's correction; at most x10), so that the edge of the study area does not
        look safer than it is. Needs ``study_area``. Not applied by default: it is right where
        crime beyond the edge happens but is not recorded (a force boundary), wrong where
        nothing can happen beyond it (a coast), and it changes the surface's total.
    quiet : bool, default=False
        Do not announce the automatic choices.
    weights : str or array-like, optional
        The old name of ``incident_weights``; it still works, with a ``FutureWarning``, until
        release 0.3.

    Returns
    -------
    xarray.DataArray or GeoDataFrame
        Without ``cells``: a DataArray named ``kde_density`` with dims ``("y", "x")`` holding
        the density at the cell centres, ``y`` descending (north up, as in a GeoTIFF), NaN
        outside the study area. ``attrs``: ``crs`` (WKT), ``transform`` (the affine
        ``(cell, 0, left, 0, -cell, top)`` of rasterio and the ``affine`` package; GDAL's
        geotransform is ``(left, cell, 0, top, 0, -cell)``), ``units``, ``kernel``,
        ``bandwidth``, ``bandwidth_rule``, ``cell_size``, ``cell_size_rule`` and, under
        ``attrs["hotspot"]["kde"]``, the full record (method, lattice, incidents in reach, and
        ``mass``, the surface's integral: the incidents it holds inside the raster or study
        area).
        With ``cells``: a copy of them (same index and columns) plus ``kde_density``, the
        record in ``attrs["hotspot"]["kde"]``.
        The two forms differ on purpose: a surface has no rows to join a column to, and cells
        do. Both are stamped (``attrs["hotspot"]``) with method ``"kde"``, kind ``"surface"``
        or ``"cells"``, the incidents' period and place labels; cells keep what they carried
        (their grid, their counts).

    Raises
    ------
    HotspotInputError
        A parameter out of its range (its name and what to pass instead are in the message),
        incidents or cells not in one projected CRS in metres, or a surface too large to
        compute.

    Warns
    -----
    HotspotWarning
        When the bandwidth is smaller than the cell size.

    See Also
    --------
    dual_kde : the ratio of two densities on the same grid.
    density_hotspots : polygons around the densest cells.
    density_to_cells, surface_to_geotiff_array : use the raster elsewhere.

    Notes
    -----
    **Kernels.** With ``u = d / h`` (distance over bandwidth), each kernel integrates to one
    over the plane, so the surface integrates to the number of incidents (or the total weight):
    quartic ``3/π (1-u²)²``, Epanechnikov ``2/π (1-u²)``, triangular ``3/π (1-u)``, uniform
    ``1/π`` for ``u < 1``, divided by ``h²``; Gaussian ``exp(-u²/2) / 2π`` divided by ``σ²``
    (``h = σ``), truncated where the mass left out is below 10⁻⁶ (5.26 σ), not at a fixed kernel
    value (KDEpy's 10⁻⁴ cut-off loses tens of percent with bandwidths in metres). Densities are
    per km² (× 10⁶ the per-m² value).

    **Bandwidth rules.** ``"scott"``: σ = n^(-1/6) s, with s = √((s_x² + s_y²)/2) the pooled
    standard deviation of the coordinates (Scott 1992, d = 2). ``"silverman"``: the same with
    s = min(pooled sd, pooled IQR / 1.349) (the sd when the quartiles coincide), Silverman's (1986, §3.4.2, §4.3.2) scale that resists
    outliers; in two dimensions his normal-reference constant (4/(d+2))^(1/(d+4)) is 1, so the
    two rules differ only there. Both give a Gaussian σ, converted to each kernel by matching
    standard deviations: radius = 2√2 σ (quartic), √6 σ (Epanechnikov), √(20/3) σ (triangular),
    2 σ (uniform). ``"nn"``: the quartic radius is the mean distance from each distinct incident
    location to its 10th nearest distinct location (other kernels: the same standard deviation,
    radius / 2√2). Distinct locations, because crime records pile many incidents on one
    geocoded address, whose nearest-neighbour distances would be zero. This is the
    fixed-bandwidth use of k-nearest-neighbour distances proposed for crime maps by Williamson
    et al. (1998) and used by Chainey & Ratcliffe (2005); CrimeStat's own KDE routine (Levine,
    CrimeStat IV, ch. 10 "Kernel Density Interpolation") offers a fixed interval or an adaptive
    one holding a minimum number of incidents, and computes the mean nearest-neighbour
    distance in its distance-analysis routines; the rule here is the fixed analogue, not a
    CrimeStat option. Rules use the incident locations only, not the weights.

    **Why "nn" is the default.** Scott's and Silverman's rules are optimal for one Gaussian
    blob; crime is many small clusters, and they over-smooth it: on the Toronto data they give
    a 2.6 km quartic radius that merges street-level hot spots into a city-wide smear (ArcGIS's
    "spatial Silverman" default gives 0.74 km). The "nn" rule follows the spacing of the
    incidents (0.29 km on Toronto): a kernel reaches about ten neighbouring locations, the
    street-to-neighbourhood scale at which patrols and problem-solving are planned. Use
    ``"scott"`` for a smooth city-wide picture, or a number to match a previous map.

    **Computation.** The raster is computed on a lattice (Wand 1994): linear binning (each
    incident shared between the four nodes around it), FFT convolution with zero padding, a
    second-order correction of the binning error (third-order too for a coarse Gaussian), and
    exact kernel values in the lattice cells a compact kernel's edge crosses. The values are the
    kernel sum itself, within 1 % of a direct kernel sum wherever the density is above 1 % of its
    maximum (exact to rounding for the uniform and Epanechnikov kernels). The discrete kernel is
    not renormalised to sum to one: that would shift every value by the lattice's Riemann error
    (up to a few percent for the uniform kernel on coarse cells); instead ``sum × cell area``
    equals the incident count to that error, well under 1 %, recorded as ``mass``. If the cells
    are too coarse for the kernel, the lattice is refined by an odd factor (cell centres stay
    nodes) or the kernel is summed directly at the centres, whichever is cheaper. With
    ``cells`` the kernel is summed directly at the centroids (a k-d tree over the distinct
    locations), or, for a :func:`hotspot.square_grid` when cheaper, computed on the lattice of
    its centroids; other cells beyond 150 million (location, centroid) pairs are interpolated
    from a fine lattice (within about 1 %), which is announced. The method is recorded.
    Time: O(N log N) for N lattice nodes plus O(distinct locations × bandwidth / cell) for the
    edge values (0.2 s for the 241k Toronto incidents on 1000 x 1000 cells). The raster covers
    the data plus three bandwidths (or the Gaussian's 5.26 σ), so nothing leaks. At most 16
    million cells.

    **Edges.** By default nothing corrects for the study area's edge: near a coast or boundary
    the density is lower because nothing is recorded beyond it.

    References
    ----------
    Scott, D. W. (1992). *Multivariate Density Estimation*. Wiley.
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*. Chapman & Hall.
    Williamson, D., McLafferty, S., Goldsmith, V., Mollenkopf, J., McGuire, P. (1998). Smoothing
    crime incident data: new methods for determining the bandwidth in kernel estimation. ESRI
    User Conference.
    Chainey, S., Ratcliffe, J. (2005). *GIS and Crime Mapping*. Wiley.
    Levine, N. (2013). CrimeStat IV, chapter 10: Kernel density interpolation. NIJ.
    Wand, M. P. (1994). Fast computation of multivariate kernel estimators. *JCGS* 3(4).
    Diggle, P. J. (1985). A kernel method for smoothing point process data. *Applied Statistics*.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=1000, cell_size=250, quiet=True)
    >>> surface.name, surface.dims, surface.attrs["units"]
    ('kde_density', ('y', 'x'), 'incidents per km²')
    >>> round(float(surface.sum()) * 0.25**2)  # integrates to the number of incidents
    83577
    >>> hexes = hs.kde(inc, cells=hs.hex_grid(inc, 1000, quiet=True), bandwidth=1000, quiet=True)
    >>> hexes[["hex_q", "hex_r", "kde_density"]].columns.tolist()
    ['hex_q', 'hex_r', 'kde_density']
    """
    if weights is not NOT_GIVEN:  # the old name: warns (an error with the new one too)
        incident_weights = renamed_parameter(
            "kde", "weights", "incident_weights", weights, incident_weights, None
        )
    check_incidents(incidents)
    kernel = check_kernel(kernel, func="kde")
    x, y = incident_xy(incidents)
    w, weights_note = _incident_weights(
        incidents, incident_weights, name="incident_weights", func="kde"
    )
    area = _study_area(study_area, incidents.crs, edge_correction, func="kde")
    if cells is not None:
        _check_cells_for(incidents, cells, cell_size, ("incidents", "cells"), "kde")
    h, bw_record = choose_bandwidth(x, y, bandwidth, kernel, quiet=quiet, func="kde")
    spec = Smoothing(x, y, w, kernel, h)
    record = _record(spec, bw_record, weights_note, len(incidents))
    record["study_area"] = "given" if area is not None else None
    record["edge_correction"] = bool(edge_correction)
    period, places = _context(incidents)
    if cells is not None:
        values, method = cells_density(spec, cells, area, edge_correction, quiet)
        out = _fresh(cells.copy())
        if "kde_density" in out.columns:
            announce("cells already had a 'kde_density' column; it was replaced", quiet=quiet)
        out["kde_density"] = values
        record.update(method)
        record["evaluated_at"] = "cell centroids"
        return stamp(
            out, kind="cells", method="kde", params=record, source=cells, period=period, **places
        )
    values, grid, method = raster_density(spec, cell_size, area, edge_correction, quiet, func="kde")
    record.update(method)
    record["cell_size"] = grid["cell_size"]
    record["cell_size_rule"] = grid["cell_size_rule"]
    record["extent"] = grid["extent"]
    record["evaluated_at"] = "cell centres"
    record["mass"] = float(np.nansum(values)) * grid["cell_size"] ** 2 / M2_PER_KM2
    surface = surface_array(values, grid, incidents.crs, record, "kde_density")
    return stamp(surface, kind="surface", method="kde", params=record, period=period, **places)


# --------------------------------------------------------------------------------------------
# dual kernel density
# --------------------------------------------------------------------------------------------


def dual_kde(
    numerator: gpd.GeoDataFrame,
    denominator: gpd.GeoDataFrame,
    *,
    bandwidth: float | str | None = None,
    cell_size: float | None = None,
    kernel: str = "quartic",
    min_denominator: float | None = None,
    numerator_incident_weights: str | np.ndarray | pd.Series | None = None,
    denominator_incident_weights: str | np.ndarray | pd.Series | None = None,
    cells: gpd.GeoDataFrame | None = None,
    study_area: Any = None,
    quiet: bool = False,
    numerator_weights: Any = NOT_GIVEN,
    denominator_weights: Any = NOT_GIVEN,
) -> xr.DataArray | gpd.GeoDataFrame:
    """The ratio of two kernel densities on the same grid: risk, e.g. burglaries per dwelling.

    Parameters
    ----------
    numerator, denominator : GeoDataFrame
        Points in the same projected CRS in metres: the incidents, and the population at risk
        (dwellings, premises, people as points).
    bandwidth : float or {"nn", "scott", "silverman"}, optional
        One bandwidth for both densities, so that the ratio compares like with like. A rule
        (default ``"nn"``) is computed on the **numerator**, whose sparser points limit how
        finely the ratio can be resolved. See :func:`kde`.
    cell_size : float, optional
        Raster cell side; the default is :func:`kde`'s over both point sets.
    kernel : str, default="quartic"
        See :func:`kde`.
    min_denominator : float, optional
        Denominator density (per km²) below which the ratio is NaN, since a ratio over almost
        nothing is noise. Default: the density a single unit-weight denominator point makes at
        its own location (the kernel's peak, e.g. 3/(π h²) x 10⁶ for the quartic): the ratio is
        defined only where the denominator is supported by at least that much.
    numerator_incident_weights, denominator_incident_weights : str or array-like, optional
        A weight per point of each set (e.g. dwellings per address point), as
        ``incident_weights`` in :func:`kde`.
    cells : GeoDataFrame, optional
        Evaluate at these cells' centroids instead of on a raster.
    study_area : polygon, GeoSeries, GeoDataFrame or path, optional
        As in :func:`kde` (a polygon, a frame or the path of a polygon file).
    quiet : bool, default=False
        Do not announce the automatic choices.
    numerator_weights, denominator_weights : str or array-like, optional
        The old names of ``numerator_incident_weights`` and ``denominator_incident_weights``;
        they still work, with a ``FutureWarning``, until release 0.3.

    Returns
    -------
    xarray.DataArray or GeoDataFrame
        A raster named ``dual_kde_ratio`` (numerator per denominator unit; grid and attrs as
        :func:`kde`'s), or a copy of ``cells`` with ``dual_kde_numerator``,
        ``dual_kde_denominator`` (densities per km²) and ``dual_kde_ratio``. Either is stamped
        with method ``"dual_kde"`` (kind ``"surface"`` or ``"cells"``), the period and place
        labels of the numerator, and the record of both densities under
        ``attrs["hotspot"]["dual_kde"]``. (Until 0.2 these were named ``kde_ratio``,
        ``kde_numerator`` and ``kde_denominator``.)

    Raises
    ------
    HotspotInputError
        As :func:`kde`; also a negative ``min_denominator``.

    Notes
    -----
    Both densities are per km², so their ratio is numerator incidents per denominator unit
    within the kernel's reach; where the two point sets are identical it is 1. This is
    CrimeStat's dual kernel "ratio of densities" (Levine, CrimeStat IV, ch. 10) with one
    bandwidth; CrimeStat can also use different or adaptive bandwidths, which this does not.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> burglary = inc[inc["category"] == "Burglary"]
    >>> risk = hs.dual_kde(burglary, inc, bandwidth=1500, cell_size=500, quiet=True)
    >>> risk.name, round(float(risk.median()), 2)  # burglaries per recorded crime nearby
    ('dual_kde_ratio', 0.08)
    """
    if numerator_weights is not NOT_GIVEN:  # the old names: they warn
        numerator_incident_weights = renamed_parameter(
            "dual_kde",
            "numerator_weights",
            "numerator_incident_weights",
            numerator_weights,
            numerator_incident_weights,
            None,
        )
    if denominator_weights is not NOT_GIVEN:
        denominator_incident_weights = renamed_parameter(
            "dual_kde",
            "denominator_weights",
            "denominator_incident_weights",
            denominator_weights,
            denominator_incident_weights,
            None,
        )
    check_incidents(numerator, "numerator")
    check_incidents(denominator, "denominator")
    check_same_crs(numerator, denominator, ("numerator", "denominator"))
    kernel = check_kernel(kernel, func="dual_kde")
    nx_, ny_ = incident_xy(numerator, "numerator")
    dx_, dy_ = incident_xy(denominator, "denominator")
    nw, n_note = _incident_weights(
        numerator, numerator_incident_weights, name="numerator_incident_weights",
        func="dual_kde", what="numerator point",
    )  # fmt: skip
    dw, d_note = _incident_weights(
        denominator, denominator_incident_weights, name="denominator_incident_weights",
        func="dual_kde", what="denominator point",
    )  # fmt: skip
    area = _study_area(study_area, numerator.crs, False, func="dual_kde")
    if cells is not None:
        _check_cells_for(numerator, cells, cell_size, ("numerator", "cells"), "dual_kde")
    h, bw_record = choose_bandwidth(
        nx_, ny_, bandwidth, kernel, quiet=quiet, func="dual_kde", source=", from the numerator"
    )
    num = Smoothing(nx_, ny_, nw, kernel, h)
    den = Smoothing(dx_, dy_, dw, kernel, h)
    if min_denominator is None:
        threshold = peak_density(kernel, h) * M2_PER_KM2
        how = "the peak density of one denominator point (the kernel at distance 0)"
        announce(
            f"min_denominator not given: using {threshold:.4g} per km² ({how}); the ratio is "
            "NaN where the denominator density is lower. Pass min_denominator= to choose",
            quiet=quiet,
        )
    else:
        ok = not isinstance(min_denominator, bool) and isinstance(
            min_denominator, int | float | np.integer | np.floating
        )
        if not ok or not np.isfinite(min_denominator) or min_denominator < 0:
            raise HotspotInputError(
                f"dual_kde: min_denominator={min_denominator!r} must be a number >= 0 per km²; "
                "leave it out for the kernel's peak density."
            )
        threshold = float(min_denominator)
        how = "given"
    num_record = _record(num, bw_record, n_note, len(numerator))
    den_record = _record(den, bw_record, d_note, len(denominator))
    dual: dict[str, Any] = {
        "kernel": kernel,
        "bandwidth": h,
        "bandwidth_rule": bw_record["rule"],
        "units": "numerator per denominator unit",
        "long_name": "ratio of kernel densities (numerator / denominator)",
        "numerator": num_record,
        "denominator": den_record,
        "min_denominator": threshold,
        "min_denominator_rule": how,
    }
    period, places = _context(numerator)
    if period is None:
        period = _context(denominator)[0]

    def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.full(a.shape, np.nan)
        ok = np.isfinite(b) & (b >= threshold) & (b > 0)
        out[ok] = a[ok] / b[ok]
        return out

    if cells is not None:
        a, method_a = cells_density(num, cells, area, False, quiet)
        b, method_b = cells_density(den, cells, area, False, quiet)
        out = _fresh(cells.copy())
        out["dual_kde_numerator"] = a
        out["dual_kde_denominator"] = b
        out["dual_kde_ratio"] = ratio(a, b)
        num_record.update(method_a)
        den_record.update(method_b)
        dual["defined"] = int(np.isfinite(out["dual_kde_ratio"].to_numpy()).sum())
        return stamp(
            out, kind="cells", method="dual_kde", params=dual, source=cells, period=period,
            **places,
        )  # fmt: skip
    both = (np.concatenate([nx_, dx_]), np.concatenate([ny_, dy_]))
    a, grid, method_a = raster_density(
        num, cell_size, area, False, quiet, func="dual_kde", extent_points=both
    )
    b, _, method_b = raster_density(
        den, grid["cell_size"], area, False, True, func="dual_kde", extent_points=both,
        warn=False,
    )  # fmt: skip
    num_record.update(method_a)
    den_record.update(method_b)
    values = ratio(a, b)
    dual["defined"] = int(np.isfinite(values).sum())
    dual["cell_size"] = grid["cell_size"]
    dual["cell_size_rule"] = grid["cell_size_rule"]
    surface = surface_array(values, grid, numerator.crs, dual, "dual_kde_ratio")
    surface.attrs["min_denominator"] = threshold
    return stamp(surface, kind="surface", method="dual_kde", params=dual, period=period, **places)

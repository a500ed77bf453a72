"""The standard deviational ellipse of a set of points (Lefever 1926; Yuill 1971).

The ellipse summarises where points are (the mean centre), how far they spread and in which
direction: its axes point along the eigenvectors of the points' covariance matrix and its
semi-axes are the standard deviations of the points along those axes.

**Conventions differ between programs**, by a constant factor and by the degrees of freedom,
so the same points give ellipses of different sizes. With the covariance eigenvalues
``lambda`` computed with the divisor N (the total weight):

========================  =====================================  ===============================
``correction=``           semi-axis at 1 SD                      as in
========================  =====================================  ===============================
``None`` (default)        ``sqrt(lambda)``                       the textbook standard deviation
                                                                 along each axis; Yuill (1971)
``"arcgis"``              ``sqrt(2) * sqrt(lambda)``             ArcGIS Directional Distribution
                                                                 (ArcMap 10.x, ArcGIS Pro 2.x)
``"crimestat"``           ``sqrt(2) * sqrt(lambda * N/(N-2))``   CrimeStat's standard
                                                                 deviational ellipse
========================  =====================================  ===============================

We report the plain standard deviations by default: they are what the name says, they match
the closed form of a Gaussian cluster and ``sigma_x**2 + sigma_y**2`` is the squared standard
distance. For a bivariate normal cloud the 1-SD ellipse then holds 1 - exp(-1/2) = 39 % of
the points and the 2-SD ellipse 86 %. ArcGIS's documentation lists the factor sqrt(2) = 1.41
as the adjustment for two-dimensional data at 1 SD (2.83 at 2 SD; "How Directional
Distribution works", ArcMap 10.7 and ArcGIS Pro 2.7), which makes the 1-SD ellipse hold
1 - exp(-1) = 63 % of a normal cloud. CrimeStat also multiplies by sqrt(2) and divides the sums
of squares by N - 2 "degrees of freedom" for the two estimated means (Levine, CrimeStat manual,
ch. 4; both presets were checked against the programs' own outputs by the SDEtool project,
github.com/parker-group/SDEtool, validation/SDE_validation.md). Other versions of these
programs may scale differently (check the version's documentation); any other constant factor
can be had through ``n_std``.

**Orientation.** ``angle`` is the direction of the major axis in degrees clockwise from north
(grid north, the +y axis), in [0, 180), as ArcGIS ("rotation ... measured clockwise from noon")
and CrimeStat report it. ``theta`` is the same direction in radians counter-clockwise from
east (the +x axis), in [0, pi), the mathematical convention;
``angle = (90 - degrees(theta)) mod 180``.

**Weights** are frequencies: a point of weight 3 counts as three points at the same place (N is
the total weight), so weighting by the incidents at each distinct location equals repeating
the locations.

**Degenerate input.** When every point lies on one line the minor axis is 0; when every point
is at one location both are 0 and the orientation is undefined (NaN). These ellipses are
returned (``degenerate`` is true) and their :meth:`~StandardDeviationalEllipse.polygon` is an
empty polygon, since an ellipse without area has no polygon. When the spread is the same in
every direction the orientation is undefined too (``angle`` NaN) and the ellipse is a circle.

References
----------
Lefever, D. W. (1926). Measuring geographic concentration by means of the standard deviational
ellipse. American Journal of Sociology 32(1), 88–94.

Yuill, R. S. (1971). The standard deviational ellipse; an updated tool for spatial description.
Geografiska Annaler B 53(1), 28–39.

Levine, N. (2015). CrimeStat IV, ch. 4 "Spatial distribution", section "Standard deviational
ellipse". Ned Levine & Associates, Houston, TX, and the National Institute of Justice.

Wang, B., Shi, W. & Miao, Z. (2015). Confidence analysis of standard deviational ellipse and
its extension into higher dimensional Euclidean space. PLoS ONE 10(3), e0118537.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from hotspot._validate import check_choice, check_integer, renamed_parameter
from hotspot.errors import HotspotInputError

__all__ = ["CORRECTIONS", "StandardDeviationalEllipse", "standard_deviational_ellipse"]

CORRECTIONS = (None, "arcgis", "crimestat")

# A minor/major variance ratio below this is a line; a major/minor excess below it a circle.
_RELATIVE_TOL = 1e-12


@dataclass(frozen=True)
class StandardDeviationalEllipse:
    """A standard deviational ellipse (see :func:`standard_deviational_ellipse`).

    Attributes
    ----------
    centre : tuple of float
        The weighted mean centre (x, y).
    sigma_x, sigma_y : float
        Standard deviations along the major and minor axis (metres), after ``correction``;
        ``sigma_x >= sigma_y``. The ellipse's semi-axes are ``n_std`` times these.
    angle : float
        Direction of the major axis, degrees clockwise from north, in [0, 180); NaN when
        undefined (a single location, or the same spread in every direction).
    theta : float
        The same direction in radians counter-clockwise from east, in [0, pi); NaN when
        undefined.
    n_std : float
        Standard deviations drawn by :meth:`polygon` and measured by ``semi_major``,
        ``semi_minor`` and ``area`` unless told otherwise.
    correction : {None, "arcgis", "crimestat"}
        The convention used for ``sigma_x`` and ``sigma_y``.
    n : int
        Points given (with a positive weight).
    total_weight : float
        N, the sum of the weights (the number of points when unweighted).
    params : dict
        What made it: ``method`` ("standard_deviational_ellipse"), ``period`` (None: the
        ellipse has no times), ``rng_seed`` (None: nothing is random), ``correction``,
        ``n_std`` and ``weighted``.

    Notes
    -----
    The ellipse describes; it tests nothing, so it has no ``pvalue``. Like every result
    object it records what made it in ``params``.
    """

    centre: tuple[float, float]
    sigma_x: float
    sigma_y: float
    angle: float
    theta: float
    n_std: float
    correction: str | None
    n: int
    total_weight: float
    params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def method(self) -> str | None:
        """The public function that made the ellipse (``params["method"]``)."""
        return self.params.get("method")

    @property
    def degenerate(self) -> bool:
        """True when the ellipse has no area (all points on one line or one location)."""
        return not self.sigma_y > 0

    @property
    def semi_major(self) -> float:
        """Semi-major axis at ``n_std`` standard deviations (metres)."""
        return self.n_std * self.sigma_x

    @property
    def semi_minor(self) -> float:
        """Semi-minor axis at ``n_std`` standard deviations (metres)."""
        return self.n_std * self.sigma_y

    @property
    def area(self) -> float:
        """Area of the ellipse at ``n_std`` standard deviations (m²)."""
        return math.pi * self.semi_major * self.semi_minor

    def polygon(self, n_std: float | None = None, n_vertices: int = 72) -> shapely.Polygon:
        """The ellipse as a polygon.

        Parameters
        ----------
        n_std : float, optional
            Standard deviations to draw; default the ellipse's own ``n_std``.
        n_vertices : int, default=72
            Vertices on the ring (every 5° of the parametric angle by default).

        Returns
        -------
        shapely.Polygon
            In the points' coordinates; empty for a degenerate ellipse.

        Examples
        --------
        >>> sde = standard_deviational_ellipse([0.0, 2.0, 0.0, -2.0], [1.0, 0.0, -1.0, 0.0])
        >>> round(sde.polygon(n_vertices=360).area / sde.area, 3)
        1.0
        """
        func = "StandardDeviationalEllipse.polygon"
        k = self.n_std if n_std is None else _positive(n_std, "n_std", func=func)
        n_vertices = check_integer(n_vertices, "n_vertices", minimum=4, example="72", func=func)
        if self.degenerate:
            return shapely.Polygon()
        theta = 0.0 if math.isnan(self.theta) else self.theta
        s = np.linspace(0.0, 2.0 * math.pi, int(n_vertices), endpoint=False)
        a, b = k * self.sigma_x, k * self.sigma_y
        u, v = a * np.cos(s), b * np.sin(s)
        c, d = math.cos(theta), math.sin(theta)
        cx, cy = self.centre
        return shapely.Polygon(np.column_stack([cx + u * c - v * d, cy + u * d + v * c]))


_FUNC = "standard_deviational_ellipse"


def _positive(value: Any, name: str, *, func: str = _FUNC) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise HotspotInputError(f"{func}: {name}={value!r} must be a positive number, e.g. 1.")
    return float(value)


def check_correction(
    correction: Any, *, name: str = "correction", func: str | None = _FUNC
) -> str | None:
    """The ellipse convention, or an error listing the allowed values.

    Examples
    --------
    >>> check_correction("arcgis")
    'arcgis'
    >>> check_correction("esri")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: standard_deviational_ellipse: correction='esri' is not one of None, 'arcgis', 'crimestat'.
    """
    return check_choice(correction, name, CORRECTIONS, func=func)


def _coordinates(x: Any, y: Any, weights: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Finite coordinates and non-negative weights (``incident_weights``), weight-0 points out."""
    try:
        xs = np.asarray(x, dtype=float).ravel()
        ys = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise HotspotInputError(
            f"{_FUNC}: x and y must be arrays of coordinates (numbers); convert them first, "
            "e.g. incidents.geometry.x."
        ) from None
    if len(xs) != len(ys):
        raise HotspotInputError(
            f"{_FUNC}: x and y differ in length ({len(xs)} and {len(ys)}); give one y per x."
        )
    if weights is None:
        w = np.ones(len(xs))
    else:
        try:
            w = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError):
            raise HotspotInputError(
                f"{_FUNC}: incident_weights must be an array of numbers, one per point."
            ) from None
        if len(w) != len(xs):
            raise HotspotInputError(
                f"{_FUNC}: incident_weights has {len(w)} values for {len(xs)} points; give one "
                "weight per point."
            )
        if not np.isfinite(w).all() or (w < 0).any():
            raise HotspotInputError(
                f"{_FUNC}: incident_weights must be finite and non-negative; drop or fix the "
                "others."
            )
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise HotspotInputError(
            f"{_FUNC}: x and y must be finite (no NaN or infinite coordinates); drop those points."
        )
    keep = w > 0
    if not keep.any():
        raise HotspotInputError(
            f"{_FUNC}: the standard deviational ellipse needs at least one point with a positive "
            "weight."
        )
    return xs[keep], ys[keep], w[keep]


def standard_deviational_ellipse(
    x: Any,
    y: Any,
    incident_weights: Any = None,
    *,
    n_std: float = 1.0,
    correction: str | None = None,
    weights: Any = None,
) -> StandardDeviationalEllipse:
    """Standard deviational ellipse of points, from the eigen-decomposition of their
    (weighted) covariance matrix.

    Parameters
    ----------
    x, y : array-like of float, shape (n,)
        Coordinates in a projected CRS (metres).
    incident_weights : array-like of float, shape (n,), optional
        Non-negative frequency weights, one per point (e.g. incidents at each distinct
        location); a weight of k equals k repeated points. Points of weight 0 are ignored.
    n_std : float, default=1.0
        Standard deviations the result's polygon and semi-axes stand for.
    correction : {None, "arcgis", "crimestat"}, default=None
        None: plain standard deviations along the axes (divisor N). ``"arcgis"``: times
        sqrt(2), as ArcGIS's Directional Distribution. ``"crimestat"``: times sqrt(2) with the
        divisor N - 2, as CrimeStat (needs N > 2). See the module notes.
    weights : deprecated
        The old name of ``incident_weights`` (in the package ``weights`` means neighbours); it
        still works, with a FutureWarning, until 0.3.

    Returns
    -------
    StandardDeviationalEllipse
        ``centre``, ``sigma_x`` (major), ``sigma_y`` (minor), ``angle`` (degrees clockwise
        from north), ``theta`` (radians counter-clockwise from east), ``degenerate`` and
        :meth:`~StandardDeviationalEllipse.polygon`.

    Raises
    ------
    hotspot.errors.HotspotInputError
        Coordinates or weights that are not numbers, no point with a positive weight,
        mismatched lengths, non-finite values, an unknown ``correction``, or
        ``correction="crimestat"`` with a total weight of 2 or less.

    Notes
    -----
    With ``d_i`` the point's offset from the weighted mean centre, the scatter matrix is
    ``S = sum_i w_i d_i d_i^T`` and the covariance ``S / N`` with ``N = sum_i w_i``. Its
    eigenvalues ``lambda_1 >= lambda_2`` are the variances along the major and minor axes and
    the eigenvector of ``lambda_1`` gives the orientation. This equals Yuill's (1971) and
    CrimeStat's trigonometric formula for the angle of the axis maximising the spread. O(n).

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.clustering.ellipse import standard_deviational_ellipse
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> sde = standard_deviational_ellipse(inc.geometry.x, inc.geometry.y)
    >>> sde.sigma_x > sde.sigma_y > 0, 0 <= sde.angle < 180
    (True, True)
    >>> arc = standard_deviational_ellipse(inc.geometry.x, inc.geometry.y, correction="arcgis")
    >>> round(arc.sigma_x / sde.sigma_x, 4), arc.params["method"]
    (1.4142, 'standard_deviational_ellipse')
    """
    if weights is not None:  # the old name, until 0.3
        incident_weights = renamed_parameter(
            _FUNC, "weights", "incident_weights", weights, incident_weights, None
        )
    check_correction(correction)
    n_std = _positive(n_std, "n_std")
    xs, ys, w = _coordinates(x, y, incident_weights)
    total = float(w.sum())
    if correction == "crimestat" and not total > 2:
        raise HotspotInputError(
            f"{_FUNC}: correction='crimestat' divides by N - 2 and needs more than 2 points, got "
            f"N = {total:g}; use correction=None or 'arcgis' for so few points."
        )
    params = {
        "method": _FUNC,
        "period": None,
        "rng_seed": None,
        "correction": correction,
        "n_std": n_std,
        "weighted": incident_weights is not None,
    }
    cx = float(np.dot(w, xs) / total)
    cy = float(np.dot(w, ys) / total)
    if np.ptp(xs) == 0 and np.ptp(ys) == 0:  # one location: no spread, no direction
        centre = (float(xs[0]), float(ys[0]))
        return StandardDeviationalEllipse(
            centre, 0.0, 0.0, math.nan, math.nan, n_std, correction, len(xs), total, params
        )
    dx, dy = xs - cx, ys - cy
    sxx = float(np.dot(w, dx * dx))
    syy = float(np.dot(w, dy * dy))
    sxy = float(np.dot(w, dx * dy))
    values, vectors = np.linalg.eigh(np.array([[sxx, sxy], [sxy, syy]]))
    major, minor = float(values[1]), max(float(values[0]), 0.0)
    if minor <= _RELATIVE_TOL * major:
        minor = 0.0
    if correction is None:
        scale = 1.0 / total
    elif correction == "arcgis":
        scale = 2.0 / total
    else:
        scale = 2.0 / (total - 2.0)
    vx, vy = float(vectors[0, 1]), float(vectors[1, 1])
    if major - minor <= _RELATIVE_TOL * major:  # a circle: every direction is an axis
        theta = angle = math.nan
    else:
        theta = math.atan2(vy, vx) % math.pi
        angle = math.degrees(math.atan2(vx, vy)) % 180.0
        if theta >= math.pi:  # rounding of the modulo at the boundary
            theta = 0.0
        if angle >= 180.0:
            angle = 0.0
    return StandardDeviationalEllipse(
        centre=(cx, cy),
        sigma_x=math.sqrt(major * scale),
        sigma_y=math.sqrt(minor * scale),
        angle=angle,
        theta=theta,
        n_std=n_std,
        correction=correction,
        n=len(xs),
        total_weight=total,
        params=params,
    )

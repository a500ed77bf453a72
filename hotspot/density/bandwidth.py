"""Bandwidths of kernel density: the kernels, the rules ("nn", "scott", "silverman") and
:func:`kde_bandwidth`, which shows what a rule gives.

Every rule gives a standard deviation per axis, converted to each kernel by matching standard
deviations (the radius of the disc for the compact kernels, the standard deviation itself for
the Gaussian); :func:`hotspot.kde`, Notes, has the formulas and why ``"nn"`` is the default.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from hotspot._messages import announce
from hotspot._validate import check_choice, check_incidents, check_metres, incident_xy
from hotspot.density._kernels import KERNELS, SD_FACTOR, distinct_locations
from hotspot.errors import HotspotInputError

__all__ = [
    "BANDWIDTH_RULES",
    "DEFAULT_RULE",
    "KERNELS",
    "NN_ORDER",
    "check_kernel",
    "choose_bandwidth",
    "kde_bandwidth",
]

BANDWIDTH_RULES = ("nn", "scott", "silverman")
#: The rule used when ``bandwidth`` is not given (see :func:`hotspot.kde`, Notes, for why).
DEFAULT_RULE = "nn"
#: Order k of the nearest neighbour in the ``"nn"`` rule.
NN_ORDER = 10


def check_kernel(kernel: object, *, func: str) -> str:
    """The kernel's name in lower case, or an error listing the kernels.

    Examples
    --------
    >>> check_kernel("Quartic", func="kde")
    'quartic'
    >>> check_kernel("box", func="kde")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: kde: kernel='box' is not one of 'quartic', 'gaussian', 'epanechnikov', 'triangular', 'uniform'.
    """
    value = kernel.lower() if isinstance(kernel, str) and kernel.lower() in KERNELS else kernel
    return check_choice(value, "kernel", KERNELS, func=func)


def check_rule(rule: object, *, func: str, name: str = "bandwidth") -> str:
    """A bandwidth rule's name in lower case; the error also says a number of metres will do.

    Examples
    --------
    >>> check_rule("Scott", func="kde")
    'scott'
    >>> check_rule("auto", func="kde")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: kde: bandwidth='auto' is not one of 'nn', 'scott', 'silverman'; or pass a number of metres.
    """
    value = rule.lower() if isinstance(rule, str) and rule.lower() in BANDWIDTH_RULES else rule
    try:
        return check_choice(value, name, BANDWIDTH_RULES, func=func)
    except HotspotInputError as err:
        if name != "bandwidth":
            raise
        raise HotspotInputError(f"{str(err)[:-1]}; or pass a number of metres.") from None


def rule_sd(x: np.ndarray, y: np.ndarray, rule: str, *, func: str) -> tuple[float, str]:
    """The Gaussian-scale bandwidth (a per-axis standard deviation) of a rule, and its detail."""
    n = len(x)
    if rule == "nn":
        px, py, _ = distinct_locations(x, y, np.ones(n))
        if len(px) <= NN_ORDER:
            raise HotspotInputError(
                f"{func}: bandwidth='nn' needs at least {NN_ORDER + 1} distinct incident "
                f"locations (there are {len(px)}); pass bandwidth= in metres."
            )
        dist, _ = cKDTree(np.column_stack([px, py])).query(
            np.column_stack([px, py]), k=[NN_ORDER + 1]
        )
        mean_knn = float(dist.mean())
        detail = (
            f"rule 'nn': the mean distance from each of the {len(px):,} distinct incident "
            f"locations to its {NN_ORDER}th nearest, {mean_knn:,.0f} m"
        )
        return mean_knn / SD_FACTOR["quartic"], detail
    if n < 2:
        raise HotspotInputError(
            f"{func}: bandwidth={rule!r} needs at least two incidents; pass bandwidth= in metres."
        )
    spread = math.sqrt((np.var(x, ddof=1) + np.var(y, ddof=1)) / 2.0)
    factor = n ** (-1.0 / 6.0)
    if rule == "scott":
        sd = spread * factor
        detail = (
            f"rule 'scott': n^(-1/6) x pooled standard deviation = {n:,}^(-1/6) x "
            f"{spread:,.0f} m = {sd:,.0f} m"
        )
    else:
        qx = np.subtract(*np.percentile(x, [75, 25]))
        qy = np.subtract(*np.percentile(y, [75, 25]))
        robust = math.sqrt((qx**2 + qy**2) / 2.0) / 1.349
        scale = min(spread, robust) if robust > 0 else spread  # quartiles tied: use the sd
        sd = scale * factor
        detail = (
            f"rule 'silverman': n^(-1/6) x min(pooled sd {spread:,.0f} m, pooled IQR/1.349 "
            f"{robust:,.0f} m) = {sd:,.0f} m"
        )
    if not sd > 0:
        raise HotspotInputError(
            f"{func}: bandwidth={rule!r} gives zero: all incidents share one location. Pass "
            "bandwidth= in metres."
        )
    return sd, detail


def choose_bandwidth(
    x: np.ndarray,
    y: np.ndarray,
    bandwidth: Any,
    kernel: str,
    *,
    quiet: bool,
    func: str,
    source: str = "",
) -> tuple[float, dict]:
    """The bandwidth in metres for ``kernel`` and the record of how it was chosen.

    ``bandwidth`` is a number of metres, a rule's name or None (the default rule, announced).
    """
    if bandwidth is None or isinstance(bandwidth, str):
        rule = DEFAULT_RULE if bandwidth is None else check_rule(bandwidth, func=func)
        sd, detail = rule_sd(x, y, rule, func=func)
        value = sd * SD_FACTOR[kernel]
        meaning = "standard deviation" if kernel == "gaussian" else "radius"
        if rule == "nn" and kernel != "quartic":
            converted = f", as a quartic radius, converted to the {kernel} kernel of that spread"
        elif rule != "nn" and kernel != "gaussian":
            converted = f"; x {SD_FACTOR[kernel]:.3f} for the {kernel} radius of that spread"
        else:
            converted = ""
        how = "bandwidth not given" if bandwidth is None else f"bandwidth={rule!r}"
        announce(
            f"{how}: using {value:,.0f} m as the {kernel} {meaning} ({detail}{converted}"
            f"{source}); pass bandwidth= in metres to choose",
            quiet=quiet,
        )
        record = {"rule": rule, "detail": detail + converted, "kernel_sd": sd}
        return float(value), record
    value = check_metres(bandwidth, "bandwidth", func=func, example="500")
    return value, {"rule": "given", "detail": "given", "kernel_sd": value / SD_FACTOR[kernel]}


def kde_bandwidth(
    incidents: gpd.GeoDataFrame, rule: str = DEFAULT_RULE, *, kernel: str = "quartic"
) -> float:
    """The bandwidth in metres that a rule gives for these incidents and this kernel.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in a projected CRS in metres.
    rule : {"nn", "scott", "silverman"}, default="nn"
        See :func:`hotspot.kde`, Notes, for the formulas.
    kernel : str, default="quartic"
        The kernel the bandwidth is for: the radius of the disc, or the standard deviation for
        ``"gaussian"``. Rules give a standard deviation, converted so that every kernel has the
        same spread.

    Returns
    -------
    float
        Metres.

    Raises
    ------
    HotspotInputError
        An unknown rule or kernel, or incidents the rule cannot be computed on.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> round(hs.kde_bandwidth(inc, "scott", kernel="gaussian"))
    1442
    >>> round(hs.kde_bandwidth(inc, "scott", kernel="quartic"))  # 2 * sqrt(2) x as wide
    4079
    """
    check_incidents(incidents)
    kernel = check_kernel(kernel, func="kde_bandwidth")
    rule = check_rule(rule, func="kde_bandwidth", name="rule")
    x, y = incident_xy(incidents)
    value, _ = choose_bandwidth(x, y, rule, kernel, quiet=True, func="kde_bandwidth")
    return value

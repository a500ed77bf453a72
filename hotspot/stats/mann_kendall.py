"""The Mann-Kendall trend test, vectorised over many series at once (e.g. every cell of a
space-time cube)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hotspot._random import ALTERNATIVES, normal_pvalue
from hotspot._validate import check_choice
from hotspot.errors import HotspotInputError

__all__ = ["MannKendall", "mann_kendall"]

FUNC = "mann_kendall"

# Significance level of the ``trend`` labels, as in pymannkendall's default.
_TREND_ALPHA = 0.05


@dataclass(frozen=True, eq=False)
class MannKendall:
    """Mann-Kendall trend test of each series, in :class:`hotspot.stats.GlobalTest`'s
    vocabulary.

    Every array has the shape of the input without its time axis (``()`` for one series).
    The arrays are read-only.

    Attributes
    ----------
    statistic : ndarray of int64
        Mann-Kendall score ``S = sum_{i<j} sign(x_j - x_i)`` (``s`` before 0.2, still
        readable with a ``FutureWarning``).
    variance : ndarray of float
        Variance of ``S`` under no trend, with the tie correction
        ``(n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18`` (``t`` runs over the sizes of groups of
        tied values). Zero for a constant series.
    z : ndarray of float
        Continuity-corrected normal score: ``(S-1)/sigma`` if ``S > 0``, ``(S+1)/sigma`` if
        ``S < 0`` and ``0`` if ``S = 0`` (so a constant series has ``z = 0``).
    pvalue : ndarray of float
        Normal p-value of ``z`` for ``alternative`` (1 for a constant series, two-sided).
    tau : ndarray of float
        Kendall's tau as pymannkendall reports it, ``S / (n(n-1)/2)`` (not tie-adjusted).
    trend : ndarray of str
        ``"increasing"``, ``"decreasing"`` or ``"no trend"``: significant at 0.05 in the
        direction of ``alternative`` (two-sided: ``|z| > 1.95996...``, as pymannkendall labels
        it; ``"greater"`` only ever labels ``"increasing"``, ``"less"`` only ``"decreasing"``).
    n : int
        Length of each series (number of time steps).
    alternative : str
        ``"two-sided"``, ``"greater"`` (increasing trend) or ``"less"`` (decreasing trend).
    expected : ndarray of float
        E[S] under no trend: 0 for every series.
    permutations : int
        0: the test is analytical.
    params : dict
        ``method`` (``"mann_kendall"``), ``period`` (None: the series carry no dates),
        ``rng_seed`` (None), ``n``, ``alternative`` and ``correction``.
    """

    statistic: np.ndarray
    variance: np.ndarray
    z: np.ndarray
    pvalue: np.ndarray
    tau: np.ndarray
    trend: np.ndarray
    n: int
    alternative: str = "two-sided"
    expected: np.ndarray = field(default_factory=lambda: np.zeros(()), repr=False)
    permutations: int = 0
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def s(self) -> np.ndarray:
        """The Mann-Kendall score S; deprecated, use :attr:`statistic`."""
        warnings.warn(
            "MannKendall.s is now MannKendall.statistic (the GlobalTest vocabulary); .s will "
            "stop working in 0.3.",
            FutureWarning,
            stacklevel=2,
        )
        return self.statistic

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")


def _as_series(series: object, axis: int) -> np.ndarray:
    """``series`` as a 2-D array, time along axis 0 and one column per series."""
    x = np.asarray(series)
    if x.dtype.kind not in "biuf":
        raise HotspotInputError(
            f"{FUNC}: series must be a numeric array (bool, integer or float), not dtype {x.dtype}."
        )
    if x.ndim == 0:
        raise HotspotInputError(
            f"{FUNC}: series must have at least one dimension (the time axis), not a scalar."
        )
    if (
        isinstance(axis, bool)
        or not isinstance(axis, int | np.integer)
        or not -x.ndim <= axis < x.ndim
    ):
        raise HotspotInputError(
            f"{FUNC}: axis={axis!r} is out of range for series with {x.ndim} dimension(s); "
            f"pass the time axis, a whole number between {-x.ndim} and {x.ndim - 1}."
        )
    if x.dtype.kind == "b":
        x = x.astype(np.int8)
    x = np.moveaxis(x, axis, 0)
    n = x.shape[0]
    if n < 3:
        raise HotspotInputError(
            f"{FUNC}: the Mann-Kendall test needs at least 3 time steps per series, got {n} "
            f"along axis={axis}; check the axis, or collect a longer series."
        )
    x = np.ascontiguousarray(x.reshape(n, -1))  # a copy when needed; never written to
    if x.dtype.kind == "f":
        nan_cols = np.isnan(x).any(axis=0)
        if nan_cols.any():
            bad = np.flatnonzero(nan_cols)
            raise HotspotInputError(
                f"{FUNC}: {bad.size} of {x.shape[1]} series contain NaN (first flattened series "
                f"indices: {bad[:5].tolist()}); the Mann-Kendall test does not skip missing "
                "values: fill them (e.g. counts of 0) or drop those series."
            )
    return x


def _score(x: np.ndarray) -> np.ndarray:
    """``S`` of each column: one vectorised pass over the earlier index ``i``."""
    s = np.zeros(x.shape[1], dtype=np.int64)
    for i in range(x.shape[0] - 1):
        later, xi = x[i + 1 :], x[i]
        s += np.count_nonzero(later > xi, axis=0)
        s -= np.count_nonzero(later < xi, axis=0)
    return s


def _tie_term(x: np.ndarray) -> np.ndarray:
    """``sum_t t(t-1)(2t+5)`` over the groups of tied values of each column."""
    n, m = x.shape
    xs = np.sort(x, axis=0)
    # Run boundaries per column, with a boundary before the first and after the last value.
    # ``!=`` rather than ``diff != 0`` so that repeated infinities count as ties.
    edges = np.ones((m, n + 1), dtype=bool)
    edges[:, 1:-1] = (xs[1:] != xs[:-1]).T
    col, row = np.nonzero(edges)  # row-major: sorted by column, then by position
    same = col[1:] == col[:-1]
    t = (row[1:] - row[:-1])[same].astype(np.float64)
    return np.bincount(col[1:][same], weights=t * (t - 1.0) * (2.0 * t + 5.0), minlength=m)


CORRECTIONS = (None, "hamed-rao")


def sens_slope(x: np.ndarray, *, max_values: int = 20_000_000) -> np.ndarray:
    """Sen's slope of each column of ``x`` (time along axis 0): the median of the pairwise
    slopes ``(x_j - x_i) / (j - i)``, ``i < j``, in chunks of columns of at most ``max_values``.

    Examples
    --------
    >>> sens_slope(np.array([[1.0, 3], [2, 2], [4, 1]])).tolist()
    [1.5, -1.0]
    """
    x = np.asarray(x, dtype=float)
    n, m = x.shape
    i, j = np.triu_indices(n, k=1)
    gaps = (j - i).astype(float)[:, None]
    out = np.empty(m)
    step = max(1, max_values // max(len(i), 1))
    for c in range(0, m, step):
        block = x[:, c : c + step]
        out[c : c + step] = np.median((block[j] - block[i]) / gaps, axis=0)
    return out


def _hamed_rao_factor(x: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Hamed & Rao's (1998) variance inflation ``n/n*`` of each column: from the significant
    autocorrelations of the ranks of the series detrended by Sen's slope, at every lag."""
    from scipy.special import ndtri
    from scipy.stats import rankdata

    n = x.shape[0]
    detrended = x - np.arange(1, n + 1)[:, None] * sens_slope(x)[None, :]
    ranks = rankdata(detrended, axis=0)
    centred = ranks - ranks.mean(axis=0)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, n=size, axis=0)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=0)[:n] / n
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = acov / acov[0]
    bound = ndtri(1 - alpha / 2) / np.sqrt(n)
    lags = np.arange(1, n)
    weight = ((n - lags) * (n - lags - 1.0) * (n - lags - 2.0))[:, None]
    rho = acf[1:]
    rho = np.where(np.abs(rho) > bound, rho, 0.0)
    factor = 1.0 + 2.0 / (n * (n - 1.0) * (n - 2.0)) * (weight * rho).sum(axis=0)
    # a constant series has no autocorrelation to speak of; a factor that is not positive (strong
    # negative autocorrelation at many lags) leaves the variance as it is
    return np.where(np.isfinite(factor) & (factor > 0), factor, 1.0)


def mann_kendall(
    series: np.ndarray,
    *,
    alternative: str = "two-sided",
    axis: int = 0,
    correction: str | None = None,
) -> MannKendall:
    """Mann-Kendall trend test of many series at once (Kendall 1975; Hirsch, Slack & Smith 1982).

    The original test (no correction for serial correlation or seasonality), matching
    ``pymannkendall.original_test`` for S, its tie-corrected variance, z, the p-value and tau,
    but vectorised: 20,000 series of 104 weeks take well under a second.

    Parameters
    ----------
    series : array_like
        Numeric values with time along ``axis`` and any number of other axes indexing the
        series (1-D: a single series). At least 3 time steps. NaN is not allowed (the test
        does not skip missing values): a :class:`~hotspot.errors.HotspotInputError` says how
        many series contain NaN. Ties are allowed and corrected for. Not modified.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"`` tests for an increasing trend, ``"less"`` for a decreasing one.
    axis : int
        The time axis.
    correction : {None, "hamed-rao"}, default=None
        ``"hamed-rao"``: Hamed & Rao's (1998) correction for serial correlation — the variance
        of ``S`` is multiplied by ``n/n*`` from the autocorrelations of the ranks of the series
        detrended by Sen's slope that are significant at 5 % (at every lag), as
        ``pymannkendall.hamed_rao_modification_test``. Use it on series that are autocorrelated
        by construction, such as Gi* z-scores over overlapping time windows: without it, about
        three times too many stationary series are called trending.

    Returns
    -------
    MannKendall
        Arrays shaped like ``series`` without ``axis``: ``statistic`` (S), ``expected`` (0),
        ``variance``, ``z``, ``pvalue``, ``tau``, ``trend``; and ``n``, ``alternative``,
        ``permutations`` (0) and ``params``. A constant series has ``statistic = 0``,
        ``variance = 0``, ``z = 0`` and (two-sided) ``pvalue = 1``.

    Raises
    ------
    HotspotInputError
        Non-numeric input, fewer than 3 time steps, NaN values, a bad ``axis`` or
        ``alternative``.

    Notes
    -----
    ``S`` costs O(n^2) comparisons per series, done as n vectorised steps across all series;
    the tie correction sorts each series once.

    Examples
    --------
    >>> import numpy as np
    >>> weeks = np.array([[1, 5], [2, 4], [2, 4], [4, 5], [6, 3]])  # 5 weeks x 2 places
    >>> mk = mann_kendall(weeks)
    >>> mk.statistic.tolist(), mk.variance.tolist(), mk.tau.tolist()
    ([9, -4], [15.666666666666666, 14.666666666666666], [0.9, -0.4])
    >>> mk.pvalue.round(3).tolist(), mk.trend.tolist()
    ([0.043, 0.433], ['increasing', 'no trend'])
    >>> mann_kendall(weeks.T, axis=1, alternative="greater").pvalue.round(3).tolist()
    [0.022, 0.783]
    """
    alternative = check_choice(alternative, "alternative", ALTERNATIVES, func=FUNC)
    correction = check_choice(correction, "correction", CORRECTIONS, func=FUNC)
    x = _as_series(series, axis)
    shape = np.delete(np.shape(series), axis).tolist()
    n = x.shape[0]

    s = _score(x)
    variance = (n * (n - 1.0) * (2.0 * n + 5.0) - _tie_term(x)) / 18.0
    if correction == "hamed-rao":
        if n < 4:
            raise HotspotInputError(
                f"{FUNC}: correction='hamed-rao' needs at least 4 time steps, got {n}."
            )
        variance = variance * _hamed_rao_factor(x.astype(float))
    sigma = np.sqrt(variance)
    z = np.zeros(s.shape, dtype=np.float64)
    pos, neg = s > 0, s < 0  # S != 0 implies variance > 0
    z[pos] = (s[pos] - 1) / sigma[pos]
    z[neg] = (s[neg] + 1) / sigma[neg]
    pvalue = np.asarray(normal_pvalue(z, alternative), dtype=np.float64)
    tau = s / (0.5 * n * (n - 1))

    from scipy.special import ndtri  # the normal quantile

    trend = np.full(s.shape, "no trend", dtype="<U10")
    if alternative == "two-sided":
        crit = ndtri(1.0 - _TREND_ALPHA / 2.0)
        trend[(np.abs(z) > crit) & (z > 0)] = "increasing"
        trend[(np.abs(z) > crit) & (z < 0)] = "decreasing"
    elif alternative == "greater":
        trend[z > ndtri(1.0 - _TREND_ALPHA)] = "increasing"
    else:
        trend[z < -ndtri(1.0 - _TREND_ALPHA)] = "decreasing"

    out = {}
    for name, arr in [
        ("statistic", s),
        ("variance", variance),
        ("z", z),
        ("pvalue", pvalue),
        ("tau", tau),
        ("trend", trend),
        ("expected", np.zeros(s.shape)),
    ]:
        arr = arr.reshape(shape)
        arr.flags.writeable = False
        out[name] = arr
    params = {
        "method": FUNC,
        "period": None,
        "rng_seed": None,
        "n": n,
        "alternative": alternative,
        "correction": correction,
    }
    return MannKendall(**out, n=n, alternative=alternative, permutations=0, params=params)

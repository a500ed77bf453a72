"""Moran's I moments (Cliff & Ord 1981) and the weight sums behind them, shared by the global
test and incremental spatial autocorrelation."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

ASSUMPTIONS = ("randomisation", "normality")
"""The nulls of Moran's I's analytical variance."""


def moran_moments(
    n: int, s0: float, s1: float, s2: float, z: np.ndarray, assumption: str
) -> tuple[float, float]:
    """E[I] and Var[I] of Moran's I under ``assumption`` (Cliff & Ord 1981).

    Examples
    --------
    >>> z = np.array([-1.0, 0.0, 1.0])
    >>> expected, variance = moran_moments(3, 4.0, 8.0, 32.0, z, "normality")
    >>> expected
    -0.5
    """
    expected = -1.0 / (n - 1)
    if assumption == "normality":
        variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - expected**2
    else:
        b2 = n * (z**4).sum() / ((z**2).sum() ** 2)
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
        b = b2 * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
        c = (n - 1) * (n - 2) * (n - 3) * s0 * s0
        variance = (a - b) / c - expected**2
    return expected, float(variance)


def weight_sums(w: sp.csr_array) -> tuple[float, float, float]:
    """Cliff & Ord's S0, S1 and S2 of a weights matrix.

    Examples
    --------
    >>> weight_sums(sp.csr_array(np.array([[0.0, 1.0], [1.0, 0.0]])))
    (2.0, 4.0, 8.0)
    """
    s0 = float(w.sum())
    sym = w + w.T
    s1 = float(0.5 * sym.multiply(sym).sum())
    s2 = float(((np.asarray(w.sum(axis=1)).ravel() + np.asarray(w.sum(axis=0)).ravel()) ** 2).sum())
    return s0, s1, s2

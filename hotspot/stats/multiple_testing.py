"""Multiple-testing correction: Benjamini–Hochberg false discovery rate and ArcGIS's bins."""

from __future__ import annotations

import numpy as np

CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))


def fdr_threshold(pvalues: np.ndarray, alpha: float) -> float:
    """The Benjamini–Hochberg cut-off: the largest p_(k) with p_(k) <= k·alpha/m (0 if none).

    NaN p-values (cells not tested) are left out of m.

    Examples
    --------
    >>> fdr_threshold(np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]), 0.05)
    0.008
    """
    p = np.sort(np.asarray(pvalues, dtype=float)[~np.isnan(pvalues)])
    m = len(p)
    if m == 0:
        return 0.0
    ok = p <= alpha * np.arange(1, m + 1) / m
    return float(p[np.flatnonzero(ok).max()]) if ok.any() else 0.0


def fdr_adjust(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values); NaN stays NaN.

    Examples
    --------
    >>> fdr_adjust(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m == 0:
        return out
    order = np.argsort(q)
    ranked = q[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    out[ok] = adjusted
    return out


def confidence_bins(z: np.ndarray, pvalues: np.ndarray, *, fdr: bool) -> np.ndarray:
    """ArcGIS's Gi_Bin: ±3 (99 %), ±2 (95 %), ±1 (90 %), 0 (not significant), signed by z.

    With ``fdr=True`` a cell is significant at a level when its p-value is at most the
    Benjamini–Hochberg cut-off at that level (as ArcGIS's FDR option does); otherwise at most
    the level itself.

    Examples
    --------
    >>> confidence_bins(np.array([3.0, -2.0, 1.7, 0.5]), np.array([0.002, 0.04, 0.09, 0.6]),
    ...                 fdr=False).tolist()
    [3, -2, 1, 0]
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(pvalues, dtype=float)
    bins = np.zeros(len(z), dtype=np.int8)
    for level, alpha in reversed(CONFIDENCE_LEVELS):
        cut = fdr_threshold(p, alpha) if fdr else alpha
        significant = (p <= cut) & ~np.isnan(p) & (cut > 0)
        bins[significant] = level
    return (bins * np.sign(np.nan_to_num(z))).astype(np.int8)


def significant(pvalues: np.ndarray, alpha: float, *, fdr: bool) -> np.ndarray:
    """Whether each p-value is significant at ``alpha`` (after BH when ``fdr``)."""
    p = np.asarray(pvalues, dtype=float)
    cut = fdr_threshold(p, alpha) if fdr else alpha
    return (p <= cut) & ~np.isnan(p) & (cut > 0)

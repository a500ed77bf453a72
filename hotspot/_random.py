"""Randomness: every random step takes ``rng=`` (None, an int or a numpy Generator)."""

from __future__ import annotations

import numpy as np

from hotspot._validate import ALTERNATIVES, as_generator, check_alternative

__all__ = [
    "ALTERNATIVES",
    "as_generator",
    "check_alternative",
    "normal_pvalue",
    "simulation_pvalue",
]


def normal_pvalue(z: np.ndarray | float, alternative: str = "two-sided") -> np.ndarray | float:
    """p-value of a standard normal z for the alternative.

    Examples
    --------
    >>> round(float(normal_pvalue(1.959963984540054)), 6)
    0.05
    """
    from scipy.special import ndtr  # the normal CDF, without importing all of scipy.stats

    check_alternative(alternative)
    if alternative == "greater":
        return ndtr(-np.asarray(z, dtype=float))
    if alternative == "less":
        return ndtr(np.asarray(z, dtype=float))
    return 2.0 * ndtr(-np.abs(np.asarray(z, dtype=float)))


def simulation_pvalue(
    observed: np.ndarray | float,
    simulated: np.ndarray,
    expected: np.ndarray | float,
    alternative: str,
) -> np.ndarray | float:
    """``(1 + #{simulated as or more extreme than observed}) / (1 + n_sim)`` along the last axis.

    Two-sided counts deviations from ``expected`` at least as large as the observed one.
    """
    check_alternative(alternative)
    observed = np.asarray(observed, dtype=float)
    n = simulated.shape[-1]
    obs = observed[..., None]
    if alternative == "greater":
        extreme = (simulated >= obs).sum(axis=-1)
    elif alternative == "less":
        extreme = (simulated <= obs).sum(axis=-1)
    else:
        exp = np.asarray(expected, dtype=float)[..., None]
        extreme = (np.abs(simulated - exp) >= np.abs(obs - exp)).sum(axis=-1)
    return (1.0 + extreme) / (1.0 + n)

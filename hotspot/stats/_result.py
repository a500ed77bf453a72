"""One result vocabulary for global tests: statistic, expected, z, pvalue, pvalue_sim."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class GlobalTest:
    """The outcome of a global test.

    Attributes
    ----------
    name : str
        The test, e.g. "Moran's I".
    statistic : float
        The observed statistic.
    expected : float
        Its expectation under the null hypothesis.
    z : float
        ``(statistic - expected) / sqrt(variance)`` under the analytical null (NaN when the test
        has none).
    pvalue : float
        Analytical p-value of ``z`` for the ``alternative``.
    pvalue_sim : float or None
        Permutation (or simulation) p-value, ``(1 + #{as or more extreme}) / (1 + permutations)``;
        ``None`` without permutations.
    alternative : str
        "two-sided", "greater" or "less".
    null_distribution : ndarray or None
        The permuted statistics.
    params : dict
        Everything that made the result (weights, transform, permutations, rng seed, ...).
    """

    name: str
    statistic: float
    expected: float
    z: float
    pvalue: float
    pvalue_sim: float | None = None
    alternative: str = "two-sided"
    variance: float = float("nan")
    null_distribution: np.ndarray | None = field(default=None, repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    def __str__(self) -> str:
        sim = "" if self.pvalue_sim is None else f", p_sim = {self.pvalue_sim:.4g}"
        return (
            f"{self.name}: {self.statistic:.6g} (expected {self.expected:.6g}), z = {self.z:.4g}, "
            f"p = {self.pvalue:.4g}{sim} ({self.alternative})"
        )

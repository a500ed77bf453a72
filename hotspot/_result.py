"""The result contract: what every public statistic returns and how it records what made it.

A result is one of two things (``docs/contributing.md`` shows it on one screen):

* a (Geo)DataFrame of the input's rows (or a DataArray surface) with ``<method>_<quantity>``
  columns, a copy: the input is never modified. Its ``attrs["hotspot"]`` is written by
  :func:`stamp` as ``{"kind", "method", "period", <method>: params, "rng_seed"}`` on top of
  what the input carried (its grid, its counts, its load report);
* a frozen result object in one vocabulary: ``statistic``, ``expected``, ``z``, ``pvalue``,
  ``alternative``, ``permutations``, ``params`` — :class:`GlobalTest` for one number,
  :class:`SeriesTest` for one number per distance, band or cluster. ``params`` holds
  ``method``, ``period`` and ``rng_seed`` with the arguments.

Exports and the report read ``attrs["hotspot"]["method"]``; they never guess.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

KINDS = ("incidents", "cells", "surface", "clusters", "chains", "locations", "profile", "cube")
"""What a stamped frame's rows are: incidents, grid cells, a density lattice, one row per
cluster, one row per near-repeat chain, one row per (repeat) location, one row per time unit
of a temporal profile, or a cube's cells."""

_OWN_KEYS = ("kind", "method", "period", "rng_seed")


def rng_seed(rng: object) -> int | None:
    """The seed to record for ``rng``: the int itself, else None (a Generator or no seed).

    Examples
    --------
    >>> rng_seed(7), rng_seed(None)
    (7, None)
    """
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return int(rng)
    return None


def method_of(result: Any) -> str | None:
    """The method that made ``result``: ``attrs["hotspot"]["method"]`` or ``params["method"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> method_of(stamp(pd.DataFrame(), kind="cells", method="gistar", params={}))
    'gistar'
    """
    if isinstance(getattr(type(result), "__dataclass_fields__", None), dict):
        params = getattr(result, "params", None)
        return params.get("method") if isinstance(params, dict) else None
    attrs = getattr(result, "attrs", None)
    if isinstance(attrs, dict) and isinstance(attrs.get("hotspot"), dict):
        return attrs["hotspot"].get("method")
    method = getattr(result, "method", None)
    return method if isinstance(method, str) else None


def stamp(
    result: Any,
    *,
    kind: str,
    method: str,
    params: dict[str, Any],
    source: Any = None,
    period: dict[str, Any] | None = None,
    rng: object = None,
    **extra: Any,
) -> Any:
    """Write a result's ``attrs["hotspot"]``: what it is, which method made it, on what period.

    Parameters
    ----------
    result : DataFrame, GeoDataFrame or DataArray
        The new result (a copy, never the caller's input).
    kind : {"incidents", "cells", "surface", "clusters", "chains", "locations", "profile", "cube"}
        What the rows are.
    method : str
        The public function's name, e.g. ``"gistar"``; ``params`` are stored under it.
    params : dict
        The arguments and the numbers a reader needs (counts, thresholds, choices made).
    source : DataFrame, GeoDataFrame or DataArray, optional
        The input: its ``attrs["hotspot"]`` (grid, counts, earlier methods' records) is carried
        over, all but its ``kind``, ``method``, ``period`` and ``rng_seed``, and all but its
        ``load_report`` unless the rows are still incidents (it names incidents row by row).
    period : dict, optional
        ``{start, end, label, days}`` from :func:`hotspot._period.period_of`; by default the
        source's.
    rng : None, int or Generator
        Recorded as ``rng_seed`` (the int, else None).
    **extra
        Further top-level keys (e.g. ``places`` labels).

    Returns
    -------
    The same ``result``, stamped.

    Examples
    --------
    >>> import pandas as pd
    >>> out = stamp(pd.DataFrame({"x_z": [1.0]}), kind="cells", method="x", params={"a": 1})
    >>> out.attrs["hotspot"]
    {'kind': 'cells', 'method': 'x', 'period': None, 'x': {'a': 1}, 'rng_seed': None}
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {KINDS}")
    inherited: dict[str, Any] = {}
    if source is not None:
        before = getattr(source, "attrs", {}).get("hotspot")
        if isinstance(before, dict):
            inherited = {k: v for k, v in before.items() if k not in _OWN_KEYS}
            if kind != "incidents":  # the load report names incidents row by row
                inherited.pop("load_report", None)
            if period is None:
                period = before.get("period")
    meta = {"kind": kind, "method": method, "period": period, **inherited}
    meta[method] = params
    meta["rng_seed"] = rng_seed(rng)
    meta.update(extra)
    result.attrs["hotspot"] = meta
    return result


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
    permutations : int
        Permutations (or simulations) behind ``pvalue_sim``; 0 for none.
    null_distribution : ndarray or None
        The permuted statistics.
    params : dict
        Everything that made the result: ``method``, ``period``, ``rng_seed`` and the arguments.
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
    permutations: int = 0

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def __str__(self) -> str:
        sim = "" if self.pvalue_sim is None else f", p_sim = {self.pvalue_sim:.4g}"
        return (
            f"{self.name}: {self.statistic:.6g} (expected {self.expected:.6g}), z = {self.z:.4g}, "
            f"p = {self.pvalue:.4g}{sim} ({self.alternative})"
        )


@dataclass(frozen=True)
class SeriesTest:
    """A statistic per distance, band or cluster, in :class:`GlobalTest`'s vocabulary.

    ``statistic``, ``expected``, ``z`` and ``pvalue`` are Series on one index (the distances,
    the clusters); ``table`` holds them with the method's other columns, as a DataFrame.

    Attributes
    ----------
    name : str
        The statistic, e.g. "Ripley's L".
    statistic, expected, z, pvalue : pandas.Series
        Observed values, their expectation under the null, z-scores and p-values (NaN where
        the method has none).
    alternative : str
        "two-sided", "greater" or "less" (what ``pvalue`` tests).
    permutations : int
        Permutations or simulations behind ``pvalue``; 0 for none.
    table : pandas.DataFrame
        Every column the method computes, one row per index value.
    params : dict
        ``method``, ``period``, ``rng_seed`` and the arguments.

    Notes
    -----
    Until release 0.3 the object also answers as its ``table`` did (``result["L"]``,
    ``result.loc[...]``, ``len(result)``) with a ``FutureWarning``: these functions returned
    the DataFrame before 0.2.
    """

    name: str
    statistic: pd.Series
    expected: pd.Series
    z: pd.Series
    pvalue: pd.Series
    alternative: str
    permutations: int
    table: pd.DataFrame = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def _as_table(self, what: str) -> pd.DataFrame:
        warnings.warn(
            f"{self.params.get('method', 'this function')}() now returns a {type(self).__name__}; "
            f"{what} on it reads its .table, which will stop working in 0.3: use result.table "
            "(or result.statistic, .pvalue ...) instead.",
            FutureWarning,
            stacklevel=3,
        )
        return self.table

    def __getitem__(self, key: Any) -> Any:
        return self._as_table(f"result[{key!r}]")[key]

    def __len__(self) -> int:
        return len(self._as_table("len(result)"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in self.__dataclass_fields__:
            raise AttributeError(name)
        table = object.__getattribute__(self, "table")
        if hasattr(table, name):
            return getattr(self._as_table(f"result.{name}"), name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __str__(self) -> str:
        return f"{self.name} at {len(self.table)} values ({self.alternative}):\n{self.table}"

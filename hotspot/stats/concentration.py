"""Crime concentration at place: the Gini coefficient, its generalisation for sparse crime
data, the Lorenz curve, and "X % of crime happens in Y % of places"."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hotspot._validate import check_value_column, report_of
from hotspot.errors import HotspotInputError

__all__ = ["Concentration", "concentration", "share_of_places"]

# Relative tolerance when comparing a cumulative count with a share of the total, so that
# e.g. 30 % of 10 crimes is reached by 3 crimes although 0.3 * 10 = 3.0000000000000004.
_SHARE_RTOL = 1e-12


@dataclass(frozen=True)
class Concentration:
    """How concentrated crime is across places.

    A measure, not a test: it has no expectation, z-score or p-value. In the
    :class:`hotspot.stats.GlobalTest` vocabulary, :attr:`statistic` is the Gini coefficient
    and ``params`` records what made the result.

    Attributes
    ----------
    gini : float
        The Gini coefficient of the counts across places, in [0, 1 - 1/n_places].
    gini_adjusted : float
        Bernasco & Steenbeek's (2017) generalised Gini, which compares the counts with the most
        equal distribution the number of crimes allows; equal to ``gini`` when there are at
        least as many crimes as places.
    lorenz : DataFrame
        The Lorenz curve, places sorted from most to least crime: ``n_places + 1`` rows indexed
        by ``rank`` (0 = the origin), columns ``places`` and ``crimes`` (cumulative counts),
        ``place_share`` and ``crime_share`` (cumulative shares in [0, 1]).
    n_places : int
        Number of places (cells), including those without crime.
    n_crimes : float
        Total count (an integer for incident counts).
    column : str
        The column of counts.
    params : dict
        ``method`` (``"concentration"``), ``period`` (the period the counts cover, from the
        cells' ``attrs``, or None), ``rng_seed`` (None: nothing is random), ``column``,
        ``n_places`` and ``n_crimes``.
    """

    gini: float
    gini_adjusted: float
    lorenz: pd.DataFrame = field(repr=False)
    n_places: int
    n_crimes: float
    column: str = "count"
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def statistic(self) -> float:
        """The Gini coefficient (:attr:`gini`)."""
        return self.gini

    @property
    def method(self) -> str | None:
        """The public function that made the result (``params["method"]``)."""
        return self.params.get("method")

    def __str__(self) -> str:
        return (
            f"Concentration of {self.n_crimes:,g} crimes over {self.n_places:,} places "
            f"({self.column!r}): Gini = {self.gini:.4f}, generalised Gini = "
            f"{self.gini_adjusted:.4f}"
        )


def _counts(cells: object, column: object, func: str) -> np.ndarray:
    """The column's values as a float array, checked: numbers, no NaN, >= 0, sum > 0."""
    if not isinstance(cells, pd.DataFrame):
        raise HotspotInputError(
            f"{func}: cells must be a DataFrame or GeoDataFrame of places with a column of "
            "counts (e.g. hotspot.count_incidents(incidents, cells)), not "
            f"{type(cells).__name__}"
        )
    if not isinstance(column, str):
        raise HotspotInputError(
            f"{func}: column={column!r} must be a column name (str), e.g. 'count'."
        )
    if column in cells.columns and pd.api.types.is_bool_dtype(cells[column]):
        raise HotspotInputError(
            f"{func}: column {column!r} holds True/False, not counts per place; pass a column "
            "of numbers (e.g. 'count' from hotspot.count_incidents)."
        )
    x = check_value_column(cells, column, what="places", varying=False, func=func)
    if len(x) == 0:
        raise HotspotInputError(f"{func}: cells is empty: there are no places to compare.")
    if (x < 0).any():
        raise HotspotInputError(
            f"{func}: column {column!r} must hold counts >= 0; it has {int((x < 0).sum())} "
            "negative values."
        )
    if x.sum() <= 0:
        raise HotspotInputError(
            f"{func}: column {column!r} sums to 0: with no crime there is no concentration "
            "to measure."
        )
    return x


def concentration(cells: pd.DataFrame, column: str = "count") -> Concentration:
    """Gini coefficient, generalised Gini and Lorenz curve of crime counts across places.

    Parameters
    ----------
    cells : DataFrame or GeoDataFrame
        One row per place (cell, street segment, area), including places without crime, e.g.
        from :func:`hotspot.count_incidents`.
    column : str, default="count"
        The column of counts (numbers >= 0, summing to more than 0).

    Returns
    -------
    Concentration
        ``gini`` (also ``statistic``), ``gini_adjusted``, ``lorenz``, ``n_places``,
        ``n_crimes``, ``column`` and ``params`` (``method``, ``period``, ``rng_seed``).

    Notes
    -----
    With counts x_1..x_n over n places and N = sum(x), the Gini coefficient is half the
    relative mean absolute difference,
    ``G = sum_i sum_j |x_i - x_j| / (2 n**2 mean(x))``, computed as
    ``G = sum_i (2 i - n - 1) x_(i) / (n N)`` over the counts sorted ascending. It is twice
    the area between the Lorenz curve (linear between its points) and the diagonal: 0 when
    every place has the same count, ``1 - 1/n`` when all crime is in one place. No
    small-sample factor ``n / (n - 1)`` is applied (``DescTools::Gini(x, unbiased =
    FALSE)`` in R).

    **Fewer crimes than places.** With N < n, some places must have no crime even when crime
    is spread as evenly as it can be (N places with one crime each), and G is then at least
    ``1 - N/n``: sparse data look concentrated. Bernasco & Steenbeek (2017) compare the
    Lorenz curve with this line of *maximal equality given the data* instead of the
    diagonal, which gives the generalised Gini
    ``G' = max(1, n/N) * (G - 1) + 1``:
    0 when every crime is in a different place, ``1 - 1/N`` when all are in one place, and
    ``G' = G`` when N >= n. This is the formula of the authors' R package ``lorenzgini``
    (``gini(x, generalized = TRUE, unbiased = FALSE)``); its default ``unbiased = TRUE``
    further multiplies by ``m / (m - 1)``, ``m = min(n, N)``.

    **The Lorenz curve** follows the criminology convention: places are sorted from most to
    least crime, so the curve runs above the diagonal and reads "the top 10 % of places hold
    y % of crime". Ties between places with equal counts do not change the curve.

    Time O(n log n).

    References
    ----------
    Bernasco, W. & Steenbeek, W. (2017). More places than crimes: implications for evaluating
    the law of crime concentration at place. Journal of Quantitative Criminology 33(3),
    451–467. https://doi.org/10.1007/s10940-016-9324-7

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.stats.concentration import concentration
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 250, quiet=True), quiet=True)
    >>> c = concentration(cells)
    >>> 0.5 < c.gini < 1, c.gini_adjusted == c.gini  # more crimes than cells
    (True, True)
    >>> c.method, c.params["period"]["end"]
    ('concentration', '2021-12-31')
    """
    func = "concentration"
    x = _counts(cells, column, func)
    n = len(x)
    total = float(x.sum())
    ascending = np.sort(x)
    ranks = np.arange(1, n + 1, dtype=float)
    gini = float(np.sum((2.0 * ranks - n - 1.0) * ascending) / (n * total))
    gini = min(max(gini, 0.0), 1.0)
    adjusted = max(1.0, n / total) * (gini - 1.0) + 1.0
    descending = ascending[::-1]
    crimes = np.r_[0.0, np.cumsum(descending)]
    places = np.arange(n + 1)
    lorenz = pd.DataFrame(
        {
            "places": places,
            "crimes": crimes,
            "place_share": places / n,
            "crime_share": crimes / total,
        },
        index=pd.RangeIndex(n + 1, name="rank"),
    )
    n_crimes = int(total) if float(total).is_integer() else total
    period = report_of(cells).get("period")
    return Concentration(
        gini=gini,
        gini_adjusted=float(adjusted),
        lorenz=lorenz,
        n_places=n,
        n_crimes=n_crimes,
        column=column,
        params={
            "method": func,
            "period": period if isinstance(period, dict) else None,
            "rng_seed": None,
            "column": column,
            "n_places": n,
            "n_crimes": n_crimes,
        },
    )


def share_of_places(cells: pd.DataFrame, crime_share: float = 0.5, column: str = "count") -> float:
    """The smallest share of places that together hold at least ``crime_share`` of crime.

    "50 % of crime happens in X % of places": this returns X / 100.

    Parameters
    ----------
    cells : DataFrame or GeoDataFrame
        One row per place, including places without crime (from
        :func:`hotspot.count_incidents`).
    crime_share : float, default=0.5
        The share of crime, in (0, 1].
    column : str, default="count"
        The column of counts.

    Returns
    -------
    float
        ``k / n``: n is the number of places and k the smallest number of places whose
        counts add up to at least ``crime_share`` of the total, taking places from the most
        to the least crime.

    Notes
    -----
    Places are whole: there is no interpolation between them, so the result is a multiple
    of ``1 / n`` and the places found may hold more than ``crime_share`` (with counts 5, 3,
    2, half of crime needs the first place, which holds 50 %; 60 % needs two places, which
    hold 80 %). Which of several places with the same count is taken does not change k. The
    comparison allows a relative rounding tolerance of 1e-12, so 30 % of 10 crimes is
    reached by 3 crimes. ``crime_share=1`` gives the share of places with any crime.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.stats.concentration import share_of_places
    >>> cells = pd.DataFrame({"count": [5, 3, 2, 0, 0]})
    >>> share_of_places(cells, 0.5), share_of_places(cells, 0.6), share_of_places(cells, 1)
    (0.2, 0.4, 0.6)
    """
    func = "share_of_places"
    if isinstance(crime_share, bool) or not isinstance(crime_share, numbers.Real):
        raise HotspotInputError(
            f"{func}: crime_share={crime_share!r} must be a number in (0, 1], e.g. 0.5."
        )
    if not 0 < float(crime_share) <= 1:
        raise HotspotInputError(
            f"{func}: crime_share={crime_share!r} must be in (0, 1], e.g. 0.5 for half of "
            "crime (not a percentage)."
        )
    x = _counts(cells, column, func)
    cumulative = np.cumsum(np.sort(x)[::-1])
    target = float(crime_share) * cumulative[-1] * (1.0 - _SHARE_RTOL)
    k = int(np.searchsorted(cumulative, target, side="left")) + 1
    return min(k, len(x)) / len(x)

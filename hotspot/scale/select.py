"""Selecting rows of lazy incidents: one crime type, one force, a year, across every file.

A national archive is rarely analysed whole: an analyst wants burglaries, or one force, or one
year. :meth:`hotspot.scale.LazyIncidents.where` keeps the rows that meet conditions, applied
to each partition inside the Dask task that reads it (nothing is computed when it is called),
so a count or cube of the selection equals the in-memory function on
``incidents[mask]``. The files' load report is unchanged (rows read, kept and excluded by
the reader); the results record the selection in words, and a selection that keeps no row is
said to be the cause when a count or cube finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError

__all__ = ["Condition", "apply_conditions", "conditions_from", "describe"]

#: How many values of a list are named in a description.
_NAMED = 5


@dataclass(frozen=True)
class Condition:
    """One condition of a selection: a column equal to one of ``values``, or ``predicate``.

    Attributes
    ----------
    column : hashable or None
        The column compared (None for a predicate).
    values : tuple
        The values kept (``isin``); empty for a predicate.
    predicate : callable or None
        ``predicate(frame)`` gives a boolean mask of the partition's rows.
    label : str
        The condition in words, for results and messages.
    """

    column: Hashable | None
    values: tuple[Any, ...]
    predicate: Callable[[pd.DataFrame], Any] | None
    label: str


def _label(column: Hashable, values: tuple[Any, ...]) -> str:
    shown = ", ".join(repr(v) for v in values[:_NAMED])
    if len(values) > _NAMED:
        shown += f" and {len(values) - _NAMED:,} more"
    if len(values) == 1:
        return f"{column} == {shown}"
    return f"{column} in ({shown})"


def conditions_from(
    predicate: Callable[[pd.DataFrame], Any] | None,
    equals: dict[str, Any],
    columns: pd.Index,
) -> tuple[Condition, ...]:
    """Check the arguments of :meth:`LazyIncidents.where` and make its conditions.

    Parameters
    ----------
    predicate : callable, optional
        A function of a partition's pandas DataFrame returning a boolean mask of its rows.
    equals : dict
        Column name → a value or a list (tuple, set) of values to keep.
    columns : Index
        The lazy incidents' columns.

    Returns
    -------
    tuple of Condition

    Raises
    ------
    HotspotInputError
        No condition, a predicate that is not callable, an unknown column or an empty list.

    Examples
    --------
    >>> import pandas as pd
    >>> found = conditions_from(None, {"category": ["Burglary", "Robbery"]}, pd.Index(["category"]))
    >>> found[0].label
    "category in ('Burglary', 'Robbery')"
    """
    out: list[Condition] = []
    if predicate is not None:
        if not callable(predicate):
            raise HotspotInputError(
                f"where: the first argument is a {type(predicate).__name__}, not a function; "
                "pass a function of a partition's DataFrame returning a boolean mask (e.g. "
                "lambda frame: frame['time'].dt.year == 2020), or column=value keywords."
            )
        name = getattr(predicate, "__name__", type(predicate).__name__)
        out.append(Condition(None, (), predicate, f"{name}(rows)"))
    for column, wanted in equals.items():
        if column not in columns:
            have = ", ".join(map(str, columns))
            raise HotspotInputError(
                f"where: {column!r} is not a column of the incidents (columns: {have}). For a "
                "column whose name is not a Python name, pass a dict: where(**{'Falls within': "
                "'…'})."
            )
        if isinstance(wanted, list | tuple | set | frozenset | pd.Index | np.ndarray):
            values = tuple(sorted(wanted, key=str)) if isinstance(wanted, set) else tuple(wanted)
            if not values:
                raise HotspotInputError(
                    f"where: {column}= is an empty list, which would keep no row; pass the "
                    "values to keep."
                )
        else:
            values = (wanted,)
        out.append(Condition(column, values, None, _label(column, values)))
    if not out:
        raise HotspotInputError(
            "where: give a condition: column=value (or a list of values), e.g. "
            "where(category='Burglary'), or a function of a partition's DataFrame."
        )
    return tuple(out)


def apply_conditions(frame: pd.DataFrame, conditions: tuple[Condition, ...]) -> pd.DataFrame:
    """The rows of one partition that meet every condition (runs inside a Dask task).

    Raises
    ------
    HotspotInputError
        A predicate whose result is not a boolean mask of the partition's rows.
    """
    if not conditions or not len(frame):
        return frame
    keep = np.ones(len(frame), dtype=bool)
    for condition in conditions:
        if condition.predicate is None:
            keep &= frame[condition.column].isin(list(condition.values)).to_numpy(dtype=bool)
            continue
        mask = condition.predicate(frame)
        values = np.asarray(mask.to_numpy() if isinstance(mask, pd.Series) else mask)
        if values.shape != (len(frame),) or values.dtype != bool:
            raise HotspotInputError(
                f"where: {condition.label} gave "
                f"{'a ' + str(values.dtype) if values.ndim else 'a scalar'} of shape "
                f"{values.shape}, not a boolean mask of the partition's {len(frame):,} rows; "
                "return e.g. frame['category'] == 'Burglary'."
            )
        keep &= values
    return frame if keep.all() else frame[keep]


def describe(conditions: tuple[Condition, ...]) -> str | None:
    """The selection in words ("category == 'Burglary' and year(rows)"), or None."""
    if not conditions:
        return None
    return " and ".join(c.label for c in conditions)

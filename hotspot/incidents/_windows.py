"""Time windows: the end of each incident's window, checked against its start and counted.

An incident recorded "some time between" two times has a window ``[time_start, time_end)``.
Each kept row falls in exactly one of :data:`WINDOW_KINDS`, so the counts add up to the rows
kept; nothing is dropped for its end:

=============================  ================================================================
kind                           what happens to ``time_end``
=============================  ================================================================
window                         kept (the end is after the start, at most 7 days later)
window over 7 days, capped     start + 7 days, as Ratcliffe's ``aoristic`` package does
zero-length window             kept (end equals start: a point in time)
no end                         NaT: a point in time
unreadable end                 NaT: the end could not be read (its reason is in the notes)
negative window                NaT: the end is before the start; the start is kept as the time
=============================  ================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_WINDOW = pd.Timedelta(days=7)
"""The longest window kept as given; longer ones end at start + 7 days."""

WINDOW_KINDS = (
    "window",
    "window over 7 days, capped",
    "zero-length window",
    "no end",
    "unreadable end",
    "negative window",
)


def window_ends(
    starts: pd.Series, ends: pd.Series, end_reasons: pd.Series
) -> tuple[pd.Series, np.ndarray]:
    """Each row's window end (NaT for a point in time) and the kind of its window.

    Parameters
    ----------
    starts, ends : Series of datetime64
        Parsed start and end times (NaT where missing or unreadable).
    end_reasons : Series
        Why an end is missing (``"missing time"`` for a blank), None where it was read.

    Returns
    -------
    (Series, ndarray)
        The ends to keep and a label from :data:`WINDOW_KINDS` per row (None where the start
        is missing: such rows are excluded for their time).

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2024-01-01 22:00"] * 3 + [None]))
    >>> e = pd.Series(pd.to_datetime(["2024-01-02 06:00", "2024-01-01 20:00", None, None]))
    >>> r = pd.Series([None, None, "missing time", "missing time"], dtype=object)
    >>> end, kind = window_ends(s, e, r)
    >>> [str(v) for v in end], kind.tolist()
    (['2024-01-02 06:00:00', 'NaT', 'NaT', 'NaT'], ['window', 'negative window', 'no end', None])
    """
    start = starts.to_numpy(dtype="datetime64[ns]")
    end = ends.to_numpy(dtype="datetime64[ns]")
    reasons = end_reasons.to_numpy(dtype=object)
    has_start = ~np.isnat(start)
    has_end = ~np.isnat(end)
    labels = np.full(len(start), None, dtype=object)
    both = has_start & has_end
    length = np.where(both, end - start, np.timedelta64(0, "ns"))
    limit = MAX_WINDOW.to_timedelta64()
    labels[has_start & ~has_end] = "no end"
    labels[has_start & ~has_end & (reasons != "missing time") & pd.notna(reasons)] = (
        "unreadable end"
    )
    labels[both & (length < np.timedelta64(0, "ns"))] = "negative window"
    labels[both & (length == np.timedelta64(0, "ns"))] = "zero-length window"
    labels[both & (length > np.timedelta64(0, "ns")) & (length <= limit)] = "window"
    capped = both & (length > limit)
    labels[capped] = "window over 7 days, capped"
    out = end.copy()
    out[capped] = start[capped] + limit
    out[labels == "negative window"] = np.datetime64("NaT")
    return pd.Series(out, index=starts.index), labels


def window_counts(labels: np.ndarray) -> dict[str, int]:
    """Rows per kind of window, in :data:`WINDOW_KINDS` order (kinds with no rows left out).

    Examples
    --------
    >>> window_counts(np.array(["no end", "window", "window"], dtype=object))
    {'window': 2, 'no end': 1}
    """
    found = pd.Series(labels, dtype=object).value_counts()
    return {kind: int(found[kind]) for kind in WINDOW_KINDS if kind in found.index}

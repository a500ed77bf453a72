"""The period a result covers, said the same way on every output.

Every result stamps ``attrs["hotspot"]["period"]`` with :func:`period_of`: the first and last day
its incidents (or bins) cover, a label a reader can trust ("Jul 2016, Jul 2017, Jul 2018" for
months with gaps, "2019-12-30 to 2021-12-26" otherwise) and the number of days covered (the
denominator of any rate "per year"). Maps, images, tables and the report print the label; none
of them reads the file's own range.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

MONTH_LIKE = ("month",)


def _month_runs(months: pd.PeriodIndex) -> list[tuple[pd.Period, pd.Period]]:
    """Runs of consecutive months: [(first, last), ...]."""
    ordinals = np.unique(months.asi8)
    runs: list[tuple[int, int]] = []
    for value in ordinals:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], int(value))
        else:
            runs.append((int(value), int(value)))
    return [(pd.Period(ordinal=a, freq="M"), pd.Period(ordinal=b, freq="M")) for a, b in runs]


def _month_label(runs: list[tuple[pd.Period, pd.Period]]) -> str:
    parts = []
    for first, last in runs:
        if first == last:
            parts.append(f"{first:%b %Y}")
        elif first.year == last.year:
            parts.append(f"{first:%b}–{last:%b %Y}")
        else:
            parts.append(f"{first:%b %Y}–{last:%b %Y}")
    if len(parts) > 6:
        return f"{parts[0]} … {parts[-1]} ({len(runs)} separate spells of months)"
    return ", ".join(parts)


def period_of(times: Any, resolution: str | None = None) -> dict[str, Any] | None:
    """The period covered by incident times (a Series or array of datetimes).

    Parameters
    ----------
    times : Series or array of datetime64
        The times of the incidents a result was made from (missing ones are ignored).
    resolution : str, optional
        The load report's time resolution; ``"month"`` lists the months that have data.

    Returns
    -------
    dict or None
        ``start`` and ``end`` (``YYYY-MM-DD``, both inclusive), ``label`` and ``days`` (days
        covered: for months, the days of the months with data). None without times.

    Examples
    --------
    >>> t = pd.to_datetime(["2016-07-01", "2017-07-01", "2018-07-01"])
    >>> period_of(t, "month")["label"], period_of(t, "month")["days"]
    ('Jul 2016, Jul 2017, Jul 2018', 93)
    >>> period_of(pd.to_datetime(["2019-01-03 10:00", "2019-12-31 23:00"]), "hour")["label"]
    '2019-01-03 to 2019-12-31'
    """
    values = pd.DatetimeIndex(pd.Series(np.asarray(times)).dropna())
    if not len(values):
        return None
    if values.tz is not None:
        values = values.tz_localize(None)
    first, last = values.min(), values.max()
    if resolution in MONTH_LIKE:
        runs = _month_runs(values.to_period("M"))
        return {
            "start": f"{runs[0][0].start_time:%Y-%m-%d}",
            "end": f"{runs[-1][1].end_time:%Y-%m-%d}",
            "label": _month_label(runs),
            "days": int(sum((b.end_time.normalize() - a.start_time).days + 1 for a, b in runs)),
        }
    return {
        "start": f"{first:%Y-%m-%d}",
        "end": f"{last:%Y-%m-%d}",
        "label": f"{first:%Y-%m-%d} to {last:%Y-%m-%d}",
        "days": int((last.normalize() - first.normalize()).days + 1),
    }


def period_of_bins(start: pd.Timestamp, end: pd.Timestamp, freq_word: str, n_bins: int) -> dict:
    """The period of a cube's bins ``[start, end)`` (``end`` the last bin's end).

    Examples
    --------
    >>> period_of_bins(pd.Timestamp("2021-01-04"), pd.Timestamp("2021-03-01"), "week", 8)["label"]
    '2021-01-04 to 2021-02-28 (8 weeks)'
    """
    last = pd.Timestamp(end) - pd.Timedelta(days=1)
    unit = freq_word + ("s" if n_bins != 1 else "")
    return {
        "start": f"{pd.Timestamp(start):%Y-%m-%d}",
        "end": f"{last:%Y-%m-%d}",
        "label": f"{pd.Timestamp(start):%Y-%m-%d} to {last:%Y-%m-%d} ({n_bins} {unit})",
        "days": int((pd.Timestamp(end) - pd.Timestamp(start)).days),
    }


def stamped_period(result: Any) -> dict[str, Any]:
    """The period a result carries: ``attrs["hotspot"]["period"]``, or a cube's top-level
    ``attrs["period"]``; an empty dict when it has none."""
    attrs = getattr(result, "attrs", None) or {}
    period = attrs.get("hotspot", {}).get("period") or attrs.get("period")
    return period if isinstance(period, dict) else {}


def period_label(result: Any) -> str | None:
    """The period label a result carries, or None."""
    return stamped_period(result).get("label")


def years_covered(result: Any) -> float | None:
    """Years covered by a result's period (days / 365.25), or None."""
    days = stamped_period(result).get("days")
    return days / 365.25 if days else None


def incidents_period(incidents: pd.DataFrame, rows: np.ndarray | None = None) -> dict | None:
    """The period of the incidents analysed (``rows``: a boolean mask of them; all by default),
    or None when they have no datetime ``time`` column.

    Examples
    --------
    >>> frame = pd.DataFrame({"time": pd.to_datetime(["2024-01-02", "2024-03-04"])})
    >>> incidents_period(frame)["label"]
    '2024-01-02 to 2024-03-04'
    """
    from hotspot._validate import time_resolution

    if "time" not in incidents.columns:
        return None
    times = incidents["time"]
    if not pd.api.types.is_datetime64_any_dtype(times):
        return None
    values = times.to_numpy()
    if rows is not None:
        values = values[rows]
    return period_of(values, time_resolution(incidents))


def context_of(incidents: Any) -> dict[str, Any]:
    """The period and the place labels of the incidents a result was made from, for its attrs
    (``{"period": ..., "places": ...}``, each only when the incidents have it)."""
    from hotspot._validate import time_resolution
    from hotspot.places import labels_to_records, place_labels

    out: dict[str, Any] = {}
    if len(incidents) and "time" in incidents.columns:
        period = period_of(incidents["time"].to_numpy(), time_resolution(incidents))
        if period is not None:
            out["period"] = period
    if len(incidents):
        labels = place_labels(incidents)
        if labels is not None:
            out["places"] = labels_to_records(labels)
    return out

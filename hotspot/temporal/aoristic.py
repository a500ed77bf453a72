"""Aoristic weights: each incident's time window spread over the units of time it overlaps.

An incident recorded as "some time between Friday 18:00 and Monday 08:00" happened in one of
those hours, but no one knows which. Ratcliffe's aoristic method (Ratcliffe 2002, *Aoristic
signatures and the spatio-temporal analysis of high volume crime patterns*, J. Quant.
Criminol. 18(1)) gives each unit of time the share of the window it covers, so each incident
counts once in all, and exact times count wholly in their own unit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hotspot._period import incidents_period
from hotspot._result import stamp
from hotspot._validate import check_columns
from hotspot.errors import HotspotInputError

CYCLIC_UNITS = {
    "hour_of_week": ("h", 168),
    "hour": ("h", 24),
    "weekday": ("D", 7),
    "month": ("M", 12),
}
"""Units that repeat: the calendar bins they are measured on and how many there are."""

# Offset aliases → pandas period aliases, as hotspot.grid.cube.space_time_cube reads them.
_PERIODS = {
    "D": "D",
    "W": "W-SUN",
    "M": "M",
    "MS": "M",
    "ME": "M",
    "Q": "Q-DEC",
    "QS": "Q-DEC",
    "QE": "Q-DEC",
    "Y": "Y-DEC",
    "YS": "Y-DEC",
    "YE": "Y-DEC",
    "A": "Y-DEC",
    "H": "h",
    "h": "h",
}
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_UNITS_TEXT = (
    "'hour_of_week', 'hour', 'weekday', 'month', or a frequency for calendar bins: D, W "
    "(or W-MON … W-SUN), MS/M, QS/Q, YS/Y, h, with an optional multiple such as 2W"
)
_CHUNK_ROWS = 2_000_000  # incident × bin rows handled at once (bounds the memory used)
_FUNC = "aoristic_weights"


def _calendar_unit(unit: object) -> tuple[str, int]:
    """(pandas period alias, multiple) of a frequency such as ``"W"`` or ``"2D"``."""
    match = (
        re.fullmatch(r"\s*(\d*)\s*([A-Za-z]+)(-[A-Za-z]{3})?\s*", unit)
        if isinstance(unit, str)
        else None
    )
    if match is None or match.group(2) not in _PERIODS or int(match.group(1) or 1) < 1:
        raise HotspotInputError(f"{_FUNC}: unit={unit!r} is not a unit; use {_UNITS_TEXT}.")
    period = _PERIODS[match.group(2)]
    if match.group(3):
        if period != "W-SUN" or match.group(3).upper()[1:] not in _WEEKDAYS:
            raise HotspotInputError(
                f"{_FUNC}: unit={unit!r}: only weeks take an anchor (W-MON … W-SUN); use "
                f"{_UNITS_TEXT}."
            )
        period = "W" + match.group(3).upper()
    return period, int(match.group(1) or 1)


def _wall_clock(values: pd.Series) -> np.ndarray:
    """Naive local wall-clock times (an aware column keeps its local clock, as the cube does)."""
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.to_numpy(dtype="datetime64[ns]")


def _window(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Start and end (int64 ns, end == start for a point in time) and the counts by kind."""
    time = _wall_clock(incidents["time"])
    start = time
    if "time_start" in incidents.columns:
        given = _wall_clock(incidents["time_start"])
        start = np.where(np.isnat(given), time, given)
    if "time_end" in incidents.columns:
        end = _wall_clock(incidents["time_end"])
    else:
        end = np.full(len(start), np.datetime64("NaT"), dtype="datetime64[ns]")
    no_time = np.isnat(start)
    no_end = ~no_time & np.isnat(end)
    safe_end = np.where(np.isnat(end), start, end)
    negative = ~no_time & ~no_end & (safe_end < start)
    point = ~no_time & (no_end | negative | (safe_end == start))
    counts = {
        "incidents": len(start),
        "weighted": int((~no_time).sum()),
        "windows": int((~no_time & ~point).sum()),
        "points": int(point.sum()),
        "negative_windows": int(negative.sum()),
        "no_time": int(no_time.sum()),
    }
    s = start.view(np.int64)
    e = np.where(point | no_time, s, safe_end.view(np.int64))
    return s, e, counts


_FIXED = {"h": 3_600 * 10**9, "D": 86_400 * 10**9}
"""Bins of one length, counted from 1970-01-01 00:00 as pandas numbers their periods."""


def _ordinals(ns: np.ndarray, period: str) -> np.ndarray:
    """Period ordinals of int64 nanosecond times."""
    if period in _FIXED:
        return ns // _FIXED[period]
    return pd.DatetimeIndex(ns.astype("datetime64[ns]")).to_period(period).asi8


def _starts(ordinals: np.ndarray, period: str) -> np.ndarray:
    """Start (int64 ns) of each period ordinal, computed once per distinct ordinal."""
    if period in _FIXED:
        return ordinals * _FIXED[period]
    unique, inverse = np.unique(ordinals, return_inverse=True)
    index = pd.PeriodIndex.from_ordinals(unique, freq=period)
    return index.start_time.as_unit("ns").asi8[inverse]


def _chunk(
    s: np.ndarray, e: np.ndarray, period: str, multiple: int, origin: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(incident position, first period ordinal of the bin, weight) for a chunk of incidents."""
    first = _ordinals(s, period)
    last = _ordinals(np.maximum(e - 1, s), period)
    k = last - first + 1
    total = int(k.sum())
    pos = np.repeat(np.arange(len(s)), k)
    step = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    ordinal = first[pos] + step
    lo = np.maximum(_starts(ordinal, period), s[pos])
    hi = np.minimum(_starts(ordinal + 1, period), e[pos])
    length = (e - s)[pos]
    weight = np.where(length > 0, (hi - lo) / np.where(length > 0, length, 1), 1.0)
    if multiple > 1:
        ordinal = origin + (ordinal - origin) // multiple * multiple
    return pos, ordinal, weight


def _sum_by(pos: np.ndarray, code: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, ...]:
    """Weights summed per (incident, unit), ordered by incident then unit."""
    low = int(code.min())
    span = int(code.max()) - low + 1
    key = pos.astype(np.int64) * span + (code - low)
    unique, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(inverse, weights=weight, minlength=len(unique))
    return unique // span, unique % span + low, sums


def aoristic_weights(incidents: pd.DataFrame, unit: str = "hour_of_week") -> pd.DataFrame:
    """Each incident's weight in each unit of time its window overlaps (Ratcliffe 2002).

    An incident with a window ``[time_start, time_end)`` gives each unit the share of the
    window that falls in it, in proportion to the time overlapped (whole minutes for times to
    the minute), so its weights sum to 1. An incident without a window (no ``time_end``, an
    end equal to or before the start) puts weight 1 on the unit containing its ``time``.

    Parameters
    ----------
    incidents : DataFrame or GeoDataFrame
        From :func:`hotspot.read_incidents`: ``time``, and ``time_start``/``time_end`` when the
        source had a window (without them every incident is a point in time).
    unit : str, default="hour_of_week"
        ``"hour_of_week"`` (0–167, Monday 00:00–01:00 is 0), ``"hour"`` (0–23), ``"weekday"``
        (0–6, Monday is 0), ``"month"`` (1–12), or a frequency for calendar bins as
        :func:`hotspot.space_time_cube` makes them: ``"D"``, ``"W"`` (Monday to Sunday weeks),
        ``"W-SAT"``, ``"MS"``/``"M"``, ``"QS"``, ``"YS"``, ``"h"``; a unit is then the bin's
        start (a Timestamp). A multiple such as ``"2W"`` counts its bins from the bin of the
        earliest time, as the cube does without ``start=``.

    Returns
    -------
    DataFrame
        One row per incident and unit with weight above 0: ``incident`` (the incident's index
        label), ``unit`` and ``weight``, ordered by incident then unit. ``attrs["hotspot"]``
        is stamped with kind ``"incidents"``, method ``"aoristic_weights"`` and under
        ``"aoristic_weights"`` the unit and the counts: ``incidents == weighted + no_time``,
        ``weighted == windows + points``, and ``negative_windows`` (ends before starts, taken
        as points). Incidents with no time at all are left out and counted as ``no_time``.

    Raises
    ------
    HotspotInputError
        ``incidents`` is not a frame with a datetime ``time`` column, or ``unit`` is not one.

    Notes
    -----
    Times are local wall-clock times (as the datasets and :func:`hotspot.read_incidents`
    store them) and windows are measured in wall-clock minutes: a window from 00:30 to 03:30
    on the night clocks go forward lasts 180 minutes here (120 elapsed), and the hour from
    01:00 to 02:00 that did not happen gets its share. A weight is a share of the window as
    recorded, which is how the police write it.

    Examples
    --------
    >>> import pandas as pd
    >>> inc = pd.DataFrame({
    ...     "time": pd.to_datetime(["2024-01-01 10:15", "2024-01-07 23:00"]),
    ...     "time_start": pd.to_datetime(["2024-01-01 10:15", "2024-01-07 23:00"]),
    ...     "time_end": pd.to_datetime([None, "2024-01-08 01:00"])})
    >>> aoristic_weights(inc).to_dict("list")
    {'incident': [0, 1, 1], 'unit': [10, 0, 167], 'weight': [1.0, 0.5, 0.5]}
    """
    if not isinstance(incidents, pd.DataFrame):
        raise HotspotInputError(
            f"{_FUNC}: incidents= is a {type(incidents).__name__}, not a DataFrame; pass the "
            "incidents from hotspot.read_incidents(...)."
        )
    fix = "load them with hotspot.read_incidents(..., time='<your date column>')"
    check_columns(incidents, ["time"], func=_FUNC, fix=fix, what="incidents frame")
    for column in ("time", "time_start", "time_end"):
        if column in incidents.columns and not pd.api.types.is_datetime64_any_dtype(
            incidents[column].dtype
        ):
            raise HotspotInputError(
                f"{_FUNC}: incidents[{column!r}] is {incidents[column].dtype}, not datetimes; "
                f"{fix}."
            )
    if isinstance(unit, str) and unit in CYCLIC_UNITS:
        period, n_codes = CYCLIC_UNITS[unit]
        multiple = 1
    else:
        period, multiple = _calendar_unit(unit)
        n_codes = 0
    s_all, e_all, counts = _window(incidents)
    used = np.flatnonzero(s_all != np.iinfo(np.int64).min)
    s, e = s_all[used], e_all[used]
    origin = int(_ordinals(s[[int(np.argmin(s))]], period)[0]) if len(s) else 0
    per_incident = np.maximum((e - s) // _unit_ns(period), 0) + 2  # an upper bound on bins
    parts = []
    begin = 0
    cumulative = np.cumsum(per_incident)
    while begin < len(s):
        stop = int(np.searchsorted(cumulative, cumulative[begin] + _CHUNK_ROWS, "right"))
        stop = max(min(stop, begin + _CHUNK_ROWS // max(n_codes, 1)), begin + 1)
        pos, ordinal, weight = _chunk(s[begin:stop], e[begin:stop], period, multiple, origin)
        code = _cyclic_code(ordinal, unit) if n_codes else ordinal
        if n_codes:
            dense = np.bincount(pos * n_codes + code, weights=weight, minlength=n_codes)
            pos, code = np.divmod(np.flatnonzero(dense), n_codes)
            weight = dense[pos * n_codes + code]
        elif multiple > 1:
            pos, code, weight = _sum_by(pos, code, weight)
        parts.append((pos + begin, code, weight))
        begin = stop
    pos = np.concatenate([p[0] for p in parts]) if parts else np.array([], dtype=np.int64)
    code = np.concatenate([p[1] for p in parts]) if parts else np.array([], dtype=np.int64)
    weight = np.concatenate([p[2] for p in parts]) if parts else np.array([], dtype=float)
    keep = weight > 0
    pos, code, weight = pos[keep], code[keep], weight[keep]
    if n_codes:
        units: object = code.astype(np.int64) + (1 if unit == "month" else 0)
    else:
        units = pd.PeriodIndex.from_ordinals(code, freq=period).start_time.as_unit("ns")
    out = pd.DataFrame(
        {
            "incident": incidents.index[used[pos]],
            "unit": units,
            "weight": weight,
        }
    )
    params = {"unit": unit, **counts}
    return stamp(
        out,
        kind="incidents",
        method=_FUNC,
        params=params,
        source=incidents,
        period=incidents_period(incidents),
    )


def _unit_ns(period: str) -> int:
    """The shortest bin of ``period`` (an hour, a day, a week, 28 days, …) in nanoseconds."""
    days = {"h": 1 / 24, "D": 1, "W": 7, "M": 28, "Q": 89, "Y": 365}[period[0]]
    return int(days * 86_400 * 10**9)


def _cyclic_code(ordinals: np.ndarray, unit: str) -> np.ndarray:
    """The unit of each bin from its period ordinal: 1970-01-01 was a Thursday (weekday 3)."""
    if unit == "hour_of_week":
        return (ordinals + 72) % 168
    if unit == "hour":
        return ordinals % 24
    if unit == "weekday":
        return (ordinals + 3) % 7
    return ordinals % 12  # months counted from January 1970 (0 is January)

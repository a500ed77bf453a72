"""Parse an incident time column: formats, month-only values, separate hours, time zones.

Every row comes back either with a time or with the reason it has none; nothing is dropped here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError

MONTH_ONLY = r"\d{4}-\d{1,2}"  # matched in full against stripped text
RESOLUTIONS = ("month", "day", "hour", "minute", "second")
# A UTC offset after a clock time: "05:00:00+00", "21:30Z", "2018-07-01T10:00:00-04:00".
OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass
class ParsedTimes:
    """Parsed times (naive local wall-clock) and a per-row failure reason (or ``None``)."""

    times: pd.Series
    reasons: pd.Series
    resolution: str | None
    notes: list[str]


def _as_text(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _is_month_only(text: pd.Series) -> bool:
    """At least 95 % of the (stripped) values are months such as ``2018-07``."""
    present = text.dropna()
    if not len(present):
        return False
    # A sample settles most columns at once; the full scan only runs for month-like ones.
    if float(present.iloc[:200].str.fullmatch(MONTH_ONLY).mean()) < 0.5:
        return False
    return float(present.str.fullmatch(MONTH_ONLY).mean()) >= 0.95


# Numeric dates with separators: 03/07/2018, 3.7.18, 03-07-2018 (day and month order unknown).
NUMERIC_DATE = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b"


def _day_first(present: pd.Series) -> bool | None:
    """Day-first or month-first, read off the numeric dates themselves.

    ``None`` when there are none. Raises when some rows are day-first and others month-first,
    or when no value tells (every field is at most 12): guessing would move crimes by months.
    """
    fields = present.str.extract(NUMERIC_DATE).dropna()
    if fields.empty:
        return None
    first = fields[0].astype(int)
    second = fields[1].astype(int)
    day_first = bool((first > 12).any())
    month_first = bool((second > 12).any())
    if day_first and month_first:
        both = (present[first.index[first > 12][0]], present[second.index[second > 12][0]])
        raise HotspotInputError(
            f"the time column mixes day-first and month-first dates (e.g. {both[0]!r} and "
            f"{both[1]!r}); pass time_format= (e.g. '%d/%m/%Y') to say which rows are right."
        )
    if not day_first and not month_first:
        raise HotspotInputError(
            f"dates such as {present[fields.index[0]]!r} could be day-first or month-first and no "
            "value settles it; pass time_format='%d/%m/%Y' (day first) or '%m/%d/%Y' (month "
            "first), with the time part if there is one (e.g. '%d/%m/%Y %H:%M')."
        )
    return day_first


def _to_datetime(text: pd.Series, **options: object) -> pd.Series:
    with warnings.catch_warnings():
        # "Could not infer format" when the first value is junk: the rows are still parsed and
        # the failures counted, so the warning says nothing the load report does not.
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(text, errors="coerce", **options)


def _parse_text(
    text: pd.Series, time_format: str | None, month_only: bool, notes: list[str]
) -> pd.Series:
    present = text.dropna()
    if present.empty:
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    utc = _has_offset(present)
    if time_format is None and month_only:
        time_format = "%Y-%m"
    if time_format is not None:
        return _to_datetime(text, format=time_format, utc=utc)
    # Day/month order from the data: the whole column when its first rows are numeric dates,
    # else only the rows the first row's format cannot read (below).
    sample = present.iloc[:1000]
    day_first = _day_first(present) if sample.str.match(NUMERIC_DATE).any() else None
    # Infer the format from the first value and hold every row to it; rows in another format are
    # parsed one by one afterwards and counted, so a mixed column is parsed and reported.
    parsed = _to_datetime(text, utc=utc, dayfirst=bool(day_first))
    failed = parsed.isna() & text.notna()
    if failed.any():
        if day_first is None:
            day_first = _day_first(text[failed])
        rescued = _to_datetime(text[failed], format="mixed", utc=utc, dayfirst=bool(day_first))
        n_rescued = int(rescued.notna().sum())
        if n_rescued:
            example = text[failed][rescued.notna()].iloc[0]
            notes.append(
                f"mixed date formats: {n_rescued} rows are not in the format of the first row "
                f"({present.iloc[0]!r}) and were parsed one by one (e.g. {example!r}"
                f"{', day first' if day_first else ''}); pass time_format= to hold every row to "
                "one format"
            )
            if parsed.dtype != rescued.dtype:
                parsed = parsed.astype(rescued.dtype)
            parsed.loc[rescued.index] = rescued
    return parsed


def _has_offset(text: pd.Series) -> bool:
    sample = text.iloc[: min(len(text), 1000)]
    return bool(sample.str.contains(OFFSET, regex=True).any())


def _to_local_naive(times: pd.Series, timezone: str | None, notes: list[str]) -> pd.Series:
    tz = getattr(times.dtype, "tz", None)
    if tz is None:
        return times
    target = timezone or "UTC"
    where = "UTC" if target == "UTC" else f"{target} local time"
    notes.append(f"times carried a UTC offset; converted to {where}")
    return times.dt.tz_convert(target).dt.tz_localize(None)


def _to_nanoseconds(times: pd.Series, reasons: pd.Series) -> pd.Series:
    """Times as datetime64[ns]; the few beyond its range (years 1678–2261) get a reason."""
    if times.dtype == "datetime64[ns]":
        return times
    late = (times > pd.Timestamp.max).to_numpy(dtype=bool)
    early = (times < pd.Timestamp.min).to_numpy(dtype=bool)
    reasons[late & reasons.isna().to_numpy()] = "time in the future"
    reasons[early & reasons.isna().to_numpy()] = "time before 1678"
    return times.mask(late | early).astype("datetime64[ns]")


def infer_resolution(times: pd.Series, *, month_only: bool = False) -> str | None:
    """The coarsest unit that every time is a whole multiple of.

    "month" needs month-only text (``month_only=True``) or at least 30 times, all on the first
    of a month at midnight: a handful of incidents on the 1st is not a monthly export.

    Examples
    --------
    >>> infer_resolution(pd.Series(pd.to_datetime(["2018-07-01", "2018-08-01"])), month_only=True)
    'month'
    >>> infer_resolution(pd.Series(pd.to_datetime(["2018-07-01 10:00", "2018-07-05 00:00"])))
    'hour'
    """
    t = times.dropna()
    if t.empty:
        return None
    if (t.dt.second != 0).any() or (t.dt.microsecond != 0).any() or (t.dt.nanosecond != 0).any():
        return "second"
    if (t.dt.minute != 0).any():
        return "minute"
    if (t.dt.hour != 0).any():
        return "hour"
    if (t.dt.day != 1).any() or not (month_only or len(t) >= 30):
        return "day"
    return "month"


def parse_times(
    values: pd.Series,
    *,
    hours: pd.Series | None = None,
    timezone: str | None = None,
    time_format: str | None = None,
) -> ParsedTimes:
    """Parse a time column (and an optional separate hour column) row by row.

    Parameters
    ----------
    values : Series
        Raw times: datetimes (naive or aware) or text.
    hours : Series, optional
        Local hour of day (0–23) to add to each date.
    timezone : str, optional
        Zone to which aware times are converted before the zone is dropped (default UTC).
    time_format : str, optional
        A ``strftime`` format every text value must follow.

    Returns
    -------
    ParsedTimes
        ``times`` (naive datetime64), ``reasons`` ("missing time", "unparseable time",
        "invalid hour" or missing), the resolution and notes for the load report.

    Examples
    --------
    >>> p = parse_times(pd.Series(["2018-07"] * 10 + ["2018-08"] * 10 + ["soon", None]))
    >>> p.resolution, p.reasons.value_counts().to_dict()
    ('month', {'unparseable time': 1, 'missing time': 1})
    """
    notes: list[str] = []
    reasons = pd.Series(None, index=values.index, dtype=object)
    month_only = False
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        times = values
        missing = times.isna()
    else:
        text = _as_text(values)
        missing = text.isna()
        month_only = time_format is None and _is_month_only(text)
        times = _parse_text(text, time_format, month_only, notes)
        reasons[times.isna() & ~missing] = "unparseable time"
    reasons[missing] = "missing time"
    times = _to_local_naive(times, timezone, notes)
    times = _to_nanoseconds(times, reasons)
    resolution = infer_resolution(times, month_only=month_only)
    if hours is not None:
        off_midnight = times.notna() & (times != times.dt.normalize())
        if off_midnight.any():
            # A date exported as a local midnight converted with other daylight-saving rules
            # (Toronto's 1978 and 1980 dates come out at 23:00 the day before) is a date all the
            # same: round it to the nearest midnight before adding the hour.
            example = values[off_midnight].iloc[0]
            notes.append(
                f"{int(off_midnight.sum()):,} dates were not at local midnight (e.g. {example!r}); "
                "rounded to the nearest day before adding the hour column"
            )
            times = times.dt.round("D")
        hour = pd.to_numeric(hours, errors="coerce")
        bad_hour = (hour.isna() | (hour < 0) | (hour > 23) | (hour % 1 != 0)) & times.notna()
        reasons[bad_hour & reasons.isna()] = "invalid hour"
        offset = pd.to_timedelta(hour.where(~bad_hour, 0).fillna(0).to_numpy(float), unit="h")
        times = times + offset
        resolution = "hour"
    times = times.where(reasons.isna())
    return ParsedTimes(times, reasons, resolution, notes)


def long_tail(times: pd.Series, share: float = 0.1) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The core period: from the first to the last month with at least ``share`` of the median
    monthly count. Times outside it are a sparse tail worth reporting (late-recorded old crimes).

    Returns ``None`` when there are fewer than three months of data.
    """
    t = times.dropna()
    if t.empty:
        return None
    months = t.dt.to_period("M")
    counts = months.value_counts().sort_index()
    full = counts.reindex(pd.period_range(counts.index.min(), counts.index.max()), fill_value=0)
    if len(full) < 3:
        return None
    # The reference level is the median month between the 1st and 99th percentile of the times,
    # so a long sparse tail cannot drag it down to zero.
    lo, hi = t.quantile([0.01, 0.99])
    central = full[(full.index >= lo.to_period("M")) & (full.index <= hi.to_period("M"))]
    threshold = share * float(np.median(central.to_numpy()))
    dense = full.index[full.to_numpy() >= threshold]
    return dense.min().start_time, dense.max().end_time

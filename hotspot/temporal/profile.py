"""When crime happens: weekday × hour profiles, hot spots against the rest, and trends.

A *profile* counts incidents per cell of a recurring calendar (hour of the week, hour of the
day, weekday, month of the year), every cell present, zeros included, with each cell's share of
its group's total. Incidents with a time window (``time_start``/``time_end``) are spread over
the cells the window covers (aoristic fractions, :func:`hotspot.temporal.aoristic.aoristic_weights`);
those with an exact ``time`` count 1 in the cell of that time.

A *trend* counts incidents per calendar bin (month, week ...) over the data's own span, with
the first and last bins flagged when the data cover them only in part.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._period import incidents_period
from hotspot._result import stamp
from hotspot._validate import (
    check_choice,
    check_columns,
    check_incidents,
    check_integer,
    check_value_column,
    time_resolution,
)
from hotspot.errors import HotspotInputError

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: The profiles one can ask for, and the aoristic unit each one is counted in.
BY_UNITS = {
    ("weekday", "hour"): "hour_of_week",
    ("hour",): "hour",
    ("weekday",): "weekday",
    ("month",): "month",
}
#: Cells of each unit: hour of week 0..167 (Monday 00:00 = 0), hour, weekday, month.
UNIT_VALUES = {
    "hour_of_week": np.arange(168),
    "hour": np.arange(24),
    "weekday": np.arange(7),
    "month": np.arange(1, 13),
}
NORMALISE = (None, "occurrences")
#: Hours in a peak window of an hourly profile (see :func:`profile_peaks`).
PEAK_HOURS = 4
ALL = "all incidents"
REST = "rest of the area"
WINDOW_COLUMNS = ("time_start", "time_end")


def _check_by(by: object, func: str) -> tuple[str, ...]:
    key: object = (by,) if isinstance(by, str) else by
    if isinstance(key, list):
        key = tuple(key)
    return check_choice(key, "by", tuple(BY_UNITS), func=func)


def _unit_of_times(times: pd.Series, unit: str) -> np.ndarray:
    """The cell of each (non-missing) time in ``unit``."""
    if unit == "hour_of_week":
        return (times.dt.day_of_week * 24 + times.dt.hour).to_numpy(dtype=np.int64)
    if unit == "hour":
        return times.dt.hour.to_numpy(dtype=np.int64)
    if unit == "weekday":
        return times.dt.day_of_week.to_numpy(dtype=np.int64)
    return times.dt.month.to_numpy(dtype=np.int64)


def _check_resolution(incidents: pd.DataFrame, by: tuple[str, ...], func: str) -> None:
    resolution = time_resolution(incidents)
    if resolution == "month" and by != ("month",):
        raise HotspotInputError(
            f"{func}: by={by!r} needs the day and hour of each incident, but these incidents are "
            "dated by month only (e.g. data.police.uk); use by=('month',)."
        )
    if resolution in ("day", "date") and "hour" in by:
        raise HotspotInputError(
            f"{func}: by={by!r} needs the hour of each incident, but these incidents are dated "
            "by day only; use by=('weekday',) or by=('month',)."
        )


def _incident_cells(incidents: pd.DataFrame, unit: str, func: str) -> pd.DataFrame:
    """Long table ``position, unit, weight``: one row per incident and cell it falls in."""
    if all(c in incidents.columns for c in WINDOW_COLUMNS):
        from hotspot.temporal.aoristic import aoristic_weights

        if not incidents.index.is_unique:
            raise HotspotInputError(
                f"{func}: the incidents have repeated index labels, so their time windows "
                "cannot be matched back to them; incidents.reset_index(drop=True) first."
            )
        long = aoristic_weights(incidents, unit=unit)
        positions = incidents.index.get_indexer(long["incident"])
        return pd.DataFrame(
            {
                "position": positions,
                "unit": long["unit"].to_numpy(dtype=np.int64),
                "weight": long["weight"].to_numpy(dtype=float),
            }
        )
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            f"{func}: the incidents have no datetime 'time' column (nor time_start/time_end); "
            "load them with hotspot.read_incidents(..., time='<your date column>')."
        )
    times = incidents["time"]
    if getattr(times.dtype, "tz", None) is not None:
        times = times.dt.tz_localize(None)
    has = times.notna().to_numpy()
    return pd.DataFrame(
        {
            "position": np.flatnonzero(has),
            "unit": _unit_of_times(times[has], unit),
            "weight": 1.0,
        }
    )


def _group_labels(incidents: pd.DataFrame, groups: object, func: str) -> tuple[pd.Series, str]:
    """One group label per incident (missing: in no group) and how the groups were given."""
    if groups is None:
        return pd.Series(ALL, index=incidents.index, dtype=object), "none"
    if isinstance(groups, str):
        check_columns(
            incidents,
            [groups],
            func=func,
            what="incidents",
            fix="pass a column name such as 'category' or a Series aligned to the incidents",
        )
        return incidents[groups], groups
    if isinstance(groups, pd.Series):
        if len(groups) != len(incidents) or not groups.index.equals(incidents.index):
            raise HotspotInputError(
                f"{func}: groups= is a Series of {len(groups)} values whose index is not the "
                f"incidents' ({len(incidents)} rows); build it from the incidents, e.g. "
                "incidents['category'] or ids.notna()."
            )
        return groups, str(groups.name) if groups.name is not None else "series"
    raise HotspotInputError(
        f"{func}: groups={type(groups).__name__} is not a column name or a Series; pass e.g. "
        "'category' or a Series aligned to the incidents."
    )


def _weights_of(incidents: pd.DataFrame, weights: object, func: str) -> tuple[np.ndarray, str]:
    """Per-incident weights (finite, >= 0) and their name."""
    if isinstance(weights, str):
        values = check_value_column(
            incidents,
            weights,
            what="incidents",
            fix="pass the name of a numeric column of the incidents",
            varying=False,
            func=func,
        )
        name = weights
    else:
        array = np.asarray(weights)
        if array.ndim != 1 or len(array) != len(incidents):
            raise HotspotInputError(
                f"{func}: weights= has shape {array.shape}, not one value per incident "
                f"({len(incidents)}); pass a column name or an array of {len(incidents)} numbers."
            )
        frame = pd.DataFrame({"weights": array}, index=incidents.index)
        values = check_value_column(
            frame, "weights", what="incidents", fix="", varying=False, func=func
        )
        name = "array"
    if (values < 0).any():
        raise HotspotInputError(
            f"{func}: weights={name!r} has {int((values < 0).sum())} negative values; harm "
            "weights must be 0 or more."
        )
    return values, name


def _occurrences(period: dict | None, unit: str) -> np.ndarray:
    """How often each cell of ``unit`` occurs in the period's days (first to last, inclusive):
    the number of those weekdays for weekday cells (each hour of a weekday once per such day),
    the number of days for hours, the number of days of each calendar month for months."""
    days = pd.date_range(period["start"], period["end"], freq="D")
    if unit == "month":
        return np.bincount(days.month.to_numpy(), minlength=13)[1:].astype(float)
    if unit == "hour":
        return np.full(24, float(len(days)))
    per_weekday = np.bincount(days.day_of_week.to_numpy(), minlength=7).astype(float)
    return np.repeat(per_weekday, 24) if unit == "hour_of_week" else per_weekday


def _cells_frame(unit: str) -> pd.DataFrame:
    values = UNIT_VALUES[unit]
    if unit == "hour_of_week":
        weekday = values // 24
        return pd.DataFrame(
            {
                "weekday": weekday,
                "weekday_name": [WEEKDAY_NAMES[d] for d in weekday],
                "hour": values % 24,
            }
        )
    if unit == "weekday":
        return pd.DataFrame({"weekday": values, "weekday_name": list(WEEKDAY_NAMES)})
    if unit == "hour":
        return pd.DataFrame({"hour": values})
    return pd.DataFrame({"month": values, "month_name": list(MONTH_NAMES)})


def temporal_profile(
    incidents: pd.DataFrame,
    by: tuple[str, ...] | str = ("weekday", "hour"),
    *,
    weights: str | np.ndarray | pd.Series | None = None,
    groups: str | pd.Series | None = None,
    normalise: str | None = None,
) -> pd.DataFrame:
    """Incidents per weekday × hour (or hour, weekday, month of year), per group.

    Parameters
    ----------
    incidents : DataFrame or GeoDataFrame
        With a datetime ``time`` column (naive local time), or ``time_start`` and ``time_end``
        windows, which are spread over the cells they cover (aoristic fractions).
    by : {("weekday", "hour"), ("hour",), ("weekday",), ("month",)}
        The recurring calendar: hour of the week (168 cells, Monday 00:00 first), hour of the
        day (24), weekday (7, Monday = 0) or month of the year (12, January = 1).
    weights : str or array, optional
        A column name or one number (>= 0) per incident, e.g. a harm weight: their sum per cell
        goes in ``weighted`` (and its share in ``weighted_share``).
    groups : str or Series, optional
        A column of the incidents (e.g. ``"category"``) or a Series of labels aligned to them
        (e.g. inside a hot spot or not): one profile per label. Incidents whose label is
        missing are left out and counted.
    normalise : {None, "occurrences"}
        ``"occurrences"`` adds ``occurrences`` (how many times the cell occurs between the
        first and last day of the data: Mondays for a Monday cell, days for an hour cell, days
        of the month for a month cell) and ``rate`` (``count / occurrences``), so a period
        that is not whole weeks or years does not favour the cells it holds more often.

    Returns
    -------
    DataFrame
        One row per group and cell, every cell present (zeros too): ``group``, the calendar
        columns (``weekday`` 0..6 with ``weekday_name`` "Mon".."Sun", ``hour`` 0..23, ``month``
        1..12 with ``month_name``), ``count`` (incidents, fractions with time windows) and
        ``share`` (of the group's count), ordered Monday first. ``attrs["hotspot"]`` holds the
        period of the incidents used and ``counts``: ``incidents == used + no_time + no_group``.

    Raises
    ------
    HotspotInputError
        For an unknown ``by``, a ``groups`` that is neither a column nor an aligned Series,
        missing or negative weights, no time column, or an hourly profile of incidents dated
        by month or day only.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import temporal_profile
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> prof = temporal_profile(inc, groups="category")
    >>> len(prof) == 168 * inc["category"].nunique()
    True
    >>> prof.groupby("group")["share"].sum().round(6).unique().tolist()
    [1.0]
    """
    func = "temporal_profile"
    by = _check_by(by, func)
    check_choice(normalise, "normalise", NORMALISE, func=func)
    if not isinstance(incidents, pd.DataFrame) or not len(incidents):
        raise HotspotInputError(
            f"{func}: incidents must be a non-empty DataFrame from hotspot.read_incidents(...)."
        )
    unit = BY_UNITS[by]
    _check_resolution(incidents, by, func)
    labels, groups_name = _group_labels(incidents, groups, func)
    incident_weights, weights_name = (
        (None, None) if weights is None else _weights_of(incidents, weights, func)
    )
    long = _incident_cells(incidents, unit, func)

    timed = np.zeros(len(incidents), dtype=bool)
    timed[long["position"].to_numpy()] = True
    grouped = labels.notna().to_numpy()
    used = timed & grouped
    long = long[used[long["position"].to_numpy()]]

    label_values = labels.to_numpy()
    if isinstance(labels.dtype, pd.CategoricalDtype):
        present = set(label_values[used])
        order = [c for c in labels.cat.categories if c in present]
    else:
        order = list(pd.unique(label_values[used]))
        try:
            order = sorted(order)
        except TypeError:
            pass
    cells = _cells_frame(unit)
    n_cells = len(cells)
    group_pos = pd.Index(order).get_indexer(label_values[long["position"].to_numpy()])
    cell_pos = long["unit"].to_numpy() - UNIT_VALUES[unit][0]
    flat = group_pos * n_cells + cell_pos
    count = np.bincount(flat, weights=long["weight"].to_numpy(), minlength=len(order) * n_cells)

    out = pd.concat([cells] * len(order), ignore_index=True)
    out.insert(0, "group", np.repeat(np.array(order, dtype=object), n_cells))
    out["count"] = count
    totals = count.reshape(len(order), n_cells).sum(axis=1)
    out["share"] = count / np.repeat(totals, n_cells)
    if incident_weights is not None:
        weighted = np.bincount(
            flat,
            weights=long["weight"].to_numpy() * incident_weights[long["position"].to_numpy()],
            minlength=len(order) * n_cells,
        )
        out["weighted"] = weighted
        weighted_totals = weighted.reshape(len(order), n_cells).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["weighted_share"] = weighted / np.repeat(weighted_totals, n_cells)
    period = incidents_period(incidents, used) if "time" in incidents.columns else None
    if normalise == "occurrences" and period is not None:
        occurrences = np.tile(_occurrences(period, unit), len(order))
        out["occurrences"] = occurrences
        with np.errstate(invalid="ignore", divide="ignore"):
            out["rate"] = np.where(occurrences > 0, count / occurrences, np.nan)
    accounting = {
        "incidents": len(incidents),
        "used": int(used.sum()),
        "no_time": int((~timed).sum()),
        "no_group": int((timed & ~grouped).sum()),
    }
    params = {
        "by": list(by),
        "unit": unit,
        "groups": groups_name,
        "weights": weights_name,
        "normalise": normalise,
        "aoristic": all(c in incidents.columns for c in WINDOW_COLUMNS),
        "counts": accounting,
    }
    return stamp(
        out,
        kind="profile",
        method=func,
        params=params,
        source=incidents,
        period=period,
        counts=accounting,
    )


def _peak_text(row: pd.Series, unit: str) -> str:
    if unit == "hour_of_week":
        start = int(row["start"])
        end = (start + PEAK_HOURS) % 168
        return f"{WEEKDAY_NAMES[start // 24]} {start % 24:02d}:00–{end % 24:02d}:00"
    if unit == "hour":
        start = int(row["start"])
        return f"{start:02d}:00–{(start + PEAK_HOURS) % 24:02d}:00"
    if unit == "weekday":
        return f"on {WEEKDAY_NAMES[int(row['start'])]}"
    return f"in {MONTH_NAMES[int(row['start']) - 1]}"


def profile_peaks(profile: pd.DataFrame) -> pd.DataFrame:
    """Each group's peak: the window holding the largest share of its incidents.

    For hourly profiles (weekday × hour, hour) the window is :data:`PEAK_HOURS` (4) contiguous
    hours, wrapping past midnight and (weekday × hour) from Sunday into Monday; for weekday and
    month profiles it is the single busiest weekday or month. Ties go to the earliest start
    (Monday 00:00 first).

    Parameters
    ----------
    profile : DataFrame
        From :func:`temporal_profile` or :func:`hotspot_profiles`.

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``count`` (the group's incidents), ``start`` (the first
        cell: hour of week 0..167, hour, weekday or month), ``hours`` (window length, 1 cell
        for weekday/month), ``share`` (the window's share), ``even_share`` (what it would
        hold if incidents were spread evenly) and ``label`` ("Fri 22:00–02:00").

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import temporal_profile, profile_peaks
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> profile_peaks(temporal_profile(inc, ("hour",)))["label"].iloc[0]
    '21:00–01:00'
    """
    params = profile.attrs.get("hotspot", {}).get("temporal_profile") or profile.attrs.get(
        "hotspot", {}
    ).get("hotspot_profiles")
    if not isinstance(params, dict) or "unit" not in params:
        raise HotspotInputError(
            "profile_peaks: profile= is not a profile; pass the output of "
            "temporal_profile(...) or hotspot_profiles(...)."
        )
    unit = params["unit"]
    width = PEAK_HOURS if unit in ("hour_of_week", "hour") else 1
    rows = []
    for group, frame in profile.groupby("group", sort=False):
        share = frame["share"].to_numpy()
        n = len(share)
        window = sum(np.roll(share, -k) for k in range(width))  # window[i] = share[i..i+w-1]
        best = int(np.argmax(window))
        rows.append(
            {
                "group": group,
                "count": float(frame["count"].sum()),
                "start": int(UNIT_VALUES[unit][best]),
                "hours": width,
                "share": float(window[best]),
                "even_share": width / n,
            }
        )
    out = pd.DataFrame(rows)
    out["label"] = [_peak_text(row, unit) for _, row in out.iterrows()]
    return out


def _summary(peaks: pd.DataFrame) -> list[str]:
    lines = []
    for _, row in peaks.iterrows():
        lines.append(
            f"{row['group']} ({row['count']:,.0f} incidents) peaks {row['label']} with "
            f"{row['share']:.1%} of its incidents ({row['even_share']:.1%} if spread evenly)"
        )
    return lines


def _top_cells(hotspots: pd.DataFrame, top: int) -> pd.Index:
    hot = hotspots[hotspots["gistar_bin"] > 0]
    ranked = hot.assign(_z=hot["gistar_z"]).sort_values(
        ["gistar_bin", "_z"], ascending=[False, False], kind="stable"
    )
    return ranked.index[:top]


def hotspot_profiles(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    top: int = 5,
    by: tuple[str, ...] | str = ("weekday", "hour"),
) -> pd.DataFrame:
    """The temporal profiles of the top hot-spot cells against the rest of the area.

    The significant hot cells of a Gi* result (``gistar_bin`` > 0) are ranked by bin (99 %
    first) then by ``gistar_z``; the ``top`` first are "hot spot 1", "hot spot 2" ...; every
    other incident in a cell of ``hotspots`` is "rest of the area". Incidents in no cell are
    left out and counted.

    Parameters
    ----------
    incidents : GeoDataFrame
        With a ``time`` column (or ``time_start``/``time_end`` windows).
    hotspots : GeoDataFrame
        Cells from :func:`hotspot.gistar` (``gistar_z``, ``gistar_bin``).
    top : int, default=5
        How many hot-spot cells get their own profile (fewer when fewer are significant).
    by : tuple, default=("weekday", "hour")
        As in :func:`temporal_profile`.

    Returns
    -------
    DataFrame
        As :func:`temporal_profile`, with ``group`` "hot spot 1" … "rest of the area" and a
        ``cell`` column (the hot spot's cell id; missing for the rest). ``attrs["hotspot"]
        ["hotspot_profiles"]`` holds ``summary``: one sentence per group on its peak (see
        :func:`profile_peaks`), and ``counts``: ``incidents == used + no_time + outside_cells``.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import hotspot_profiles
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.square_grid(inc, 500, quiet=True), quiet=True)
    >>> table = hotspot_profiles(inc, hs.gistar(cells), top=2)
    >>> table["group"].unique().tolist()
    ['hot spot 1', 'hot spot 2', 'rest of the area']
    """
    from hotspot.grid import assign_cells

    func = "hotspot_profiles"
    by = _check_by(by, func)
    top = check_integer(top, "top", minimum=1, example="5", func=func)
    check_incidents(incidents)
    check_columns(
        hotspots,
        ["gistar_z", "gistar_bin"],
        func=func,
        what="hotspots",
        fix="pass the output of hotspot.gistar(cells)",
    )
    ids = assign_cells(incidents, hotspots)
    chosen = _top_cells(hotspots, top)
    names = {cell: f"hot spot {k + 1}" for k, cell in enumerate(chosen)}
    labels = pd.Series(REST, index=incidents.index, dtype=object)
    inside = ids.notna().to_numpy()
    labels[~inside] = None
    for cell, name in names.items():
        labels[(ids == cell).fillna(False).to_numpy()] = name
    order = [*names.values(), REST]
    labels = labels.astype(pd.CategoricalDtype(order))
    profile = temporal_profile(incidents, by, groups=labels)
    cell_of = {name: cell for cell, name in names.items()}
    profile.insert(1, "cell", profile["group"].map(cell_of))
    inner = profile.attrs["hotspot"]["temporal_profile"]
    accounting = {
        "incidents": len(incidents),
        "used": inner["counts"]["used"],
        "no_time": inner["counts"]["no_time"],
        "outside_cells": inner["counts"]["no_group"],
    }
    params = {
        "by": list(by),
        "unit": inner["unit"],
        "top": top,
        "cells": [c.item() if hasattr(c, "item") else c for c in chosen],
        "counts": accounting,
    }
    out = profile.copy()
    out.attrs = {}
    stamp(
        out,
        kind="profile",
        method=func,
        params=params,
        source=incidents,
        period=profile.attrs["hotspot"]["period"],
        counts=accounting,
    )
    params["summary"] = _summary(profile_peaks(out))
    return out


def temporal_trend(incidents: gpd.GeoDataFrame, freq: str = "MS") -> pd.DataFrame:
    """Incidents per calendar bin over the data's own span, partial bins flagged.

    The bins and the partial rule are those of :func:`hotspot.space_time_cube` (the same
    function counts them, over one cell): the first bin is the one holding the first incident,
    the last the one holding the last, none padded; a bin is ``partial`` when the data (taken
    to cover whole days, whole hours for hourly bins, from the first incident's to the last
    incident's) do not cover it from start to end. Its low count is the data stopping, not
    crime falling.

    Parameters
    ----------
    incidents : GeoDataFrame
        With a datetime ``time`` column.
    freq : str, default="MS"
        ``"D"``, ``"W"``, ``"MS"``, ``"QS"``, ``"YS"``, ``"h"`` or a multiple (``"2W"``).

    Returns
    -------
    DataFrame
        ``start``, ``end`` (exclusive), ``count`` and ``partial``, one row per bin;
        ``attrs["hotspot"]["counts"]``: ``incidents == counted + no_time``.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import temporal_trend
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> t = temporal_trend(inc[inc["time"] >= "2014-01-01"], "MS")
    >>> len(t), int(t["count"].sum()), int(t["partial"].sum())
    (96, 239935, 0)
    """
    from hotspot.grid import space_time_cube

    func = "temporal_trend"
    check_incidents(incidents)
    if "time" not in incidents.columns or not pd.api.types.is_datetime64_any_dtype(
        incidents["time"].dtype
    ):
        raise HotspotInputError(
            f"{func}: the incidents have no datetime 'time' column; load them with "
            "hotspot.read_incidents(..., time='<your date column>')."
        )
    # One cell holding every incident: the cube's bins, partial rule and checks, by time alone.
    proxy = gpd.GeoDataFrame(
        {"time": incidents["time"].to_numpy()},
        geometry=gpd.GeoSeries(
            shapely.points(np.zeros((len(incidents), 2))), crs=incidents.crs
        ).array,
        index=pd.RangeIndex(len(incidents)),
    )
    proxy.attrs = {"hotspot": {"time_resolution": time_resolution(incidents)}}
    cell = gpd.GeoDataFrame(geometry=[shapely.box(-1, -1, 1, 1)], crs=incidents.crs)
    try:
        cube = space_time_cube(proxy, cell, freq, quiet=True)
    except HotspotInputError as err:
        message = str(err).removeprefix("space_time_cube: ")
        raise HotspotInputError(f"{func}: {message}") from None
    edges = cube.bin_edges
    out = pd.DataFrame(
        {
            "start": cube.bins,
            "end": edges[1:],
            "count": cube.counts[:, 0],
            "partial": cube.partial_bins,
        }
    ).reset_index(drop=True)
    counts = cube.attrs["counts"]
    accounting = {
        "incidents": len(incidents),
        "counted": counts["counted"],
        "no_time": counts["missing_time"],
    }
    params = {
        "freq": freq,
        "n_bins": len(out),
        "coverage": list(cube.attrs["coverage"]),
        "counts": accounting,
    }
    return stamp(
        out,
        kind="profile",
        method=func,
        params=params,
        source=incidents,
        period=incidents_period(incidents),
        counts=accounting,
    )

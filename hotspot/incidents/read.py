"""``read_incidents``: the only door in. Load, detect the schema, validate, project, report.

Every row of the source ends up either in the returned incidents or in the load report's
excluded rows with its reason; ``rows_read == rows_kept + rows_excluded`` always holds.
"""

from __future__ import annotations

import ctypes
import functools
import shlex
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from hotspot._areas import far_away
from hotspot._messages import announce, first_rows
from hotspot._projection import choose_crs, is_metric_projected, transformer, utm_crs
from hotspot._result import stamp
from hotspot._validate import check_study_area
from hotspot.errors import HotspotInputError
from hotspot.incidents._schema import detect_schema
from hotspot.incidents._sources import read_source
from hotspot.incidents._timeparse import (
    ColumnEvidence,
    Deciding,
    Verdicts,
    agrees,
    decide_whole,
    finish_times,
    long_tail,
    read_times,
)
from hotspot.incidents._timezones import (
    implausible,
    local_zone,
    sample_positions,
    swap_verdict,
    validate_timezone,
    zones,
)
from hotspot.incidents._windows import window_counts, window_ends
from hotspot.incidents.load_report import LoadReport

STANDARD_COLUMNS = ("time", "category")

# Reasons in the order they are checked: a row is excluded for the first that applies.
REASONS = (
    "missing geometry",
    "missing coordinates",
    "non-numeric coordinates",
    "coordinates at (0, 0)",
    "latitude and longitude swapped",
    "coordinates outside the valid lon/lat range",
    "outside the study area",
    "missing time",
    "unparseable time",
    "ambiguous day/month",
    "time without a date",
    "placeholder date",
    "invalid hour",
    "time before 1678",
    "time in the future",
    "outside time_range",
)
_POINT_BLOCK = 1 << 16  # rows of the coordinates turned into points at a time
_CODE = {reason: i + 1 for i, reason in enumerate(REASONS)}
TIME_REASONS = REASONS[REASONS.index("missing time") : REASONS.index("time in the future") + 1]

__all__ = [
    "ColumnEvidence",
    "Deciding",
    "Verdicts",
    "agrees",
    "decide_whole",
    "read_incidents",
    "read_part",
    "reading_part",
]

# Set while :func:`read_part` reads: the part's record of its whole-file decisions.
_PART: ContextVar[Deciding | None] = ContextVar("hotspot_read_part", default=None)


class _Reasons:
    """Per-row exclusion codes; the first reason given to a row is the one that counts."""

    def __init__(self, n: int) -> None:
        self.codes = np.zeros(n, dtype=np.int8)

    def mark(self, mask: np.ndarray | pd.Series, reason: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        self.codes[mask & (self.codes == 0)] = _CODE[reason]

    @property
    def kept(self) -> np.ndarray:
        return self.codes == 0

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.codes, minlength=len(REASONS) + 1)
        return {r: int(found[_CODE[r]]) for r in REASONS if found[_CODE[r]]}

    def labels(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Each row's reason (None when kept); only the ``rows`` mask's rows when given."""
        names = np.array([None, *REASONS], dtype=object)
        return names[self.codes if rows is None else self.codes[rows]]


def read_incidents(
    source: str | Any,
    *,
    x: str | None = None,
    y: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    time: str | None = None,
    hour: str | None = None,
    category: str | None = None,
    time_start: str | None = None,
    time_end: str | None = None,
    crs: Any = None,
    study_area: Any = None,
    time_range: Sequence[Any] | None = None,
    time_format: str | Sequence[str] | None = None,
    timezone: str | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
    header: int | str | None = "infer",
    names: Sequence[str] | None = None,
    swap_axes: bool = False,
    strict: bool = False,
    quiet: bool = False,
) -> gpd.GeoDataFrame:
    """Load crime incidents from a file or frame, validated and projected to metres.

    Parameters
    ----------
    source : str, PathLike, DataFrame or GeoDataFrame
        CSV (also ``.csv.gz``), Parquet, GeoParquet, GeoJSON, GeoPackage, Shapefile, or a frame
        (never modified).
    x, y : str, optional
        Projected coordinate columns; need ``crs=``.
    lon, lat : str, optional
        Longitude/latitude columns in degrees (WGS 84).
    time : str, optional
        Time column: datetimes, or text such as ``2018-07-14 21:30``, ``14/07/2018 9:30 PM``,
        ``2014/03/02 05:00:00+00`` or a month ``2018-07`` (which becomes the month start,
        resolution "month"); also Excel serial dates (``43466.75``) and epoch seconds or
        milliseconds from 1990 to now. Values are grouped by their format and each group is read
        with its own; the day/month order of ``01/02/2019``-like dates comes from the group's own
        values (a part above 12), else from the file's other dates. Rows that cannot be read are
        excluded with their reason (unparseable time, ambiguous day/month, time without a date,
        placeholder date in bulk), never guessed or dated today.
    hour : str, optional
        A separate local hour-of-day column (0–23), or time-of-day column (``14:30``), added to
        the date in ``time``. A "Date" column beside a "Time" column is paired this way.
    category : str, optional
        Offence type column, copied to the standard ``category`` column.
    time_start, time_end : str, optional
        The columns of a time window: the offence happened some time between the two (police
        "from"/"to", "first committed"/"last committed"). Found by name when not given
        (``from``/``to``, ``first_committed``/``last_committed``, ``occurred_from``/
        ``occurred_to``, ``start_time``/``end_time``, ``date_from``/``date_to``, any case,
        spaces or underscores); one of a named pair alone is the ``time``. Both are parsed like
        ``time``. The window's start is the ``time`` (see Returns); windows ending before they
        start, without an end or longer than 7 days are counted in the load report's
        ``windows`` (docs/loading.md, "Time windows"), never dropped.
    crs : optional
        With ``x``/``y``: their CRS (required). With ``lon``/``lat``: the projected CRS in metres
        to use. Default: British National Grid inside Great Britain, else the local UTM zone.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        Incidents outside it are excluded. A bare shapely geometry is taken to be in the output
        CRS; a GeoSeries/GeoDataFrame is reprojected to it. Points on its boundary are inside.
    time_range : (start, end), optional
        Keep incidents with ``start <= time <= end``; an ``end`` at midnight means the whole day.
    time_format : str or sequence of str, optional
        ``strftime`` format(s): each row is read by the first that fits; rows that fit none are
        read automatically (default: a format per group of values, inferred).
    timezone : str, optional
        IANA zone to which times with a UTC offset (``+01:00``, ``Z``, epoch numbers) are
        converted (default: the zone of the incidents' location, looked up offline; when they
        span several zones the most common, with a note). Times without an offset are local
        wall-clock times and stay as written. Times are stored naive in local wall-clock time;
        the load report says which zone was used and why.
    encoding, sep, decimal : str, optional
        Text files: the character encoding, the column separator and the decimal mark
        (default: detected from a sample of the file).
    sheet : str or int, optional
        Spreadsheets (``.xlsx``, ``.xls``, ``.ods``): the sheet to read (required when the
        workbook has more than one).
    layer : str or int, optional
        Multi-layer files (GeoPackage): the layer to read (required when there are several).
    header : int, None or "infer", default="infer"
        Text files: the header row, or None for a file without one (then ``names=``).
    names : sequence of str, optional
        Column names for a file without a header row.
    swap_axes : bool, default=False
        Read the two coordinate columns the other way round (a file whose latitude and
        longitude, or x and y, were written swapped), before anything else. Without it, a file
        whose points fall in the sea or Antarctica as given but on land swapped is refused.
    strict : bool, default=False
        Raise instead of excluding rows.
    quiet : bool, default=False
        Do not announce the automatic choices.

    Returns
    -------
    GeoDataFrame
        The kept rows (original index and columns) with point ``geometry`` in a projected CRS in
        metres, ``time`` (datetime64, when a time column was found) and ``category`` (string).
        With a window, ``time_start`` and ``time_end`` (datetime64) too, and ``time`` is the
        start: what the police record as "from", so exact-time data are unchanged and no time
        is invented (a midpoint is a time no one reported). ``time_end`` is NaT for a point in
        time (no end, or an end before the start) and at most 7 days after the start (longer
        windows are capped, as Ratcliffe's aoristic method does);
        :func:`hotspot.aoristic_weights` uses the whole window.
        ``attrs["hotspot"]["load_report"]`` is the :class:`LoadReport`; ``attrs["hotspot"]`` is
        stamped with kind ``"incidents"``, method ``"read_incidents"`` (the options under
        ``"read_incidents"``), ``crs`` and ``time_resolution``. Its ``period`` is None: a
        subset of the incidents keeps these attrs, so each result takes the period of the
        incidents it is given from their times (the load report has the file's range).

    Raises
    ------
    HotspotInputError
        ``source`` is not a path or a frame, the source cannot be read, has no rows, its columns cannot be identified, coordinates are
        swapped for the whole file, x/y come without ``crs``, ``crs`` or ``timezone`` is not
        one, a large group of dates is ambiguous between day-first and month-first, geometries
        are not points, every row is excluded (the message names the likely cause), or
        ``strict=True`` and a row would be excluded.

    See Also
    --------
    load_report : print what was read, kept and excluded.
    excluded_incidents : the excluded rows with their reason.

    Notes
    -----
    Memory: a plain UTF-8 CSV is parsed in blocks of 16 MiB; the kept rows of a file are copied
    one column at a time while the source's column is released; rows on the same location share
    one shapely point (police data repeat locations: a point costs about 220 bytes, its
    pointer 8); the points are built last, from the coordinates cut into blocks freed as they
    are used. Reading 5 million Toronto rows peaks at about 235 bytes per row over the memory
    before the call, against about 660 for ``pandas.read_csv`` + ``points_from_xy`` + ``to_crs``;
    with every row on a location of its own (geocoded data) about 385, where the incidents
    returned take 350 (``benchmarks/bench_read_incidents.py --distinct``). A frame passed in is
    not released: it stays the caller's.

    Examples
    --------
    >>> import pandas as pd, hotspot as hs
    >>> df = pd.DataFrame({"lat": [53.80, 53.79, 0.0], "lon": [-1.55, -1.54, 0.0],
    ...                    "date": ["2024-03-01", "2024-03-02", "2024-03-02"]})
    >>> inc = hs.read_incidents(df, quiet=True)
    >>> len(inc), inc.crs.to_epsg(), hs.excluded_incidents(inc)["reason"].tolist()
    (2, 27700, ['coordinates at (0, 0)'])
    """
    deciding = _PART.get()
    frame, name = read_source(
        source,
        encoding=encoding,
        sep=sep,
        decimal=decimal,
        sheet=sheet,
        layer=layer,
        header=header,
        names=names,
    )
    if len(frame) == 0:
        raise HotspotInputError(
            f"{name}: has columns ({', '.join(map(str, frame.columns))}) but no rows: "
            "there are no incidents to read."
        )
    if not frame.index.is_unique:
        raise HotspotInputError(
            f"{name}: the index has repeated labels, so excluded rows could not be told apart; "
            "call .reset_index(drop=True) first."
        )
    is_geo = isinstance(frame, gpd.GeoDataFrame)
    _release_memory()  # the reader's scratch
    duplicates = _duplicate_rows(frame)  # first, while little else is held
    if timezone is not None:
        timezone = validate_timezone(timezone, name)
    given = {"x": x, "y": y, "lon": lon, "lat": lat, "time": time, "hour": hour}
    given["category"] = category
    given["time_start"] = time_start
    given["time_end"] = time_end
    schema = detect_schema(frame.columns, given, source=name, has_geometry=is_geo, frame=frame)
    roles = dict(schema.columns)
    notes: list[str] = list(schema.notes)
    if swap_axes:
        notes.extend(_swap_roles(roles, is_geo))
    reasons = _Reasons(len(frame))
    expected_zone = timezone or schema.timezone

    if is_geo:
        xs, ys, out_crs, crs_reason = _coordinates_from_geometry(
            frame, name, reasons, quiet, swap=swap_axes
        )
    elif "x" in roles:
        xs, ys, out_crs, crs_reason = _coordinates_from_xy(
            frame, roles, crs, name, reasons, expected_zone
        )
    else:
        xs, ys, out_crs, crs_reason = _coordinates_from_lonlat(
            frame, roles, crs, name, reasons, expected_zone
        )

    if study_area is not None:
        area = check_study_area(study_area, out_crs, func="read_incidents")
        ok = reasons.kept
        inside = np.zeros(len(frame), dtype=bool)
        inside[ok] = shapely.intersects_xy(area, xs[ok], ys[ok])
        reasons.mark(ok & ~inside, "outside the study area")

    times = None
    resolution = None
    zone, zone_reason = None, None
    causes: list[str] = []
    if "time" in roles:
        raw = read_times(
            frame[roles["time"]],
            time_format=time_format,
            source=name,
            column=roles["time"],
            deciding=deciding,
        )
        raw_end = None
        if "time_end" in roles:
            raw_end = read_times(
                frame[roles["time_end"]],
                time_format=time_format,
                source=name,
                column=roles["time_end"],
                deciding=deciding,
            )
        if raw.aware.any() or (raw_end is not None and raw_end.aware.any()):
            zone, zone_reason = _local_zone(timezone, schema, xs, ys, reasons.kept, out_crs)
        elif timezone is not None:
            notes.append(
                f"timezone={timezone!r} was not needed: no time carried a UTC offset, so the "
                "times are kept as written (local wall-clock time)"
            )
        parsed = finish_times(
            raw,
            hours=frame[roles["hour"]] if "hour" in roles else None,
            timezone=zone,
            overwrite=True,
            deciding=deciding,
        )
        notes.extend(parsed.notes)
        causes.extend(parsed.causes)
        labels = parsed.reasons.to_numpy()
        for reason in TIME_REASONS:
            reasons.mark(labels == reason, reason)
        times = parsed.times
        resolution = parsed.resolution
        del raw, parsed, labels  # their per-row arrays are not needed any more
        if raw_end is not None:
            ends = finish_times(raw_end, timezone=zone, overwrite=True, deciding=deciding)
            notes.extend(f"window end: {note}" for note in ends.notes)
            window_end, window_labels = window_ends(times, ends.times, ends.reasons)
            del raw_end, ends
        _release_memory()  # the text the times were parsed from
        now = pd.Timestamp.now()
        reasons.mark((times > now).to_numpy(), "time in the future")
        if time_range is not None:
            start, end = _time_bounds(time_range, name)
            outside = (times < start) | (times >= end)
            reasons.mark(outside.to_numpy(), "outside time_range")

    kept = reasons.kept
    counts = reasons.counts()
    windows = None
    if times is not None and "time_end" in roles:
        windows = window_counts(window_labels[kept])
    excluded_rows = frame.loc[~kept].copy()
    if is_geo:
        excluded_rows = pd.DataFrame(excluded_rows)
    excluded_rows["reason"] = pd.Series(
        reasons.labels(~kept), index=excluded_rows.index, dtype="string"
    )

    source_info = frame.attrs.get("hotspot_source")
    # the locations and the notes on them first, then the rows, the points last: each step's
    # scratch (the notes' distances, a column copied while its source is released) comes on
    # top of as little as possible, and the points (about 220 bytes a row where every row has
    # a location of its own) on top of nothing but the coordinates they are built from
    if not kept.all():
        xs, ys = xs[kept], ys[kept]
    locations = _locations(xs, ys)  # holds the coordinates the points are built from
    content_notes = _content_notes(locations, duplicates, xs, ys)
    del xs, ys
    if kept.any():
        # A file's rows are ours: each column is released once its kept rows are copied, so
        # the source and the incidents are never both whole in memory. A caller's frame is
        # never touched. With every row kept nothing is copied (copy-on-write shares them).
        data = _kept_rows(frame, kept, release=not isinstance(source, pd.DataFrame))
    else:
        data = frame.iloc[:0]  # every row excluded: the frame stays for the likely causes
    if is_geo:
        data = pd.DataFrame(data.drop(columns=frame.geometry.name))
    own = ("time", "category", "geometry", "time_start", "time_end")
    renamed = [c for c in own if c in data.columns]
    category_column = roles.get("category")
    for column in renamed:
        if roles.get(column) != column:
            data = data.rename(columns={column: f"{column}_original"})
            notes.append(f"the source's own {column!r} column was renamed {column}_original")
            if category_column == column:
                category_column = f"{column}_original"
    if times is not None:
        data["time"] = times if kept.all() else times[kept]
        if "time_end" in roles:
            data["time_start"] = data["time"]
            data["time_end"] = window_end[kept]
        del times
    if "category" in roles:
        # from the kept rows: text columns share their buffers with the source column
        data["category"] = data[category_column].astype("str")
    _release_memory()  # the source's columns, copied and dropped, and every scratch so far
    geometry = _points(locations, out_crs)
    del locations
    incidents = gpd.GeoDataFrame(data, geometry=geometry, crs=out_crs, copy=False)
    del data, geometry

    swapped = counts.get("latitude and longitude swapped", 0)
    if swapped:
        notes.append(
            f"{swapped:,} rows have latitude and longitude the wrong way round (they land in the "
            "data's area once swapped); fix them at the source, or swap the two values in those "
            "rows (hotspot.excluded_incidents() lists them) and load again"
        )
    notes.extend(content_notes)
    kept_times = incidents["time"] if "time" in incidents else None
    if kept_times is not None and len(kept_times):
        notes.extend(_long_tail_note(kept_times))
    report = LoadReport(
        source=name,
        schema=schema.name,
        columns=dict(roles),
        rows_read=len(kept),
        rows_kept=len(incidents),
        excluded=counts,
        excluded_rows=excluded_rows,
        crs=_crs_label(out_crs),
        crs_reason=crs_reason,
        time_min=None if kept_times is None or not len(kept_times) else kept_times.min(),
        time_max=None if kept_times is None or not len(kept_times) else kept_times.max(),
        time_resolution=resolution,
        notes=tuple(notes),
        timezone=zone,
        timezone_reason=zone_reason,
        read_as=dict(source_info) if isinstance(source_info, dict) else None,
        windows=windows,
    )
    if strict and report.rows_excluded:
        raise HotspotInputError(
            f"{name}: strict=True and {report.rows_excluded:,} of {report.rows_read:,} rows would "
            f"be excluded ({_describe(counts)}); first rows: "
            f"{first_rows(excluded_rows.index)}. Fix them, or drop strict=True to exclude them "
            "and list them with hotspot.excluded_incidents()."
        )
    if len(incidents) == 0 and deciding is None:  # (a part of a file may be all bad rows)
        likely = _likely_causes(frame, roles, counts, causes)
        why = f" Likely cause: {' '.join(likely)}" if likely else ""
        raise HotspotInputError(
            f"{name}: every one of the {report.rows_read:,} rows was excluded "
            f"({_describe(counts)}).{why} Check the columns used ({report.columns}) and the "
            "options."
        )
    incidents.attrs = dict(incidents.attrs)  # a dict of its own: the source's stays as it was
    params = {
        "source": name,
        "columns": dict(roles),
        "crs": None if crs is None else str(crs),
        "study_area": None if study_area is None else "given",
        "time_range": _plain_range(time_range),
        "time_format": time_format,
        "timezone": timezone,
        "swap_axes": bool(swap_axes),
        "strict": bool(strict),
    }
    stamp(
        incidents,
        kind="incidents",
        method="read_incidents",
        params=params,
        load_report=report,
        crs=report.crs,
        time_resolution=resolution,
    )
    summary = f"read {report.rows_read:,} rows from {name}: kept {report.rows_kept:,}"
    if report.rows_excluded:
        summary += f", excluded {report.rows_excluded:,} ({_describe(counts)})"
    announce(f"{summary}; projected to {report.crs}. See hotspot.load_report().", quiet=quiet)
    return incidents


def read_part(
    source: Any, *, forced: Verdicts | None = None, **options: Any
) -> tuple[gpd.GeoDataFrame, Deciding]:
    """:func:`read_incidents` on one part of a larger file (a partition of ``hotspot.scale``).

    Three differences, for a reader that sums the parts: the evidence of the decisions that
    look at the whole time column (the day/month order of each group of dates, placeholder
    dates in bulk) is recorded and returned (``Deciding.evidence``); a mixed or ambiguous
    group of dates is read provisionally instead of raising (the whole file decides, see
    :func:`decide_whole`); ``forced`` verdicts, the whole file's, replace the part's own; and a
    part whose every row is excluded gives no incidents and its load report instead of an
    error. ``options`` are ``read_incidents``'.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lat": [53.80, 53.79], "lon": [-1.55, -1.54],
    ...                    "date": ["01/02/2024", "03/04/2024"]})
    >>> inc, deciding = read_part(df, quiet=True)
    >>> len(inc), list(deciding.evidence["date"].groups.values())[0].unsure
    (0, 2)
    """
    with reading_part(forced) as deciding:
        incidents = read_incidents(source, **options)
    return incidents, deciding


@contextmanager
def reading_part(forced: Verdicts | None = None) -> Iterator[Deciding]:
    """Within it, :func:`read_incidents` reads as :func:`read_part` says (in this thread)."""
    deciding = Deciding(forced)
    token = _PART.set(deciding)
    try:
        yield deciding
    finally:
        _PART.reset(token)


def _plain_range(time_range: Any) -> list[str] | str | None:
    """``time_range`` as text for the record."""
    if time_range is None:
        return None
    if isinstance(time_range, Sequence) and not isinstance(time_range, str):
        return [str(v) for v in time_range]
    return str(time_range)


def _crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {n:,}" for reason, n in counts.items())


def _numeric(frame: pd.DataFrame, column: str, reasons: _Reasons) -> np.ndarray:
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        reasons.mark(np.isnan(values), "missing coordinates")
        reasons.mark(np.isinf(values), "non-numeric coordinates")
        return values
    text = raw.astype("string").str.strip()
    missing = text.isna() | (text == "")
    values = pd.to_numeric(text.mask(missing), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    reasons.mark(missing.to_numpy(dtype=bool, na_value=True), "missing coordinates")
    reasons.mark(~np.isfinite(values), "non-numeric coordinates")
    return values


def _swap_roles(roles: dict[str, str], is_geo: bool) -> list[str]:
    """``swap_axes=True``: exchange the lon/lat (or x/y) columns before anything else."""
    if is_geo:
        return ["swap_axes=True: each geometry's x and y were exchanged"]
    for a, b in (("lon", "lat"), ("x", "y")):
        if a in roles and b in roles:
            roles[a], roles[b] = roles[b], roles[a]
            return [
                f"swap_axes=True: {roles[a]!r} read as {a} and {roles[b]!r} as {b} (the file has "
                "them the other way round)"
            ]
    return []


def _as_crs(crs: Any, name: str) -> CRS:
    """``crs`` as a pyproj CRS, or a HotspotInputError naming the value and an example."""
    try:
        return CRS.from_user_input(crs)
    except (CRSError, TypeError, ValueError) as err:
        raise HotspotInputError(
            f"{name}: crs={crs!r} is not a coordinate reference system pyproj knows "
            f"({str(err).strip()[:120]}). Pass an EPSG code such as crs='EPSG:27700' (British "
            "National Grid) or crs=32617 (UTM 17N), or a WKT/PROJ string (CLI: --crs EPSG:27700)."
        ) from err


def _coordinates_from_lonlat(
    frame: pd.DataFrame,
    roles: dict[str, str],
    crs: Any,
    name: str,
    reasons: _Reasons,
    expected_zone: str | None = None,
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    lon = _numeric(frame, roles["lon"], reasons)
    lat = _numeric(frame, roles["lat"], reasons)
    finite = np.isfinite(lon) & np.isfinite(lat)
    _check_whole_file_swap(lon, lat, finite, roles, name)
    _check_swap_by_zone(lon, lat, finite & ~((lon == 0) & (lat == 0)), roles, name, expected_zone)
    _mark_lonlat(lon, lat, reasons, detect_swaps=True)
    ok = reasons.kept
    if crs is not None:
        out_crs = _as_crs(crs, name)
        if not is_metric_projected(out_crs):
            raise HotspotInputError(
                f"{name}: crs={crs!r} is not a projected CRS in metres; with lon/lat columns crs= "
                "is the projection to use, e.g. crs='EPSG:27700' or a UTM zone 'EPSG:326xx'."
            )
        reason = "given as crs="
    elif ok.any():
        out_crs, reason = choose_crs(lon[ok], lat[ok])
    else:
        out_crs, reason = CRS.from_epsg(4326), "no valid coordinates"
    if not out_crs.is_projected:
        return np.full(len(lon), np.nan), np.full(len(lat), np.nan), out_crs, reason
    xs, ys = _project(lon, lat, ok, CRS.from_epsg(4326), out_crs)
    return xs, ys, out_crs, reason


def _mark_lonlat(
    lon: np.ndarray, lat: np.ndarray, reasons: _Reasons, *, detect_swaps: bool
) -> None:
    """Exclude (0, 0), rows swapped against the bulk (when asked) and out-of-range degrees."""
    finite = np.isfinite(lon) & np.isfinite(lat)
    reasons.mark(finite & (lon == 0) & (lat == 0), "coordinates at (0, 0)")
    in_range = finite & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if detect_swaps:
        swapped = _swapped_rows(lon, lat, reasons.kept & in_range)
        reasons.mark(swapped, "latitude and longitude swapped")
    reasons.mark(finite & ~in_range, "coordinates outside the valid lon/lat range")


def _project(
    a: np.ndarray, b: np.ndarray, ok: np.ndarray, source: CRS, target: CRS
) -> tuple[np.ndarray, np.ndarray]:
    """The ``ok`` rows of coordinates transformed from ``source`` to ``target``; NaN elsewhere."""
    xs = np.full(len(a), np.nan)
    ys = np.full(len(b), np.nan)
    if ok.any():
        xs[ok], ys[ok] = transformer(source, target).transform(a[ok], b[ok])
    return xs, ys


def _check_whole_file_swap(
    lon: np.ndarray, lat: np.ndarray, finite: np.ndarray, roles: dict[str, str], name: str
) -> None:
    n = int(finite.sum())
    if n == 0:
        return
    lat_bad = finite & (np.abs(lat) > 90) & (np.abs(lon) <= 90)
    if lat_bad.sum() > 0.5 * n:
        raise HotspotInputError(
            f"{name}: latitude and longitude look swapped: {int(lat_bad.sum()):,} of {n:,} values "
            f"in {roles['lat']!r} (used as latitude) are beyond ±90 while {roles['lon']!r} fits "
            f"latitudes. Pass lon={roles['lat']!r}, lat={roles['lon']!r}, or swap_axes=True "
            "(CLI: --swap-axes)."
        )


def _check_swap_by_zone(
    lon: np.ndarray,
    lat: np.ndarray,
    ok: np.ndarray,
    roles: dict[str, str],
    name: str,
    expected: str | None,
) -> None:
    """Refuse a file whose points fall in the sea or Antarctica as given and on land swapped.

    Only when both readings are valid degrees (most points within ±90 both ways): then the
    range cannot tell them apart, but the time zone of a sample of 200 points can (West
    Yorkshire as given is in Europe/London, swapped in the Indian Ocean, Etc/GMT-4; Toronto
    swapped is in Antarctica). With an ``expected`` zone (``timezone=`` or the schema's), a
    reading outside it that fits it swapped is wrong too.
    """
    both = ok & (np.abs(lon) <= 90) & (np.abs(lat) <= 90)
    if not both.any() or both.sum() < 0.5 * ok.sum():
        return
    verdict = swap_verdict(lon[both], lat[both], expected)
    if verdict is None:
        return
    bad_given, _, zone_given, zone_swapped = verdict
    where = "outside " + expected if expected and not implausible(zone_given) else "in the sea"
    if zone_given.startswith("Antarctica/"):
        where = "in Antarctica"
    raise HotspotInputError(
        f"{name}: latitude and longitude look swapped for the whole file: read as given "
        f"({roles['lat']!r} as latitude, {roles['lon']!r} as longitude) {bad_given:.0%} of a "
        f"sample of the points fall {where} ({zone_given}); swapped they fall in "
        f"{zone_swapped}. Read them with swap_axes=True (CLI: --swap-axes), or pass "
        f"lon={roles['lat']!r}, lat={roles['lon']!r}."
    )


def _check_swap_xy(
    xs: np.ndarray, ys: np.ndarray, ok: np.ndarray, in_crs: CRS, roles: dict[str, str], name: str
) -> None:
    """Refuse x/y that fall outside their CRS's area (or at sea) as given but inside swapped."""
    area = in_crs.area_of_use
    if area is None or not ok.any():
        return
    rows = np.flatnonzero(ok)[sample_positions(int(ok.sum()))]
    try:
        to_lonlat = transformer(in_crs, 4326)
    except Exception:  # a CRS pyproj cannot relate to longitude and latitude: nothing to check
        return
    west, south, east, north = area.bounds
    east = east + 360 if east < west else east

    def bad(a: np.ndarray, b: np.ndarray) -> float:
        with np.errstate(invalid="ignore"):
            lon, lat = to_lonlat.transform(a, b, errcheck=False)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        lon_east = np.where(lon < west - 1, lon + 360, lon)
        inside = (
            np.isfinite(lon)
            & np.isfinite(lat)
            & (lon_east >= west - 1)
            & (lon_east <= east + 1)
            & (lat >= south - 1)
            & (lat <= north + 1)
        )
        land = np.zeros(len(lon), dtype=bool)
        land[inside] = [not implausible(z) for z in zones(lon[inside], lat[inside])]
        return float(np.mean(~land))

    bad_given = bad(xs[rows], ys[rows])
    if bad_given <= 0.5:
        return
    if bad(ys[rows], xs[rows]) < 0.2:
        raise HotspotInputError(
            f"{name}: x and y look swapped for the whole file: read as given ({roles['x']!r} as "
            f"x, {roles['y']!r} as y) {bad_given:.0%} of a sample of the points fall outside "
            f"the area of {in_crs.name} or in the sea; swapped they fall inside it. Read them "
            f"with swap_axes=True (CLI: --swap-axes), or pass x={roles['y']!r}, "
            f"y={roles['x']!r}."
        )


def _swapped_rows(lon: np.ndarray, lat: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Rows far outside the bulk of the data that fall inside it once lon and lat are swapped."""
    swapped = np.zeros(len(lon), dtype=bool)
    if ok.sum() < 20:
        return swapped
    # The bulk: the central 80 % of each coordinate, widened by its own width; robust to a
    # tenth of the rows being swapped.
    lo_lon, hi_lon = np.percentile(lon[ok], [10, 90])
    lo_lat, hi_lat = np.percentile(lat[ok], [10, 90])
    pad_lon = max(hi_lon - lo_lon, 0.05)
    pad_lat = max(hi_lat - lo_lat, 0.05)

    def inside(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (
            (a >= lo_lon - pad_lon)
            & (a <= hi_lon + pad_lon)
            & (b >= lo_lat - pad_lat)
            & (b <= hi_lat + pad_lat)
        )

    with np.errstate(invalid="ignore"):
        swapped = ~inside(lon, lat) & inside(lat, lon) & np.isfinite(lon) & np.isfinite(lat)
    return swapped


def _coordinates_from_xy(
    frame: pd.DataFrame,
    roles: dict[str, str],
    crs: Any,
    name: str,
    reasons: _Reasons,
    expected_zone: str | None = None,
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    if crs is None:
        raise HotspotInputError(
            f"{name}: coordinates come from x={roles['x']!r}, y={roles['y']!r} but no CRS was "
            "given. Pass their CRS, e.g. crs='EPSG:27700' (British National Grid) or "
            "crs='EPSG:32617' (UTM 17N); for degrees use lon= and lat= instead."
        )
    in_crs = _as_crs(crs, name)
    if in_crs.is_geographic:
        return _coordinates_from_lonlat(
            frame,
            {**roles, "lon": roles["x"], "lat": roles["y"]},
            None,
            name,
            reasons,
            expected_zone,
        )
    xs = _numeric(frame, roles["x"], reasons)
    ys = _numeric(frame, roles["y"], reasons)
    finite = np.isfinite(xs) & np.isfinite(ys)
    reasons.mark(finite & (xs == 0) & (ys == 0), "coordinates at (0, 0)")
    _check_swap_xy(xs, ys, reasons.kept, in_crs, roles, name)
    if is_metric_projected(in_crs):
        return xs, ys, in_crs, "given as crs="
    return _reproject_to_metres(xs, ys, in_crs, reasons.kept)


def _reproject_to_metres(
    xs: np.ndarray, ys: np.ndarray, in_crs: CRS, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    if not ok.any():
        return xs, ys, in_crs, "no valid coordinates"
    to_lonlat = transformer(in_crs, 4326)
    lon, lat = to_lonlat.transform(xs[ok], ys[ok])
    out_crs = utm_crs(float(np.median(lon)), float(np.median(lat)))
    out_x, out_y = _project(xs, ys, ok, in_crs, out_crs)
    unit = in_crs.axis_info[0].unit_name if in_crs.axis_info else "unknown"
    return out_x, out_y, out_crs, f"{in_crs.name} is in {unit}, reprojected to {out_crs.name}"


def _coordinates_from_geometry(
    frame: gpd.GeoDataFrame, name: str, reasons: _Reasons, quiet: bool, swap: bool = False
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    geoms = frame.geometry.array
    missing = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms), dtype=bool)
    reasons.mark(missing, "missing geometry")
    types = shapely.get_type_id(geoms)
    not_point = ~missing & (types != 0)
    if not_point.any():
        bad = frame.index[not_point]
        kinds = sorted(set(frame.geometry[not_point].geom_type))
        fix = (
            "split them with gdf.explode(index_parts=False)"
            if set(kinds) <= {"MultiPoint"}
            else "use one point per incident, e.g. gdf.set_geometry(gdf.representative_point())"
        )
        raise HotspotInputError(
            f"{name}: incidents must be points, but {int(not_point.sum()):,} geometries are "
            f"{', '.join(kinds)} (first rows: {first_rows(bad)}); {fix}."
        )
    if frame.crs is None:
        raise HotspotInputError(
            f"{name}: the GeoDataFrame has no CRS. Set the one its coordinates are in, e.g. "
            "gdf.set_crs('EPSG:4326') for degrees or gdf.set_crs('EPSG:27700')."
        )
    ok = ~missing
    xs = np.full(len(frame), np.nan)
    ys = np.full(len(frame), np.nan)
    xs[ok] = shapely.get_x(geoms[ok])
    ys[ok] = shapely.get_y(geoms[ok])
    if swap:
        xs, ys = ys, xs
    in_crs = CRS.from_user_input(frame.crs)
    if in_crs.is_geographic:
        lon, lat = xs, ys
        _mark_lonlat(lon, lat, reasons, detect_swaps=False)
        ok = reasons.kept
        out_crs, why = choose_crs(lon[ok], lat[ok]) if ok.any() else (CRS.from_epsg(3857), "")
        announce(
            f"the GeoDataFrame is in geographic {in_crs.name}; projected to {out_crs.name} "
            f"(EPSG:{out_crs.to_epsg()}) for distances in metres",
            quiet=quiet,
        )
        out_x, out_y = _project(lon, lat, ok, in_crs, out_crs)
        return out_x, out_y, out_crs, f"projected from {in_crs.name}: {why}"
    finite = np.isfinite(xs) & np.isfinite(ys)
    reasons.mark(finite & (xs == 0) & (ys == 0), "coordinates at (0, 0)")
    if is_metric_projected(in_crs):
        return xs, ys, in_crs, "the GeoDataFrame's own CRS"
    return _reproject_to_metres(xs, ys, in_crs, reasons.kept)


def _time_bounds(time_range: Sequence[Any], name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        start, end = (pd.Timestamp(v) for v in time_range)
    except (TypeError, ValueError) as err:
        raise HotspotInputError(
            f"{name}: time_range must be (start, end), e.g. ('2016-01-01', '2018-12-31'); "
            f"got {time_range!r} ({err})"
        ) from err
    if end == end.normalize():
        end = end + pd.Timedelta(days=1)
    else:
        end = end + pd.Timedelta(1, unit="ns")
    if end <= start:
        raise HotspotInputError(f"{name}: time_range ends before it starts: {time_range!r}")
    return start, end


def _release_memory() -> None:
    """Hand memory that pyarrow and the C allocator freed back to the system.

    pyarrow's allocator (mimalloc) keeps freed pages for reuse; after a large read the pages of
    its scratch and of dropped text columns would stay in the process (about 110 bytes per row
    at 5 million rows), raising the peak of every later step. glibc's ``malloc`` keeps freed
    blocks below its (growing) mmap threshold too (the scratch of hashing, validation and time
    parsing: about 40 bytes per row at 5 million rows); ``malloc_trim`` returns their pages.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None on a system without it (macOS, Windows, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def _duplicate_rows(frame: pd.DataFrame) -> int:
    """Rows of the source that exactly repeat an earlier row (geometry left out)."""
    hashed = pd.util.hash_pandas_object(
        frame.drop(columns="geometry", errors="ignore"), index=False
    )
    return int(hashed.duplicated().sum())


def _kept_rows(frame: pd.DataFrame, kept: np.ndarray, *, release: bool) -> pd.DataFrame:
    """The ``kept`` rows of ``frame``, column by column; with ``release`` the copied columns
    are dropped from ``frame`` as it goes, so that only one column is ever held twice."""
    if kept.all():
        return frame.copy(deep=False)
    rows = np.flatnonzero(kept)
    index = frame.index[rows]
    if not release or isinstance(frame, gpd.GeoDataFrame) or not frame.columns.is_unique:
        return frame.take(rows)
    names = frame.columns
    taken = {}
    for position, column in enumerate(list(names)):
        # the array under a boolean mask, not positions: pyarrow filters text chunk by chunk,
        # where a take would first join the chunks into one copy of the whole column (and a
        # Series would filter its index too)
        taken[position] = frame[column].array[kept]
        del frame[column]
        _release_memory()
    data = pd.DataFrame(taken, index=index, copy=False)
    data.columns = names
    data.attrs = frame.attrs  # as a take would carry them
    return data


class _Locations:
    """The distinct locations of the rows, holding the coordinates to build their points from
    until :func:`_points` takes them (so that nothing else keeps them alive while it builds).

    ``codes`` gives each row's location (None when every row has one of its own, in row
    order); ``x``, ``y`` are the locations' coordinates (the rows' own when ``codes`` is None);
    ``count`` is the number of locations and ``most`` the most rows on one.
    """

    def __init__(
        self, codes: np.ndarray | None, x: np.ndarray, y: np.ndarray, count: int, most: int
    ) -> None:
        self.codes: np.ndarray | None = codes
        self.x: np.ndarray | None = x
        self.y: np.ndarray | None = y
        self.count = count
        self.most = most

    def take_blocks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The coordinates as copies of :data:`_POINT_BLOCK` rows each; the whole arrays are
        let go of (freed when the caller holds no other reference)."""
        x, y = self.x, self.y
        self.x = self.y = None
        if x is None or y is None:
            return []
        return [
            (x[start : start + _POINT_BLOCK].copy(), y[start : start + _POINT_BLOCK].copy())
            for start in range(0, len(x), _POINT_BLOCK)
        ]


def _locations(xs: np.ndarray, ys: np.ndarray) -> _Locations:
    """The distinct locations of (xs, ys), told apart by the bits of their coordinates."""
    if not len(xs):
        return _Locations(None, xs, ys, 0, 0)
    code_x, unique_x = pd.factorize(np.ascontiguousarray(xs, dtype=np.float64).view(np.int64))
    code_y, unique_y = pd.factorize(np.ascontiguousarray(ys, dtype=np.float64).view(np.int64))
    pair = code_x.astype(np.int64) * len(unique_y) + code_y
    del code_x, code_y
    codes, pairs = pd.factorize(pair)
    del pair
    if len(pairs) == len(xs):  # every row its own location: codes are 0, 1, 2, ... in order
        return _Locations(None, xs, ys, len(xs), 1)
    px = unique_x[pairs // len(unique_y)].view(np.float64)
    py = unique_y[pairs % len(unique_y)].view(np.float64)
    del unique_x, unique_y, pairs
    most = int(np.bincount(codes, minlength=len(px)).max())
    if len(px) < np.iinfo(np.int32).max:
        codes = codes.astype(np.int32)  # half the memory while the points are built
    return _Locations(codes, px, py, len(px), most)


def _points(locations: _Locations, crs: CRS) -> gpd.array.GeometryArray:
    """Points at the rows' locations, one shapely point per distinct location shared by all
    its rows; takes the coordinates out of ``locations``.

    A shapely point costs about 220 bytes; crime data repeat locations (police exports snap
    incidents to a few thousand anonymised map points: Toronto's 241k incidents sit on 19k),
    so one object per location takes the geometry from 220 to about 8 bytes per row (the
    pointer). Shapely geometries are immutable, so sharing them is safe. Where every row has a
    location of its own (data geocoded to the address), the points are built straight from the
    rows' coordinates. Either way the coordinates are cut into blocks first and each block is
    freed once its points are built, so that at the end only the points are left (shapely
    would also stack the whole coordinates into one more copy).
    """
    codes = locations.codes
    blocks = locations.take_blocks()
    points = np.empty(locations.count, dtype=object)
    stop = locations.count
    while blocks:  # from the last block, each freed as soon as its points are built
        bx, by = blocks.pop()
        points[stop - len(bx) : stop] = shapely.points(bx, by)
        stop -= len(bx)
        del bx, by
    if codes is None:
        return gpd.array.from_shapely(points, crs=crs)
    return gpd.array.from_shapely(points.take(codes), crs=crs)


def _content_notes(
    locations: _Locations, duplicates: int, xs: np.ndarray, ys: np.ndarray
) -> list[str]:
    notes = []
    if len(xs):
        notes.append(
            f"{locations.count:,} distinct locations for {len(xs):,} incidents; "
            f"up to {locations.most:,} incidents on one location"
        )
        notes.extend(_spatial_outlier_note(xs, ys))
    if duplicates:
        notes.append(
            f"{duplicates:,} rows exactly repeat an earlier row (kept: exports often hold one row "
            "per offence or per victim)"
        )
    return notes


def _spatial_outlier_note(xs: np.ndarray, ys: np.ndarray) -> list[str]:
    """The load report's note on incidents far from the rest: the rule of the grids' footprint
    (``hotspot._areas.far_away``), so that both name the same incidents."""
    rule = far_away(xs, ys)
    far = int(rule.mask.sum())
    if not far:
        return []
    return [
        f"{far:,} incidents lie far from the rest (over {rule.limit / 1000:,.1f} km from the "
        f"median point, up to {rule.distance.max() / 1000:,.1f} km); default grids leave them "
        "out of their study area (the incidents' footprint), hulls (study_area='convex') are "
        "stretched by them. Pass study_area= to exclude them from the data"
    ]


def _long_tail_note(times: pd.Series) -> list[str]:
    core = long_tail(times)
    if core is None:
        return []
    start, end = core
    before = int((times < start).sum())
    after = int((times > end).sum())
    if not before and not after:
        return []
    parts = []
    if before:
        parts.append(f"{before:,} before {start.date()} (earliest {times.min().date()})")
    if after:
        parts.append(f"{after:,} after {end.date()} (latest {times.max().date()})")
    return [
        "sparse long tail outside the core period "
        f"{start.date()} to {end.date()}: {' and '.join(parts)}; often late-recorded old "
        f"offences. Exclude them with time_range=('{start.date()}', '{end.date()}')"
    ]


def _local_zone(
    timezone: str | None,
    schema: Any,
    xs: np.ndarray,
    ys: np.ndarray,
    ok: np.ndarray,
    out_crs: CRS,
) -> tuple[str, str]:
    """The zone times with a UTC offset are converted to, and how it was found."""
    if timezone is not None:
        return timezone, "given as timezone="
    rows = np.flatnonzero(ok & np.isfinite(xs) & np.isfinite(ys))
    if len(rows):
        rows = rows[sample_positions(len(rows), 1000)]
        try:
            to_lonlat = transformer(out_crs, 4326)
            lon, lat = (np.asarray(v, dtype=float) for v in to_lonlat.transform(xs[rows], ys[rows]))
        except Exception:  # an engineering CRS (a local grid) has no longitude and latitude
            lon = lat = np.array([])
        good = np.isfinite(lon) & np.isfinite(lat)
        zone, why = local_zone(lon[good], lat[good])
        if zone is not None:
            return zone, why + ", looked up offline (tzfpy)"
    if schema.timezone:
        return schema.timezone, f"the zone of the {schema.name} schema (no location to look it up)"
    return "UTC", "no location to look the zone up: kept in UTC; pass timezone= to convert"


_DECIMAL_COMMA = r"[-+]?\d+,\d+"
_THOUSANDS = r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?"
_THOUSANDS_DOT = r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?"


def _number_style(values: pd.Series, degrees: bool) -> str | None:
    """How numbers stored as text are written when pandas could not read them."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return None
    text = values.dropna().astype("str").str.strip()
    text = text[text != ""].iloc[:1000]
    if text.empty:
        return None
    decimal = float(text.str.fullmatch(_DECIMAL_COMMA).mean())
    thousands = float(text.str.fullmatch(_THOUSANDS).mean())
    dotted = float(text.str.fullmatch(_THOUSANDS_DOT).mean())
    if dotted >= 0.5 and not degrees:
        return "thousands separators '.' and a decimal comma"
    if thousands >= 0.5 and not (degrees and decimal >= 0.5):
        return "thousands separators ','"
    if decimal >= 0.5:
        return "a decimal comma"
    return None


def _coordinate_causes(frame: pd.DataFrame, roles: dict[str, str]) -> list[str]:
    """What the coordinate columns' values say about why none of them could be used."""
    if "lon" in roles:
        a, b, degrees = roles["lon"], roles["lat"], True
    elif "x" in roles:
        a, b, degrees = roles["x"], roles["y"], False
    else:
        return []
    causes = []
    styles: dict[str, list[str]] = {}
    for column in dict.fromkeys((a, b)):
        style = _number_style(frame[column], degrees)
        if style is not None:
            styles.setdefault(style, []).append(column)
    for style, columns in styles.items():
        example = frame[columns[0]].dropna().astype("str").iloc[0]
        named = " and ".join(repr(c) for c in columns)
        if style == "a decimal comma":
            fix = (
                "pass decimal=',' (CLI: --decimal ,), or for a DataFrame convert them with "
                f"df[{columns[0]!r}].str.replace(',', '.').astype(float)"
            )
        else:
            fix = (
                "remove the separators (e.g. df[col] = df[col].str.replace(',', '')"
                ".astype(float)) and pass the DataFrame, or export the file without them"
            )
        causes.append(
            f"{named} {'hold' if len(columns) > 1 else 'holds'} numbers written with {style} "
            f"(e.g. {example!r}), which are not read as numbers: {fix}."
        )
    if degrees:
        lon = pd.to_numeric(frame[a], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        lat = pd.to_numeric(frame[b], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(lon) & np.isfinite(lat)
        if finite.any():
            big = (np.abs(lon[finite]) >= 1000) & (np.abs(lat[finite]) >= 1000)
            if big.mean() > 0.5:
                x, y = float(np.median(lon[finite])), float(np.median(lat[finite]))
                example = (
                    "EPSG:27700" if 0 <= x <= 700_000 and 0 <= y <= 1_300_000 else "EPSG:32617"
                )
                cli = f"--x {shlex.quote(a)} --y {shlex.quote(b)} --crs {example}"
                causes.append(
                    f"{a!r} and {b!r} hold values such as {x:,.0f} and {y:,.0f}: projected "
                    "coordinates (metres or feet), not degrees. Read them with "
                    f"x={a!r}, y={b!r}, crs= the CRS they are in, e.g. crs={example!r} "
                    f"(CLI: {cli})."
                )
    return causes


def _likely_causes(
    frame: pd.DataFrame, roles: dict[str, str], counts: dict[str, int], time_causes: list[str]
) -> list[str]:
    """The likely causes of every row being excluded, read off the values themselves."""
    found = []
    coordinate_reasons = {
        "missing coordinates",
        "non-numeric coordinates",
        "coordinates outside the valid lon/lat range",
        "coordinates at (0, 0)",
    }
    if coordinate_reasons & counts.keys():
        found.extend(_coordinate_causes(frame, roles))
    found.extend(cause if cause.endswith(".") else cause + "." for cause in time_causes)
    return found

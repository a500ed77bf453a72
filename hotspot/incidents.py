"""``read_incidents``: the only door in. Load, detect the schema, validate, project, report.

Every row of the source ends up either in the returned incidents or in the load report's
excluded rows with its reason; ``rows_read == rows_kept + rows_excluded`` always holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from hotspot._areas import as_area_geometry, far_away
from hotspot._messages import announce, first_rows
from hotspot._projection import choose_crs, is_metric_projected, utm_crs
from hotspot._schema import detect_schema
from hotspot._sources import read_source
from hotspot._timeparse import long_tail, parse_times
from hotspot.errors import HotspotInputError
from hotspot.load_report import LoadReport

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
    "invalid hour",
    "time before 1678",
    "time in the future",
    "outside time_range",
)
_CODE = {reason: i + 1 for i, reason in enumerate(REASONS)}


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

    def labels(self) -> np.ndarray:
        names = np.array([None, *REASONS], dtype=object)
        return names[self.codes]


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
    crs: Any = None,
    study_area: Any = None,
    time_range: Sequence[Any] | None = None,
    time_format: str | None = None,
    timezone: str | None = None,
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
        Time column: datetimes, or text such as ``2018-07-14 21:30``, ``2014/03/02 05:00:00+00``
        or a month ``2018-07`` (which becomes the month start, resolution "month").
    hour : str, optional
        A separate local hour-of-day column (0–23) added to the date in ``time``.
    category : str, optional
        Offence type column, copied to the standard ``category`` column.
    crs : optional
        With ``x``/``y``: their CRS (required). With ``lon``/``lat``: the projected CRS in metres
        to use. Default: British National Grid inside Great Britain, else the local UTM zone.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        Incidents outside it are excluded. A bare shapely geometry is taken to be in the output
        CRS; a GeoSeries/GeoDataFrame is reprojected to it. Points on its boundary are inside.
    time_range : (start, end), optional
        Keep incidents with ``start <= time <= end``; an ``end`` at midnight means the whole day.
    time_format : str, optional
        A ``strftime`` format every time must follow (default: inferred from the first row).
    timezone : str, optional
        Zone to which times with a UTC offset are converted (default: the known schema's zone,
        e.g. America/Toronto, else UTC). Times are stored naive in local wall-clock time.
    strict : bool, default=False
        Raise instead of excluding rows.
    quiet : bool, default=False
        Do not announce the automatic choices.

    Returns
    -------
    GeoDataFrame
        The kept rows (original index and columns) with point ``geometry`` in a projected CRS in
        metres, ``time`` (datetime64, when a time column was found) and ``category`` (string).
        ``attrs["hotspot"]["load_report"]`` is the :class:`LoadReport`.

    Raises
    ------
    TypeError
        ``source`` is not a path or a frame.
    HotspotInputError
        The source cannot be read, has no rows, its columns cannot be identified, coordinates are
        swapped for the whole file, x/y come without ``crs``, geometries are not points, or
        ``strict=True`` and a row would be excluded.

    See Also
    --------
    load_report : print what was read, kept and excluded.
    excluded_incidents : the excluded rows with their reason.

    Examples
    --------
    >>> import pandas as pd, hotspot as hs
    >>> df = pd.DataFrame({"lat": [53.80, 53.79, 0.0], "lon": [-1.55, -1.54, 0.0],
    ...                    "date": ["2024-03-01", "2024-03-02", "2024-03-02"]})
    >>> inc = hs.read_incidents(df, quiet=True)
    >>> len(inc), inc.crs.to_epsg(), hs.excluded_incidents(inc)["reason"].tolist()
    (2, 27700, ['coordinates at (0, 0)'])
    """
    frame, name = read_source(source)
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
    given = {"x": x, "y": y, "lon": lon, "lat": lat, "time": time, "hour": hour}
    given["category"] = category
    schema = detect_schema(frame.columns, given, source=name, has_geometry=is_geo)
    roles = schema.columns
    notes: list[str] = list(schema.notes)
    reasons = _Reasons(len(frame))

    if is_geo:
        xs, ys, out_crs, crs_reason = _coordinates_from_geometry(frame, name, reasons, quiet)
    elif "x" in roles:
        xs, ys, out_crs, crs_reason = _coordinates_from_xy(frame, roles, crs, name, reasons)
    else:
        xs, ys, out_crs, crs_reason = _coordinates_from_lonlat(frame, roles, crs, name, reasons)

    if study_area is not None:
        area = as_area_geometry(study_area, out_crs)
        ok = reasons.kept
        inside = np.zeros(len(frame), dtype=bool)
        inside[ok] = shapely.intersects_xy(area, xs[ok], ys[ok])
        reasons.mark(ok & ~inside, "outside the study area")

    times = None
    resolution = None
    if "time" in roles:
        parsed = parse_times(
            frame[roles["time"]],
            hours=frame[roles["hour"]] if "hour" in roles else None,
            timezone=timezone or schema.timezone,
            time_format=time_format,
        )
        notes.extend(parsed.notes)
        for reason in (
            "missing time",
            "unparseable time",
            "time before 1678",
            "time in the future",
            "invalid hour",
        ):
            reasons.mark((parsed.reasons == reason).to_numpy(), reason)
        times = parsed.times
        resolution = parsed.resolution
        now = pd.Timestamp.now()
        reasons.mark((times > now).to_numpy(), "time in the future")
        if time_range is not None:
            start, end = _time_bounds(time_range, name)
            outside = (times < start) | (times >= end)
            reasons.mark(outside.to_numpy(), "outside time_range")

    kept = reasons.kept
    counts = reasons.counts()
    excluded_rows = frame.loc[~kept].copy()
    if is_geo:
        excluded_rows = pd.DataFrame(excluded_rows)
    excluded_rows["reason"] = pd.Series(
        reasons.labels()[~kept], index=excluded_rows.index, dtype="string"
    )

    data = frame.loc[kept]
    if is_geo:
        data = pd.DataFrame(data.drop(columns=frame.geometry.name))
    renamed = [c for c in ("time", "category", "geometry") if c in data.columns]
    for column in renamed:
        if roles.get(column) != column:
            data = data.rename(columns={column: f"{column}_original"})
            notes.append(f"the source's own {column!r} column was renamed {column}_original")
    if times is not None:
        data["time"] = times[kept]
    if "category" in roles:
        data["category"] = frame.loc[kept, roles["category"]].astype("str")
    geometry = gpd.points_from_xy(xs[kept], ys[kept])
    incidents = gpd.GeoDataFrame(data, geometry=geometry, crs=out_crs)

    swapped = counts.get("latitude and longitude swapped", 0)
    if swapped:
        notes.append(
            f"{swapped:,} rows have latitude and longitude the wrong way round (they land in the "
            "data's area once swapped); fix them at the source, or swap the two values in those "
            "rows (hotspot.excluded_incidents() lists them) and load again"
        )
    notes.extend(_content_notes(frame, incidents, xs[kept], ys[kept]))
    kept_times = incidents["time"] if "time" in incidents else None
    if kept_times is not None and len(kept_times):
        notes.extend(_long_tail_note(kept_times))
    report = LoadReport(
        source=name,
        schema=schema.name,
        columns=dict(roles),
        rows_read=len(frame),
        rows_kept=len(incidents),
        excluded=counts,
        excluded_rows=excluded_rows,
        crs=_crs_label(out_crs),
        crs_reason=crs_reason,
        time_min=None if kept_times is None or not len(kept_times) else kept_times.min(),
        time_max=None if kept_times is None or not len(kept_times) else kept_times.max(),
        time_resolution=resolution,
        notes=tuple(notes),
    )
    if strict and report.rows_excluded:
        raise HotspotInputError(
            f"{name}: strict=True and {report.rows_excluded:,} of {report.rows_read:,} rows would "
            f"be excluded ({_describe(counts)}); first rows: "
            f"{first_rows(excluded_rows.index)}. Fix them, or drop strict=True to exclude them "
            "and list them with hotspot.excluded_incidents()."
        )
    if len(incidents) == 0:
        raise HotspotInputError(
            f"{name}: every one of the {report.rows_read:,} rows was excluded "
            f"({_describe(counts)}). Check the columns used ({report.columns}) and the options."
        )
    incidents.attrs["hotspot"] = {
        "kind": "incidents",
        "load_report": report,
        "crs": report.crs,
        "time_resolution": resolution,
    }
    summary = f"read {report.rows_read:,} rows from {name}: kept {report.rows_kept:,}"
    if report.rows_excluded:
        summary += f", excluded {report.rows_excluded:,} ({_describe(counts)})"
    announce(f"{summary}; projected to {report.crs}. See hotspot.load_report().", quiet=quiet)
    return incidents


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


def _coordinates_from_lonlat(
    frame: pd.DataFrame, roles: dict[str, str], crs: Any, name: str, reasons: _Reasons
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    lon = _numeric(frame, roles["lon"], reasons)
    lat = _numeric(frame, roles["lat"], reasons)
    _check_whole_file_swap(lon, lat, np.isfinite(lon) & np.isfinite(lat), roles, name)
    _mark_lonlat(lon, lat, reasons, detect_swaps=True)
    ok = reasons.kept
    if crs is not None:
        out_crs = CRS.from_user_input(crs)
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
        xs[ok], ys[ok] = Transformer.from_crs(source, target, always_xy=True).transform(
            a[ok], b[ok]
        )
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
            f"latitudes. Pass lon={roles['lat']!r}, lat={roles['lon']!r}."
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
    frame: pd.DataFrame, roles: dict[str, str], crs: Any, name: str, reasons: _Reasons
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    if crs is None:
        raise HotspotInputError(
            f"{name}: coordinates come from x={roles['x']!r}, y={roles['y']!r} but no CRS was "
            "given. Pass their CRS, e.g. crs='EPSG:27700' (British National Grid) or "
            "crs='EPSG:32617' (UTM 17N); for degrees use lon= and lat= instead."
        )
    in_crs = CRS.from_user_input(crs)
    if in_crs.is_geographic:
        return _coordinates_from_lonlat(
            frame, {**roles, "lon": roles["x"], "lat": roles["y"]}, None, name, reasons
        )
    xs = _numeric(frame, roles["x"], reasons)
    ys = _numeric(frame, roles["y"], reasons)
    finite = np.isfinite(xs) & np.isfinite(ys)
    reasons.mark(finite & (xs == 0) & (ys == 0), "coordinates at (0, 0)")
    if is_metric_projected(in_crs):
        return xs, ys, in_crs, "given as crs="
    return _reproject_to_metres(xs, ys, in_crs, reasons.kept)


def _reproject_to_metres(
    xs: np.ndarray, ys: np.ndarray, in_crs: CRS, ok: np.ndarray
) -> tuple[np.ndarray, np.ndarray, CRS, str]:
    if not ok.any():
        return xs, ys, in_crs, "no valid coordinates"
    to_lonlat = Transformer.from_crs(in_crs, 4326, always_xy=True)
    lon, lat = to_lonlat.transform(xs[ok], ys[ok])
    out_crs = utm_crs(float(np.median(lon)), float(np.median(lat)))
    out_x, out_y = _project(xs, ys, ok, in_crs, out_crs)
    unit = in_crs.axis_info[0].unit_name if in_crs.axis_info else "unknown"
    return out_x, out_y, out_crs, f"{in_crs.name} is in {unit}, reprojected to {out_crs.name}"


def _coordinates_from_geometry(
    frame: gpd.GeoDataFrame, name: str, reasons: _Reasons, quiet: bool
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


def _content_notes(
    frame: pd.DataFrame, incidents: gpd.GeoDataFrame, xs: np.ndarray, ys: np.ndarray
) -> list[str]:
    notes = []
    if len(xs):
        # one complex number per location: a single hash table instead of a two-column one
        locations = pd.Series(xs + 1j * ys).value_counts(sort=False)
        notes.append(
            f"{len(locations):,} distinct locations for {len(xs):,} incidents; "
            f"up to {int(locations.max()):,} incidents on one location"
        )
        notes.extend(_spatial_outlier_note(xs, ys))
    hashed = pd.util.hash_pandas_object(
        frame.drop(columns="geometry", errors="ignore"), index=False
    )
    duplicates = int(hashed.duplicated().sum())
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

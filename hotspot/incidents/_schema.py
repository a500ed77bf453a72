"""Schema detection: which columns hold the coordinates, the time and the category.

Known exports are recognised by their column names (data.police.uk street-level CSVs, the
Toronto Police major-crime-indicator exports); anything else is matched on generic names. When a
role has no candidate, or more than one, the error lists the candidates and the argument to pass.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hotspot.errors import HotspotInputError

ROLES = ("lon", "lat", "x", "y", "time", "hour", "category", "time_start", "time_end")


@dataclass(frozen=True)
class KnownSchema:
    """A named export format recognised by its columns."""

    name: str
    required: tuple[str, ...]
    roles: dict[str, str]
    timezone: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


KNOWN_SCHEMAS: tuple[KnownSchema, ...] = (
    KnownSchema(
        name="police.uk street-level",
        required=("Longitude", "Latitude", "Month", "Crime type"),
        roles={"lon": "Longitude", "lat": "Latitude", "time": "Month", "category": "Crime type"},
        notes=(
            "data.police.uk snaps each crime to an anonymous map point and publishes the month only",
        ),
    ),
    KnownSchema(
        name="Toronto MCI",
        required=("Lat", "Long", "occurrencedate", "occurrencehour", "MCI"),
        roles={
            "lon": "Long",
            "lat": "Lat",
            "time": "occurrencedate",
            "hour": "occurrencehour",
            "category": "MCI",
        },
        timezone="America/Toronto",
        notes=(
            "Toronto dates are local midnight written in UTC; occurrencehour is the local hour",
        ),
    ),
    KnownSchema(
        name="Toronto MCI (2023+)",
        required=("LAT_WGS84", "LONG_WGS84", "OCC_DATE", "OCC_HOUR", "MCI_CATEGORY"),
        roles={
            "lon": "LONG_WGS84",
            "lat": "LAT_WGS84",
            "time": "OCC_DATE",
            "hour": "OCC_HOUR",
            "category": "MCI_CATEGORY",
        },
        timezone="America/Toronto",
    ),
)

# Generic names, compared case-insensitively after dropping spaces, dashes and underscores.
GENERIC_NAMES: dict[str, tuple[str, ...]] = {
    "lat": ("lat", "latitude", "latwgs84", "ylat"),
    "lon": ("lon", "lng", "long", "longitude", "longwgs84", "xlong", "xlon"),
    "x": ("x", "easting", "xcoord", "xcoordinate", "pointx", "east"),
    "y": ("y", "northing", "ycoord", "ycoordinate", "pointy", "north"),
    "time": (
        "time",
        "datetime",
        "date",
        "timestamp",
        "occurred",
        "occurredon",
        "occurreddate",
        "occurrencedate",
        "occurrencedatetime",
        "occdate",
        "incidentdate",
        "crimedate",
        "offencedate",
        "offensedate",
        "dateoccurred",
        "month",
    ),
    "hour": ("hour", "occurrencehour", "occhour", "hourofday"),
    "category": (
        "category",
        "crimetype",
        "crimecategory",
        "offence",
        "offense",
        "offencetype",
        "offensetype",
        "type",
        "mci",
        "crime",
        "primarytype",
    ),
}

# Time windows (the offence happened some time between two times): pairs of start and end names,
# compared like GENERIC_NAMES. A file with both of a pair has a window; a file with only one of
# a named pair (not the bare "from"/"to", too common for other things) takes it as its time.
WINDOW_PAIRS: tuple[tuple[str, str], ...] = (
    ("from", "to"),
    ("firstcommitted", "lastcommitted"),
    ("firstcommitteddate", "lastcommitteddate"),
    ("committedfrom", "committedto"),
    ("occurredfrom", "occurredto"),
    ("occfrom", "occto"),
    ("starttime", "endtime"),
    ("startdate", "enddate"),
    ("startdatetime", "enddatetime"),
    ("datefrom", "dateto"),
    ("fromdate", "todate"),
    ("datetimefrom", "datetimeto"),
)
_BARE_WINDOW = ("from", "to")

# A time-of-day column beside a date column ("Date", "Time"): read as the hour role, added to the
# date (a clock time such as 14:30 or an hour 0–23).
CLOCK_NAMES = (
    "time",
    "timeofday",
    "occurrencetime",
    "occtime",
    "incidenttime",
    "crimetime",
    "offencetime",
    "offensetime",
    "timeoccurred",
)

ARGUMENT_FOR_ROLE = {
    "lon": "lon=",
    "lat": "lat=",
    "x": "x=",
    "y": "y=",
    "time": "time=",
    "hour": "hour=",
    "category": "category=",
    "time_start": "time_start=",
    "time_end": "time_end=",
}


@dataclass(frozen=True)
class DetectedSchema:
    """The outcome of schema detection: a name and a column for each role found."""

    name: str
    columns: dict[str, str]
    timezone: str | None = None
    notes: tuple[str, ...] = ()


def _normalise(name: str) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _check_given(columns: list[str], given: dict[str, str | None], source: str) -> None:
    for role, column in given.items():
        if column is not None and column not in columns:
            close = difflib.get_close_matches(str(column), [str(c) for c in columns], n=3)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise HotspotInputError(
                f"{source}: column {column!r} given as {ARGUMENT_FOR_ROLE[role]} is not in the "
                f"data.{hint} Available columns: {', '.join(map(str, columns))}."
            )


def _generic_candidates(columns: Iterable[str], role: str) -> list[str]:
    names = GENERIC_NAMES[role]
    return [c for c in columns if _normalise(c) in names]


def detect_schema(
    columns: Iterable[str],
    given: dict[str, str | None],
    *,
    source: str,
    has_geometry: bool = False,
    frame: pd.DataFrame | None = None,
) -> DetectedSchema:
    """Find the columns for each role, honouring the ones the user gave.

    Parameters
    ----------
    columns : iterable of str
        The data's column names.
    given : dict
        Role → column name passed by the user (``None`` when not given).
    source : str
        The data's name, for messages.
    has_geometry : bool, default=False
        Whether the data already carries point geometries (then coordinates are not needed).
    frame : DataFrame, optional
        The data itself: when no coordinate column is named as expected, the error says which
        columns hold values that look like coordinates.

    Returns
    -------
    DetectedSchema

    Raises
    ------
    HotspotInputError
        When a needed role has no candidate or several, listing them and the argument to pass.

    Examples
    --------
    >>> s = detect_schema(["Month", "Longitude", "Latitude", "Crime type"], {}, source="f.csv")
    >>> s.name, s.columns["lon"], s.columns["time"]
    ('police.uk street-level', 'Longitude', 'Month')
    """
    columns = [str(c) for c in columns]
    given = {role: col for role, col in given.items() if col is not None}
    _check_given(columns, given, source)

    for known in KNOWN_SCHEMAS:
        if all(c in columns for c in known.required):
            roles = dict(known.roles)
            if {"x", "y"} & given.keys() or has_geometry:
                roles.pop("lon", None)
                roles.pop("lat", None)
            roles.update(given)
            _window_is_time(roles, given, source)
            return DetectedSchema(known.name, roles, known.timezone, known.notes)

    roles: dict[str, str] = dict(given)
    coordinate_roles: tuple[str, ...] = ()
    if not has_geometry and not ({"lon", "lat", "x", "y"} & given.keys()):
        lonlat = {r: _generic_candidates(columns, r) for r in ("lon", "lat")}
        xy = {r: _generic_candidates(columns, r) for r in ("x", "y")}
        if lonlat["lon"] or lonlat["lat"]:
            coordinate_roles = ("lon", "lat")
        elif xy["x"] or xy["y"]:
            coordinate_roles = ("x", "y")
        else:
            hint = suggest_coordinates(frame) if frame is not None else ""
            raise HotspotInputError(
                f"{source}: no coordinate columns found. Columns are: "
                f"{', '.join(columns) or '(none)'}. Name them with lon= and lat= (degrees) "
                "or x= and y= with crs= (projected coordinates), e.g. "
                f"read_incidents(path, lon='Longitude', lat='Latitude').{hint}"
            )
        found = lonlat if coordinate_roles == ("lon", "lat") else xy
        for role in coordinate_roles:
            _assign_single(roles, role, found[role], columns, source, required=True)
    elif not has_geometry:
        pairs = {"lon": "lat", "lat": "lon", "x": "y", "y": "x"}
        for role in list(given):
            if role in pairs and pairs[role] not in given:
                partner = pairs[role]
                _assign_single(
                    roles, partner, _generic_candidates(columns, partner), columns, source, True
                )
    _find_window(roles, columns, source)
    if "time" not in roles and "hour" not in roles:
        _pair_date_and_clock(roles, columns)
    for role in ("time", "hour", "category"):
        if role not in roles:
            _assign_single(roles, role, _generic_candidates(columns, role), columns, source, False)
    if "hour" in roles and "time" not in roles:
        roles.pop("hour")
    return DetectedSchema("generic" if not has_geometry else "geodataframe", roles)


def _assign_single(
    roles: dict[str, str],
    role: str,
    candidates: list[str],
    columns: list[str],
    source: str,
    required: bool,
) -> None:
    taken = set(roles.values())
    candidates = [c for c in candidates if c not in taken]
    if len(candidates) == 1:
        roles[role] = candidates[0]
    elif len(candidates) > 1:
        raise HotspotInputError(
            f"{source}: several columns could be the {role} column: "
            f"{', '.join(repr(c) for c in candidates)}. Choose one with "
            f"{ARGUMENT_FOR_ROLE[role]}, e.g. read_incidents(..., "
            f"{ARGUMENT_FOR_ROLE[role]}{candidates[0]!r})."
        )
    elif required:
        raise HotspotInputError(
            f"{source}: no {role} column found among {', '.join(columns)}. "
            f"Name it with {ARGUMENT_FOR_ROLE[role]}."
        )


def _find_window(roles: dict[str, str], columns: list[str], source: str) -> None:
    """The start and end columns of a time window, given or found by name; ``time`` is the start.

    Both of a pair: a window (``time_start``, ``time_end``). One of a named pair alone (not the
    bare "from"/"to"), when no column was given as ``time=``: it is the ``time``.
    """
    given = dict(roles)
    taken = set(roles.values())
    if "time_start" not in roles or "time_end" not in roles:
        names = {_normalise(c): c for c in columns if c not in taken}
        for start, end in WINDOW_PAIRS:
            a, b = names.get(start), names.get(end)
            if "time_start" in roles:
                a = roles["time_start"]
            if "time_end" in roles:
                b = roles["time_end"]
            if a is not None and b is not None:
                roles.setdefault("time_start", a)
                roles.setdefault("time_end", b)
                break
        else:
            unnamed = "time" not in roles and not _generic_candidates(columns, "time")
            if "time_start" not in roles and "time_end" not in roles and unnamed:
                single = [
                    names[n]
                    for pair in WINDOW_PAIRS
                    for n in pair
                    if n in names and n not in _BARE_WINDOW
                ]
                if len(dict.fromkeys(single)) == 1:
                    roles["time"] = single[0]
    _window_is_time(roles, given, source)


def _window_is_time(roles: dict[str, str], given: dict[str, str], source: str) -> None:
    """With a window, ``time`` is its start (one of the pair alone is the ``time``)."""
    start, end = roles.get("time_start"), roles.get("time_end")
    if start is None and end is None:
        return
    if start is None or end is None:  # one of the pair, given alone
        only = start if start is not None else end
        roles.pop("time_start", None)
        roles.pop("time_end", None)
        if "time" in given and given["time"] != only:
            raise HotspotInputError(
                f"{source}: time={given['time']!r} and {'time_start' if start else 'time_end'}="
                f"{only!r} name different columns; a window needs both time_start= and "
                "time_end=, and a single time only time=."
            )
        roles["time"] = only
        roles.pop("hour", None)
        return
    if "time" in given and given["time"] != start:
        raise HotspotInputError(
            f"{source}: time={given['time']!r} is not the window's start {start!r}; with a "
            f"window the time is its start: drop time= or pass time_start={given['time']!r}."
        )
    roles["time"] = start
    roles.pop("hour", None)


def _pair_date_and_clock(roles: dict[str, str], columns: list[str]) -> None:
    """A date column and a time-of-day column ("Date", "Time"): time=date, hour=the clock."""
    taken = set(roles.values())
    candidates = [c for c in _generic_candidates(columns, "time") if c not in taken]
    clocks = [c for c in candidates if _normalise(c) in CLOCK_NAMES]
    dates = [c for c in candidates if c not in clocks]
    if len(clocks) == 1 and len(dates) == 1:
        roles["time"] = dates[0]
        roles["hour"] = clocks[0]


def _numbers(values: pd.Series) -> np.ndarray:
    """Values as floats (decimal commas read as points), NaN where not a number."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return np.full(len(values), np.nan)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=float, na_value=np.nan)
    text = values.astype("str").str.strip().str.replace(r"^([-+]?\d+),(\d+)$", r"\1.\2", regex=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def suggest_coordinates(frame: pd.DataFrame, sample: int = 1000) -> str:
    """A sentence naming columns whose values look like coordinates, or ``""``.

    Degrees: a column of values within ±90 and another within ±180, with decimals. Projected
    coordinates: two columns of numbers of five to seven digits.

    Examples
    --------
    >>> df = pd.DataFrame({"A": [53.801, 53.79], "B": [-1.552, -1.54], "n": [1, 2]})
    >>> suggest_coordinates(df)  # doctest: +ELLIPSIS
    " Columns 'A' (e.g. 53.801) and 'B' (e.g. -1.552) look like latitude and longitude: pass lat='A', lon='B' (CLI: --lat A --lon B)."
    """
    head = frame.iloc[:sample]
    degrees_lat, degrees_lon, metres = [], [], []
    decimal_comma = []
    for column in head.columns:
        if column == getattr(frame, "_geometry_column_name", None):
            continue
        values = head[column]
        x = _numbers(values)
        finite = x[np.isfinite(x)]
        if len(finite) < max(1, 0.8 * values.notna().sum()) or not len(finite):
            continue
        if not pd.api.types.is_numeric_dtype(values.dtype):
            decimal_comma.append(column)
        fractional = np.mean(finite != np.round(finite)) > 0.5
        spread = np.ptp(finite) > 0
        if fractional and np.all(np.abs(finite) <= 90) and spread:
            degrees_lat.append(column)
        elif fractional and np.all(np.abs(finite) <= 180) and spread:
            degrees_lon.append(column)
        elif np.all((np.abs(finite) >= 10_000) & (np.abs(finite) < 10_000_000)) and spread:
            metres.append(column)

    def example(column: str) -> str:
        return str(head[column].dropna().iloc[0])

    def note(columns: list[str]) -> str:
        used = [c for c in columns if c in decimal_comma]
        if not used:
            return ""
        return " They are written with a decimal comma: add decimal=',' (CLI: --decimal ,)."

    if len(degrees_lat) >= 1 and len(degrees_lat) + len(degrees_lon) >= 2:
        lat = degrees_lat[0]
        others = [c for c in degrees_lon + degrees_lat[1:]]
        # of two columns within ±90, latitude is the one farther from zero on average (mid
        # latitudes), a guess the message marks as such
        lon = others[0]
        if lon in degrees_lat and np.nanmean(np.abs(_numbers(head[lon]))) > np.nanmean(
            np.abs(_numbers(head[lat]))
        ):
            lat, lon = lon, lat
        return (
            f" Columns {lat!r} (e.g. {example(lat)}) and {lon!r} (e.g. {example(lon)}) look like "
            f"latitude and longitude: pass lat={lat!r}, lon={lon!r} "
            f"(CLI: --lat {shlex.quote(lat)} --lon {shlex.quote(lon)}).{note([lat, lon])}"
        )
    if len(metres) >= 2:
        a, b = metres[:2]
        if np.nanmedian(_numbers(head[a])) > np.nanmedian(_numbers(head[b])):
            a, b = b, a  # northings usually exceed eastings (Great Britain, UTM north)
        return (
            f" Columns {a!r} (e.g. {example(a)}) and {b!r} (e.g. {example(b)}) look like "
            f"projected coordinates: pass x={a!r}, y={b!r} and their CRS, e.g. "
            f"crs='EPSG:27700' (CLI: --x {shlex.quote(a)} --y {shlex.quote(b)} --crs "
            f"EPSG:27700).{note([a, b])}"
        )
    return ""

"""Schema detection: which columns hold the coordinates, the time and the category.

Known exports are recognised by their column names (data.police.uk street-level CSVs, the
Toronto Police major-crime-indicator exports); anything else is matched on generic names. When a
role has no candidate, or more than one, the error lists the candidates and the argument to pass.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from hotspot.errors import HotspotInputError

ROLES = ("lon", "lat", "x", "y", "time", "hour", "category")


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

ARGUMENT_FOR_ROLE = {
    "lon": "lon=",
    "lat": "lat=",
    "x": "x=",
    "y": "y=",
    "time": "time=",
    "hour": "hour=",
    "category": "category=",
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
            raise HotspotInputError(
                f"{source}: no coordinate columns found. Columns are: "
                f"{', '.join(columns) or '(none)'}. Name them with lon= and lat= (degrees) "
                "or x= and y= with crs= (projected coordinates), e.g. "
                "read_incidents(path, lon='Longitude', lat='Latitude')."
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

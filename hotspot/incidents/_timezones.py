"""Time zones from coordinates, offline (tzfpy), and what they tell about swapped axes.

Incidents' times are local to where they happened: times written with a UTC offset are converted
to the zone of the incidents' location. The same lookup tells a file whose latitude and longitude
were written the wrong way round: read as given, its points fall in the sea (``Etc/GMT…`` zones)
or in Antarctica; swapped, on land.
"""

from __future__ import annotations

import difflib
import zoneinfo
from collections import Counter

import numpy as np
import tzfpy

from hotspot.errors import HotspotInputError

SAMPLE = 200  # points looked up, evenly spaced through the rows


def validate_timezone(name: object, source: str = "the data") -> str:
    """``name`` if it is an IANA time zone, else a :class:`HotspotInputError` naming close ones.

    Examples
    --------
    >>> validate_timezone("Europe/London")
    'Europe/London'
    >>> validate_timezone("America/Chicgo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: ... did you mean 'America/Chicago' or ...
    >>> validate_timezone("london")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: ... did you mean 'Europe/London'? ...
    """
    try:
        zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        known = sorted(zoneinfo.available_timezones())
        city = [z for z in known if z.lower().rsplit("/", 1)[-1] == str(name).lower()]
        close = city or difflib.get_close_matches(str(name), known, n=2)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "."
        raise HotspotInputError(
            f"{source}: timezone={name!r} is not an IANA time zone name{hint} Names look like "
            "timezone='Europe/London' or 'America/Toronto' (CLI: --timezone Europe/London)."
        ) from None
    return str(name)


def implausible(zone: str | None) -> bool:
    """True for the open sea (``Etc/GMT…``), Antarctica, or no zone at all.

    Examples
    --------
    >>> implausible("Etc/GMT-4"), implausible("Antarctica/Syowa"), implausible("Europe/London")
    (True, True, False)
    """
    return zone is None or zone == "" or zone.startswith(("Etc/", "Antarctica/"))


def sample_positions(n: int, size: int = SAMPLE) -> np.ndarray:
    """Up to ``size`` positions evenly spaced through ``n`` rows (deterministic)."""
    if n <= size:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, size).round().astype(int))


def zones(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """The IANA zone at each point (``Etc/GMT±n`` at sea)."""
    return [tzfpy.get_tz(float(x), float(y)) for x, y in zip(lon, lat, strict=True)]


def local_zone(lon: np.ndarray, lat: np.ndarray) -> tuple[str | None, str]:
    """The incidents' local zone and how it was found.

    The zone of the median point, when the points share it; when they span several zones (in
    a sample of 200 points), the most common land zone, and the reason says so.

    Examples
    --------
    >>> local_zone(np.array([-79.40, -79.38]), np.array([43.70, 43.65]))
    ('America/Toronto', "the zone of the incidents' median point (-79.390, 43.675)")
    """
    if not len(lon):
        return None, "no incident has valid coordinates"
    mlon, mlat = float(np.median(lon)), float(np.median(lat))
    median_zone = tzfpy.get_tz(mlon, mlat)
    pick = sample_positions(len(lon))
    found = Counter(zones(lon[pick], lat[pick]))
    land = Counter({z: n for z, n in found.items() if not implausible(z)}) or found
    (common, n_common), *others = land.most_common()
    where = f"median point ({mlon:.3f}, {mlat:.3f})"
    if not others and (median_zone == common or implausible(median_zone)):
        if median_zone == common:
            return common, f"the zone of the incidents' {where}"
        return common, f"the zone of the incidents' location (their {where} is at sea)"
    total = sum(land.values())
    shares = ", ".join(f"{z} {n / total:.0%}" for z, n in land.most_common(4))
    return (
        common,
        f"the incidents span several zones ({shares} of a sample of {total} points): the most "
        "common was used; pass timezone= to choose another",
    )


def swap_verdict(
    lon: np.ndarray, lat: np.ndarray, expected: str | None = None
) -> tuple[float, float, str, str] | None:
    """Whether points read as given look wrong and right once swapped.

    Returns ``(bad_given, bad_swapped, zone_given, zone_swapped)`` (shares of a sample of
    points in the sea or Antarctica, or outside the ``expected`` zone when one is known, and the
    most common zone each way) when the swapped reading is clearly better, else ``None``.

    Examples
    --------
    >>> lon, lat = np.array([53.80, 53.79]), np.array([-1.55, -1.54])  # Leeds, swapped
    >>> swap_verdict(lon, lat)
    (1.0, 0.0, 'Etc/GMT-4', 'Europe/London')
    >>> swap_verdict(lat, lon) is None
    True
    """
    if not len(lon):
        return None
    pick = sample_positions(len(lon))
    given = zones(lon[pick], lat[pick])
    swapped = zones(lat[pick], lon[pick])

    def bad(found: list[str]) -> float:
        if expected is not None:
            return float(np.mean([z != expected for z in found]))
        return float(np.mean([implausible(z) for z in found]))

    bad_given, bad_swapped = bad(given), bad(swapped)
    if expected is not None and bad_swapped > 0.5:
        # the expected zone fits neither reading (incidents outside the schema's city): fall
        # back to land and sea
        bad_given = float(np.mean([implausible(z) for z in given]))
        bad_swapped = float(np.mean([implausible(z) for z in swapped]))
    if bad_given > 0.5 and bad_swapped < 0.2:
        common_given = Counter(given).most_common(1)[0][0]
        common_swapped = Counter(swapped).most_common(1)[0][0]
        return bad_given, bad_swapped, common_given, common_swapped
    return None

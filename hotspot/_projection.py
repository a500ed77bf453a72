"""Choose a projected CRS in metres for incidents given in longitude/latitude."""

from __future__ import annotations

import functools

import numpy as np
from pyproj import CRS, Transformer

BRITISH_NATIONAL_GRID = "EPSG:27700"
# Great Britain (not Northern Ireland, which uses the Irish grid): a generous box around the
# mainland, Shetland and the Scillies. Points outside it send the data to its UTM zone.
GREAT_BRITAIN = (-8.75, 49.75, 2.0, 61.0)


def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 UTM zone containing a point.

    Examples
    --------
    >>> utm_crs(-79.4, 43.7).to_epsg()
    32617
    >>> utm_crs(151.2, -33.9).to_epsg()
    32756
    """
    zone = int(np.floor((lon + 180.0) / 6.0)) % 60 + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def choose_crs(lon: np.ndarray, lat: np.ndarray) -> tuple[CRS, str]:
    """A projected CRS in metres for these points, and the reason it was chosen.

    Inside Great Britain: the British National Grid. Elsewhere: the UTM zone of the median point.

    Examples
    --------
    >>> crs, why = choose_crs(np.array([-1.55, -1.50]), np.array([53.8, 53.7]))
    >>> crs.to_epsg(), why
    (27700, 'all points lie in Great Britain: British National Grid (EPSG:27700)')
    """
    w, s, e, n = GREAT_BRITAIN
    if len(lon) and bool(np.all((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))):
        return (
            CRS.from_user_input(BRITISH_NATIONAL_GRID),
            "all points lie in Great Britain: British National Grid (EPSG:27700)",
        )
    mlon, mlat = float(np.median(lon)), float(np.median(lat))
    crs = utm_crs(mlon, mlat)
    return (
        crs,
        f"UTM zone of the median point ({mlon:.3f}, {mlat:.3f}): {crs.name} (EPSG:{crs.to_epsg()})",
    )


def is_metric_projected(crs: CRS) -> bool:
    """True when ``crs`` is projected (or a local engineering grid) with axes in metres."""
    if not (crs.is_projected or crs.is_engineering):
        return False
    units = {axis.unit_name for axis in crs.axis_info}
    return units <= {"metre", "meter", "m"}


@functools.lru_cache(maxsize=32)
def transformer(source: CRS | int | str, target: CRS | int | str) -> Transformer:
    """The pyproj Transformer from ``source`` to ``target``, x (easting, longitude) first.

    Made once per process for each pair and handed out again: ``Transformer.from_crs`` weighs
    PROJ's candidate operations each time it is called (about 25 ms of CPU from longitude and
    latitude to the British National Grid), and reading a file called it once per load. The
    Transformer is the one ``Transformer.from_crs(source, target, always_xy=True)`` returns,
    so results are the same. Sharing it is safe: since pyproj 3.1 a Transformer keeps its
    PROJ object per thread (pyproj #782), and geopandas caches its ``to_crs`` transformers the
    same way. A pair pyproj cannot relate raises as ``from_crs`` does, and is tried again on
    the next call.

    Parameters
    ----------
    source, target : pyproj.CRS, int or str
        Anything ``Transformer.from_crs`` takes (hashable: a CRS, an EPSG code, a string).

    Returns
    -------
    pyproj.Transformer

    Examples
    --------
    >>> to_lonlat = transformer(CRS.from_epsg(32617), 4326)
    >>> lon, lat = to_lonlat.transform(630000.0, 4835000.0)
    >>> round(lon, 2), round(lat, 2)
    (-79.39, 43.66)
    >>> transformer(CRS.from_epsg(32617), 4326) is to_lonlat
    True
    """
    return Transformer.from_crs(source, target, always_xy=True)

"""The embedded real datasets, libpysal's classic examples, and simulated incidents.

West Yorkshire (data.police.uk, July 2016–2018) and Toronto (major crime indicators 2014–2021)
ship in the repository's ``data/`` folder; see ``data/README.md`` for their provenance and
licences. Both come back through :func:`hotspot.read_incidents`, validated and projected.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from hotspot.errors import HotspotInputError
from hotspot.incidents.read import read_incidents
from hotspot.simulate import simulate_incidents

__all__ = [
    "data_path",
    "load_burkitt",
    "load_columbus",
    "load_toronto",
    "load_west_yorkshire",
    "simulate_incidents",
]

# A local engineering CRS in metres, for study grids that are not georeferenced (Burkitt).
LOCAL_METRES = CRS.from_wkt(
    'ENGCRS["Local grid (metres)",EDATUM["Local datum"],CS[Cartesian,2],'
    'AXIS["easting (X)",east,ORDER[1],LENGTHUNIT["metre",1]],'
    'AXIS["northing (Y)",north,ORDER[2],LENGTHUNIT["metre",1]]]'
)


def data_path(name: str) -> Path:
    """Path of an embedded data file (``$HOTSPOT_DATA_DIR`` overrides the repository's ``data/``).

    Examples
    --------
    >>> data_path("toronto.parquet").name
    'toronto.parquet'
    """
    folder = Path(
        os.environ.get("HOTSPOT_DATA_DIR", Path(__file__).resolve().parent.parent / "data")
    )
    path = folder / name
    if not path.exists():
        raise HotspotInputError(
            f"embedded dataset {name!r} not found in {folder}. Install hotspot from a clone of "
            "its repository (pip install -e .), set HOTSPOT_DATA_DIR to the folder holding it, or "
            "rebuild it with `make data`."
        )
    return path


def load_west_yorkshire(*, quiet: bool = False) -> gpd.GeoDataFrame:
    """West Yorkshire street-level crime from data.police.uk, July 2016, 2017 and 2018.

    87,348 rows, of which 3,771 have no coordinates and are excluded (see the load report);
    83,577 incidents on 22,515 anonymised map points, dated by month only (resolution "month"),
    in the British National Grid. Open Government Licence v3.0.

    Examples
    --------
    >>> inc = load_west_yorkshire(quiet=True)
    >>> len(inc), inc.crs.to_epsg(), inc.attrs["hotspot"]["time_resolution"]
    (83577, 27700, 'month')
    """
    return read_incidents(data_path("west_yorkshire.parquet"), quiet=quiet)


def load_toronto(*, quiet: bool = False) -> gpd.GeoDataFrame:
    """Toronto Police Service major crime indicators, 2014–2021 (with late-recorded older ones).

    240,992 incidents with date and local hour, five categories (``MCI``), on 18,787
    intersection-offset points, in UTM zone 17N. Open Government Licence – Toronto.

    Examples
    --------
    >>> inc = load_toronto(quiet=True)
    >>> len(inc), inc.crs.to_epsg(), sorted(inc["category"].unique())[:2]
    (240992, 32617, ['Assault', 'Auto Theft'])
    """
    return read_incidents(data_path("toronto.parquet"), quiet=quiet)


def load_columbus() -> gpd.GeoDataFrame:
    """The Columbus, Ohio neighbourhoods (49 polygons, Anselin 1988) bundled with libpysal.

    ``CRIME`` is residential burglaries and vehicle thefts per 1,000 households; the classic
    reference for Moran's I and LISA. The coordinates are in an arbitrary unprojected grid, so
    ``crs`` is ``None``: use it with contiguity weights, not distances.

    Examples
    --------
    >>> cols = load_columbus()
    >>> len(cols), round(float(cols["CRIME"].mean()), 3)
    (49, 35.129)
    """
    from libpysal import examples

    frame = gpd.read_file(examples.get_path("columbus.shp"))
    frame.index = pd.RangeIndex(len(frame), name="cell_id")
    return frame


def load_burkitt(*, quiet: bool = True) -> gpd.GeoDataFrame:
    """Burkitt's lymphoma cases in the West Nile district of Uganda, 1961–1975 (188 cases).

    The classic space-time clustering data (Williams et al. 1978), bundled with libpysal. The
    study's grid coordinates ``X``, ``Y`` are in kilometres and are stored in metres
    (× 1000) in a local engineering CRS (not georeferenced: do not put them on a web map);
    ``time`` is 1 January 1960 plus ``T`` days (the original ``T`` is kept).

    Examples
    --------
    >>> b = load_burkitt()
    >>> len(b), float(b.geometry.x.min()), b["time"].min().year
    (188, 255000.0, 1961)
    """
    from libpysal import examples

    raw = gpd.read_file(examples.get_path("burkitt.shp"))
    frame = pd.DataFrame(raw.drop(columns=["geometry", "DATE"]))
    frame["time"] = pd.Timestamp("1960-01-01") + pd.to_timedelta(frame["T"], unit="D")
    points = gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["X"] * 1000.0, frame["Y"] * 1000.0),
        crs=LOCAL_METRES,
    )
    return read_incidents(points, time="time", quiet=quiet)

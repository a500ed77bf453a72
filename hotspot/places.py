"""Place names from the data: the area each incident is in, and labels to put on maps.

Police exports name the area of every incident: data.police.uk gives the LSOA name
("Leeds 111B": the district followed by a code), Toronto's major-crime export the neighbourhood
("West Humber-Clairville" or "Annex (95)"). Those names tell a reader where a map is without a
basemap, and where a hot spot is in a table. Nothing here is fetched from the network.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._validate import check_incidents, incident_xy

# Columns naming the area an incident is in, most useful first; each with the pattern removed
# from its values to get a name a reader knows (the LSOA code after a district's name).
AREA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("LSOA name", r"\s+\d{3}[A-Z]$"),
    ("lsoa_name", r"\s+\d{3}[A-Z]$"),
    ("NEIGHBOURHOOD_158", r"\s*\(\d+\)$"),
    ("Neighbourhood", r"\s*\(\d+\)$"),
    ("NEIGHBOURHOOD_140", r"\s*\(\d+\)$"),
    ("neighbourhood", r"\s*\(\d+\)$"),
    ("neighborhood", r"\s*\(\d+\)$"),
    ("district", ""),
    ("ward", ""),
    ("beat", ""),
)
# Columns describing where on the street an incident is ("On or near Swithen Hill").
LOCATION_COLUMNS = ("Location", "location", "street", "address", "block", "block_address")
# Values that name no place.
NO_PLACE = {"", "nan", "none", "nsa", "n/a", "unknown", "no location", "on or near"}


def _clean(values: pd.Series, pattern: str) -> pd.Series:
    """Names stripped of ``pattern`` and blanks; each distinct name cleaned once (a column
    of 240,000 incidents names a few hundred places)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype="object").astype("string").str.strip()
    if pattern:
        text = text.str.replace(pattern, "", regex=True).str.strip()
    text = text.mask(text.str.lower().isin(NO_PLACE))
    out = text.reindex(codes).set_axis(values.index)
    out.name = values.name
    return out


def area_names(incidents: pd.DataFrame) -> pd.Series | None:
    """The name of the area each incident is in, or None when the data name no areas.

    A data.police.uk LSOA name gives its district ("Leeds 111B" → "Leeds"); a Toronto
    neighbourhood drops its number ("Annex (95)" → "Annex"). The series has the incidents'
    index and the column's name in ``.attrs["column"]``; unnamed places are missing.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> names = area_names(inc)
    >>> names.attrs["column"], sorted(names.value_counts().head(5).index)
    ('LSOA name', ['Bradford', 'Calderdale', 'Kirklees', 'Leeds', 'Wakefield'])
    """
    return _first_named(incidents, AREA_COLUMNS, "area")


def _first_named(
    incidents: pd.DataFrame, candidates: tuple[tuple[str, str], ...], name: str
) -> pd.Series | None:
    """The cleaned values of the first candidate column that names anything."""
    for column, pattern in candidates:
        if column in incidents.columns:
            values = _clean(incidents[column], pattern)
            if values.notna().any():
                values.attrs["column"] = column
                return values.rename(name)
    return None


def location_texts(incidents: pd.DataFrame) -> pd.Series | None:
    """The street description of each incident ("On or near Briggate"), or None.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> location_texts(inc).iloc[0]
    'On or near Swithen Hill'
    """
    return _first_named(incidents, tuple((c, "") for c in LOCATION_COLUMNS), "location")


def place_labels(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """One label per named area, placed at the median position of the area's incidents.

    Parameters
    ----------
    incidents : GeoDataFrame
        From :func:`hotspot.read_incidents`.

    Returns
    -------
    GeoDataFrame or None
        Columns ``name``, ``n_incidents`` and point ``geometry`` (the incidents' CRS), the
        busiest area first; None when the data name no areas.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> labels = place_labels(inc)
    >>> labels["name"].head(5).tolist()
    ['Leeds', 'Bradford', 'Kirklees', 'Wakefield', 'Calderdale']
    """
    check_incidents(incidents)
    names = area_names(incidents)
    if names is None:
        return None
    x, y = incident_xy(incidents)
    frame = pd.DataFrame({"name": names.to_numpy(), "x": x, "y": y}).dropna()
    grouped = frame.groupby("name", sort=False)
    table = grouped.agg(x=("x", "median"), y=("y", "median"), n_incidents=("x", "size"))
    table = table.sort_values(["n_incidents", "x"], ascending=[False, True], kind="stable")
    return gpd.GeoDataFrame(
        {"name": table.index.astype(str), "n_incidents": table["n_incidents"].to_numpy()},
        geometry=gpd.points_from_xy(table["x"], table["y"]),
        crs=incidents.crs,
    )


def thin_labels(labels: gpd.GeoDataFrame, min_distance: float) -> gpd.GeoDataFrame:
    """The labels kept when each must be ``min_distance`` (CRS units) from every one kept before.

    Labels are taken in their order (the busiest area first), so the names that matter most
    survive and none pile up.

    Examples
    --------
    >>> import shapely
    >>> labels = gpd.GeoDataFrame({"name": ["a", "b", "c"]},
    ...     geometry=shapely.points([(0, 0), (1, 0), (5, 0)]))
    >>> thin_labels(labels, 2)["name"].tolist()
    ['a', 'c']
    """
    xy = shapely_xy(labels)
    kept: list[int] = []
    for i, (px, py) in enumerate(xy):
        if all(np.hypot(px - xy[j, 0], py - xy[j, 1]) >= min_distance for j in kept):
            kept.append(i)
    return labels.iloc[kept]


def shapely_xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) coordinates of point geometries."""
    import shapely

    return shapely.get_coordinates(frame.geometry.array)


def labels_to_records(labels: gpd.GeoDataFrame | None) -> list[dict] | None:
    """Labels as plain records (name, x, y, n) for result metadata."""
    if labels is None:
        return None
    xy = shapely_xy(labels)
    return [
        {"name": str(n), "x": float(px), "y": float(py), "n": int(c)}
        for n, (px, py), c in zip(labels["name"], xy, labels["n_incidents"], strict=True)
    ]


def labels_from_records(records: list[dict], crs: object) -> gpd.GeoDataFrame:
    """The inverse of :func:`labels_to_records`."""
    return gpd.GeoDataFrame(
        {"name": [r["name"] for r in records], "n_incidents": [r["n"] for r in records]},
        geometry=gpd.points_from_xy([r["x"] for r in records], [r["y"] for r in records]),
        crs=crs,
    )

"""Building blocks of the folium maps: a map fitted to the data and one GeoJSON layer of cells."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot.maps._style import escape

# Coordinates are written with 6 decimals of a degree (about 0.1 m): enough for any map, and
# it keeps a whole-city 100 m grid small.
COORDINATE_DECIMALS = 6


def new_map(bounds: np.ndarray, *, tiles: str | None = "OpenStreetMap") -> Any:
    """A folium map with canvas rendering, fitted to ``(minx, miny, maxx, maxy)`` in degrees."""
    import folium

    minx, miny, maxx, maxy = bounds
    m = folium.Map(tiles=tiles, prefer_canvas=True, control_scale=True)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def view_bounds(geometry: np.ndarray) -> np.ndarray:
    """Bounds to open the map on: all geometries, or with 200 or more, the central 99 % of
    their centres in each direction, so a handful of far outliers (miscoded locations) do not
    shrink the view of everything else. Nothing is hidden: the reader can zoom out."""
    geometry = np.asarray(geometry)
    if len(geometry) < 200:
        return shapely.total_bounds(geometry)
    centres = shapely.get_coordinates(shapely.centroid(geometry))
    lo = np.quantile(centres, 0.005, axis=0)
    hi = np.quantile(centres, 0.995, axis=0)
    return np.array([lo[0], lo[1], hi[0], hi[1]])


def to_lonlat(geometry: gpd.GeoSeries) -> np.ndarray:
    """Geometries in EPSG:4326 with coordinates rounded to :data:`COORDINATE_DECIMALS`."""
    lonlat = geometry.to_crs(4326).array
    return shapely.transform(np.asarray(lonlat), lambda xy: np.round(xy, COORDINATE_DECIMALS))


def add_legend(m: Any, legend: str) -> None:
    """Put the legend HTML (from :func:`legend_html`) on the map's page."""
    import folium

    m.get_root().html.add_child(folium.Element(legend))


def add_layer_control(m: Any) -> None:
    """One layer control per map, whatever number of layers were added."""
    import folium

    # The control must come after every layer in the page's script, so it is (re)added last.
    for key, child in list(m._children.items()):
        if isinstance(child, folium.LayerControl):
            del m._children[key]
    folium.LayerControl(collapsed=True).add_to(m)


def draw_cells(
    fields: dict[str, Any],
    geometry: gpd.GeoSeries,
    fill: np.ndarray,
    palette: list[str],
    *,
    m: Any,
    layer_name: str,
    legend: str,
    fill_opacity: float,
    outline: str = "#666666",
    frames: list[tuple[str, np.ndarray, Any]] | None = None,
    frame_field: str | None = None,
    extent: gpd.GeoSeries | None = None,
) -> Any:
    """Add cells as one canvas layer with a tooltip of ``fields`` and the legend.

    ``fields`` maps tooltip names to values (text already escaped); ``fill`` indexes
    ``palette`` per cell (``-1``: outline only). Draws on ``m`` or on a new map fitted to the
    cells (to ``extent``, all the result's cells, when none is drawn: a map with no hot spot
    still opens on the study area). Returns the map.
    """
    from hotspot.maps._cell_layer import CellLayer

    geoms = to_lonlat(geometry)
    if m is None:
        if len(geoms) or extent is None or not len(extent):
            m = new_map(view_bounds(geoms) if len(geoms) else np.array([-180, -85, 180, 85]))
        else:
            m = new_map(view_bounds(to_lonlat(extent)))
    layer = CellLayer(
        geoms,
        fill,
        palette,
        fields,
        name=escape(layer_name),
        opacity=fill_opacity,
        outline=outline,
        frames=frames,
        frame_field=frame_field,
    )
    layer.add_to(m)
    add_legend(m, legend)
    add_layer_control(m)
    return m

"""Building blocks of the folium maps: a map fitted to the data, one GeoJSON layer of cells,
and what shows where the map is (the data's footprint, the study area, place names, context)."""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot.errors import HotspotInputError
from hotspot.maps._cell_layer import CellLayer, LabelLayer, ShapeLayer
from hotspot.maps._context import context_layers, context_names
from hotspot.maps._labels import (
    MAX_PLACE_LABELS,
    PLACE_LABEL_FRACTION,
    PLACE_LABEL_LEVELS,
    label_levels,
    label_spacing,
    place_labels,
)
from hotspot.maps._offline import notebook_html
from hotspot.maps._result_attrs import footprint, footprint_outline, result_crs, study_area
from hotspot.maps._style import CLUSTER_HULL, escape

# Coordinates are written with 6 decimals of a degree (about 0.1 m): enough for any map, and
# it keeps a whole-city 100 m grid small.
COORDINATE_DECIMALS = 6
# The basemap the map functions draw by default (online use; offline exports leave it out).
DEFAULT_TILES = "OpenStreetMap"

# Layer names of what is drawn under (and over) a result.
FOOTPRINT_LAYER = "Cells with incidents"
STUDY_AREA_LAYER = "Study area"
PLACE_LAYER = "Place names"
# Faint grey fill for the cells with incidents; a thin dark line for the study area; context
# polygons outlined, lines in mid grey.
FOOTPRINT_STYLE = {"stroke": False, "fill": True, "fillColor": "#9e9e9e", "fillOpacity": 0.3}
STUDY_AREA_STYLE = {"color": "#333333", "weight": 1.2, "opacity": 0.9, "fill": False}
CONTEXT_POLYGON_STYLE = {
    "color": "#4d4d4d",
    "weight": 1.5,
    "opacity": 0.9,
    "fill": True,
    "fillColor": "#4d4d4d",
    "fillOpacity": 0.03,
}
CONTEXT_LINE_STYLE = {"color": "#8c8c8c", "weight": 1.6, "opacity": 0.9, "fill": False}

# The page's styles for labels and tooltip sentences (added once per page).
LABEL_CSS = f"""<style>
.hotspot-place-label, .hotspot-context-label, .hotspot-cluster-label {{
  background: none; border: none; }}
.hotspot-place-label span, .hotspot-context-label span, .hotspot-cluster-label span {{
  position: absolute; transform: translate(-50%, -50%); text-align: center;
  white-space: nowrap; pointer-events: none; }}
.hotspot-place-label span {{
  font: 600 12px/1.1 sans-serif; color: #1a1a1a; letter-spacing: 0.02em;
  text-shadow: 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff, 0 0 5px #fff; }}
.hotspot-place-label.hotspot-label-major span {{ font-size: 14px; }}
.hotspot-context-label span {{
  font: italic 11px/1.1 sans-serif; color: #555;
  text-shadow: 0 0 2px #fff, 0 0 3px #fff; }}
.hotspot-cluster-label span {{
  min-width: 14px; padding: 0 3px; border-radius: 9px; background: #fff;
  border: 1.5px solid {CLUSTER_HULL}; color: {CLUSTER_HULL};
  font: bold 11px/15px sans-serif; }}
.hotspot-sentence {{
  font-weight: 600; margin-bottom: 3px; white-space: normal; width: max-content;
  max-width: 320px; }}
</style>"""


def _hotspot_map_class() -> type:
    import folium

    class HotspotMap(folium.Map):
        """A ``folium.Map`` that shows in a notebook with no internet.

        Its notebook view (``_repr_html_``) is the page with Leaflet, jQuery and d3 inlined
        from the package (as :func:`hotspot.maps.export_map` with ``offline=True`` writes
        them), inside folium's usual iframe: only the basemap tiles come from the network.
        A map with a plugin the package does not carry falls back to folium's own view.
        """

        def _repr_html_(self, **kwargs: Any) -> str:
            try:
                return notebook_html(self)
            except HotspotInputError:
                return super()._repr_html_(**kwargs)

    HotspotMap.__module__ = __name__
    return HotspotMap


_HOTSPOT_MAP: type | None = None


def hotspot_map_class() -> type:
    """The ``folium.Map`` subclass the map functions return (created on first use)."""
    global _HOTSPOT_MAP
    if _HOTSPOT_MAP is None:
        _HOTSPOT_MAP = _hotspot_map_class()
    return _HOTSPOT_MAP


def is_web_address(tiles: str) -> bool:
    """Whether a tile template is a web address (``https://…``, ``//…``), not a local folder.

    Examples
    --------
    >>> is_web_address("https://tiles.force.local/{z}/{x}/{y}.png"), is_web_address("tiles/{z}/{x}/{y}.png")
    (True, False)
    """
    return re.match(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", tiles, re.IGNORECASE) is not None


def basemap(tiles: Any, *, func: str = "export_map") -> Any:
    """A ``folium.TileLayer`` from ``tiles``: a folium/xyzservices name ("OpenStreetMap"), a
    URL template of a tile server (an internal one: ``"https://tiles.force.local/{z}/{x}/{y}.png"``),
    a local tile folder relative to the HTML file (``"tiles/{z}/{x}/{y}.png"``) or a TileLayer."""
    import folium

    if isinstance(tiles, folium.TileLayer):
        return tiles
    if not isinstance(tiles, str) or not tiles.strip():
        raise HotspotInputError(
            f"{func}: tiles={tiles!r} is not a basemap; pass a tile name such as "
            "'OpenStreetMap', a URL template such as 'https://tiles.example.org/{z}/{x}/{y}.png' "
            "or 'tiles/{z}/{x}/{y}.png', or None for none."
        )
    if "{z}" not in tiles:
        return folium.TileLayer(tiles)
    if is_web_address(tiles):
        host = re.sub(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", "", tiles, flags=re.IGNORECASE)
        attribution = "Basemap: " + escape(host.split("/", 1)[0])
    else:
        attribution = "Basemap: local tiles"
    return folium.TileLayer(tiles=tiles, attr=attribution, name="basemap")


def new_map(bounds: np.ndarray, *, tiles: Any = DEFAULT_TILES, func: str = "map") -> Any:
    """A map with canvas rendering, fitted to ``(minx, miny, maxx, maxy)`` in degrees, on the
    basemap ``tiles`` (None: no basemap)."""
    minx, miny, maxx, maxy = bounds
    m = hotspot_map_class()(tiles=None, prefer_canvas=True, control_scale=True)
    if tiles is not None:
        basemap(tiles, func=func).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    add_styles(m)
    return m


def add_styles(m: Any) -> None:
    """The page's styles for labels and tooltip sentences (once per page)."""
    import folium

    m.get_root().header.add_child(folium.Element(LABEL_CSS), name="hotspot_label_css")


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


def opening_view(
    result: Any, geometry: gpd.GeoSeries, extent: gpd.GeoSeries | None = None
) -> gpd.GeoSeries:
    """What a new map opens on: the data's footprint (every cell with incidents, so the hot
    spots are seen among the rest), else the drawn cells, else ``extent``."""
    ground = footprint(result) if result is not None else None
    for candidate in (ground, geometry, extent):
        if candidate is not None and len(candidate):
            return candidate
    return geometry


def _lonlat_bounds(view: gpd.GeoSeries) -> np.ndarray:
    return view_bounds(to_lonlat(view)) if len(view) else np.array([-180.0, -85.0, 180.0, 85.0])


# Label text sizes in pixels (as in :data:`LABEL_CSS`) and the share of a character's width
# in its font size, to estimate each label's box before the browser draws it.
LABEL_FONTS = {
    "hotspot-place-label": (12.0, 14.0),
    "hotspot-context-label": (11.0, 11.0),
    "hotspot-cluster-label": (11.0, 11.0),
}
CHARACTER_WIDTH = 0.62
# Labels of places with at least this share of the busiest one's incidents are drawn larger.
MAJOR_SHARE = 0.1


def label_sizes(texts: list[str], class_name: str, major: np.ndarray) -> np.ndarray:
    """Estimated ``(width, height)`` in pixels of each label (unescaped text)."""
    normal, large = LABEL_FONTS.get(class_name, (12.0, 12.0))
    font = np.where(np.asarray(major, dtype=bool), large, normal)
    width = np.array([len(t) for t in texts], dtype=float) * font * CHARACTER_WIDTH
    if class_name == "hotspot-cluster-label":  # a rounded box: min-width, padding, border
        return np.column_stack([np.maximum(width, 14.0) + 9.0, np.full(len(texts), 18.0)])
    return np.column_stack([width + 2.0, font * 1.3])


def add_labels(
    m: Any,
    labels: gpd.GeoDataFrame,
    view: gpd.GeoSeries,
    *,
    name: str,
    class_name: str,
    fraction: float = PLACE_LABEL_FRACTION,
    levels: int = PLACE_LABEL_LEVELS,
    keep_all: bool = False,
) -> Any:
    """Text labels at ``labels`` (``name`` column, points; busiest first).

    Each label may appear at the zoom where it is ``fraction`` of the view's shorter side from
    the labels shown before it (:func:`hotspot.maps._labels.label_levels`), and does when its
    box overlaps no busier label on the screen. ``view``: what the map opens on, in the
    labels' CRS. Labels of at least a tenth of the busiest one's incidents are drawn larger.
    Returns the layer, or None when no label fits.
    """
    if labels is None or not len(labels) or not len(view):
        return None
    spacing = label_spacing(view_bounds(np.asarray(view.array)), fraction)
    level = label_levels(labels, spacing, levels, keep_all=keep_all)
    if not (level >= 0).any():
        return None
    texts = [str(t) for t in labels["name"]]
    if class_name == "hotspot-place-label":
        n = (
            np.asarray(labels["n_incidents"], dtype=float)
            if "n_incidents" in labels.columns
            else np.full(len(labels), np.nan)
        )
        busiest = np.nanmax(n) if np.isfinite(n).any() else np.nan
        major = n >= MAJOR_SHARE * busiest if np.isfinite(busiest) else level == 0
    else:
        major = np.zeros(len(labels), dtype=bool)
    lonlat = shapely.get_coordinates(to_lonlat(labels.geometry))
    layer = LabelLayer(
        lonlat,
        [escape(text) for text in texts],
        level,
        sizes=label_sizes(texts, class_name, major),
        major=major,
        view=tuple(_lonlat_bounds(view)),
        name=escape(name),
        class_name=class_name,
    )
    layer.add_to(m)
    return layer


def _drawn_names(m: Any) -> set[str]:
    return {
        getattr(child, "layer_name", "")
        for child in m._children.values()
        if isinstance(child, ShapeLayer | LabelLayer)
    }


def add_context(m: Any, context: Any, view: gpd.GeoSeries, *, func: str = "context") -> None:
    """Draw ``context=`` layers (boundaries, roads…) under the result, in EPSG:4326; features
    with a name (a ``name`` column) get small labels, thinned like the place names."""
    for name, frame in context_layers(context, func=func):
        if not len(frame):
            continue
        geometry = frame.geometry
        polygonal = geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
        lonlat = to_lonlat(geometry)
        for mask, style, suffix in (
            (polygonal, CONTEXT_POLYGON_STYLE, ""),
            (~polygonal, CONTEXT_LINE_STYLE, " (lines)" if polygonal.any() else ""),
        ):
            if mask.any():
                ShapeLayer(
                    lonlat[mask], name=escape(name + suffix), pane="hotspotContext", style=style
                ).add_to(m)
        names = context_names(frame)
        if names is None or view.crs is None:
            continue
        projected = np.asarray(geometry.to_crs(view.crs).array)
        keep = names.notna().to_numpy()
        # a line's label at its middle, a polygon's at a point inside it
        points = shapely.point_on_surface(projected)
        lines = np.isin(shapely.get_type_id(projected), [1, 2])
        points[lines] = shapely.line_interpolate_point(projected[lines], 0.5, normalized=True)
        named = gpd.GeoDataFrame(
            {"name": names.to_numpy()[keep].astype(str)},
            geometry=points[keep],
            crs=view.crs,
        ).drop_duplicates("name")
        add_labels(m, named, view, name=f"{name}: names", class_name="hotspot-context-label")


def add_surroundings(
    m: Any,
    result: Any,
    view: gpd.GeoSeries,
    *,
    labels: Any = None,
    context: Any = None,
    func: str = "map",
) -> None:
    """Draw under a result what shows where it is, each as its own layer: the ``context``
    layers, the data's footprint (the cells with incidents, faint grey), the study-area outline
    (a thin dark line), and over it the place names (``labels``, default the result's own),
    thinned for ``view`` (what the map opens on, in the result's CRS). Layers already on ``m``
    (a second result drawn on the same map) are not drawn twice."""
    add_styles(m)
    drawn = _drawn_names(m)
    crs = result_crs(result)
    add_context(m, context, view, func=func)
    if FOOTPRINT_LAYER not in drawn:
        ground = footprint_outline(result)
        if ground is not None:
            ShapeLayer(
                to_lonlat(gpd.GeoSeries([ground], crs=crs)),
                name=FOOTPRINT_LAYER,
                pane="hotspotFootprint",
                style=FOOTPRINT_STYLE,
            ).add_to(m)
    if STUDY_AREA_LAYER not in drawn:
        area = study_area(result)
        if area is not None and crs is not None:
            ShapeLayer(
                to_lonlat(gpd.GeoSeries([area.boundary], crs=crs)),
                name=STUDY_AREA_LAYER,
                pane="hotspotOutline",
                style=STUDY_AREA_STYLE,
            ).add_to(m)
    if PLACE_LAYER not in drawn:
        places = place_labels(result, labels, func=func)
        if places is not None:
            places = places.iloc[:MAX_PLACE_LABELS]
            add_labels(m, places, view, name=PLACE_LAYER, class_name="hotspot-place-label")


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
    sentences: list[str] | None = None,
    frame_sentence: tuple[str, str] | None = None,
    result: Any = None,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
    func: str = "map",
) -> Any:
    """Add cells as one canvas layer with a tooltip of ``fields`` and the legend.

    ``fields`` maps tooltip names to values (text already escaped), ``sentences`` (escaped)
    lead each cell's tooltip; ``fill`` indexes ``palette`` per cell (``-1``: outline only).
    Draws on ``m`` or on a new map (on the basemap ``tiles``) opened on the data's footprint
    (:func:`opening_view`). With ``result``, its surroundings go under the cells
    (:func:`add_surroundings`). Returns the map.
    """
    geoms = to_lonlat(geometry)
    view = opening_view(result, geometry, extent)
    if m is None:
        m = new_map(_lonlat_bounds(view), tiles=tiles, func=func)
    if result is not None:
        add_surroundings(m, result, view, labels=labels, context=context, func=func)
    add_styles(m)
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
        sentences=[escape(s) for s in sentences] if sentences is not None else None,
        frame_sentence=tuple(escape(t) for t in frame_sentence) if frame_sentence else None,
    )
    layer.add_to(m)
    add_legend(m, legend)
    add_layer_control(m)
    return m


def __getattr__(name: str) -> Any:
    if name == "HotspotMap":
        return hotspot_map_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

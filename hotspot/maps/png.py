"""Static images of results for slide decks: matplotlib's Agg renderer, no basemap, no network.

Each result is drawn in a projected CRS (metres; a geographic one is reprojected to its UTM zone)
with the colours and legend labels of the folium maps, a scale bar, a north arrow, an optional
title and a footer of source, period, method and version read from the result's attrs. Only the
object API of matplotlib is used (``Figure`` + ``FigureCanvasAgg``), never pyplot's global state.

A map says where it is without a basemap: cell images draw the data's footprint (the cells with
incidents, faint grey) under the result and the study area as a thin dark line; place names from
the data's own area columns (:func:`hotspot.places.place_labels`, recorded in the result's attrs
by :func:`hotspot.count_incidents`) are written above, thinned so that no two overlap; optional
``context=`` layers (force boundaries, main roads) are drawn under the result.

Which drawing a result gets is read from the method that made it (``attrs["hotspot"]["method"]``,
as :func:`hotspot.maps.export_map` reads it), never guessed from its columns. The drawing is done
by one module per job: ``_png_draw`` (primitives), ``_png_cells``, ``_png_surface`` and
``_png_clusters`` (one function per kind of result), ``_png_where`` (study area, context layers,
place names) and ``_png_frame`` (scale bar, north arrow, legend, title, footer).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from hotspot._validate import check_columns, check_integer, check_output_file
from hotspot.disclosure import (
    check_min_count,
    check_not_incident_level,
    disclose,
    suppressed_label,
)
from hotspot.errors import HotspotInputError
from hotspot.maps._context import context_layers
from hotspot.maps._kinds import density_column, density_title, is_surface, map_kind, with_method
from hotspot.maps._png_cells import (
    bin_words,
    draw_counts,
    draw_cube,
    draw_emerging,
    draw_gistar,
    draw_lisa,
)
from hotspot.maps._png_clusters import (
    CLUSTER_NUMBER_GID,
    MAX_CLUSTER_NUMBERS,
    draw_chains,
    draw_cluster_summary,
)
from hotspot.maps._png_draw import (
    FOOTPRINT,
    DrawnLayer,
    line_swatch,
    main_geometry,
    metres_per_unit,
    target_crs,
    union_bounds,
)
from hotspot.maps._png_frame import (
    FOOTER_SIZE,
    add_colourbar,
    add_legend,
    add_north_arrow,
    add_scale_bar,
    add_texts,
    fit_view,
    footer_lines,
    length_label,
    new_figure,
    nice_length,
)
from hotspot.maps._png_surface import draw_surface
from hotspot.maps._png_where import (
    CONTEXT_LINE,
    PLACE_LABEL_GID,
    STUDY_AREA_EDGE,
    add_place_labels,
    draw_context,
    draw_study_area,
    labels_to_draw,
)
from hotspot.maps._result_attrs import footprint_mask, is_cube

if TYPE_CHECKING:  # matplotlib is imported when an image is drawn, not with hotspot
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CLUSTER_NUMBER_GID",
    "CONTEXT_LINE",
    "FOOTPRINT",
    "MAX_CLUSTER_NUMBERS",
    "PLACE_LABEL_GID",
    "STUDY_AREA_EDGE",
    "bin_words",
    "draw_result",
    "figure",
    "footer_lines",
    "length_label",
    "nice_length",
    "to_png",
]


# The old private name of footer_lines, still imported by tests/test_period.py.
_footer_lines = footer_lines


def draw_result(ax: Axes, result: Any, kind: str | None = None) -> tuple[DrawnLayer, Any]:
    """Draw ``result`` as :func:`hotspot.maps.export.default_map` would, by the method that
    made it (or ``kind``); the layer drawn and the CRS it is drawn in."""
    kind = map_kind(result, kind, func="to_png")
    if kind in ("forecast", "patrol"):
        raise HotspotInputError(
            f"to_png: there is no slide image of a {kind} map yet; write the HTML map with "
            "hotspot.maps.export_map(result, 'map.html') (offline=True for a briefing file)."
        )
    if is_surface(result):
        return draw_surface(ax, result), result.attrs.get("crs")
    if not is_cube(result) and not isinstance(result, gpd.GeoDataFrame):
        raise HotspotInputError(
            "to_png: takes a result GeoDataFrame, a density surface or a space-time cube, "
            f"not a {type(result).__name__}."
        )
    if isinstance(result, gpd.GeoDataFrame) and result.empty:
        raise HotspotInputError("to_png: the result is empty; there is nothing to draw.")
    crs = target_crs(main_geometry(result))
    if kind == "timeline":
        layer = draw_cube(ax, result, crs)
    elif kind == "gistar":
        layer = draw_gistar(ax, result, crs)
    elif kind == "lisa":
        layer = draw_lisa(ax, result, crs)
    elif kind == "emerging":
        layer = draw_emerging(ax, result, crs)
    elif kind == "clusters":
        layer = draw_cluster_summary(ax, result, crs)
    elif kind == "near_repeat":
        layer = draw_chains(ax, result, crs)
    elif kind == "density":  # a density on cells
        column = density_column(result, func="to_png")
        layer = draw_counts(
            ax,
            result,
            crs,
            pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float),
            hidden=None,  # below the public floor: not drawn
            title=density_title(column),
            footprint=footprint_mask(result),
        )
    else:
        layer = _draw_counts_of(ax, result, crs)
    layer.metres_per_unit = metres_per_unit(crs)
    return layer, crs


def _draw_counts_of(ax: Axes, result: gpd.GeoDataFrame, crs: Any) -> DrawnLayer:
    check_columns(
        result,
        ["count"],
        func="to_png",
        fix="count incidents first with hotspot.count_incidents(incidents, cells)",
    )
    values = pd.to_numeric(result["count"], errors="coerce").to_numpy(dtype=float)
    return draw_counts(
        ax,
        result,
        crs,
        values,
        hidden=suppressed_label(result),
        title="Incidents per cell",
        footprint=footprint_mask(result),
    )


def figure(
    result: Any,
    *,
    title: str | None = None,
    public: bool = False,
    min_count: int | None = None,
    figsize: tuple[float, float] = (8, 8),
    labels: gpd.GeoDataFrame | bool | None = None,
    context: gpd.GeoDataFrame | list[gpd.GeoDataFrame] | dict[str, gpd.GeoDataFrame] | None = None,
    dpi: float = 100,
    kind: str | None = None,
) -> Figure:
    """The finished figure of ``result`` (see :func:`to_png`), attached to an Agg canvas at
    ``dpi`` (the resolution the place names are fitted at)."""
    if min_count is not None and not public:
        raise HotspotInputError(
            f"to_png: min_count={min_count!r} applies to public=True images only; pass "
            "public=True, or leave min_count out."
        )
    min_count = check_min_count(min_count, func="to_png")
    if public:  # incident points are refused whatever map they would get
        check_not_incident_level(result, func="to_png")
    drawn = map_kind(result, kind, func="to_png")  # before any work
    layers = context_layers(context, func="to_png")
    result = with_method(result, drawn)
    if public:
        result = disclose(result, min_count)
    chars = int((float(figsize[0]) - 0.3) * 72 / (FOOTER_SIZE * 0.6))
    footer = footer_lines(result, public, chars)
    fig, ax = new_figure(
        figsize,
        title=bool(title),
        footer_lines=len(footer),
        colourbar=is_surface(result),
        dpi=dpi,
    )
    layer, crs = draw_result(ax, result, drawn)
    draw_context(ax, layers, crs)
    area_bounds = None if public else draw_study_area(ax, result, crs, layer.bounds)
    if area_bounds is not None:
        layer.handles.append(line_swatch(STUDY_AREA_EDGE, "Study area", width=1.2))
    bounds = union_bounds([layer.bounds, area_bounds])
    if bounds is None:
        raise HotspotInputError("to_png: the result has nothing to draw (no geometry).")
    fit_view(ax, bounds)
    furniture: list[Any] = [*layer.texts]
    if layer.metres_per_unit:
        furniture += [add_scale_bar(ax, layer.metres_per_unit), add_north_arrow(ax)]
    furniture.append(add_legend(ax, layer))
    if layer.colourbar is not None:
        add_colourbar(fig, ax, *layer.colourbar)
    candidates = labels_to_draw(result, labels, crs)
    if candidates is not None and len(candidates):
        add_place_labels(ax, candidates, furniture)
    add_texts(fig, title, footer)
    return fig


def to_png(
    result: Any,
    path: str | Path,
    *,
    title: str | None = None,
    public: bool = False,
    min_count: int | None = None,
    labels: gpd.GeoDataFrame | bool | None = None,
    context: gpd.GeoDataFrame | list[gpd.GeoDataFrame] | dict[str, gpd.GeoDataFrame] | None = None,
    dpi: int = 150,
    figsize: tuple[float, float] = (8, 8),
    kind: str | None = None,
) -> Path:
    """Write a static map of a result to a PNG image, for slides and reports.

    The result is drawn as :func:`hotspot.maps.export_map` would draw it, by the method that
    made it (``attrs["hotspot"]["method"]``), with the same colours and legend labels: counts,
    Gi* (or optimized hot spots), LISA or emerging categories, a cluster summary (each cluster
    numbered with its id, as in the report's cluster table), near-repeat chains, a density
    surface (head/tail classes, per km² per year when its period is known) or a density on
    cells, or a space-time cube (its cell totals over all bins, titled as such). It is drawn in its
    projected CRS (a geographic one is reprojected to its UTM zone), so the scale bar is true.

    There is no basemap and nothing is fetched from the network; the map says where it is by
    itself. Cell images draw the data's footprint (cells with incidents, faint grey) under the
    result and the study area as a thin dark line; place names from the data's own area
    columns (data.police.uk districts, Toronto neighbourhoods: recorded by
    :func:`hotspot.count_incidents`) are written with a white halo, the busiest area first,
    each kept only where it overlaps no other name, the legend, the scale bar or a cluster
    number. The same input gives the same bytes.

    Parameters
    ----------
    result : GeoDataFrame, xarray.DataArray or SpaceTimeCube
        What to draw.
    path : str or Path
        The PNG file to write (parent folders are created).
    title : str, optional
        Title at the top of the image.
    public : bool, default=False
        Disclosure control, applied to the result before anything is drawn
        (:func:`hotspot.disclosure.disclose`): small counts shown as "fewer than
        ``min_count``", no study-area outline, no place name of an area with fewer than
        ``min_count`` incidents (placed on a 500 m grid), and the rule stated in
        the footer. Refuses incident-level results.
    min_count : int, default=5
        The smallest count a public image shows.
    labels : GeoDataFrame or bool, optional
        Place names to write. None or True (default): those recorded in the result's attrs
        (``attrs["hotspot"]["places"]``), if any. A GeoDataFrame with a ``name`` column and
        points (or polygons, labelled at a point inside), most important first and optionally
        ``n_incidents`` (e.g. :func:`hotspot.places.place_labels`), in any CRS. False: none.
    context : GeoDataFrame, list of GeoDataFrame or dict of name to GeoDataFrame, optional
        Layers drawn in grey under the result, reprojected: boundary polygons (police force,
        districts, beats) as outlines, main roads as lines. They do not widen the view. The
        same argument as the HTML maps' (:func:`hotspot.maps._context.context_layers`).
    dpi : int, default=150
        Resolution; the image is ``figsize × dpi`` pixels.
    figsize : (float, float), default=(8, 8)
        Width and height in inches.
    kind : {"counts", "gistar", "lisa", "emerging", "density", "clusters", "near_repeat", \
"timeline"}, optional
        The drawing to use instead of the one for the result's method (as
        :func:`hotspot.maps.export_map`'s ``kind``); a frame built by hand needs it.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    HotspotInputError
        A result that records no method and no ``kind``, a method no map draws, ``public=True``
        with an incident-level result, ``min_count`` without ``public``, a result, ``labels``
        or ``context`` layer without a CRS or of the wrong type, or a ``path`` that is a folder.

    Examples
    --------
    >>> import tempfile, hotspot as hs
    >>> from PIL import Image
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> out = hs.maps.to_png(cells, tempfile.mkdtemp() + "/counts.png",
    ...                      title="Crime, West Yorkshire", public=True)
    >>> Image.open(out).size
    (1200, 1200)

    Own place names and a boundary layer under the result:

    >>> from hotspot.places import place_labels
    >>> districts = inc.dissolve(inc["LSOA name"].str[:-5]).convex_hull.to_frame("geometry")
    >>> out = hs.maps.to_png(cells, tempfile.mkdtemp() + "/named.png",
    ...                      labels=place_labels(inc).head(5), context=districts)
    """
    path = check_output_file(path, "map.png")  # before drawing: a folder given by mistake
    dpi = check_integer(dpi, "dpi", minimum=10, example="150", func="to_png")
    fig = figure(
        result,
        title=title,
        public=public,
        min_count=min_count,
        figsize=figsize,
        labels=labels,
        context=context,
        dpi=dpi,
        kind=kind,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png", facecolor="white", metadata={"Software": None})
    return path

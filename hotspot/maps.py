"""Folium maps of results. Maps draw; they never compute statistics.

Every user-supplied string that reaches the HTML (titles, column values in tooltips) is escaped.
"""

from __future__ import annotations

import html
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._validate import check_cells

# Sequential palette for counts (ColorBrewer YlOrRd, 6 classes).
COUNT_COLOURS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


def _legend_html(title: str, labels: list[str], colours: list[str]) -> str:
    rows = "".join(
        f"<div><span style='display:inline-block;width:14px;height:14px;background:{c};"
        f"margin-right:6px;border:1px solid #999'></span>{html.escape(label)}</div>"
        for label, c in zip(labels, colours, strict=True)
    )
    return (
        "<div class='hotspot-legend' style='position:fixed;bottom:24px;left:12px;z-index:9999;"
        "background:white;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        f"font:12px sans-serif'><b>{html.escape(title)}</b>{rows}</div>"
    )


def count_classes(values: np.ndarray, n: int = len(COUNT_COLOURS)) -> tuple[np.ndarray, list[str]]:
    """Quantile classes of the positive counts: class per value (-1 for zero) and labels."""
    positive = values[values > 0]
    if not len(positive):
        return np.full(len(values), -1), []
    edges = np.unique(np.quantile(positive, np.linspace(0, 1, n + 1)).round())
    if len(edges) < 2:
        edges = np.array([positive.min(), positive.max()], dtype=float)
    classes = np.clip(np.searchsorted(edges, values, side="left") - 1, 0, len(edges) - 2)
    classes = np.where(values > 0, classes, -1)
    labels = []
    for k in range(len(edges) - 1):
        lo = int(edges[k]) if k == 0 else int(edges[k]) + 1
        hi = int(edges[k + 1])
        labels.append(f"{lo:,}" if lo >= hi else f"{lo:,}–{hi:,}")
    return classes, labels


def _draw_cells(
    frame: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    *,
    m: Any,
    layer_name: str,
    fields: list[str],
    legend: str,
    fill_opacity: float,
) -> Any:
    """Add cells (already in EPSG:4326, with a ``_fill`` colour) as one GeoJSON layer with a
    tooltip, a legend and a layer control, to ``m`` or to a new map fitted to them."""
    import folium

    if m is None:
        bounds = frame.total_bounds if len(frame) else cells.to_crs(4326).total_bounds
        minx, miny, maxx, maxy = bounds
        m = folium.Map(tiles="OpenStreetMap", prefer_canvas=True)
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        frame.to_json(),
        name=html.escape(layer_name),
        style_function=lambda feature: {
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": fill_opacity if feature["properties"]["_fill"] != "#ffffff" else 0.0,
            "color": "#666666",
            "weight": 0.3,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields),
    ).add_to(m)
    m.get_root().html.add_child(folium.Element(legend))
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def counts_map(
    cells: gpd.GeoDataFrame,
    column: str = "count",
    *,
    m: Any = None,
    title: str | None = None,
    show_empty: bool = False,
) -> Any:
    """A choropleth of incident counts per cell.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells with a count column (from :func:`hotspot.count_incidents`).
    column : str, default="count"
        Column to map.
    m : folium.Map, optional
        Map to add the layer to (default: a new map fitted to the cells).
    title : str, optional
        Legend title (escaped).
    show_empty : bool, default=False
        Draw cells with no incidents too (as outlines).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 2000, quiet=True), quiet=True)
    >>> m = hs.maps.counts_map(cells, title="Crimes, July 2016–2018")
    >>> "Crimes, July 2016–2018" in m.get_root().render()
    True
    """

    check_cells(cells, require_crs=True)
    if column not in cells.columns:
        raise KeyError(
            f"cells have no {column!r} column; count them with hotspot.count_incidents()"
        )
    values = pd.to_numeric(cells[column]).to_numpy(dtype=float)
    classes, labels = count_classes(values)
    keep = np.ones(len(cells), dtype=bool) if show_empty else values > 0
    shown = cells[keep]
    fills = [COUNT_COLOURS[c] if c >= 0 else "#ffffff" for c in classes[keep]]
    frame = gpd.GeoDataFrame(
        {
            "cell": [html.escape(str(v)) for v in shown.index],
            column: shown[column].to_numpy(),
            "_fill": fills,
        },
        geometry=shown.geometry.to_crs(4326).array,
        crs=4326,
    )
    legend = _legend_html(title or column, labels, list(COUNT_COLOURS[: len(labels)]))
    return _draw_cells(
        frame,
        cells,
        m=m,
        layer_name=title or column,
        fields=["cell", column],
        legend=legend,
        fill_opacity=0.75,
    )


# ArcGIS's hot spot symbology: red for hot, blue for cold, pale for not significant.
GISTAR_COLOURS = {
    3: ("#d62f27", "Hot spot, 99 % confidence"),
    2: ("#ed7551", "Hot spot, 95 % confidence"),
    1: ("#fab984", "Hot spot, 90 % confidence"),
    0: ("#f7f7f7", "Not significant"),
    -1: ("#abd9e9", "Cold spot, 90 % confidence"),
    -2: ("#849eba", "Cold spot, 95 % confidence"),
    -3: ("#4575b5", "Cold spot, 99 % confidence"),
}


def gistar_map(
    result: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    show_not_significant: bool = False,
) -> Any:
    """Hot and cold spots from :func:`hotspot.gistar` in ArcGIS's colours.

    Parameters
    ----------
    result : GeoDataFrame
        Output of :func:`hotspot.gistar` or :func:`hotspot.optimized_hotspots`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped); default names the confidence bins and the correction.
    show_not_significant : bool, default=False
        Draw the not-significant cells too, in pale grey (otherwise they are left out).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 2000, quiet=True), quiet=True)
    >>> m = hs.maps.gistar_map(hs.gistar(cells, weights="queen", permutations=0, quiet=True))
    >>> "Hot spot, 99 % confidence" in m.get_root().render()
    True
    """

    check_cells(result, require_crs=True)
    needed = {"gistar_z", "gistar_p", "gistar_bin"}
    if not needed <= set(result.columns):
        raise KeyError("result has no Gi* columns; run hotspot.gistar(cells) first")
    bins = result["gistar_bin"].to_numpy().astype(int)
    keep = np.ones(len(result), dtype=bool) if show_not_significant else bins != 0
    shown = result[keep]
    count_column = "count" if "count" in result.columns else None
    data = {
        "cell": [html.escape(str(v)) for v in shown.index],
        "z": shown["gistar_z"].round(2).to_numpy(),
        "p": shown["gistar_p"].map(lambda p: f"{p:.3g}").to_numpy(),
        "confidence": [html.escape(GISTAR_COLOURS[b][1]) for b in bins[keep]],
        "_fill": [GISTAR_COLOURS[b][0] for b in bins[keep]],
    }
    if count_column:
        data["count"] = shown[count_column].to_numpy()
    frame = gpd.GeoDataFrame(data, geometry=shown.geometry.to_crs(4326).array, crs=4326)
    meta = result.attrs.get("hotspot", {}).get("gistar", {})
    corrected = " (FDR-corrected)" if meta.get("fdr") else ""
    fields = (
        ["cell", "count", "z", "p", "confidence"]
        if count_column
        else ["cell", "z", "p", "confidence"]
    )
    order = [3, 2, 1, 0, -1, -2, -3]
    legend = _legend_html(
        title or f"Gi* hot spots{corrected}",
        [GISTAR_COLOURS[b][1] for b in order],
        [GISTAR_COLOURS[b][0] for b in order],
    )
    return _draw_cells(
        frame,
        result,
        m=m,
        layer_name=title or "Gi* hot spots",
        fields=fields,
        legend=legend,
        fill_opacity=0.8,
    )


# Sequential palette for densities (ColorBrewer YlOrRd, 9 classes), interpolated linearly.
DENSITY_PALETTE = (
    "#ffffcc",
    "#ffeda0",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#bd0026",
    "#800026",
)


def _rgba(values: np.ndarray, vmin: float, vmax: float, opacity: float) -> np.ndarray:
    """RGBA image (uint8) of values on the density palette; NaN and values below vmin clear."""
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in DENSITY_PALETTE], float)
    t = np.clip((values - vmin) / (vmax - vmin), 0, 1)
    pos = np.nan_to_num(t) * (len(stops) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(stops) - 2)
    frac = (pos - lo)[..., None]
    rgb = stops[lo] * (1 - frac) + stops[lo + 1] * frac
    alpha = np.where(np.isnan(values) | (values < vmin), 0, 255 * opacity)
    return np.dstack([rgb, alpha]).round().astype(np.uint8)


def density_map(
    surface: Any,
    *,
    m: Any = None,
    title: str | None = None,
    opacity: float = 0.7,
    floor: float = 0.01,
    max_pixels: int = 1_000_000,
) -> Any:
    """A kernel density surface as an image overlay with a colour bar.

    The surface (in its projected CRS) is resampled to Web Mercator pixel by pixel (nearest
    cell), so it lines up with the basemap; densities below ``floor`` × the maximum are clear.

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`hotspot.kde` (without ``cells``) or :func:`hotspot.dual_kde`.
    m : folium.Map, optional
    title : str, optional
        Colour bar caption (escaped); default names the units.
    opacity : float, default=0.7
    floor : float, default=0.01
    max_pixels : int, default=1_000_000
        Resolution cap of the overlay image.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> m = hs.maps.density_map(hs.kde(inc, bandwidth=1500, cell_size=500, quiet=True))
    >>> "density (incidents per km" in m.get_root().render()
    True
    """
    import branca.colormap
    import folium
    from pyproj import CRS, Transformer

    if not hasattr(surface, "attrs") or "transform" not in surface.attrs:
        raise TypeError("density_map() takes the raster surface from hotspot.kde(incidents)")
    values = surface.to_numpy().astype(float)
    crs = CRS.from_user_input(surface.attrs["crs"])
    xs, ys = surface["x"].to_numpy(), surface["y"].to_numpy()
    vmax = float(np.nanmax(values))
    vmin = floor * vmax
    # Crop to the cells that will show, so the image's resolution goes where the density is.
    rows = np.flatnonzero((values >= vmin).any(axis=1))
    cols = np.flatnonzero((values >= vmin).any(axis=0))
    values = values[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    xs = xs[cols.min() : cols.max() + 1]
    ys = ys[rows.min() : rows.max() + 1]
    cell = float(surface.attrs["cell_size"])
    to_merc = Transformer.from_crs(crs, 3857, always_xy=True)
    corners_x = (
        np.array([xs.min(), xs.max(), xs.min(), xs.max()]) + np.array([-1, 1, -1, 1]) * cell / 2
    )
    corners_y = (
        np.array([ys.min(), ys.min(), ys.max(), ys.max()]) + np.array([-1, -1, 1, 1]) * cell / 2
    )
    mx, my = to_merc.transform(corners_x, corners_y)
    width = mx.max() - mx.min()
    height = my.max() - my.min()
    scale = np.sqrt(width * height / min(max_pixels, values.size * 2))
    nx, ny = max(int(width / scale), 2), max(int(height / scale), 2)
    gx = mx.min() + (np.arange(nx) + 0.5) * width / nx
    gy = my.max() - (np.arange(ny) + 0.5) * height / ny
    px, py = np.meshgrid(gx, gy)
    sx, sy = Transformer.from_crs(3857, crs, always_xy=True).transform(px, py)
    col = np.rint((sx - xs[0]) / cell).astype(int)
    row = np.rint((ys[0] - sy) / cell).astype(int)
    inside = (col >= 0) & (col < len(xs)) & (row >= 0) & (row < len(ys))
    image = np.full(px.shape, np.nan)
    image[inside] = values[row[inside], col[inside]]
    to_lonlat = Transformer.from_crs(3857, 4326, always_xy=True)
    west, south = to_lonlat.transform(mx.min(), my.min())
    east, north = to_lonlat.transform(mx.max(), my.max())
    if m is None:
        m = folium.Map(tiles="OpenStreetMap")
        m.fit_bounds([[south, west], [north, east]])
    folium.raster_layers.ImageOverlay(
        image=_rgba(image, vmin, vmax, opacity),
        bounds=[[south, west], [north, east]],
        mercator_project=False,
        name=html.escape(title or "density"),
    ).add_to(m)
    units = surface.attrs.get("units", "")
    caption = title or f"density ({units})"  # branca writes it with tojson into d3 .text()
    colormap = branca.colormap.LinearColormap(
        list(DENSITY_PALETTE),
        vmin=vmin,
        vmax=vmax,
        caption=caption,
        tick_labels=[float(f"{v:.3g}") for v in np.linspace(vmin, vmax, 5)],
    )
    colormap.add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


CLUSTER_HULL = "#7b3294"
CLUSTER_ELLIPSE = "#e66101"


def cluster_map(
    summary: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    ellipses: bool = True,
    order: int = 1,
) -> Any:
    """Cluster outlines from :func:`hotspot.cluster_summary`: convex hulls and 1-SD ellipses.

    Incident points are never drawn here (a briefing map of clusters needs none); tooltips give
    the incident count, locations, area, density, the top categories and the period.

    Parameters
    ----------
    summary : GeoDataFrame
        Output of :func:`hotspot.cluster_summary`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped).
    ellipses : bool, default=True
        Also draw the standard deviational ellipses (one standard deviation).
    order : int, default=1
        Which NNH order to draw (other methods have only order 1).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> clusters = hs.cluster_incidents(inc, "hdbscan", min_cluster_size=100, quiet=True)
    >>> m = hs.maps.cluster_map(hs.cluster_summary(clusters))
    >>> "Convex hull" in m.get_root().render()
    True
    """
    import folium

    if not isinstance(summary, gpd.GeoDataFrame) or "hull" not in summary.columns:
        raise TypeError("cluster_map() takes the output of hotspot.cluster_summary(clustered)")
    rows = summary[summary["order"] == order] if "order" in summary.columns else summary
    if rows.empty:
        raise ValueError(f"the summary has no clusters at order {order}")

    def text(value: Any) -> str:
        return html.escape(str(value))

    tips = {
        "cluster": [text(v) for v in rows.index],
        "incidents": rows["n_incidents"].to_numpy(),
        "locations": rows["n_locations"].to_numpy(),
        "area_km2": rows["area_km2"].round(3).to_numpy(),
        "top": [text(v) for v in rows.get("top_categories", pd.Series("", index=rows.index))],
    }
    if "first_time" in rows.columns:
        tips["period"] = [
            text(f"{a:%Y-%m-%d} to {b:%Y-%m-%d}") if pd.notna(a) else ""
            for a, b in zip(rows["first_time"], rows["last_time"], strict=True)
        ]
    fields = list(tips)
    hulls = gpd.GeoDataFrame(tips, geometry=rows["hull"].to_crs(4326).array, crs=4326)
    if m is None:
        minx, miny, maxx, maxy = hulls.total_bounds
        m = folium.Map(tiles="OpenStreetMap", prefer_canvas=True)
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    folium.GeoJson(
        hulls.to_json(),
        name="Convex hulls",
        style_function=lambda f: {"color": CLUSTER_HULL, "weight": 2, "fillOpacity": 0.25},
        tooltip=folium.GeoJsonTooltip(fields=fields),
    ).add_to(m)
    labels, colours = ["Convex hull"], [CLUSTER_HULL]
    if ellipses and "ellipse_1sd" in rows.columns:
        drawn = rows["ellipse_1sd"]
        keep = ~drawn.is_empty.to_numpy()
        frame = gpd.GeoDataFrame(
            {k: np.asarray(v)[keep] for k, v in tips.items()},
            geometry=drawn[keep].to_crs(4326).array,
            crs=4326,
        )
        folium.GeoJson(
            frame.to_json(),
            name="Standard deviational ellipses (1 SD)",
            style_function=lambda f: {"color": CLUSTER_ELLIPSE, "weight": 2, "fillOpacity": 0.0},
            tooltip=folium.GeoJsonTooltip(fields=fields),
        ).add_to(m)
        labels.append("Standard deviational ellipse (1 SD)")
        colours.append(CLUSTER_ELLIPSE)
    m.get_root().html.add_child(folium.Element(_legend_html(title or "Clusters", labels, colours)))
    folium.LayerControl(collapsed=True).add_to(m)
    return m


# Emerging-pattern symbology modelled on ArcGIS's: hot patterns in reds/oranges, cold in blues.
EMERGING_COLOURS = {
    "new hot spot": "#a50026",
    "consecutive hot spot": "#d73027",
    "intensifying hot spot": "#f46d43",
    "persistent hot spot": "#fdae61",
    "diminishing hot spot": "#fee090",
    "sporadic hot spot": "#fdcce0",
    "oscillating hot spot": "#c51b7d",
    "historical hot spot": "#8c510a",
    "new cold spot": "#313695",
    "consecutive cold spot": "#4575b4",
    "intensifying cold spot": "#74add1",
    "persistent cold spot": "#abd9e9",
    "diminishing cold spot": "#e0f3f8",
    "sporadic cold spot": "#c7eae5",
    "oscillating cold spot": "#35978f",
    "historical cold spot": "#01665e",
    "no pattern": "#f0f0f0",
}


def emerging_map(
    result: gpd.GeoDataFrame,
    *,
    m: Any = None,
    title: str | None = None,
    show_no_pattern: bool = False,
) -> Any:
    """The 17 emerging hot spot categories from :func:`hotspot.emerging_hotspots`.

    Cells with no pattern are left out unless ``show_no_pattern``; cells never analysed (no
    incidents) are never drawn. Tooltips give the category, hot/cold bin counts and the trend.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 1000, quiet=True), "MS",
    ...                           start="2019-01", end="2021-12", quiet=True)
    >>> m = hs.maps.emerging_map(hs.emerging_hotspots(cube, quiet=True))
    >>> "Emerging hot spots" in m.get_root().render()
    True
    """
    if "emerging_category" not in result.columns:
        raise KeyError("result has no emerging_category; run hotspot.emerging_hotspots(cube) first")
    check_cells(result, require_crs=True)
    category = result["emerging_category"].astype(str)
    keep = category.isin(EMERGING_COLOURS) & (show_no_pattern | (category != "no pattern"))
    shown = result[keep.to_numpy()]
    frame = gpd.GeoDataFrame(
        {
            "cell": [html.escape(str(v)) for v in shown.index],
            "category": [html.escape(c) for c in category[keep]],
            "hot_bins": shown["emerging_n_hot"].to_numpy(),
            "cold_bins": shown["emerging_n_cold"].to_numpy(),
            "trend_tau": shown["emerging_trend_tau"].round(3).to_numpy(),
            "_fill": [EMERGING_COLOURS[c] for c in category[keep]],
        },
        geometry=shown.geometry.to_crs(4326).array,
        crs=4326,
    )
    present = [
        c
        for c in EMERGING_COLOURS
        if (category == c).any() and (c != "no pattern" or show_no_pattern)
    ]
    legend = _legend_html(
        title or "Emerging hot spots", present, [EMERGING_COLOURS[c] for c in present]
    )
    return _draw_cells(
        frame,
        result,
        m=m,
        layer_name=title or "Emerging hot spots",
        fields=["cell", "category", "hot_bins", "cold_bins", "trend_tau"],
        legend=legend,
        fill_opacity=0.8,
    )

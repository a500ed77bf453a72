"""A kernel density surface as an image overlay, in head/tail classes with a legend."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot._projection import transformer
from hotspot._validate import check_integer, check_share
from hotspot.disclosure import disclosure_note
from hotspot.errors import HotspotInputError
from hotspot.maps._layers import (
    DEFAULT_TILES,
    add_layer_control,
    add_legend,
    add_surroundings,
    new_map,
)
from hotspot.maps._sentences import density_rate
from hotspot.maps._style import (
    DENSITY_CLASS_COLOURS,
    class_labels,
    classify,
    density_classes,
    escape,
    format_number,
    legend_html,
)


def _rgba(classes: np.ndarray, colours: list[str], opacity: float) -> np.ndarray:
    """RGBA image (uint8) of class indices on ``colours``; class -1 clear."""
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float)
    out = rgb[np.clip(classes, 0, len(colours) - 1)]
    alpha = np.where(classes < 0, 0, 255 * opacity)
    return np.dstack([out, alpha]).round().astype(np.uint8)


def density_map(
    surface: Any,
    *,
    m: Any = None,
    title: str | None = None,
    opacity: float = 0.7,
    floor: float = 0.01,
    max_pixels: int = 1_000_000,
    labels: Any = None,
    context: Any = None,
    tiles: Any = DEFAULT_TILES,
) -> Any:
    """A kernel density surface as an image overlay, in classes with a legend of their ranges.

    The classes are head/tail breaks of the densities above ``floor`` × the maximum
    (:func:`hotspot.maps._style.density_classes`: each break the mean of the values above the
    one before, which suits the heavy tail of crime densities; quantiles when there is no
    tail). Densities are shown per year when the surface's period is known (density ×
    365.25 / days: "incidents per km² per year"), else over the whole period. The surface (in
    its projected CRS) is resampled to Web Mercator pixel by pixel (nearest cell), so it lines
    up with the basemap; densities below the floor are clear. Place names (the surface's own,
    from :func:`hotspot.kde`) and the study area, when the surface carries one, are drawn too.

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`hotspot.kde` (without ``cells``) or :func:`hotspot.dual_kde`.
    m : folium.Map, optional
    title : str, optional
        Legend title (escaped); default names the units.
    opacity : float, default=0.7
    floor : float, default=0.01
        Densities at or below this fraction of the maximum are not drawn.
    max_pixels : int, default=1_000_000
        Resolution cap of the overlay image.
    labels : GeoDataFrame or False, optional
        Place names (default: the surface's own, ``attrs["hotspot"]["places"]``); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the surface (a force boundary, main roads).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`hotspot.maps.counts_map`.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> m = hs.maps.density_map(hs.kde(inc, bandwidth=1500, cell_size=500, quiet=True))
    >>> "Density (incidents per km² per year)" in m.get_root().render()
    True
    """
    import folium
    from pyproj import CRS

    if not hasattr(surface, "dims") or "transform" not in getattr(surface, "attrs", {}):
        raise HotspotInputError(
            f"density_map: surface= is a {type(surface).__name__}, not a raster surface; pass "
            "the surface from hotspot.kde(incidents) or hotspot.dual_kde(...) (without cells=; "
            "a density on cells is drawn with counts_map(cells, 'kde_density'))."
        )
    opacity = check_share(opacity, "opacity", func="density_map")
    floor = check_share(floor, "floor", func="density_map", example="0.01")
    max_pixels = check_integer(
        max_pixels, "max_pixels", minimum=4, example="1000000", func="density_map"
    )
    factor, unit = density_rate(surface)
    values = surface.to_numpy().astype(float) * factor
    if not np.isfinite(values).any() or np.nanmax(values) <= 0:
        raise HotspotInputError(
            "density_map: the surface has no density to draw"
            + (
                " above the public disclosure floor; lower min_count, or publish a coarser map"
                if disclosure_note(surface)
                else "; check the incidents it was made from"
            )
            + "."
        )
    crs = CRS.from_user_input(surface.attrs["crs"])
    xs, ys = surface["x"].to_numpy(), surface["y"].to_numpy()
    vmax = float(np.nanmax(values))
    vmin = floor * vmax
    classes, edges = density_classes(values, floor=vmin)
    # Crop to the cells that will show, so the image's resolution goes where the density is.
    rows = np.flatnonzero((classes >= 0).any(axis=1))
    cols = np.flatnonzero((classes >= 0).any(axis=0))
    values = values[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    xs = xs[cols.min() : cols.max() + 1]
    ys = ys[rows.min() : rows.max() + 1]
    cell = float(surface.attrs["cell_size"])
    to_merc = transformer(crs, 3857)
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
    sx, sy = transformer(3857, crs).transform(px, py)
    col = np.rint((sx - xs[0]) / cell).astype(int)
    row = np.rint((ys[0] - sy) / cell).astype(int)
    inside = (col >= 0) & (col < len(xs)) & (row >= 0) & (row < len(ys))
    image = np.full(px.shape, np.nan)
    image[inside] = values[row[inside], col[inside]]
    to_lonlat = transformer(3857, 4326)
    west, south = to_lonlat.transform(mx.min(), my.min())
    east, north = to_lonlat.transform(mx.max(), my.max())
    if m is None:
        m = new_map(np.array([west, south, east, north]), tiles=tiles, func="density_map")
    half = cell / 2
    view = gpd.GeoSeries(
        [shapely.box(xs.min() - half, ys.min() - half, xs.max() + half, ys.max() + half)],
        crs=crs,
    )
    add_surroundings(m, surface, view, labels=labels, context=context, func="density_map")
    colours = list(DENSITY_CLASS_COLOURS[: max(len(edges) - 1, 1)])
    folium.raster_layers.ImageOverlay(
        image=_rgba(classify(image, edges, vmin), colours, opacity),
        bounds=[[south, west], [north, east]],
        mercator_project=False,
        name=escape(title or "density"),
    ).add_to(m)
    names = class_labels(edges) if len(edges) > 1 else [format_number(vmax)]
    add_legend(
        m, legend_html(title or f"Density ({unit})", names, colours, note=disclosure_note(surface))
    )
    add_layer_control(m)
    return m

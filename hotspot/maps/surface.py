"""A kernel density surface as an image overlay with a colour bar."""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspot.maps._layers import add_layer_control, add_legend
from hotspot.maps._style import DENSITY_PALETTE, escape, legend_html
from hotspot.maps.disclosure import disclosure_note


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
    if not np.isfinite(values).any() or np.nanmax(values) <= 0:
        raise ValueError(
            "the surface has no density to draw"
            + (" above the public disclosure floor" if disclosure_note(surface) else "")
        )
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
        name=escape(title or "density"),
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
    note = disclosure_note(surface)
    if note:
        add_legend(m, legend_html("Disclosure control", [], [], note=note))
    add_layer_control(m)
    return m

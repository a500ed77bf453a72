"""Density: bandwidths, kernel surfaces, dual KDE, surfaces to cells and density hot spots."""

from hotspot.density.surface import (
    GeoTiffArray,
    density_hotspots,
    density_to_cells,
    dual_kde,
    kde,
    kde_bandwidth,
    surface_to_geotiff_array,
)

__all__ = [
    "GeoTiffArray",
    "density_hotspots",
    "density_to_cells",
    "dual_kde",
    "kde",
    "kde_bandwidth",
    "surface_to_geotiff_array",
]

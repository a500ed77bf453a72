"""Density: bandwidths, kernel surfaces, dual KDE, surfaces to cells and density hot spots.

Modules: :mod:`~hotspot.density.bandwidth` (the kernels and the bandwidth rules),
:mod:`~hotspot.density.surface` (:func:`kde`, :func:`dual_kde`),
:mod:`~hotspot.density.cells` (:func:`density_to_cells`, :func:`density_hotspots`) and
:mod:`~hotspot.density.geotiff` (:func:`surface_to_geotiff_array`). ``peak_density`` (K(0) per
m² of a kernel) and ``M2_PER_KM2`` are for code that turns a count into a density floor (the
disclosure rules).
"""

from hotspot.density._engine import M2_PER_KM2
from hotspot.density._kernels import peak_density
from hotspot.density.bandwidth import BANDWIDTH_RULES, KERNELS, kde_bandwidth
from hotspot.density.cells import density_hotspots, density_to_cells
from hotspot.density.geotiff import GeoTiffArray, surface_to_geotiff_array
from hotspot.density.surface import dual_kde, kde

__all__ = [
    "BANDWIDTH_RULES",
    "KERNELS",
    "M2_PER_KM2",
    "GeoTiffArray",
    "density_hotspots",
    "density_to_cells",
    "dual_kde",
    "kde",
    "kde_bandwidth",
    "peak_density",
    "surface_to_geotiff_array",
]

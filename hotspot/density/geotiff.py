"""The GeoTIFF pieces of a density surface: the band, its affine transform and its CRS."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import xarray as xr

from hotspot.density._raster import check_surface
from hotspot.errors import HotspotInputError

__all__ = ["GeoTiffArray", "surface_to_geotiff_array"]


class GeoTiffArray(NamedTuple):
    """What a GeoTIFF writer needs: the band, its affine transform and its CRS."""

    array: np.ndarray
    """float32, rows north to south, ``nodata`` where the surface is NaN."""
    transform: tuple[float, float, float, float, float, float]
    """``(cell, 0, left, 0, -cell, top)``, rasterio / ``affine.Affine`` order."""
    crs_wkt: str
    """The CRS as WKT."""


def surface_to_geotiff_array(surface: xr.DataArray, *, nodata: float = -9999.0) -> GeoTiffArray:
    """The surface as a float32 band, its affine transform and CRS, ready for a GeoTIFF writer.

    hotspot does not depend on rasterio; with it installed (``pip install rasterio``)::

        import rasterio
        from affine import Affine

        band, transform, crs = hs.surface_to_geotiff_array(surface)
        with rasterio.open(
            "kde.tif", "w", driver="GTiff", width=band.shape[1], height=band.shape[0],
            count=1, dtype="float32", crs=crs, transform=Affine(*transform), nodata=-9999.0,
        ) as dst:
            dst.write(band, 1)

    With GDAL's Python bindings use ``SetGeoTransform((t[2], t[0], t[1], t[5], t[3], t[4]))``.

    Parameters
    ----------
    surface : xarray.DataArray
        From :func:`hotspot.kde` or :func:`hotspot.dual_kde`.
    nodata : float, default=-9999.0
        The value written where the surface is NaN (outside the study area); pass the same
        value to the writer. ``float("nan")`` keeps NaN.

    Returns
    -------
    GeoTiffArray
        A named tuple ``(array, transform, crs_wkt)``.

    Raises
    ------
    HotspotInputError
        ``surface`` is not a hotspot surface (a DataArray with dims ``("y", "x")`` and attrs
        ``transform`` and ``crs``).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    >>> band, transform, crs = hs.surface_to_geotiff_array(surface)
    >>> band.dtype.name, band.shape == surface.shape, transform[0], transform[4]
    ('float32', True, 1000.0, -1000.0)
    """
    values, _, transform, wkt = check_surface(surface, func="surface_to_geotiff_array")
    if isinstance(nodata, bool) or not isinstance(nodata, int | float | np.integer | np.floating):
        raise HotspotInputError(
            f"surface_to_geotiff_array: nodata={nodata!r} must be a number, e.g. -9999.0 (or "
            "float('nan'))."
        )
    band = values.astype(np.float32)
    band[~np.isfinite(values)] = np.float32(nodata)
    return GeoTiffArray(band, transform, wkt)

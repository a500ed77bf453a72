"""Which map draws a result: read from the method that made it, never guessed from its columns.

Every hotspot statistic stamps ``attrs["hotspot"]["method"]`` with its public function's name
(:mod:`hotspot._result`). :func:`export_map <hotspot.maps.export_map>`, :func:`to_png
<hotspot.maps.to_png>` and the report read it here to choose the map: a Gi* result gets the Gi*
map, a kde surface the density map. A frame without a method (built by hand) is refused with
what to do, unless the caller names the map with ``kind=``.
"""

from __future__ import annotations

from typing import Any

from hotspot._result import stamp
from hotspot._validate import check_choice, check_columns
from hotspot.disclosure import result_method
from hotspot.errors import HotspotInputError
from hotspot.maps._result_attrs import is_cube

# The maps a result can be drawn as, by the name of their map function (``<kind>_map``).
MAP_KINDS = (
    "counts",
    "gistar",
    "lisa",
    "emerging",
    "density",
    "clusters",
    "near_repeat",
    "timeline",
    "forecast",
    "patrol",
)

# The map each method's result is drawn as.
METHOD_MAP = {
    "count_incidents": "counts",
    "gistar": "gistar",
    "optimized_hotspots": "gistar",
    "lisa": "lisa",
    "emerging_hotspots": "emerging",
    "kde": "density",
    "dual_kde": "density",
    "density_to_cells": "density",
    "cluster_summary": "clusters",
    "near_repeat_chains": "near_repeat",
    "space_time_cube": "timeline",
    "forecast": "forecast",
    "allocate_patrols": "patrol",
}

# The method a map kind stands for, when ``kind=`` names the map of a frame built by hand.
KIND_METHOD = {
    "counts": "count_incidents",
    "gistar": "gistar",
    "lisa": "lisa",
    "emerging": "emerging_hotspots",
    "density": "kde",
    "clusters": "cluster_summary",
    "near_repeat": "near_repeat_chains",
    "timeline": "space_time_cube",
    "forecast": "forecast",
    "patrol": "allocate_patrols",
}

# What the rows of each map kind are (``attrs["hotspot"]["kind"]``).
KIND_ROWS = {
    "counts": "cells",
    "gistar": "cells",
    "lisa": "cells",
    "emerging": "cells",
    "density": "cells",
    "clusters": "clusters",
    "near_repeat": "chains",
    "timeline": "cube",
    "forecast": "cells",
    "patrol": "cells",
}

# Results that have no map of their own, and what to draw instead.
NO_MAP = {
    "read_incidents": "incidents are drawn aggregated: count them with "
    "hotspot.count_incidents(incidents, cells) and draw the cells",
    "square_grid": "the cells have no counts yet: count incidents with "
    "hotspot.count_incidents(incidents, cells) first",
    "hex_grid": "the cells have no counts yet: count incidents with "
    "hotspot.count_incidents(incidents, cells) first",
    "cluster_incidents": "summarise the clusters with hotspot.cluster_summary(clustered) and "
    "draw the summary (cluster_map(summary, incidents=clustered) adds the incidents)",
    "density_hotspots": "draw the density they were outlined on with density_map(surface)",
    "hotspot_table": "the ranked table is a table, not a map: draw the cells it ranks",
}

# How each method is named in a map's footer.
METHOD_TITLES = {
    "count_incidents": "Counts per cell",
    "gistar": "Getis–Ord Gi*",
    "optimized_hotspots": "Optimized hot spot analysis (Gi*)",
    "lisa": "Local Moran's I",
    "emerging_hotspots": "Emerging hot spot analysis",
    "kde": "Kernel density",
    "dual_kde": "Dual kernel density (ratio)",
    "density_to_cells": "Kernel density on cells",
    "density_hotspots": "Density hot spots",
    "cluster_summary": "Cluster summary",
    "cluster_incidents": "Clustering",
    "near_repeat_chains": "Near-repeat chains",
    "space_time_cube": "Space-time cube",
    "forecast": "Forecast",
    "allocate_patrols": "Patrol allocation",
}

# The density column of a density result on cells, in the order looked for (``kde_ratio`` is
# the name ``dual_kde`` used before ``dual_kde_ratio``).
DENSITY_COLUMNS = {
    "kde": ("kde_density",),
    "dual_kde": ("dual_kde_ratio", "kde_ratio"),
    "density_to_cells": ("kde_density", "dual_kde_ratio", "kde_ratio"),
}


def is_surface(result: Any) -> bool:
    """Whether ``result`` is a raster (an xarray DataArray), not a frame or a cube."""
    return hasattr(result, "dims")


def map_kind(result: Any, kind: str | None = None, *, func: str) -> str:
    """The map ``result`` is drawn as: ``kind`` when given, else the one for its method.

    Raises :class:`~hotspot.errors.HotspotInputError` for a result that records no method
    and no ``kind`` given, for a method without a map, and for a ``kind`` that cannot draw
    this type of result (a surface is drawn as "density", a cube as "timeline").

    Examples
    --------
    >>> import pandas as pd
    >>> hot = stamp(pd.DataFrame(), kind="cells", method="optimized_hotspots", params={})
    >>> map_kind(hot, func="export_map"), map_kind(hot, "counts", func="export_map")
    ('gistar', 'counts')
    >>> map_kind(pd.DataFrame({"count": [1]}), func="export_map")
    Traceback (most recent call last):
    ...
    hotspot.errors.HotspotInputError: export_map: this DataFrame does not record the method that made it (attrs['hotspot']['method']), so which map draws it is not known; make it with a hotspot function (e.g. hotspot.count_incidents(incidents, cells), then hotspot.gistar(cells)), or pass kind= one of 'counts', 'gistar', 'lisa', 'emerging', 'density', 'clusters', 'near_repeat', 'timeline', 'forecast', 'patrol'.
    """
    listed = ", ".join(repr(k) for k in MAP_KINDS)
    if kind is not None:
        check_choice(kind, "kind", MAP_KINDS, func=func)
    else:
        method = result_method(result)
        if method is None:
            raise HotspotInputError(
                f"{func}: this {type(result).__name__} does not record the method that made it "
                "(attrs['hotspot']['method']), so which map draws it is not known; make it with "
                "a hotspot function (e.g. hotspot.count_incidents(incidents, cells), then "
                f"hotspot.gistar(cells)), or pass kind= one of {listed}."
            )
        if method not in METHOD_MAP:
            hint = NO_MAP.get(method, f"pass kind= one of {listed} to draw it as one of them")
            raise HotspotInputError(
                f"{func}: there is no map of a {method} result; {hint}. Maps are drawn of the "
                f"results of {', '.join(METHOD_MAP)}."
            )
        kind = METHOD_MAP[method]
    cube = is_cube(result)
    if is_surface(result) and kind != "density":
        raise HotspotInputError(
            f"{func}: kind={kind!r} cannot draw a raster surface; it is drawn as kind='density'."
        )
    if cube and kind != "timeline":
        raise HotspotInputError(
            f"{func}: kind={kind!r} cannot draw a space-time cube; it is drawn as kind='timeline'."
        )
    if kind == "timeline" and not cube:
        raise HotspotInputError(
            f"{func}: kind='timeline' draws a space-time cube (hotspot.space_time_cube), not a "
            f"{type(result).__name__}."
        )
    return kind


def with_method(result: Any, kind: str) -> Any:
    """``result`` as it is when it records its method; else a stamped copy (the input is left
    as it was) saying it is the result ``kind`` stands for, so that disclosure control and the
    footer can read it."""
    if result_method(result) is not None or not hasattr(result, "attrs"):
        return result
    out = result.copy()
    out.attrs = dict(result.attrs)
    rows = "surface" if is_surface(result) else KIND_ROWS[kind]
    return stamp(out, kind=rows, method=KIND_METHOD[kind], params={}, source=result)


def density_column(result: Any, *, func: str) -> str:
    """The density column of a density result on cells (``kde_density``, ``dual_kde_ratio``…)."""
    method = result_method(result) or "kde"
    candidates = DENSITY_COLUMNS.get(method, DENSITY_COLUMNS["density_to_cells"])
    found = next((c for c in candidates if c in result.columns), None)
    if found is None:
        check_columns(
            result, [candidates[0]], func=func, fix=f"compute it with hotspot.{method}() first"
        )
    return str(found)


def density_title(column: str) -> str:
    """The legend title of a density on cells: "Density (incidents per km²)" for a kde, "Density
    ratio" for a dual kde.

    Examples
    --------
    >>> density_title("kde_density"), density_title("dual_kde_ratio")
    ('Density (incidents per km²)', 'Density ratio')
    """
    return "Density ratio" if column.endswith("ratio") else "Density (incidents per km²)"

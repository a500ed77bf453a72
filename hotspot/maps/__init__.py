"""Maps of results, briefing exports and slide images. Maps draw; they never compute statistics.

One function per result, each returning a ``folium.Map`` (or adding to ``m=``):
:func:`counts_map`, :func:`gistar_map`, :func:`lisa_map`, :func:`density_map`,
:func:`cluster_map`, :func:`emerging_map`, :func:`near_repeat_map`, :func:`timeline_map`,
:func:`forecast_map` and :func:`patrol_map`; :func:`backtest_plot` draws a back-test's hit rates.
:func:`export_map` writes a briefing file (offline, public); :func:`to_png` a slide image;
:func:`time_chart` the incidents per bin of a cube; :func:`knox_plot` the Knox test's table as a
heat table. Given a result, :func:`export_map` and
:func:`to_png` draw the map of the method that made it (``attrs["hotspot"]["method"]``, which
every hotspot statistic stamps), never a guess from its columns; ``kind=`` names the map of a
frame built by hand. Disclosure control (``public=True``) is :mod:`hotspot.disclosure`'s, the
same the report applies. Bad input raises :class:`~hotspot.errors.HotspotInputError` naming
the function, what is wrong and what to run first.
Every user-supplied string that reaches the HTML (titles, column values in tooltips, place and
context names) is escaped.

Each map shows where it is, with or without a basemap: under the result, the data's footprint
(the cells with incidents, faint grey) and the study-area outline; over it the place names of
the data (``labels=``), thinned so they never overlap; and any ``context=`` layers (a force
boundary, main roads). Tooltips lead with a sentence ("Hot spot, 99 % confidence: 450
incidents, …") above the numbers. ``tiles=`` takes a tile name, an internal tile server's URL
template, a local tile folder, or None. The maps returned show in a notebook with no internet:
their notebook view holds Leaflet, jQuery and d3 inlined from the package.
"""

from hotspot.disclosure import disclose
from hotspot.maps._style import (
    CLUSTER_ELLIPSE,
    CLUSTER_HULL,
    COUNT_COLOURS,
    DENSITY_PALETTE,
    EMERGING_COLOURS,
    GISTAR_COLOURS,
    LISA_COLOURS,
    count_classes,
)
from hotspot.maps.cells import counts_map, emerging_map, gistar_map, lisa_map
from hotspot.maps.chart import time_chart
from hotspot.maps.clusters import cluster_map, near_repeat_map
from hotspot.maps.export import export_map
from hotspot.maps.forecast import backtest_plot, forecast_map, patrol_map
from hotspot.maps.knox import knox_plot
from hotspot.maps.png import to_png
from hotspot.maps.profile_plot import profile_grid, profile_plot
from hotspot.maps.surface import density_map
from hotspot.maps.timeline import timeline_map

__all__ = [
    "CLUSTER_ELLIPSE",
    "CLUSTER_HULL",
    "COUNT_COLOURS",
    "DENSITY_PALETTE",
    "EMERGING_COLOURS",
    "GISTAR_COLOURS",
    "LISA_COLOURS",
    "backtest_plot",
    "cluster_map",
    "count_classes",
    "counts_map",
    "density_map",
    "disclose",
    "emerging_map",
    "export_map",
    "forecast_map",
    "gistar_map",
    "knox_plot",
    "lisa_map",
    "near_repeat_map",
    "patrol_map",
    "profile_grid",
    "profile_plot",
    "time_chart",
    "timeline_map",
    "to_png",
]

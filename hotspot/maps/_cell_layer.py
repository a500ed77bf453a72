"""One Leaflet layer for many cells, written compactly and drawn on a canvas.

folium's ``GeoJson`` writes every feature with its full GeoJSON envelope and, with a style
function, one ``case`` per feature in a JavaScript switch: a 100 m grid of a whole city comes to
about 19 MB. Here the cells travel as flat coordinate arrays (closing vertices dropped, six
decimals), a colour index per cell and one array per tooltip field; the browser builds the
polygons on a shared canvas renderer. The whole Toronto 100 m grid (69,805 cells) is about a
third of the size. Optional frames restyle the same polygons from a slider (the timeline map).
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import shapely
from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template


def _rings(geometry: np.ndarray) -> list[list[list[list[float]]]]:
    """Each (multi)polygon as polygons of rings of flat ``lon, lat, lon, lat…`` (rings not
    closed), from one ragged array rather than shapely objects one by one."""
    if not len(geometry):
        return []
    kind, coords, offsets = shapely.to_ragged_array(geometry)
    if kind == shapely.GeometryType.POLYGON:
        ring_starts, polygon_starts = offsets
        cell_starts = np.arange(len(geometry) + 1)
    elif kind == shapely.GeometryType.MULTIPOLYGON:
        ring_starts, polygon_starts, cell_starts = offsets
    else:
        raise TypeError(f"cells must be polygons, not {kind.name.lower()}s")
    flat = coords.ravel().tolist()
    rings = [
        flat[2 * a : 2 * b - 2] for a, b in zip(ring_starts[:-1], ring_starts[1:], strict=True)
    ]
    polygons = [rings[a:b] for a, b in zip(polygon_starts[:-1], polygon_starts[1:], strict=True)]
    return [polygons[a:b] for a, b in zip(cell_starts[:-1], cell_starts[1:], strict=True)]


def _json_values(values: Any) -> list[Any]:
    """Values as JSON-ready Python objects; NaN and infinities become null."""
    # A list stays a list of objects: np.asarray would turn [6, "fewer than 5"] into strings.
    array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if array.dtype == object and len(array):
        numeric = [v for v in array.tolist() if not isinstance(v, str)]
        if len(numeric) == len(array) and all(
            isinstance(v, int | float | np.number) for v in numeric
        ):
            array = np.asarray(numeric)
    if array.dtype.kind in "iub":
        return array.tolist()
    if array.dtype.kind == "f":
        out = array.tolist()
        if not np.isfinite(array).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    return [
        None
        if isinstance(v, float | np.floating) and not math.isfinite(v)
        else (v.item() if isinstance(v, np.generic) else v)
        for v in array.tolist()
    ]


def script_json(value: Any) -> str:
    """JSON safe to place inside a ``<script>`` element (no ``</`` can close it)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")


class CellLayer(Layer):
    """Polygons in EPSG:4326 with a fill colour index each and a tooltip table.

    Parameters
    ----------
    geometry : array of shapely Polygon/MultiPolygon, already in EPSG:4326 and rounded.
    fill : int array, index into ``palette`` per cell (``-1``: outline only).
    palette : colours.
    fields : dict of tooltip field name -> values (text already HTML-escaped).
    frames : optional list of ``(label, fill, values)``; ``values`` replaces the tooltip field
        named ``frame_field`` in that frame.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var d = {{ this.payload }};
    var renderer = L.canvas({padding: 0.5});
    var group = L.featureGroup();
    var polygons = [];
    function latlngs(polygon) {
        return polygon.map(function (ring) {
            var out = [];
            for (var k = 0; k < ring.length; k += 2) { out.push([ring[k + 1], ring[k]]); }
            return out;
        });
    }
    function style(f) {
        return {fillColor: f < 0 ? "#ffffff" : d.palette[f],
                fillOpacity: f < 0 ? 0 : d.opacity,
                color: f < 0 ? "#c8c8c8" : d.outline, weight: f < 0 ? d.weight / 2 : d.weight};
    }
    for (var i = 0; i < d.cells.length; i++) {
        var p = L.polygon(d.cells[i].map(latlngs),
                          Object.assign({renderer: renderer}, style(d.fill[i])));
        p.hotspotIndex = i;
        polygons.push(p);
        group.addLayer(p);
    }
    var frame = -1;
    group.bindTooltip(function (layer) {
        var i = layer.hotspotIndex, rows = "";
        for (var j = 0; j < d.fields.length; j++) {
            var v = d.values[j][i];
            if (frame >= 0 && d.fields[j] === d.frame_field) { v = d.frames[frame].values[i]; }
            rows += "<tr><th style='text-align:left;padding-right:6px'>" + d.fields[j]
                 + "</th><td>" + (v === null ? "–" : v) + "</td></tr>";
        }
        if (frame >= 0) { rows += "<tr><th>bin</th><td>" + d.frames[frame].label + "</td></tr>"; }
        return "<table>" + rows + "</table>";
    }, {sticky: true});
    group.showFrame = function (k) {
        frame = k;
        var fill = d.frames[k].fill;
        for (var i = 0; i < polygons.length; i++) { polygons[i].setStyle(style(fill[i])); }
    };
    group.frameLabels = (d.frames || []).map(function (f) { return f.label; });
    return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        geometry: Any,
        fill: np.ndarray,
        palette: list[str],
        fields: dict[str, Any],
        *,
        name: str,
        opacity: float,
        outline: str = "#666666",
        weight: float = 0.3,
        frames: list[tuple[str, np.ndarray, Any]] | None = None,
        frame_field: str | None = None,
    ):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CellLayer"
        geometry = np.asarray(geometry)
        payload: dict[str, Any] = {
            "cells": _rings(geometry),
            "fill": np.asarray(fill, dtype=int).tolist(),
            "palette": list(palette),
            "opacity": float(opacity),
            "outline": outline,
            "weight": float(weight),
            "fields": [html.escape(str(f)) for f in fields],
            "values": [_json_values(values) for values in fields.values()],
            "frame_field": html.escape(str(frame_field)) if frame_field else None,
            "frames": [
                {
                    "label": label,
                    "fill": np.asarray(f, dtype=int).tolist(),
                    "values": _json_values(values),
                }
                for label, f, values in (frames or [])
            ],
        }
        self.payload = script_json(payload)
        self.bounds = shapely.total_bounds(geometry) if len(geometry) else None

    def _get_self_bounds(self) -> list[list[float]] | None:
        if self.bounds is None:
            return None
        minx, miny, maxx, maxy = self.bounds
        return [[miny, minx], [maxy, maxx]]


class FrameSlider(MacroElement):
    """A slider (with play button) that shows one frame of a :class:`CellLayer` at a time."""

    _template = Template(
        """
{% macro html(this, kwargs) %}
<div class="hotspot-timeline" style="position:fixed;top:52px;left:60px;right:60px;z-index:9999;
  background:white;padding:6px 10px;border:1px solid #999;border-radius:4px;font:12px sans-serif;
  display:flex;align-items:center;gap:8px">
  <button type="button" id="{{ this.get_name() }}_play" style="font:12px sans-serif">Play</button>
  <input type="range" id="{{ this.get_name() }}_range" min="0" max="{{ this.n - 1 }}" value="0"
    style="flex:1" aria-label="time bin">
  <span id="{{ this.get_name() }}_label" style="min-width:11em"></span>
</div>
{% endmacro %}
{% macro script(this, kwargs) %}
(function () {
    var layer = {{ this.layer.get_name() }};
    var range = document.getElementById("{{ this.get_name() }}_range");
    var label = document.getElementById("{{ this.get_name() }}_label");
    var play = document.getElementById("{{ this.get_name() }}_play");
    var timer = null;
    function show(k) { layer.showFrame(k); range.value = k; label.textContent = layer.frameLabels[k]; }
    range.addEventListener("input", function () { show(+range.value); });
    play.addEventListener("click", function () {
        if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; return; }
        play.textContent = "Pause";
        timer = setInterval(function () { show((+range.value + 1) % layer.frameLabels.length); },
                            {{ this.interval }});
    });
    show({{ this.start }});
})();
{% endmacro %}
"""
    )

    def __init__(self, layer: CellLayer, n: int, *, start: int = 0, interval_ms: int = 800):
        super().__init__()
        self._name = "FrameSlider"
        self.layer = layer
        self.n = int(n)
        self.start = int(start)
        self.interval = int(interval_ms)

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

from hotspot.errors import HotspotInputError


def rings(geometry: np.ndarray) -> list[list[list[list[float]]]]:
    """Each (multi)polygon as polygons of rings of flat ``lon, lat, lon, lat…`` (rings not
    closed), from one ragged array rather than shapely objects one by one.

    Examples
    --------
    >>> import shapely
    >>> rings(np.array([shapely.box(0, 0, 1, 1)]))
    [[[[1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]]]]
    """
    if not len(geometry):
        return []
    kind, coords, offsets = shapely.to_ragged_array(geometry)
    if kind == shapely.GeometryType.POLYGON:
        ring_starts, polygon_starts = offsets
        cell_starts = np.arange(len(geometry) + 1)
    elif kind == shapely.GeometryType.MULTIPOLYGON:
        ring_starts, polygon_starts, cell_starts = offsets
    else:
        raise HotspotInputError(
            f"map: cells must be polygons, not {kind.name.lower()}s; draw points aggregated "
            "(hotspot.count_incidents(incidents, cells)) or with their own map."
        )
    flat = coords.ravel().tolist()
    flat_rings = [
        flat[2 * a : 2 * b - 2] for a, b in zip(ring_starts[:-1], ring_starts[1:], strict=True)
    ]
    polygons = [
        flat_rings[a:b] for a, b in zip(polygon_starts[:-1], polygon_starts[1:], strict=True)
    ]
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
    sentences : optional sentence per cell (text already HTML-escaped) that leads its tooltip.
    frame_sentence : optional sentences (for a value of one, and for any other) leading the
        tooltip while a frame is shown, with ``{value}`` (the frame's value) and ``{bin}`` (its
        label) filled in; escaped.
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
        var i = layer.hotspotIndex, rows = "", lead = null;
        if (frame >= 0 && d.frame_sentence) {
            var fv = d.frames[frame].values[i];
            var fl = d.frames[frame].label;
            lead = d.frame_sentence[fv === 1 ? 0 : 1].replace("{value}", function () { return fv === null ? "–" : fv; })
                                   .replace("{bin}", function () { return fl; });
        } else if (d.sentences) {
            lead = d.sentences[i];
        }
        for (var j = 0; j < d.fields.length; j++) {
            var v = d.values[j][i];
            if (frame >= 0 && d.fields[j] === d.frame_field) { v = d.frames[frame].values[i]; }
            rows += "<tr><th style='text-align:left;padding-right:6px'>" + d.fields[j]
                 + "</th><td>" + (v === null ? "–" : v) + "</td></tr>";
        }
        if (frame >= 0) { rows += "<tr><th>bin</th><td>" + d.frames[frame].label + "</td></tr>"; }
        return (lead ? "<div class='hotspot-sentence'>" + lead + "</div>" : "")
               + "<table>" + rows + "</table>";
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
        sentences: list[str] | None = None,
        frame_sentence: tuple[str, str] | None = None,
    ):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "CellLayer"
        geometry = np.asarray(geometry)
        payload: dict[str, Any] = {
            "cells": rings(geometry),
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
            "sentences": list(sentences) if sentences is not None else None,
            "frame_sentence": list(frame_sentence) if frame_sentence else None,
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


# A pane per kind of background, under the result (Leaflet's overlay pane is 400) and above
# the basemap (200); labels above the result and below markers (600). None takes the mouse:
# hovering goes through to the result's cells.
PANES = {
    "hotspotFootprint": 350,
    "hotspotContext": 360,
    "hotspotOutline": 370,
    "hotspotLabels": 450,
}

_PANE_JS = """
function (map) {
    if (!map.getPane(PANE)) {
        var pane = map.createPane(PANE);
        pane.style.zIndex = Z;
        pane.style.pointerEvents = "none";
    }
}"""


def _pane_function(pane: str) -> str:
    return _PANE_JS.replace("PANE", json.dumps(pane)).replace("Z", str(PANES[pane]))


def _flat(coords: np.ndarray) -> list[float]:
    return np.asarray(coords, dtype=float)[:, :2].ravel().tolist()


def shape_parts(geometry: Any) -> dict[str, list[Any]]:
    """Polygons (rings of flat ``lon, lat…``, not closed), lines (flat) and points
    (``[lon, lat]``) of any geometries, multi-part ones split into their parts.

    Examples
    --------
    >>> import shapely
    >>> parts = shape_parts(np.array([shapely.box(0, 0, 1, 1),
    ...     shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]), shapely.Point(5, 6)]))
    >>> len(parts["polygons"]), parts["lines"], parts["points"]
    (1, [[0.0, 0.0, 1.0, 1.0], [2.0, 2.0, 3.0, 3.0]], [[5.0, 6.0]])
    """
    geometry = np.asarray(geometry)
    geometry = geometry[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
    parts = shapely.get_parts(geometry)
    while True:  # collections inside collections
        nested = shapely.get_type_id(parts) >= 4
        if not nested.any():
            break
        parts = np.concatenate([parts[~nested], shapely.get_parts(parts[nested])])
    kind = shapely.get_type_id(parts)
    polygons = parts[kind == shapely.GeometryType.POLYGON]
    lines = parts[
        (kind == shapely.GeometryType.LINESTRING) | (kind == shapely.GeometryType.LINEARRING)
    ]
    points = parts[kind == shapely.GeometryType.POINT]
    return {
        "polygons": [p for cell in rings(polygons) for p in cell],
        "lines": [_flat(shapely.get_coordinates(line)) for line in lines],
        "points": shapely.get_coordinates(points).tolist(),
    }


class ShapeLayer(Layer):
    """Background shapes (polygons, lines, points) in EPSG:4326, drawn on a canvas in one of
    :data:`PANES` and deaf to the mouse: the data's footprint, the study area, context layers.

    Parameters
    ----------
    geometry : array of shapely geometries, already in EPSG:4326 and rounded.
    name : layer name in the layer control (already escaped).
    pane : one of :data:`PANES`.
    style : Leaflet path options (``color``, ``weight``, ``fillColor``, ``fillOpacity``, …).
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var s = {{ this.payload }};
    var group = L.featureGroup();
    group.beforeAdd = {{ this.pane_function }};
    var renderer = L.canvas({padding: 0.5, pane: s.pane});
    var style = Object.assign({renderer: renderer, interactive: false, pane: s.pane}, s.style);
    function latlngs(flat) {
        var out = [];
        for (var k = 0; k < flat.length; k += 2) { out.push([flat[k + 1], flat[k]]); }
        return out;
    }
    s.polygons.forEach(function (p) { group.addLayer(L.polygon(p.map(latlngs), style)); });
    s.lines.forEach(function (l) { group.addLayer(L.polyline(latlngs(l), style)); });
    s.points.forEach(function (p) {
        group.addLayer(L.circleMarker([p[1], p[0]], Object.assign({radius: 3}, style)));
    });
    return group;
})();
{% endmacro %}
"""
    )

    def __init__(self, geometry: Any, *, name: str, pane: str, style: dict[str, Any]):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "ShapeLayer"
        payload = {**shape_parts(geometry), "pane": pane, "style": dict(style)}
        self.payload = script_json(payload)
        self.pane_function = _pane_function(pane)


class LabelLayer(Layer):
    """Text labels (Leaflet divIcon markers) that appear as the reader zooms in and never overlap.

    Each label has a level: it may show from ``level`` zoom steps in from the zoom that fits
    ``view``. At every zoom, the labels that may show are placed in their order (the busiest
    first) and one whose box (its size as drawn, measured once; the estimate ``sizes`` while
    the map is hidden) would overlap a label placed before it waits for a closer zoom. The labels are DOM elements
    (``<div class="{class_name}"><span>name</span></div>``), deaf to the mouse, in the
    ``hotspotLabels`` pane above the result.

    Parameters
    ----------
    lonlat : (n, 2) array of label positions in EPSG:4326.
    texts : label texts, already HTML-escaped.
    levels : zoom steps in from the opening view at which each label may appear (0: at once;
        negative: never).
    sizes : (n, 2) array of each label's width and height in pixels (an estimate).
    major : which labels are drawn larger (class ``hotspot-label-major``).
    view : ``(west, south, east, north)`` the levels were computed for.
    name : layer name in the layer control (already escaped).
    class_name : CSS class of each label.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var t = {{ this.payload }};
    var group = L.layerGroup();
    group.beforeAdd = {{ this.pane_function }};
    var markers = t.labels.map(function (l) {
        return L.marker([l[1], l[0]], {
            pane: "hotspotLabels", interactive: false, keyboard: false,
            icon: L.divIcon({className: t.className + (l[6] ? " hotspot-label-major" : ""),
                             html: "<span>" + l[2] + "</span>", iconSize: null})
        });
    });
    var measured = false;
    function measure() {  // each label's drawn size, once (the estimate stays if not drawn)
        markers.forEach(function (mk) { if (!group.hasLayer(mk)) { group.addLayer(mk); } });
        markers.forEach(function (mk, i) {
            var span = mk._icon && mk._icon.firstChild;
            if (span && span.offsetWidth) {
                t.labels[i][4] = span.offsetWidth;
                t.labels[i][5] = span.offsetHeight;
            }
        });
        measured = true;
    }
    function update() {
        var map = group._map;
        if (!map) { return; }
        if (!measured) { measure(); }
        var base = map.getBoundsZoom(t.view), zoom = map.getZoom(), placed = [];
        for (var i = 0; i < markers.length; i++) {
            var l = t.labels[i], show = zoom >= base + l[3];
            if (show) {
                var p = map.latLngToLayerPoint([l[1], l[0]]);
                var box = [p.x - l[4] / 2 - t.gap, p.y - l[5] / 2, p.x + l[4] / 2 + t.gap,
                           p.y + l[5] / 2];
                for (var j = 0; j < placed.length && show; j++) {
                    var o = placed[j];
                    show = !(box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]);
                }
                if (show) { placed.push(box); }
            }
            if (show && !group.hasLayer(markers[i])) { group.addLayer(markers[i]); }
            if (!show && group.hasLayer(markers[i])) { group.removeLayer(markers[i]); }
        }
    }
    group.on("add", function () { group._map.on("zoomend resize", update); update(); });
    group.on("remove", function () {
        if (group._map) { group._map.off("zoomend resize", update); }
    });
    return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        lonlat: np.ndarray,
        texts: list[str],
        levels: np.ndarray,
        *,
        sizes: np.ndarray,
        major: np.ndarray,
        view: tuple[float, float, float, float],
        name: str,
        class_name: str,
        gap: float = 4.0,
    ):
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "LabelLayer"
        lonlat = np.round(np.asarray(lonlat, dtype=float).reshape(-1, 2), 6)
        sizes = np.ceil(np.asarray(sizes, dtype=float).reshape(-1, 2))
        west, south, east, north = (float(v) for v in view)
        payload = {
            "labels": [
                [float(x), float(y), str(text), int(level), float(w), float(h), bool(big)]
                for (x, y), text, level, (w, h), big in zip(
                    lonlat, texts, levels, sizes, major, strict=True
                )
                if level >= 0
            ],
            "className": class_name,
            "view": [[south, west], [north, east]],
            "gap": float(gap),
        }
        self.payload = script_json(payload)
        self.pane_function = _pane_function("hotspotLabels")


class FeatureTooltip(MacroElement):
    """A tooltip for a folium ``GeoJson`` layer that leads with a sentence (the feature's
    ``sentence`` property), then a table of ``fields``; values already HTML-escaped."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindTooltip(function (layer) {
    var p = layer.feature.properties, f = {{ this.fields }}, rows = "";
    for (var j = 0; j < f.length; j++) {
        var v = p[f[j]];
        rows += "<tr><th style='text-align:left;padding-right:6px'>" + f[j] + "</th><td>"
             + (v === null || v === undefined ? "–" : v) + "</td></tr>";
    }
    var lead = p[{{ this.sentence }}];
    return (lead ? "<div class='hotspot-sentence'>" + lead + "</div>" : "")
           + "<table>" + rows + "</table>";
}, {sticky: true});
{% endmacro %}
"""
    )

    def __init__(self, fields: list[str], sentence: str):
        super().__init__()
        self._name = "FeatureTooltip"
        self.fields = script_json([html.escape(str(f)) for f in fields])
        self.sentence = script_json(sentence)

"""The colour schemes and the legend shared by every map (folium and PNG alike).

Colours follow the conventions analysts already read: ArcGIS's hot/cold confidence bins, the
LISA quadrant colours of GeoDa and ArcGIS, and ArcGIS-like symbols for the 17 emerging patterns.
"""

from __future__ import annotations

import html
import math

import numpy as np

# Sequential palette for counts (ColorBrewer YlOrRd, 6 classes).
COUNT_COLOURS = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
# Cells whose count a public export hides ("fewer than 5"): a neutral grey.
SUPPRESSED_COLOUR = "#969696"
# No fill: cells drawn as outlines only.
NO_FILL = "#ffffff"

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

# LISA clusters and outliers (GeoDa's and ArcGIS's colours).
LISA_COLOURS = {
    "HH": ("#d7191c", "High-high cluster"),
    "HL": ("#fdae61", "High-low outlier"),
    "LH": ("#abd9e9", "Low-high outlier"),
    "LL": ("#2c7bb6", "Low-low cluster"),
    "not significant": ("#f7f7f7", "Not significant"),
}

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

CLUSTER_HULL = "#7b3294"
CLUSTER_ELLIPSE = "#e66101"

# Near-repeat chains by size (2, 3, 4–5, 6–9, 10+ incidents): ColorBrewer Purples.
CHAIN_CLASSES = ((2, 2), (3, 3), (4, 5), (6, 9), (10, None))
CHAIN_COLOURS = ("#cbc9e2", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486")


def escape(value: object) -> str:
    """``str(value)`` made safe for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def format_number(value: float) -> str:
    """A number to three significant figures, with thousands separators and no exponent.

    Examples
    --------
    >>> [format_number(v) for v in (0, 0.012345, 3.14159, 88.66, 1234.5, float("nan"))]
    ['0', '0.0123', '3.14', '88.7', '1,234', '–']
    """
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def class_labels(edges: object) -> list[str]:
    """Legend labels ``lo–hi`` of the classes between consecutive ``edges``.

    Examples
    --------
    >>> class_labels([0.5, 3.14159, 12.0, 480.2])
    ['0.500–3.14', '3.14–12.0', '12.0–480']
    """
    edges = [float(e) for e in edges]
    return [
        f"{format_number(a)}–{format_number(b)}" for a, b in zip(edges, edges[1:], strict=False)
    ]


def count_classes(values: np.ndarray, n: int = len(COUNT_COLOURS)) -> tuple[np.ndarray, list[str]]:
    """Quantile classes of the positive counts: class per value (-1 for zero or NaN) and labels.

    When ties (many cells with 1 or 2 incidents) would merge the quantiles into fewer than
    ``n`` classes, the quantiles of the distinct values are used; with ``n`` or fewer distinct
    values, each value is its own class.

    Examples
    --------
    >>> import numpy as np
    >>> classes, labels = count_classes(np.array([0, 1, 2, 3, 10, 50]), n=2)
    >>> classes.tolist(), labels
    ([-1, 0, 0, 0, 1, 1], ['1–3', '4–50'])
    >>> count_classes(np.array([1] * 90 + [2] * 5 + [3, 4, 8, 20, 39]), n=4)[1]
    ['1–2', '3–4', '5–14', '15–39']
    >>> count_classes(np.array([0, 1, 1, 2, 3]), n=6)[1]
    ['1', '2', '3']
    """
    values = np.asarray(values, dtype=float)
    finite = np.nan_to_num(values, nan=0.0)
    positive = finite[finite > 0]
    if not len(positive):
        return np.full(len(values), -1), []
    steps = np.linspace(0, 1, n + 1)
    edges = np.unique(np.quantile(positive, steps).round())
    distinct = np.unique(positive)
    if len(edges) - 1 < min(n, len(distinct) - 1):
        # Ties collapsed the classes (counts of 1 and 2 are most of the cells): take the
        # quantiles of the distinct values instead, so small and large counts stay apart.
        edges = np.unique(np.quantile(distinct, steps).round())
    if len(distinct) <= n:  # few distinct values: one class each
        edges = np.concatenate([[distinct[0]], distinct])
    if len(edges) < 2:
        edges = np.array([positive.min(), positive.max()], dtype=float)
    classes = np.clip(np.searchsorted(edges, finite, side="left") - 1, 0, len(edges) - 2)
    classes = np.where(finite > 0, classes, -1)
    labels = []
    for k in range(len(edges) - 1):
        lo = int(edges[k]) if k == 0 else int(edges[k]) + 1
        hi = int(edges[k + 1])
        labels.append(f"{lo:,}" if lo >= hi else f"{lo:,}–{hi:,}")
    return classes, labels


def value_classes(values: np.ndarray, n: int = len(COUNT_COLOURS)) -> tuple[np.ndarray, list[str]]:
    """Classes of positive values that are not whole numbers (a density on cells): head/tail
    breaks (:func:`density_classes`) with ``lo–hi`` labels; -1 for zero or NaN.

    Examples
    --------
    >>> import numpy as np
    >>> classes, labels = value_classes(np.array([0, 0.5, 0.5, 0.5, 1.5, 9.25]))
    >>> classes.tolist(), labels
    ([-1, 0, 0, 0, 0, 1], ['0.500–2.45', '2.45–9.25'])
    """
    values = np.asarray(values, dtype=float)
    classes, edges = density_classes(values, 0.0, n)
    if len(edges) < 2:
        finite = values[np.isfinite(values) & (values > 0)]
        return classes, [format_number(float(finite.max()))] if len(finite) else []
    return classes, class_labels(edges)


def count_scheme(
    values: np.ndarray, hidden: str | None = None
) -> tuple[np.ndarray, list[str], list[str]]:
    """Classes, labels and colours of counts; NaN counts of a public copy (``hidden``, the
    "fewer than 5" label) get a class and a grey of their own. Values that are not whole
    numbers (a density on cells) get :func:`value_classes` instead of count quantiles.

    Examples
    --------
    >>> import numpy as np
    >>> classes, labels, palette = count_scheme(np.array([0, np.nan, 7, 9]), "fewer than 5")
    >>> classes.tolist(), labels[-1], palette[-1] == SUPPRESSED_COLOUR
    ([-1, 2, 0, 1], 'fewer than 5', True)
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    whole = bool(np.all(finite == np.round(finite)))
    classes, labels = count_classes(values) if whole else value_classes(values)
    palette = list(COUNT_COLOURS[: len(labels)])
    suppressed = np.isnan(values) if hidden else np.zeros(values.shape, dtype=bool)
    if suppressed.any():
        classes = np.where(suppressed, len(palette), classes)
        palette.append(SUPPRESSED_COLOUR)
        labels.append(hidden)
    return classes, labels, palette


# Density classes: six colours from the density palette, light to dark.
DENSITY_CLASS_COLOURS = ("#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#e31a1c", "#800026")


def head_tail_breaks(values: np.ndarray, n: int = len(DENSITY_CLASS_COLOURS)) -> np.ndarray:
    """Jiang's (2013) head/tail breaks of positive values: at most ``n + 1`` class edges.

    Each break is the mean of the values above the previous break, which suits heavy-tailed
    densities: most of a city is in the low classes and the peaks still get classes of their
    own. Stops when the head holds more than 40 % of the values or fewer than two values.

    Examples
    --------
    >>> import numpy as np
    >>> head_tail_breaks(np.array([1.0, 1, 1, 1, 2, 2, 4, 8, 16, 32])).round(2).tolist()
    [1.0, 6.8, 18.67, 32.0]
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return np.array([])
    edges = [float(values.min())]
    head = values
    while len(edges) < n and len(head) > 1:
        mean = float(head.mean())
        new_head = head[head > mean]
        if not len(new_head) or len(new_head) / len(head) > 0.4 or mean <= edges[-1]:
            break
        edges.append(mean)
        head = new_head
    edges.append(float(values.max()))
    return np.unique(np.array(edges))


def density_classes(
    values: np.ndarray, floor: float = 0.0, n: int = len(DENSITY_CLASS_COLOURS)
) -> tuple[np.ndarray, np.ndarray]:
    """Class of each density (-1 at or below ``floor``, or NaN) and the class edges.

    Head/tail breaks of the values above ``floor``; where they give fewer than three classes
    (a density without a heavy tail) the quantiles are used instead.

    Examples
    --------
    >>> import numpy as np
    >>> classes, edges = density_classes(np.array([0, 1.0, 1, 1, 1, 2, 2, 4, 8, 16, 32]))
    >>> classes.tolist()
    [-1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]
    """
    values = np.asarray(values, dtype=float)
    shown = np.isfinite(values) & (values > floor)
    edges = head_tail_breaks(values[shown], n)
    if len(edges) < 4 and shown.sum() > n:
        edges = np.unique(np.quantile(values[shown], np.linspace(0, 1, n + 1)))
    if len(edges) < 2:
        return np.where(shown, 0, -1), edges
    classes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    return np.where(shown, classes, -1), edges


def chain_class(size: np.ndarray) -> np.ndarray:
    """Index into :data:`CHAIN_COLOURS` of each chain size."""
    size = np.asarray(size)
    return np.searchsorted([lo for lo, _ in CHAIN_CLASSES], size, side="right") - 1


def chain_labels() -> list[str]:
    """Legend labels of the chain-size classes."""
    return [
        f"{lo}+" if hi is None else (f"{lo}" if lo == hi else f"{lo}–{hi}")
        for lo, hi in CHAIN_CLASSES
    ]


def legend_html(
    title: str,
    labels: list[str],
    colours: list[str],
    *,
    note: str | None = None,
    shapes: list[str] | None = None,
) -> str:
    """A vertical categorical legend (escaped): one swatch and label per class.

    ``shapes`` may give ``"box"`` (default), ``"line"`` or ``"dot"`` per class.
    """
    shapes = shapes or ["box"] * len(labels)
    swatch = {
        "box": "width:14px;height:14px;border:1px solid #999",
        "line": "width:14px;height:0;border-top:3px solid {c};margin-bottom:4px",
        "dot": "width:10px;height:10px;border-radius:50%;border:1px solid #555",
    }
    rows = "".join(
        "<div style='display:flex;align-items:center;margin:2px 0'>"
        f"<span style='display:inline-block;flex:none;background:{c if s != 'line' else 'none'};"
        f"margin-right:6px;{swatch[s].format(c=c)}'></span>{escape(label)}</div>"
        for label, c, s in zip(labels, colours, shapes, strict=True)
    )
    extra = f"<div style='margin-top:4px;max-width:220px'>{escape(note)}</div>" if note else ""
    return f"<div class='hotspot-legend' style='{LEGEND_BOX}'><b>{escape(title)}</b>{rows}{extra}</div>"


#: The legend box of every HTML map: bottom left, above Leaflet's scale bar (metric and
#: imperial lines, about 50 px high with its margin), scrolling when taller than 70 % of the view.
LEGEND_BOX = (
    "position:fixed;bottom:62px;left:12px;z-index:9999;background:white;padding:8px 10px;"
    "border:1px solid #999;border-radius:4px;font:12px sans-serif;max-height:70vh;overflow:auto"
)


def classify(values: np.ndarray, edges: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Class of each value between ``edges`` (as :func:`density_classes` returns them): -1 at
    or below ``floor`` or NaN, the last class holding the top edge.

    Examples
    --------
    >>> import numpy as np
    >>> classify(np.array([0, 1.0, 6.8, 20, 32, np.nan]), np.array([1.0, 6.8, 18.67, 32.0]))
    array([-1,  0,  1,  2,  2, -1])
    """
    values = np.asarray(values, dtype=float)
    shown = np.isfinite(values) & (values > floor)
    edges = np.asarray(edges, dtype=float)
    if len(edges) < 2:
        return np.where(shown, 0, -1)
    classes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    return np.where(shown, classes, -1)

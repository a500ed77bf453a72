"""The sentences a tooltip leads with ("Hot spot, 99 % confidence: 450 incidents, 5.1× the
average of all 942 cells (88.7)") and the numbers in them.

Sentences are plain text: whoever puts them into HTML escapes them. A public copy's hidden
counts read "fewer than 5 incidents"; its sentences never need the z-scores or p-values it
no longer has.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._period import period_label, years_covered
from hotspot.maps._result_attrs import hotspot_attrs, is_cube, method_params
from hotspot.maps._style import GISTAR_COLOURS, LISA_COLOURS, format_number

# What each LISA quadrant means, for a reader who does not know the quadrant names.
LISA_PHRASES = {
    "HH": "a busy cell among busy neighbours",
    "LL": "a quiet cell among quiet neighbours",
    "HL": "a busy cell among quiet neighbours",
    "LH": "a quiet cell among busy neighbours",
}

# Time-bin words by pandas offset alias (the letters after any multiple).
BIN_WORDS = (
    ("W", "week"),
    ("D", "day"),
    ("B", "business day"),
    ("H", "hour"),
    ("Q", "quarter"),
    ("M", "month"),
    ("Y", "year"),
    ("A", "year"),
)


def times_text(ratio: float) -> str:
    """A ratio as "12×", "2.3×" or "0.45×".

    Examples
    --------
    >>> times_text(12.4), times_text(2.26), times_text(0.449)
    ('12×', '2.3×', '0.45×')
    """
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    if ratio >= 1:
        return f"{ratio:.1f}×"
    return f"{ratio:.2g}×"


def quantity_text(value: Any, column: str = "count", hidden: str | None = None) -> str:
    """A cell's value in words: "450 incidents", "1 incident", "no incidents",
    "fewer than 5 incidents" (hidden in a public copy), or "rate 3.2" for another column.

    Examples
    --------
    >>> quantity_text(1450), quantity_text(1), quantity_text(float("nan"), hidden="fewer than 5")
    ('1,450 incidents', '1 incident', 'fewer than 5 incidents')
    >>> quantity_text(3.25, "rate")
    'rate 3.25'
    """
    number = _number(value)
    if column != "count":
        return (
            f"{column} {hidden or 'not known'}"
            if number is None
            else f"{column} {format_number(number)}"
        )
    if number is None:
        return f"{hidden} incidents" if hidden else "incidents not known"
    if number == 0:
        return "no incidents"
    if number == 1:
        return "1 incident"
    return (
        f"{number:,.0f} incidents"
        if number == int(number)
        else f"{format_number(number)} incidents"
    )


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def average_per_cell(result: gpd.GeoDataFrame, column: str = "count") -> float | None:
    """The mean of ``column`` over all the result's cells, or None when it cannot be known.

    A public copy hides small counts; its mean is then the counted incidents
    (``attrs["hotspot"]["counts"]["counted"]``) over the grid's cells, when the result still
    has all of them.
    """
    if column not in result.columns or not len(result):
        return None
    values = pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)
    if not np.isnan(values).any():
        return float(values.mean())
    meta = hotspot_attrs(result)
    counted = (meta.get("counts") or {}).get("counted")
    n_cells = (meta.get("grid") or {}).get("n_cells")
    if column == "count" and counted is not None and n_cells == len(result):
        return float(counted) / len(result)
    return None


def significance_label(result: Any, method: str) -> tuple[str | None, str]:
    """The p-value column a method's bins or clusters were decided by, and its tooltip name.

    Gi*'s confidence bins come from ``gistar_p`` (the normal approximation) unless the
    result's attrs record ``significance_from``; LISA records it (``lisa_p_sim`` with
    permutations). Returns ``(column, "p (permutation)" | "p (normal approximation)")``.
    """
    meta = method_params(result, method)
    source = meta.get("significance_from") or (
        f"{method}_p_sim" if method == "lisa" and meta.get("permutations") else f"{method}_p"
    )
    column = source if isinstance(result, pd.DataFrame) and source in result.columns else None
    simulated = "sim" in str(source) or "permutation" in str(source)
    return column, "p (permutation)" if simulated else "p (normal approximation)"


def _cells_text(n: int) -> str:
    return f"all {n:,} cells" if n != 1 else "the one cell"


def gistar_sentences(result: gpd.GeoDataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cell: its confidence bin, its count and how it compares with the
    average of all the result's cells (the mean Gi* compares with). Gi* weighs a cell with its
    neighbours, so a quiet cell can be in a hot spot: the sentence then says so.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"count": [450, 0, 30, 20], "gistar_bin": [3, -2, 1, 0]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> for sentence in gistar_sentences(cells)[:3]:
    ...     print(sentence)
    Hot spot, 99 % confidence: 450 incidents, 3.6× the average of all 4 cells (125)
    Cold spot, 95 % confidence: no incidents (all 4 cells average 125)
    Hot spot, 90 % confidence: 30 incidents, 0.24× the average of all 4 cells (125); hot because of its busy neighbours
    """
    column = _analysed_column(result, "gistar")
    mean = average_per_cell(result, column)
    out = []
    for b, value in zip(
        result["gistar_bin"].to_numpy().astype(int), _values(result, column), strict=True
    ):
        text = f"{GISTAR_COLOURS[int(b)][1]}: " + _compared(
            value, column, mean, len(result), hidden
        )
        number = _number(value)
        if number is not None and mean is not None and mean > 0:
            # Gi* weighs the cell with its neighbours: a quiet cell can be part of a hot spot
            if b > 0 and number < mean:
                text += "; hot because of its busy neighbours"
            elif b < 0 and number > mean:
                text += "; cold because of its quiet neighbours"
        out.append(text)
    return out


def _analysed_column(result: gpd.GeoDataFrame, method: str) -> str:
    column = method_params(result, method).get("column")
    if column and column in result.columns:
        return str(column)
    return "count"


def _values(result: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column not in result.columns:
        return np.full(len(result), np.nan)
    return pd.to_numeric(result[column], errors="coerce").to_numpy(dtype=float)


def _compared(value: float, column: str, mean: float | None, n: int, hidden: str | None) -> str:
    text = quantity_text(value, column, hidden)
    number = _number(value)
    if number is None or mean is None or mean <= 0:
        return text
    if number == 0:
        return f"{text} ({_cells_text(n)} average {format_number(mean)})"
    return f"{text}, {times_text(number / mean)} the average of {_cells_text(n)} ({format_number(mean)})"


def lisa_sentences(result: gpd.GeoDataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cell: what its LISA type means, the confidence it was called at and its
    count ("High-high cluster: a busy cell among busy neighbours, 95 % confidence: 450
    incidents").

    The confidence is the level the clusters were tested at (``1 − alpha``, after the FDR
    correction when it was applied), as every significant cell passed it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> cells = gpd.GeoDataFrame({"count": [450, 2], "lisa_cluster": ["HH", "not significant"]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(2)], crs=27700)
    >>> for sentence in lisa_sentences(cells):
    ...     print(sentence)
    High-high cluster: a busy cell among busy neighbours, 95 % confidence: 450 incidents
    Not significant: 2 incidents
    """
    alpha = float(method_params(result, "lisa").get("alpha", 0.05))
    confidence = f"{(1 - alpha) * 100:g} % confidence"
    column = _analysed_column(result, "lisa")
    out = []
    for q, value in zip(result["lisa_cluster"].astype(str), _values(result, column), strict=True):
        amount = quantity_text(value, column, hidden)
        if q in LISA_PHRASES:
            out.append(f"{LISA_COLOURS[q][1]}: {LISA_PHRASES[q]}, {confidence}: {amount}")
        else:
            out.append(f"Not significant: {amount}")
    return out


def bin_unit(freq: str | None, n: int | None = None) -> str:
    """The word for a cube's bins: "week", "months", "2-week bins".

    Examples
    --------
    >>> bin_unit("W", 105), bin_unit("MS", 1), bin_unit("2W", 26), bin_unit(None, 3)
    ('weeks', 'month', '2-week bins', 'bins')
    """
    match = re.match(r"^\s*(\d*)\s*([A-Za-z]+)", str(freq or ""))
    plural = n is None or n != 1
    if match is None:
        return "bins" if plural else "bin"
    multiple = int(match[1]) if match[1] else 1
    base = match[2].upper()
    word = next((w for prefix, w in BIN_WORDS if base.startswith(prefix)), None)
    if word is None:
        return "bins" if plural else "bin"
    if multiple > 1:
        return f"{multiple}-{word} bins" if plural else f"{multiple}-{word} bin"
    return f"{word}s" if plural else word


def emerging_sentences(result: gpd.GeoDataFrame) -> list[str]:
    """One sentence per cell: its category, in how many bins it was hot (or cold) and its
    trend ("Intensifying hot spot: a hot spot in 95 of 105 weeks, rising").

    The bin word and number of bins come from the analysis's parameters in its attrs; the trend is
    the Mann–Kendall test of the cell's Gi* z-scores over time, "rising" or "falling" when
    significant at the analysis's ``alpha``.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cube = hs.space_time_cube(inc, hs.square_grid(inc, 2000, quiet=True), "MS",
    ...                           start="2019-01", end="2021-12", quiet=True)
    >>> out = hs.emerging_hotspots(cube, quiet=True)
    >>> [s for s in emerging_sentences(out) if "of 36 months" in s] != []
    True
    """
    meta = method_params(result, "emerging_hotspots")
    bins = meta.get("bins")
    n_bins = int(bins[2]) if isinstance(bins, list | tuple) and len(bins) > 2 else None
    unit = bin_unit(meta.get("freq"), n_bins)
    alpha = float(meta.get("alpha", 0.05))
    of = f"of {n_bins:,} {unit}" if n_bins is not None else unit
    category = result["emerging_category"].astype(str).to_numpy()
    n_hot = _values(result, "emerging_n_hot")
    n_cold = _values(result, "emerging_n_cold")
    tau = _values(result, "emerging_trend_tau")
    p = _values(result, "emerging_trend_p")
    out = []
    for c, hot, cold, t, pt in zip(category, n_hot, n_cold, tau, p, strict=True):
        name = c[:1].upper() + c[1:]
        hot_n, cold_n = _count_word(hot), _count_word(cold)
        if "hot spot" in c:
            core = f"a hot spot in {hot_n} {of}"
        elif "cold spot" in c:
            core = f"a cold spot in {cold_n} {of}"
        else:
            core = f"hot in {hot_n} and cold in {cold_n} {of}"
        if math.isfinite(t) and math.isfinite(pt) and pt <= alpha and t != 0:
            trend = "rising" if t > 0 else "falling"
        else:
            trend = "no clear trend"
        out.append(f"{name}: {core}, {trend}")
    return out


def _count_word(value: float) -> str:
    return f"{value:,.0f}" if math.isfinite(value) else "–"


def count_sentences(
    result: Any, values: Any, column: str = "count", hidden: str | None = None
) -> list[str]:
    """One sentence per value: "450 incidents (Jul 2016, Jul 2017, Jul 2018)", with the period
    the result covers (``attrs["hotspot"]["period"]``) when it carries one.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> cells = hs.count_incidents(inc, hs.hex_grid(inc, 3000, quiet=True), quiet=True)
    >>> for sentence in count_sentences(cells, [450, 1]):
    ...     print(sentence)
    450 incidents (Jul 2016, Jul 2017, Jul 2018)
    1 incident (Jul 2016, Jul 2017, Jul 2018)
    """
    period = period_label(result)
    if period is None and is_cube(result):
        period = hotspot_attrs(result).get("period", {}).get("label")
    suffix = f" ({period})" if period else ""
    return [quantity_text(v, column, hidden) + suffix for v in values]


def cluster_sentences(summary: pd.DataFrame, hidden: str | None = None) -> list[str]:
    """One sentence per cluster: "Cluster 3: 1,250 incidents in 0.84 km²".

    The number is the summary's index (its ``cluster`` label), as the report's table of the
    largest clusters shows it.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"n_incidents": [1250, 40], "area_km2": [0.8412, 0.0]},
    ...                        index=pd.Index([3, 7], name="cluster"))
    >>> for sentence in cluster_sentences(summary):
    ...     print(sentence)
    Cluster 3: 1,250 incidents in 0.841 km²
    Cluster 7: 40 incidents at one place or along one line
    """
    area = _values(summary, "area_km2") if "area_km2" in summary.columns else None
    out = []
    for i, (label, n) in enumerate(
        zip(summary.index, _values(summary, "n_incidents"), strict=True)
    ):
        text = f"Cluster {label}: {quantity_text(n, 'count', hidden)}"
        if area is not None and math.isfinite(area[i]):
            text += (
                f" in {format_number(area[i])} km²"
                if area[i] > 0
                else " at one place or along one line"
            )
        out.append(text)
    return out


def density_rate(surface: Any) -> tuple[float, str]:
    """The factor and unit a density surface is shown in: per year when its period is known.

    A surface of "incidents per km²" over a period of ``days`` is shown as "incidents per km²
    per year" (× 365.25 / days); without a period as "incidents per km² (whole period)".
    Other units (a ratio of two surfaces) are shown as they are.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> surface = hs.kde(inc, bandwidth=2000, cell_size=1000, quiet=True)
    >>> factor, unit = density_rate(surface)
    >>> round(factor, 3), unit  # three Julys: 93 days
    (3.927, 'incidents per km² per year')
    """
    attrs = getattr(surface, "attrs", None) or {}
    units = str(attrs.get("units", ""))
    if not units.endswith("per km²"):
        return 1.0, units
    years = years_covered(surface)
    if years:
        return 1.0 / years, f"{units} per year"
    return 1.0, f"{units} (whole period)"

"""Maps of forecasts and patrol areas, and the back-test's hit-rate chart.

:func:`forecast_map` draws a forecaster's risk per cell (``Forecaster.predict``) with the
highest-risk cells outlined; :func:`patrol_map` the cells :func:`hotspot.allocate_patrols`
chose, numbered, with what the back-test says they would have held; :func:`backtest_plot` the
hit rate (or PAI) against the area flagged for each forecaster of a back-test. Maps never
compute statistics: they read the columns and attrs the forecast, the allocation and the
back-test wrote. Every number a reader sees says what it is: the window forecast, what the
risk means (expected incidents, or a score that only orders the cells) and the rank of the
cell among all of them.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._validate import (
    check_cells,
    check_choice,
    check_columns,
    check_geodataframe,
    check_integer,
    check_share,
)
from hotspot.disclosure import disclosure_note, disclosure_rule
from hotspot.errors import HotspotInputError
from hotspot.maps._cell_layer import ShapeLayer
from hotspot.maps._layers import (
    DEFAULT_TILES,
    add_labels,
    add_layer_control,
    draw_cells,
    to_lonlat,
)
from hotspot.maps._result_attrs import hotspot_attrs
from hotspot.maps._style import (
    CLUSTER_HULL,
    COUNT_COLOURS,
    LEGEND_BOX,
    class_labels,
    escape,
    format_number,
)

__all__ = ["backtest_plot", "forecast_map", "patrol_map"]

# The risk classes: ColorBrewer YlOrRd, as the counts maps (6 classes at most).
RISK_COLOURS = COUNT_COLOURS
# The highest-risk cells' outline (black: blue would read as a cold spot) and the patrol
# cells' fill (the cluster numbers' purple, so the numbers and their cells read as one).
TOP_OUTLINE = "#000000"
PATROL_COLOUR = CLUSTER_HULL
PATROL_OUTLINE = "#3f007d"
# The forecast under a patrol map: the risk colours mixed with this much white.
FAINT_MIX = 0.6
# Default outline of forecast_map: the highest-risk cells covering 1 % of the area.
DEFAULT_TOP = 0.01
# The public copy's rank bands (share of the cells, by rank).
RANK_BANDS = ((0.01, "top 1 %"), (0.05, "top 1–5 %"), (0.10, "top 5–10 %"), (0.25, "top 10–25 %"))
RANK_REST = "below the top 25 %"
# The back-test chart: a colour per forecaster (random and naive are fixed), tab10 for the rest.
BASELINE_COLOURS = {"random": "#7f7f7f", "naive": "#1f77b4"}
OTHER_COLOURS = ("#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
METRICS = ("hit_rate", "pai")


# --- what the forecast says about itself ---------------------------------------------------


def _forecast_meta(result: Any) -> dict[str, Any]:
    meta = hotspot_attrs(result).get("forecast")
    return meta if isinstance(meta, dict) else {}


def _expected_counts(result: Any) -> bool:
    """Whether the risk is a number of incidents expected (else a score that orders cells)."""
    units = str(_forecast_meta(result).get("risk", ""))
    return units.startswith("expected incidents")


def _window(result: Any) -> tuple[str | None, str | None, pd.Timedelta | None]:
    """The forecast window's first and last day (ISO dates) and its length."""
    period = hotspot_attrs(result).get("period")
    period = period if isinstance(period, dict) else {}
    window = _forecast_meta(result).get("window")
    window = window if isinstance(window, dict) else {}
    horizon = None
    try:
        horizon = pd.Timedelta(window.get("horizon"))
    except (TypeError, ValueError):
        horizon = None
    if horizon is not None and pd.isna(horizon):
        horizon = None
    if horizon is None and period.get("days"):
        horizon = pd.Timedelta(days=int(period["days"]))
    return period.get("start"), period.get("end"), horizon


def window_words(horizon: pd.Timedelta | None) -> tuple[str, str]:
    """How a sentence names the window: ("this week", "week"), ("in these 14 days", "14 days").

    Examples
    --------
    >>> window_words(pd.Timedelta("7D")), window_words(pd.Timedelta("28D"))
    (('this week', 'week'), ('in these 4 weeks', '4 weeks'))
    >>> window_words(pd.Timedelta("1D")), window_words(pd.Timedelta("12h")), window_words(None)
    (('on the day', 'day'), ('in these 12 hours', '12 hours'), ('in the window', 'window'))
    """
    if horizon is None:
        return "in the window", "window"
    days = horizon / pd.Timedelta(days=1)
    if days == 7:
        return "this week", "week"
    if days == 1:
        return "on the day", "day"
    if days == int(days) and days % 7 == 0:
        return f"in these {int(days // 7)} weeks", f"{int(days // 7)} weeks"
    if days == int(days):
        return f"in these {int(days)} days", f"{int(days)} days"
    hours = horizon / pd.Timedelta(hours=1)
    return f"in these {hours:g} hours", f"{hours:g} hours"


def forecast_heading(result: Any) -> str:
    """ "Forecast for 2020-01-06 to 2020-01-12" (the window's first and last day)."""
    start, end, _ = _window(result)
    if start and end:
        return f"Forecast for {start} to {end}" if start != end else f"Forecast for {start}"
    return "Forecast"


def forecast_description(result: Any) -> str:
    """What the forecast is and what its numbers mean, for the legend: the forecaster and its
    parameters, the training window and the risk's units (``attrs["hotspot"]["forecast"]``)."""
    meta = _forecast_meta(result)
    name = str(meta.get("forecaster") or "a forecaster")
    params = meta.get("params") if isinstance(meta.get("params"), dict) else {}
    shown = ", ".join(
        f"{k}={v}" for k, v in params.items() if isinstance(v, str | int | float | bool)
    )
    training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    text = f"{name}({shown})" if shown else name
    if training.get("start") and training.get("end"):
        used = training.get("used")
        amount = f"{used:,} incidents, " if isinstance(used, int | np.integer) else ""
        text += f", learnt from {amount}{training['start']} to {training['end']} (exclusive)"
    units = meta.get("risk")
    if units:
        text += f". Risk: {units}"
    return text + "."


def _amount(value: float) -> str:
    """An expected number of incidents in words, to two significant figures."""
    if value >= 10:
        number = f"{value:,.0f}"
    else:
        number = f"{float(f'{value:.2g}'):g}"
    return f"{number} incident" + ("" if number == "1" else "s")


def _tie_ranks(risk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last rank (1 = highest) of each cell's group of equal risks."""
    ordered = -np.sort(risk)[::-1]  # ascending negated risks
    first = np.searchsorted(ordered, -risk, side="left") + 1
    last = np.searchsorted(ordered, -risk, side="right")
    return first, last


def rank_band(rank: np.ndarray, n: int) -> list[str]:
    """The public copy's band of each rank: "top 1 %", "top 1–5 %", … of ``n`` cells.

    Examples
    --------
    >>> rank_band(np.array([1, 5, 11, 60, 400]), 1000)
    ['top 1 %', 'top 1 %', 'top 1–5 %', 'top 5–10 %', 'below the top 25 %']
    """
    share = np.asarray(rank, dtype=float) / max(n, 1)
    out = []
    for s in share:
        out.append(next((label for limit, label in RANK_BANDS if s <= limit), RANK_REST))
    return out


def forecast_parts(result: gpd.GeoDataFrame) -> tuple[list[str], list[str], list[str]]:
    """Per cell: where it ranks ("Rank 3 of 32,566", "Joint rank 120–171 of 32,566 (52 cells
    tie)"), what the forecast expects there ("2.4 incidents expected this week") and the rank
    as a table shows it ("3 of 32,566", "120–171 of 32,566")."""
    n = len(result)
    rank = pd.to_numeric(result["forecast_rank"], errors="coerce").to_numpy(dtype=float)
    if "forecast_risk" in result.columns:
        risk = pd.to_numeric(result["forecast_risk"], errors="coerce").to_numpy(dtype=float)
    else:
        risk = np.full(n, np.nan)
    hidden = disclosure_rule(result) is not None
    when, _ = window_words(_window(result)[2])
    expected = _expected_counts(result)
    finite = np.isfinite(risk)
    first, last = _tie_ranks(np.where(finite, risk, -np.inf))
    bands = rank_band(np.nan_to_num(rank, nan=n), n)
    wheres, whats, ranks = [], [], []
    for i in range(n):
        if finite[i] and last[i] > first[i]:
            ties = last[i] - first[i] + 1
            ranks.append(f"{first[i]:,}–{last[i]:,} of {n:,}")
            wheres.append(f"Joint rank {ranks[-1]} ({ties:,} cells tie)")
        elif np.isfinite(rank[i]):
            ranks.append(f"{int(rank[i]):,} of {n:,}")
            wheres.append(f"Rank {ranks[-1]}")
        else:
            ranks.append("–")
            wheres.append("Rank not known")
        if not finite[i]:
            whats.append(
                f"{bands[i]} of the cells by forecast risk (the number is not shown in a public "
                "version)"
                if hidden
                else "risk not known"
            )
        elif expected:
            whats.append(f"{_amount(risk[i])} expected {when}")
        else:
            whats.append(
                f"risk score {format_number(risk[i])} (it orders the cells; it is not a count)"
            )
    return wheres, whats, ranks


def forecast_sentences(result: gpd.GeoDataFrame) -> list[str]:
    """One sentence per cell: its rank among all the cells and what the forecast expects there
    ("Rank 3 of 32,566: 2.4 incidents expected this week"). Cells tied on risk say so ("Joint
    rank 120–171 of 32,566 (52 cells tie): …"); a score that only orders the cells is called
    a score; a public copy (risk hidden) gives the rank and its band.

    Examples
    --------
    >>> import shapely
    >>> from hotspot._result import stamp
    >>> cells = gpd.GeoDataFrame({"forecast_risk": [2.4, 0.5, 0.5, 0.0],
    ...     "forecast_rank": [1, 2, 3, 4]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> cells = stamp(cells, kind="cells", method="forecast", params={
    ...     "risk": "expected incidents in the window", "window": {"horizon": "7D"}})
    >>> for sentence in forecast_sentences(cells)[:2]:
    ...     print(sentence)
    Rank 1 of 4: 2.4 incidents expected this week
    Joint rank 2–3 of 4 (2 cells tie): 0.5 incidents expected this week
    """
    wheres, whats, _ = forecast_parts(result)
    return [f"{where}: {what}" for where, what in zip(wheres, whats, strict=True)]


# --- classes and outlines ------------------------------------------------------------------


def risk_classes(risk: np.ndarray, n: int = len(RISK_COLOURS)) -> tuple[np.ndarray, list[str]]:
    """Quantile classes of the risks above zero: class per cell (-1 for zero or NaN) and labels.

    When ties (most cells at the same small risk) merge the quantiles into fewer than ``n``
    classes, the quantiles of the distinct risks are used, as :func:`count_classes` does.

    Examples
    --------
    >>> classes, labels = risk_classes(np.array([0, 0.1, 0.2, 0.3, 0.4, 2.0]), n=2)
    >>> classes.tolist(), labels
    ([-1, 0, 0, 1, 1, 1], ['0.100–0.300', '0.300–2.00'])
    """
    risk = np.asarray(risk, dtype=float)
    shown = np.isfinite(risk) & (risk > 0)
    positive = risk[shown]
    if not len(positive):
        return np.full(len(risk), -1), []
    steps = np.linspace(0, 1, n + 1)
    edges = np.unique(np.quantile(positive, steps))
    distinct = np.unique(positive)
    if len(edges) - 1 < min(n, len(distinct) - 1):
        edges = np.unique(np.quantile(distinct, steps))
    if len(edges) < 2:
        return np.where(shown, 0, -1), [format_number(float(positive[0]))]
    classes = np.clip(np.searchsorted(edges, risk, side="right") - 1, 0, len(edges) - 2)
    return np.where(shown, classes, -1), class_labels(edges)


def _band_classes(rank: np.ndarray, n: int, shown: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A public copy's classes: the rank bands, highest first in the legend's colours."""
    names = [label for _, label in RANK_BANDS] + [RANK_REST]
    bands = rank_band(np.nan_to_num(rank, nan=n), n)
    index = np.array([len(names) - 1 - names.index(b) for b in bands], dtype=int)
    return np.where(shown, index, -1), names[::-1]


def top_cells(result: gpd.GeoDataFrame, top: Any, *, func: str) -> tuple[np.ndarray, int]:
    """Which cells ``top`` outlines, and how many of them were added for ties.

    A whole number is that many cells by rank, a share (0–1) the cells by rank until their
    area first reaches that share of all the cells' area (the last cell taken whole, as the
    back-test's coverage is). Cells tied on risk with the last one taken are outlined too (a
    map that outlined one cell and not its equal neighbour would say they differ): the
    second number is how many cells that added. Cells with no risk are never outlined.

    Examples
    --------
    >>> import shapely
    >>> cells = gpd.GeoDataFrame({"forecast_risk": [3.0, 1.0, 1.0, 0.0],
    ...     "forecast_rank": [1, 2, 3, 4]},
    ...     geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)], crs=27700)
    >>> picked, ties = top_cells(cells, 2, func="forecast_map")
    >>> picked.tolist(), ties
    ([True, True, True, False], 1)
    >>> top_cells(cells, 0.25, func="forecast_map")[0].tolist()
    [True, False, False, False]
    """
    n = len(result)
    if top is None or top is False or (isinstance(top, int | np.integer) and top == 0):
        return np.zeros(n, dtype=bool), 0
    rank = pd.to_numeric(result["forecast_rank"], errors="coerce").to_numpy(dtype=float)
    order = np.argsort(np.nan_to_num(rank, nan=np.inf), kind="stable")
    if "forecast_risk" in result.columns:
        risk = pd.to_numeric(result["forecast_risk"], errors="coerce").to_numpy(dtype=float)
    else:
        risk = np.full(n, np.nan)
    eligible = ~(np.isfinite(risk) & (risk <= 0))  # hidden (NaN) risks are above zero
    order = order[eligible[order] & np.isfinite(rank[order])]
    if isinstance(top, int | np.integer) and not isinstance(top, bool):
        k = check_integer(top, "top", minimum=0, func=func)
    elif isinstance(top, float | np.floating):
        share = check_share(top, "top", func=func, low_open=True, example="0.01 or 20")
        area = np.asarray(result.geometry.area, dtype=float)
        total = float(area.sum())
        reached = np.cumsum(area[order]) >= share * total - 1e-9 * total
        k = int(np.argmax(reached)) + 1 if reached.any() else len(order)
    else:
        raise HotspotInputError(
            f"{func}: top={top!r} is neither a number of cells nor a share of the area; pass "
            "e.g. 20 (cells), 0.01 (the highest-risk cells covering 1 % of the area) or None."
        )
    picked = np.zeros(n, dtype=bool)
    picked[order[:k]] = True
    ties = 0
    if 0 < k < len(order) and np.isfinite(risk[order[k - 1]]):
        tied = eligible & (risk == risk[order[k - 1]]) & ~picked
        ties = int(tied.sum())
        picked |= tied
    return picked, ties


def _outline(m: Any, geometry: gpd.GeoSeries, name: str, colour: str, weight: float) -> None:
    """The outline of ``geometry`` merged, above the cells and deaf to the mouse (hovering
    reaches the cells' tooltips underneath)."""
    if not len(geometry):
        return
    merged = shapely.union_all(np.asarray(geometry.array))
    ShapeLayer(
        to_lonlat(gpd.GeoSeries([merged], crs=geometry.crs)),
        name=escape(name),
        pane="hotspotLabels",
        style={"color": colour, "weight": weight, "opacity": 1.0, "fill": False},
    ).add_to(m)


def _faint(colour: str, mix: float = FAINT_MIX) -> str:
    """``colour`` mixed with ``mix`` of white.

    Examples
    --------
    >>> _faint("#000000", 0.5)
    '#808080'
    """
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    mixed = np.round(rgb * (1 - mix) + 255 * mix).astype(int)
    return "#" + "".join(f"{v:02x}" for v in mixed)


# --- the legend ----------------------------------------------------------------------------


def _legend(
    title: str,
    rows: list[tuple[str, str, str]],
    paragraphs: list[str],
    *,
    lead: str | None = None,
) -> str:
    """The house legend (as :func:`hotspot.maps._style.legend_html`, escaped) with a lead
    sentence under the title and paragraphs of explanation under the swatches."""
    swatch = {
        "box": "width:14px;height:14px;border:1px solid #999;background:{c}",
        "line": "width:14px;height:10px;border:2.5px solid {c};background:none",
    }
    body = "".join(
        "<div style='display:flex;align-items:center;margin:2px 0'>"
        f"<span style='display:inline-block;flex:none;margin-right:6px;"
        f"{swatch[shape].format(c=colour)}'></span>{escape(label)}</div>"
        for label, colour, shape in rows
    )
    first = (
        f"<div class='hotspot-lead' style='margin:3px 0 5px;font-weight:600'>{escape(lead)}</div>"
        if lead
        else ""
    )
    notes = "".join(f"<div style='margin-top:4px'>{escape(p)}</div>" for p in paragraphs if p)
    return (
        f"<div class='hotspot-legend' style='{LEGEND_BOX};max-width:300px'>"
        f"<b>{escape(title)}</b>{first}{body}{notes}</div>"
    )


def _check_forecast(result: Any, func: str, name: str, columns: list[str], fix: str) -> None:
    check_geodataframe(result, name, func=func, fix=fix)
    check_columns(result, columns, func=func, fix=fix, what=name)
    check_cells(result, what=name, require_crs=True)


# --- forecast_map --------------------------------------------------------------------------


def forecast_map(
    forecast: gpd.GeoDataFrame,
    *,
    top: int | float | None = DEFAULT_TOP,
    tiles: Any = DEFAULT_TILES,
    labels: Any = None,
    context: Any = None,
    title: str | None = None,
    m: Any = None,
) -> Any:
    """A forecast's risk per cell, the highest-risk cells outlined.

    The cells with a risk above zero are coloured by quantile classes of those risks (YlOrRd);
    cells with no risk are not drawn (the study area and any footprint show where the data
    are). The legend states the window ("Forecast for 2020-01-06 to 2020-01-12"), the
    forecaster with its parameters and training window, and what the numbers mean (the
    forecast's ``attrs["hotspot"]["forecast"]["risk"]``: expected incidents, or a score that
    only orders the cells). Tooltips lead with a sentence: "Rank 3 of 32,566: 2.4 incidents
    expected this week" ("Joint rank 120–171 of 32,566 (52 cells tie): …" where cells tie).
    A public copy (``export_map(forecast, public=True)``) has no risk numbers: its cells are
    coloured by rank band (top 1 %, 1–5 %, …).

    Parameters
    ----------
    forecast : GeoDataFrame
        From ``Forecaster.predict`` (``forecast_risk``, ``forecast_rank``).
    top : int, float or None, default=0.01
        The highest-risk cells to outline: a whole number is that many cells, a share (0–1)
        the highest-risk cells until their area reaches that share of all the cells' area (as
        the back-test's coverage counts it), None or 0 for no outline. Cells with no risk are
        never outlined; ties go in cell order.
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map (a tile name, a tile server's URL template, a local tile folder,
        or None); see :func:`hotspot.maps.counts_map`. Ignored with ``m=``.
    labels : GeoDataFrame or False, optional
        Place names (default: the forecast's own, ``attrs["hotspot"]["places"]``); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads).
    title : str, optional
        Legend title (escaped); default "Forecast for <first day> to <last day>". The window
        is stated under it either way.
    m : folium.Map, optional
        Map to add the layers to (default: a new map).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.forecast._base import NaiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> risk = NaiveForecaster(periods=4).fit(inc, cells, until="2020-01-06").predict("7D")
    >>> page = hs.maps.forecast_map(risk, top=10, tiles=None).get_root().render()
    >>> "Forecast for 2020-01-06 to 2020-01-12" in page, "expected this week" in page
    (True, True)
    """
    func = "forecast_map"
    _check_forecast(
        forecast,
        func,
        "forecast",
        ["forecast_rank"],
        "make it with a forecaster: NaiveForecaster().fit(incidents, cells).predict('7D')",
    )
    hidden = disclosure_rule(forecast) is not None
    if not hidden:
        check_columns(
            forecast,
            ["forecast_risk"],
            func=func,
            what="forecast",
            fix="make it with a forecaster: NaiveForecaster().fit(incidents, cells).predict('7D')",
        )
    picked, ties = top_cells(forecast, top, func=func)
    n = len(forecast)
    rank = pd.to_numeric(forecast["forecast_rank"], errors="coerce").to_numpy(dtype=float)
    if "forecast_risk" in forecast.columns:
        risk = pd.to_numeric(forecast["forecast_risk"], errors="coerce").to_numpy(dtype=float)
    else:
        risk = np.full(n, np.nan)
    if hidden:  # the numbers are gone: rank bands of the cells with a risk (hidden or shown)
        shown = ~(np.isfinite(risk) & (risk <= 0))
        classes, class_names = _band_classes(rank, n, shown)
    else:
        classes, class_names = risk_classes(risk)
        shown = classes >= 0
    palette = list(RISK_COLOURS[: len(class_names)])
    heading = forecast_heading(forecast)
    when, unit = window_words(_window(forecast)[2])
    expected = _expected_counts(forecast)
    if hidden:
        what = "Forecast risk band"
    elif expected:
        what = f"Expected incidents per cell in the {unit}"
    else:
        what = "Risk score per cell (orders the cells; not a count)"
    rows = [(label, colour, "box") for label, colour in zip(class_names, palette, strict=True)]
    rows = rows[::-1]  # the highest class first
    n_top = int(picked.sum())
    if n_top:
        share = float(forecast.geometry.area[picked].sum() / forecast.geometry.area.sum())
        outline_name = f"Highest risk: {n_top:,} cells ({share:.1%} of the area)"
        rows.append((outline_name + ", outlined", TOP_OUTLINE, "line"))
    zero = int((np.isfinite(risk) & (risk <= 0)).sum())
    classes_are = (
        f"colours are bands of the rank among all {n:,} cells"
        if hidden
        else f"colours are quantile classes of the {int(shown.sum()):,} cells with a risk"
    )
    paragraphs = [
        f"{what}; {classes_are}"
        + (f"; {zero:,} cells with no risk are not drawn." if zero else "."),
        f"The outline includes {ties:,} cells tied on risk with the last one at the cut-off."
        if ties
        else None,
        forecast_description(forecast),
        disclosure_note(forecast),
    ]
    lead = heading if title else None
    legend = _legend(title or heading, rows, paragraphs, lead=lead)
    fields: dict[str, Any] = {"cell": [escape(v) for v in forecast.index[shown]]}
    if not hidden:
        name = "expected incidents" if expected else "risk score"
        fields[name] = [format_number(v) for v in risk[shown]]
    fields["rank"] = list(np.asarray(forecast_parts(forecast)[2], dtype=object)[shown])
    sentences = list(np.asarray(forecast_sentences(forecast), dtype=object)[shown])
    m = draw_cells(
        fields,
        forecast.geometry[shown],
        classes[shown],
        palette,
        m=m,
        layer_name=title or heading,
        legend=legend,
        fill_opacity=0.8,
        extent=forecast.geometry,
        sentences=sentences,
        result=forecast,
        labels=labels,
        context=context,
        tiles=tiles,
        func=func,
    )
    if n_top:
        _outline(m, forecast.geometry[picked], outline_name, TOP_OUTLINE, 2.5)
        add_layer_control(m)
    return m


# --- patrol_map ----------------------------------------------------------------------------


def _percent(share: float) -> str:
    """A share as a percentage to two significant figures ("14 %", "2.1 %", "0.35 %")."""
    value = 100 * float(share)
    if not np.isfinite(value):
        return "–"
    if value >= 10:
        return f"{value:.0f} %"
    return f"{float(f'{value:.2g}'):g} %"


def capture_sentence(allocation: Any, unit: str = "week") -> str:
    """What the back-test says the chosen cells would have held, in a sentence.

    Read from ``attrs["hotspot"]["allocate_patrols"]["expected_capture"]`` ({"periods",
    "mean", "min", "max", "q10", "q90", "pooled", ...} and, when recorded, the back-test's
    period ``label``): "Chosen this way each week of 2019, 20 cells held 14 % of the next
    week's incidents (2.1–21 % by week)": the cells were chosen afresh each week, so the
    sentence does not say "these" cells. The headline is the mean over the periods, the
    range their lowest and highest. Without a back-test it says the allocation is not
    back-tested. When the capture holds ``against_random`` (:func:`hotspot.allocate_patrols`
    with ``compare_random=True``, the default, or :func:`hotspot.plan_patrols`), it adds
    whether the cells beat as many random cells period by period ("They held more than as many
    cells picked at random in 50 of 52 weeks (sign test: p = 1e-12)."), or warns that they did
    not.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot._result import stamp
    >>> chosen = stamp(pd.DataFrame({"patrol_rank": range(1, 21)}), kind="cells",
    ...     method="allocate_patrols", params={"expected_capture": {"periods": 52,
    ...     "mean": 0.14, "min": 0.021, "max": 0.21, "label": "2019"}})
    >>> capture_sentence(chosen)
    "Chosen this way each week of 2019, 20 cells held 14 % of the next week's incidents (2.1–21 % by week)."
    """
    params = hotspot_attrs(allocation).get("allocate_patrols")
    params = params if isinstance(params, dict) else {}
    capture = params.get("expected_capture")
    n = len(allocation)
    cells = f"{n:,} cells" if n != 1 else "1 cell"
    if not isinstance(capture, dict) or capture.get("mean") is None:
        return (
            f"Not back-tested: what share of the next {unit}'s incidents {cells} chosen this "
            "way would hold is not known. Pass backtest=hotspot.backtest(...) to "
            "allocate_patrols() to see it."
        )
    label = _capture_label(capture, params)
    periods = capture.get("periods")
    when = f"each {unit} of {label}" if label else f"each {unit} of the back-test"
    if not label and isinstance(periods, int | np.integer):
        when += f" ({periods:,} {unit}s)"
    low, high = capture.get("min"), capture.get("max")
    spread = ""
    if low is not None and high is not None:
        lo, hi = _percent(low).rstrip(" %"), _percent(high)
        spread = f" ({lo}–{hi} by {unit})"
    said = (
        f"Chosen this way {when}, {cells} held {_percent(capture['mean'])} of the next "
        f"{unit}'s incidents{spread}."
    )
    against = capture.get("against_random")
    if isinstance(against, dict) and against.get("wins") is not None:
        from hotspot.forecast.allocate import random_verdict

        said += " " + random_verdict(against, unit)
    return said


def _capture_label(capture: dict, params: dict) -> str | None:
    """The back-test's period as the capture records it (a label, or a period dict)."""
    for holder in (capture, params.get("backtest") if isinstance(params, dict) else None):
        if not isinstance(holder, dict):
            continue
        for key in ("label", "period"):
            value = holder.get(key)
            if isinstance(value, dict):
                value = value.get("label") or (
                    f"{value['start']} to {value['end']}"
                    if value.get("start") and value.get("end")
                    else None
                )
            if value:
                return str(value)
    return None


def patrol_map(
    allocation: gpd.GeoDataFrame,
    *,
    forecast: gpd.GeoDataFrame | None = None,
    tiles: Any = DEFAULT_TILES,
    labels: Any = None,
    context: Any = None,
    title: str | None = None,
    m: Any = None,
) -> Any:
    """The cells chosen for patrol, numbered by ``patrol_rank``, over the forecast (faint).

    The legend leads with what the back-test says the choice is worth ("Chosen this way
    each week of 2019, 20 cells held 14 % of the next week's incidents (2.1–21 % by
    week)", from ``attrs["hotspot"]["allocate_patrols"]["expected_capture"]``; "Not
    back-tested" without one), then the window and the constraints. Tooltips lead with a
    sentence: "Patrol area 3 of 20 (forecast rank 5 of 32,566): 2.4 incidents expected this
    week"; with ``forecast``, the cells not chosen carry their forecast sentence.

    Parameters
    ----------
    allocation : GeoDataFrame
        From :func:`hotspot.allocate_patrols` (``patrol_rank``, ``patrol_risk_share`` and the
        forecast's columns).
    forecast : GeoDataFrame, optional
        The forecast the cells were chosen from, drawn faint underneath (its cells with a
        risk above zero).
    tiles : str or None, default="OpenStreetMap"
        Basemap of a new map; see :func:`hotspot.maps.counts_map`. Ignored with ``m=``.
    labels : GeoDataFrame or False, optional
        Place names (default: the allocation's own); False: none.
    context : GeoDataFrame, list or dict of GeoDataFrames, optional
        Layers drawn under the result (a force boundary, main roads).
    title : str, optional
        Legend title (escaped); default "Patrol areas: <n> cells, <window>".
    m : folium.Map, optional
        Map to add the layers to (default: a new map).

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot._result import stamp
    >>> from hotspot.forecast._base import NaiveForecaster
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> risk = NaiveForecaster(periods=4).fit(inc, cells, until="2020-01-06").predict("7D")
    >>> chosen = risk.nsmallest(5, "forecast_rank").assign(patrol_rank=range(1, 6))
    >>> chosen = stamp(chosen, kind="cells", method="allocate_patrols", params={}, source=risk)
    >>> page = hs.maps.patrol_map(chosen, forecast=risk, tiles=None).get_root().render()
    >>> "Patrol area 1 of 5" in page, "Not back-tested" in page
    (True, True)
    """
    func = "patrol_map"
    fix = "choose them with hotspot.allocate_patrols(forecast, n_areas)"
    _check_forecast(allocation, func, "allocation", ["patrol_rank"], fix)
    if forecast is not None:
        _check_forecast(
            forecast,
            func,
            "forecast",
            ["forecast_rank"],
            "pass the forecast the cells were chosen from (Forecaster.predict(...))",
        )
        if forecast.crs != allocation.crs:
            raise HotspotInputError(
                f"patrol_map: the forecast is in {forecast.crs} and the allocation in "
                f"{allocation.crs}; pass the forecast the cells were chosen from."
            )
        missing = allocation.index.difference(forecast.index)
        if len(missing):
            raise HotspotInputError(
                f"patrol_map: {len(missing):,} chosen cells (first {missing[0]!r}) are not in "
                "forecast=; pass the forecast the cells were chosen from."
            )
    patrol = pd.to_numeric(allocation["patrol_rank"], errors="coerce").to_numpy(dtype=float)
    n_areas = len(allocation)
    source = forecast if forecast is not None else allocation
    n_cells = len(source)
    when, unit = window_words(_window(source)[2])
    # the chosen cells' sentences: their patrol number and forecast rank, then the forecast
    parts = _chosen_parts(allocation, forecast)
    chosen_sentences = [
        (f"Patrol area {int(p):,} of {n_areas:,}" if np.isfinite(p) else "Patrol area")
        + (f" (forecast rank {where})" if where != "–" else "")
        + f": {what}"
        for p, (where, what) in zip(patrol, parts, strict=True)
    ]
    chosen_ids = [escape(v) for v in allocation.index]
    share = (
        pd.to_numeric(allocation["patrol_risk_share"], errors="coerce").to_numpy(dtype=float)
        if "patrol_risk_share" in allocation.columns
        else np.full(n_areas, np.nan)
    )
    rows: list[tuple[str, str, str]] = [(f"Patrol areas (1–{n_areas:,})", PATROL_COLOUR, "box")]
    faint_palette: list[str] = []
    if forecast is not None:
        others = ~forecast.index.isin(allocation.index)
        risk = (
            pd.to_numeric(forecast["forecast_risk"], errors="coerce").to_numpy(dtype=float)
            if "forecast_risk" in forecast.columns
            else np.full(n_cells, np.nan)
        )
        if disclosure_rule(forecast) is not None:
            f_rank = pd.to_numeric(forecast["forecast_rank"], errors="coerce").to_numpy()
            f_classes, f_names = _band_classes(f_rank, n_cells, ~(np.isfinite(risk) & (risk <= 0)))
        else:
            f_classes, f_names = risk_classes(risk)
        faint_palette = [_faint(c) for c in RISK_COLOURS[: len(f_names)]]
        under = others & (f_classes >= 0)
        rows += [
            (f"Forecast: {label}", colour, "box")
            for label, colour in zip(f_names[::-1], faint_palette[::-1], strict=True)
        ]
        geometry = pd.concat([forecast.geometry[under], allocation.geometry])
        fill = np.concatenate([f_classes[under], np.full(n_areas, len(faint_palette))])
        f_sentences = np.asarray(forecast_sentences(forecast), dtype=object)[under]
        sentences = [*f_sentences, *chosen_sentences]
        ids = [escape(v) for v in forecast.index[under]] + chosen_ids
        patrol_field = ["–"] * int(under.sum()) + [f"{int(p):,}" for p in patrol]
        share_field = [None] * int(under.sum()) + [_share_text(s) for s in share]
    else:
        geometry = allocation.geometry
        fill = np.zeros(n_areas, dtype=int)
        sentences = chosen_sentences
        ids = chosen_ids
        patrol_field = [f"{int(p):,}" for p in patrol]
        share_field = [_share_text(s) for s in share]
    palette = [*faint_palette, PATROL_COLOUR]
    fields: dict[str, Any] = {"cell": ids, "patrol area": patrol_field}
    if forecast is not None:
        fields["forecast rank"] = list(np.asarray(forecast_parts(forecast)[2], dtype=object)[under])
        fields["forecast rank"] += [where for where, _ in parts]
    if np.isfinite(share).any():
        fields["share of the forecast risk"] = share_field
    capture = capture_sentence(allocation, unit)
    heading = title or f"Patrol areas: {n_areas:,} cells, {forecast_heading(source).lower()}"
    params = hotspot_attrs(allocation).get("allocate_patrols")
    paragraphs = [
        _constraints_text(params if isinstance(params, dict) else {}),
        "Numbers that would overlap at this zoom appear as you zoom in.",
        forecast_description(source),
        disclosure_note(allocation),
    ]
    legend = _legend(heading, rows, paragraphs, lead=capture)
    m = draw_cells(
        fields,
        gpd.GeoSeries(np.asarray(geometry.array), crs=allocation.crs),
        fill,
        palette,
        m=m,
        layer_name=title or "Patrol areas",
        legend=legend,
        fill_opacity=0.85,
        extent=source.geometry,
        sentences=sentences,
        result=source,
        labels=labels,
        context=context,
        tiles=tiles,
        func=func,
    )
    _outline(m, allocation.geometry, "Patrol areas: outline", PATROL_OUTLINE, 2.0)
    order = np.argsort(np.nan_to_num(patrol, nan=np.inf), kind="stable")
    numbers = gpd.GeoDataFrame(
        {"name": [f"{int(p)}" for p in patrol[order] if np.isfinite(p)]},
        geometry=np.asarray(allocation.geometry.representative_point().array)[order][
            np.isfinite(patrol[order])
        ],
        crs=allocation.crs,
    )
    _numbers_on_top(m)
    add_labels(
        m,
        numbers,
        source.geometry,
        name="Patrol area numbers",
        class_name="hotspot-cluster-label",
        fraction=1 / 40,
        levels=6,
        keep_all=True,
    )
    add_layer_control(m)
    return m


# Patrol numbers above the place names where they meet (both are markers in one pane, which
# Leaflet stacks by latitude): a hidden "3" would hide a patrol area.
NUMBERS_ON_TOP_CSS = (
    "<style>.leaflet-hotspotLabels-pane .hotspot-cluster-label "
    "{ z-index: 100000 !important; }</style>"
)


def _numbers_on_top(m: Any) -> None:
    import folium

    m.get_root().header.add_child(folium.Element(NUMBERS_ON_TOP_CSS), name="hotspot_numbers_css")


def _share_text(share: float) -> str | None:
    return None if not np.isfinite(share) else _percent(share)


def _chosen_parts(
    allocation: gpd.GeoDataFrame, forecast: gpd.GeoDataFrame | None
) -> list[tuple[str, str]]:
    """Each chosen cell's forecast rank ("3 of 32,566", "4–6 of 32,566" for tied cells) and
    what the forecast expects there: from the whole forecast when given (ranks among all its
    cells, ties seen), else from the allocation's own rows (``forecast_rank`` of the grid's
    ``n_cells``)."""
    if forecast is not None:
        _, whats, ranks = forecast_parts(forecast)
        parts = pd.Series(list(zip(ranks, whats, strict=True)), index=forecast.index)
        return [tuple(p) for p in parts.loc[allocation.index]]
    n = len(allocation)
    rank = (
        pd.to_numeric(allocation["forecast_rank"], errors="coerce").to_numpy(dtype=float)
        if "forecast_rank" in allocation.columns
        else np.full(n, np.nan)
    )
    risk = (
        pd.to_numeric(allocation["forecast_risk"], errors="coerce").to_numpy(dtype=float)
        if "forecast_risk" in allocation.columns
        else np.full(n, np.nan)
    )
    grid = hotspot_attrs(allocation).get("grid")
    total = grid.get("n_cells") if isinstance(grid, dict) else None
    of = f" of {int(total):,}" if total else ""
    when, _ = window_words(_window(allocation)[2])
    expected = _expected_counts(allocation)
    out = []
    for r, v in zip(rank, risk, strict=True):
        where = f"{int(r):,}{of}" if np.isfinite(r) else "–"
        if not np.isfinite(v):
            what = "forecast not shown" if disclosure_rule(allocation) else "risk not known"
        elif expected:
            what = f"{_amount(v)} expected {when}"
        else:
            what = f"risk score {format_number(v)} (it orders the cells; it is not a count)"
        out.append((where, what))
    return out


def _constraints_text(params: dict[str, Any]) -> str:
    """The allocation's rule in words: spacing, per district, excluded cells, the solver."""
    parts = []
    if params.get("min_spacing"):
        parts.append(f"at least {float(params['min_spacing']):,.0f} m apart")
    if params.get("per_area"):
        district = params.get("districts")  # a column's name, or "12 polygons"
        if isinstance(district, str) and not district.endswith("polygons"):
            where = f" per {district}"
        else:
            where = f" per district ({district})" if isinstance(district, str) else " per district"
        parts.append(f"at most {params['per_area']}{where}")
    excluded = params.get("excluded")
    if isinstance(excluded, int | np.integer) and excluded:
        parts.append(f"{excluded:,} cells excluded")
    text = "Highest forecast risk" + (f", {', '.join(parts)}" if parts else "")
    if params.get("solver"):
        text += f" (solver: {params['solver']})"
    share = params.get("risk_share")
    if isinstance(share, int | float | np.number) and np.isfinite(share):
        text += f"; the areas hold {_percent(share)} of the forecast risk"
    return text + "."


# --- backtest_plot -------------------------------------------------------------------------


def _colours(names: list[str]) -> dict[str, str]:
    out, k = {}, 0
    for name in names:
        if name in BASELINE_COLOURS:
            out[name] = BASELINE_COLOURS[name]
        else:
            out[name] = OTHER_COLOURS[k % len(OTHER_COLOURS)]
            k += 1
    return out


def _backtest_title(result: Any, unit: str) -> str:
    params = getattr(result, "params", None) or {}
    period = params.get("period") if isinstance(params.get("period"), dict) else {}
    periods = getattr(result, "periods", None)
    n = len(periods) if periods is not None else None
    text = "Back-test"
    if n:
        text += f": {n:,} {unit}ly forecasts" if unit in ("week", "day") else f": {n:,} forecasts"
    if period.get("label"):
        text += f", {period['label']}"
    return text


def backtest_plot(
    result: Any,
    *,
    ax: Any = None,
    coverages: Any = None,
    metric: str = "hit_rate",
) -> Any:
    """Hit rate (or PAI) against the share of the area flagged, one line per forecaster.

    Each forecaster's line is its pooled value over the back-test's periods (all hits over
    all incidents); the band around it runs from the 10th to the 90th percentile of the
    periods, so a forecaster that is good on average but erratic shows it. The random
    baseline is dashed and has no band drawn over the others; the legend names each
    forecaster. Reads ``result.summary`` (:class:`hotspot.forecast.backtesting.BacktestResult`).

    Parameters
    ----------
    result : BacktestResult
        From :func:`hotspot.backtest`.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure (matplotlib's object API, no pyplot state).
    coverages : sequence of float, optional
        The coverages to draw (shares of the area, as in ``result.summary["coverage"]``);
        default all of them.
    metric : {"hit_rate", "pai"}, default="hit_rate"
        The y axis: the hit rate (% of the incidents in the flagged cells) or the PAI (the
        hit rate over the area share; 1 is what random flagging gets).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> rows = [{"forecaster": f, "coverage": c, "periods": 3, "hit_rate": h,
    ...          "hit_rate_q10": h * 0.5, "hit_rate_q90": min(1, h * 1.5),
    ...          "pai": h / c, "pai_q10": h / c * 0.5, "pai_q90": h / c * 1.5}
    ...         for f, k in (("random", 1), ("naive", 4)) for c in (0.01, 0.05, 0.1)
    ...         for h in [min(1.0, k * c)]]
    >>> bt = SimpleNamespace(summary=pd.DataFrame(rows), forecasters=("random", "naive"),
    ...                      params={"period": {"label": "2019"}, "step": "7D"},
    ...                      periods=pd.DataFrame({"start": range(3)}))
    >>> ax = backtest_plot(bt)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['naive', 'random (no skill)']
    """
    func = "backtest_plot"
    metric = check_choice(metric, "metric", METRICS, func=func)
    summary = getattr(result, "summary", None)
    if not isinstance(summary, pd.DataFrame):
        raise HotspotInputError(
            f"{func}: result= is a {type(result).__name__}, not the result of "
            "hotspot.backtest(); run that first."
        )
    needed = ["forecaster", "coverage", metric, f"{metric}_q10", f"{metric}_q90"]
    check_columns(
        summary, needed, func=func, what="back-test summary", fix="run hotspot.backtest()"
    )
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import NullLocator, PercentFormatter
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(f"{func}() needs matplotlib: pip install 'hotspot[notebooks]'") from err
    table = summary
    if coverages is not None:
        wanted = np.atleast_1d(np.asarray(coverages, dtype=float))
        have = np.unique(summary["coverage"].to_numpy(dtype=float))
        unknown = [c for c in wanted if not np.isclose(have, c).any()]
        if unknown:
            raise HotspotInputError(
                f"{func}: coverages={list(map(float, unknown))} are not in the back-test; it "
                f"has {', '.join(f'{c:g}' for c in have)}; pass some of those or None."
            )
        keep = np.isclose(summary["coverage"].to_numpy(dtype=float)[:, None], wanted).any(axis=1)
        table = summary[keep]
    own = ax is None
    if own:
        fig = Figure(figsize=(7.5, 4.8), dpi=100, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
    params = getattr(result, "params", None) or {}
    step = params.get("step") or params.get("horizon")
    try:
        _, unit = window_words(pd.Timedelta(step)) if step is not None else (None, "period")
    except (TypeError, ValueError):
        unit = "period"
    unit = unit if " " not in unit else "period"
    periods = getattr(result, "periods", None)
    n_periods = len(periods) if periods is not None else int(table["periods"].max())
    names = list(getattr(result, "forecasters", None) or table["forecaster"].unique())
    names = [f for f in names if f in set(table["forecaster"])]
    colours = _colours(names)
    scale = 100.0 if metric == "hit_rate" else 1.0
    ordered = [f for f in names if f != "random"] + [f for f in names if f == "random"]
    for name in ordered:
        rows = table[table["forecaster"] == name].sort_values("coverage")
        x = rows["coverage"].to_numpy(dtype=float) * 100
        y = rows[metric].to_numpy(dtype=float) * scale
        lo = rows[f"{metric}_q10"].to_numpy(dtype=float) * scale
        hi = rows[f"{metric}_q90"].to_numpy(dtype=float) * scale
        if name == "random":
            ax.plot(x, y, "--", color=colours[name], lw=1.6, label="random (no skill)", zorder=3)
            continue
        label = name
        ax.fill_between(x, lo, hi, color=colours[name], alpha=0.18, lw=0, zorder=1)
        ax.plot(x, y, "-o", color=colours[name], lw=2, ms=4, label=label, zorder=4)
    ax.set_xlabel("area flagged (% of the study area, highest risk first)")
    if metric == "hit_rate":
        ax.set_ylabel(f"hit rate (% of the next {unit}'s incidents)")
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    else:
        ax.set_ylabel("PAI (hit rate ÷ area share; random = 1)")
        ax.axhline(1.0, color=BASELINE_COLOURS["random"], lw=0.8, ls=":", zorder=2)
    ax.set_ylim(bottom=0)
    ticks = np.unique(table["coverage"].to_numpy(dtype=float) * 100)
    ax.set_xscale("log")  # coverages are spaced by ratio (1, 2, 5, 10, 20 %)
    ax.set_xticks(ticks, [f"{t:g} %" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.grid(True, color="#e5e5e5", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(
        loc="upper left" if metric == "hit_rate" else "upper right", fontsize=8, frameon=False
    )
    ax.set_title(
        f"{_backtest_title(result, unit)}\nline: all {n_periods:,} {unit}s together; band: the "
        f"10th to 90th percentile {unit}",
        fontsize=9,
        loc="left",
    )
    if own:
        ax.figure.tight_layout()
    return ax

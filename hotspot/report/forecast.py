"""The files and the "Next week" section of a patrol plan (``hotspot forecast``, the report).

Writes the forecast map, the patrol map, the table of chosen cells, the back-test's tables and
its hit-rate chart, and a plain-text summary, and returns the section's HTML. With
``public=True`` the maps and the table show ranks, not numbers (the rule of
:func:`hotspot.disclosure.disclose` for forecasts), and the per-window back-test table (whose
weekly totals can be small counts) is not written: the pooled summary is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspot.disclosure import forecast_statement
from hotspot.maps.export import export_map
from hotspot.maps.forecast import backtest_plot, patrol_map
from hotspot.report.page import escape, image_uri

__all__ = ["patrol_table", "write_forecast"]

FORECASTER_WORDS = (
    "Forecasters: average — each cell's mean weekly count over the past year; kde — kernel "
    "density of the past year's incidents; prospective — Bowers, Johnson & Pease's weights, "
    "recent and near incidents count most; sepp — a self-exciting point process (a steady "
    "background plus the short-lived extra risk each incident brings nearby, Mohler et al.); "
    "naive — last week's counts; random — no skill."
)
PATROL_COLUMNS = ("patrol_rank", "lon", "lat", "forecast_risk", "patrol_risk_share")


def patrol_table(patrols: Any, *, public: bool = False) -> pd.DataFrame:
    """The chosen cells as a table for a briefing: rank, cell id, centroid (WGS84 longitude and
    latitude, for a patrol system), expected incidents and share of the forecast risk (not
    with ``public``: a forecast's numbers give recent counts back).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> cells = hs.square_grid(inc, 1000, quiet=True)
    >>> f = hs.NaiveForecaster(periods=4).fit(inc, cells).predict()
    >>> table = patrol_table(hs.allocate_patrols(f, 3, quiet=True))
    >>> list(table.columns), len(table)
    (['patrol_rank', 'cell', 'lon', 'lat', 'forecast_risk', 'patrol_risk_share'], 3)
    """
    centres = patrols.geometry.centroid.to_crs(4326)
    table = pd.DataFrame(
        {
            "patrol_rank": patrols["patrol_rank"].to_numpy(),
            "cell": patrols.index.to_numpy(),
            "lon": np.round(centres.x.to_numpy(), 6),
            "lat": np.round(centres.y.to_numpy(), 6),
        }
    )
    if not public:
        table["forecast_risk"] = patrols["forecast_risk"].to_numpy()
        table["patrol_risk_share"] = patrols["patrol_risk_share"].to_numpy()
    return table


def _choice_html(plan: Any, public: bool) -> str:
    shown = plan.choice.copy()
    n = len(plan.patrols)
    columns = {"forecaster": "forecaster", "pooled": f"share in the {n} cells (all weeks)"}
    for column in ("q10", "q90"):
        columns[column] = f"{column[1:]}th percentile week"
    shown = shown[list(columns)].rename(columns=columns)
    for column in list(columns.values())[1:]:
        shown[column] = shown[column].map(lambda v: "n/a" if not np.isfinite(v) else f"{v:.1%}")
    return shown.to_html(index=False, escape=True, border=0)


def write_forecast(
    plan: Any,
    out: str | Path,
    *,
    name: str,
    title: str,
    offline: bool = False,
    public: bool = False,
    min_count: int = 5,
) -> tuple[str, list[str]]:
    """Write a :class:`~hotspot.forecast.plan.PatrolPlan`'s files into ``out``.

    Parameters
    ----------
    plan : PatrolPlan
        From :func:`hotspot.forecast.plan.plan_patrols`.
    out : str or Path
        The folder (created if needed).
    name : str
        The files' prefix.
    title : str
        The maps' title prefix.
    offline, public : bool
        As :func:`hotspot.maps.export_map`.
    min_count : int, default=5
        The smallest count a public version shows.

    Returns
    -------
    html : str
        The "Next week" section for the report.
    files : list of str
        The files written (names inside ``out``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    window = plan.forecast.attrs["hotspot"]["period"]
    heading = f"{title}: forecast for {window['start']} to {window['end']}"
    export_map(
        plan.forecast,
        out / f"{name}_forecast.html",
        offline=offline,
        public=public,
        min_count=min_count if public else None,
        title=heading,
    )
    patrols_heading = (
        f"{title}: {len(plan.patrols)} patrol cells, {window['start']} to {window['end']}"
    )
    if public:
        export_map(
            plan.patrols,
            out / f"{name}_patrols.html",
            offline=offline,
            public=True,
            min_count=min_count,
            title=patrols_heading,
        )
    else:
        drawn = patrol_map(plan.patrols, forecast=plan.forecast, title=patrols_heading)
        export_map(drawn, out / f"{name}_patrols.html", offline=offline, title=patrols_heading)
    files += [f"{name}_forecast.html", f"{name}_patrols.html"]
    patrol_table(plan.patrols, public=public).to_csv(out / f"{name}_patrols.csv", index=False)
    files.append(f"{name}_patrols.csv")
    plan.backtest.summary.to_csv(out / f"{name}_backtest_summary.csv", index=False)
    plan.choice.to_csv(out / f"{name}_forecaster_choice.csv", index=False)
    files += [f"{name}_backtest_summary.csv", f"{name}_forecaster_choice.csv"]
    if not public:
        plan.backtest.table.to_csv(out / f"{name}_backtest.csv", index=False)
        files.append(f"{name}_backtest.csv")
    png = _chart(plan, out / f"{name}_backtest.png")
    files.append(png.name)
    (out / f"{name}_forecast.txt").write_text(str(plan) + "\n\n" + str(plan.backtest) + "\n")
    files.append(f"{name}_forecast.txt")

    public_note = (
        f"<div class='public'>{escape(forecast_statement(min_count))}</div>" if public else ""
    )
    span = "week" if window["days"] == 7 else f"{window['days']} days"
    links = " · ".join(f"<a href='{escape(f)}'>{escape(f)}</a>" for f in files)
    section = (
        f"<h3>Next {escape(span)} <small>· {escape(window['start'])} to "
        f"{escape(window['end'])}, the {escape(span)} after the data end</small></h3>{public_note}<p class='findings'>{escape(plan.sentence())}</p>"
        f"<p>Maps: <a href='{escape(name)}_forecast.html'>the forecast</a> · "
        f"<a href='{escape(name)}_patrols.html'>the {len(plan.patrols)} patrol cells</a>. "
        "Each forecaster was refitted before every week of the back-test and scored on the "
        "week that followed; the random row is what cells picked blindly would have held.</p>"
        f"<p class='methods'>{escape(FORECASTER_WORDS)}</p>"
        f"{_choice_html(plan, public)}"
        f"<figure style='width:100%'><img src='{image_uri(png)}' "
        f"alt='back-test hit rates'><figcaption>Share of each week's incidents in the "
        "highest-risk cells against the share of the area flagged: the line is over all weeks, "
        "the band the 10th to 90th percentile week.</figcaption></figure>"
        f"<p class='methods'><b>Forecast files.</b> {links}</p>"
    )
    return section, files


def _chart(plan: Any, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4))
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    backtest_plot(plan.backtest, ax=left)
    backtest_plot(plan.backtest, ax=right, metric="pai")
    fig.tight_layout()
    fig.savefig(path, dpi=100, facecolor="white")
    return path

"""Forecast maps, patrol maps and the back-test chart (hotspot/maps/forecast.py).

References: hand-counted toy forecasts (a NaiveForecaster of one week is last week's counts),
ranks and ties counted by brute force, the coverage rule of the spec walked cell by cell, and a
stand-in back-test whose hit rates are computed here from real forecasts and real counts.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import CRS, T0, make_incidents

import hotspot as hs
from hotspot._result import stamp
from hotspot.disclosure import disclose
from hotspot.forecast._base import NaiveForecaster, RandomForecaster
from hotspot.maps.forecast import (
    PATROL_COLOUR,
    RISK_COLOURS,
    TOP_OUTLINE,
    backtest_plot,
    capture_sentence,
    forecast_map,
    patrol_map,
    top_cells,
)

PAYLOADS = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "</textarea><img src=x onerror=alert(1)>",
]
SHOTS = Path(__file__).resolve().parents[1] / "out" / "browser"


def keep(fig: Any, name: str) -> None:
    """Save a chart where the browser tests keep their screenshots (HOTSPOT_KEEP_SCREENSHOTS)."""
    if os.environ.get("HOTSPOT_KEEP_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        fig.savefig(SHOTS / name, dpi=100)


# --- reading a rendered map ----------------------------------------------------------------


def payloads(page: str, var: str) -> list[dict]:
    """The JSON data of every layer of one kind written into the page (``var d`` cells,
    ``var s`` shapes, ``var t`` labels)."""
    out = []
    for match in re.finditer(rf"var {var} = ", page):
        data, _ = json.JSONDecoder().raw_decode(page[match.end() :])
        out.append(data)
    return out


def field(data: dict, name: str) -> list:
    return data["values"][data["fields"].index(name)]


def legend(page: str) -> str:
    """The legend's text, tags stripped and entities decoded."""
    start = page.index("<div class='hotspot-legend'")
    end = page.index("</div></div>", start)
    return html.unescape(re.sub(r"<[^>]+>", " ", page[start:end]))


def render(m: Any) -> str:
    return m.get_root().render()


# --- inputs --------------------------------------------------------------------------------


def toy_cells(index: Any = None) -> gpd.GeoDataFrame:
    """A 3 × 3 grid of 100 m squares, row by row from the south-west corner."""
    boxes = [
        shapely.box(j * 100, i * 100, (j + 1) * 100, (i + 1) * 100)
        for i in range(3)
        for j in range(3)
    ]
    return gpd.GeoDataFrame(geometry=boxes, crs=CRS, index=index)


def toy_incidents() -> gpd.GeoDataFrame:
    """Last week (days 7–14 before 2024-01-15): 3 in cell 0, 1 in cell 4, 1 in cell 8; older
    ones (days 1–6) in cells 2 and 6, outside a one-week naive forecast's lookback."""
    x = [50, 60, 40, 150, 250, 250, 50]
    y = [50, 40, 60, 150, 250, 50, 250]
    days = [8, 10, 13.5, 9, 12, 2, 5]
    return make_incidents(x, y, days)


UNTIL = T0 + pd.Timedelta(days=14)  # 2024-01-15


@pytest.fixture(scope="module")
def toy_forecast() -> gpd.GeoDataFrame:
    return NaiveForecaster(periods=1).fit(toy_incidents(), toy_cells(), until=UNTIL).predict("7D")


@pytest.fixture(scope="module")
def burglary(toronto) -> gpd.GeoDataFrame:
    return toronto[toronto["category"] == "Break and Enter"]


@pytest.fixture(scope="module")
def grid150(toronto) -> gpd.GeoDataFrame:
    return hs.square_grid(toronto, 150, quiet=True)


@pytest.fixture(scope="module")
def forecast(burglary, grid150) -> gpd.GeoDataFrame:
    """Next week's burglary forecast for Toronto from the last 52 weeks (150 m cells)."""
    return NaiveForecaster(periods=52).fit(burglary, grid150, until="2020-01-06").predict("7D")


def stand_in_allocation(
    forecast: gpd.GeoDataFrame, n: int = 20, capture: dict | None = None, **params: Any
) -> gpd.GeoDataFrame:
    """What allocate_patrols returns without constraints (spec): the n highest-risk cells
    (ties in cell order) ordered by patrol_rank, with their share of the total risk."""
    chosen = forecast.sort_values("forecast_rank").iloc[:n].copy()
    chosen["patrol_rank"] = np.arange(1, n + 1)
    chosen["patrol_risk_share"] = chosen["forecast_risk"] / forecast["forecast_risk"].sum()
    record = {
        "n_areas": n,
        "min_spacing": None,
        "per_area": None,
        "districts": None,
        "excluded": 0,
        "solver": "top-n",
        "risk_share": float(chosen["patrol_risk_share"].sum()),
        **params,
    }
    if capture is not None:
        record["expected_capture"] = capture
    return stamp(
        chosen,
        kind="cells",
        method="allocate_patrols",
        params=record,
        source=forecast,
        period=forecast.attrs["hotspot"]["period"],
    )


CAPTURE = {
    "forecaster": "naive",
    "periods": 52,
    "mean": 0.14,
    "min": 0.021,
    "max": 0.21,
    "q10": 0.05,
    "q90": 0.19,
    "pooled": 0.135,
    "label": "2019",
}


# --- forecast_map: what the cells say ------------------------------------------------------


def test_tooltips_lead_with_the_rank_and_the_expected_count_counted_by_hand(toy_forecast):
    # last week's counts per cell: 3, 0, 0, 0, 1, 0, 0, 0, 1 (the one-week naive forecast)
    assert toy_forecast["forecast_risk"].tolist() == [3, 0, 0, 0, 1, 0, 0, 0, 1]
    data = payloads(render(forecast_map(toy_forecast, top=None, tiles=None)), "d")[0]
    # cells with no risk are not drawn
    assert field(data, "cell") == ["0", "4", "8"]
    assert data["sentences"] == [
        "Rank 1 of 9: 3 incidents expected this week",
        "Joint rank 2–3 of 9 (2 cells tie): 1 incident expected this week",
        "Joint rank 2–3 of 9 (2 cells tie): 1 incident expected this week",
    ]
    assert field(data, "rank") == ["1 of 9", "2–3 of 9", "2–3 of 9"]
    assert field(data, "expected incidents") == ["3.00", "1.00", "1.00"]
    # the higher risk gets the darker class
    assert data["fill"][0] > data["fill"][1] == data["fill"][2]


def test_ties_are_counted_by_brute_force_on_toronto(forecast):
    data = payloads(render(forecast_map(forecast, tiles=None)), "d")[0]
    risk = forecast["forecast_risk"].to_numpy()
    shown = forecast[forecast["forecast_risk"] > 0]
    assert len(data["sentences"]) == len(shown) == int((risk > 0).sum())
    n = len(forecast)
    rng = np.random.default_rng(0)
    for k in rng.choice(len(shown), 40, replace=False):
        r = shown["forecast_risk"].iloc[k]
        first, last = 1 + int((risk > r).sum()), int((risk >= r).sum())
        sentence = data["sentences"][k]
        if first == last:
            assert sentence.startswith(f"Rank {first:,} of {n:,}: "), sentence
        else:
            tie = f"Joint rank {first:,}–{last:,} of {n:,} ({last - first + 1:,} cells tie): "
            assert sentence.startswith(tie), sentence
        assert sentence.endswith("expected this week")
    top = data["sentences"][int(np.argmax(shown["forecast_risk"].to_numpy()))]
    expected = forecast["forecast_risk"].max()  # 42 burglaries in 52 weeks -> 0.81 a week
    assert top == f"Rank 1 of {n:,}: {expected:.2g} incidents expected this week"


def test_colours_are_quantile_classes_of_the_positive_risks(forecast):
    data = payloads(render(forecast_map(forecast, tiles=None)), "d")[0]
    fill = np.asarray(data["fill"])
    risk = forecast.loc[forecast["forecast_risk"] > 0, "forecast_risk"].to_numpy()
    assert data["palette"] == list(RISK_COLOURS[: len(data["palette"])])
    assert 3 <= len(data["palette"]) <= 6 and (fill >= 0).all()
    # classes never go down as the risk goes up, and every class is used
    order = np.argsort(risk, kind="stable")
    assert (np.diff(fill[order]) >= 0).all()
    assert set(fill) == set(range(len(data["palette"])))
    # quantile classes: no class but the tied lowest holds more than its share by much
    counts = np.bincount(fill)
    lowest_tie = int((risk == risk.min()).sum())
    assert counts[0] >= lowest_tie and (counts[1:] < 0.5 * len(risk)).all()


def test_the_legend_states_the_window_the_forecaster_and_what_the_numbers_mean():
    f = NaiveForecaster(periods=1).fit(toy_incidents(), toy_cells(), until=UNTIL).predict("14D")
    page = render(forecast_map(f, top=None, tiles=None))
    text = legend(page)
    assert "Forecast for 2024-01-15 to 2024-01-28" in text
    assert "Expected incidents per cell in the 2 weeks" in text
    assert "NaiveForecaster(period=7D, periods=1)" in text
    assert "learnt from 5 incidents, 2024-01-08 to 2024-01-15 (exclusive)" in text
    assert f.attrs["hotspot"]["forecast"]["risk"] in text
    assert "6 cells with no risk are not drawn" in text
    data = payloads(page, "d")[0]
    # two weeks at last week's rate: 6 and 2 expected
    assert data["sentences"][0] == "Rank 1 of 9: 6 incidents expected in these 2 weeks"


def test_a_score_that_only_orders_the_cells_is_never_called_a_count():
    f = RandomForecaster(rng=0).fit(toy_incidents(), toy_cells(), until=UNTIL).predict("7D")
    page = render(forecast_map(f, top=None, tiles=None))
    data = payloads(page, "d")[0]
    assert "Risk score per cell (orders the cells; not a count)" in legend(page)
    assert "expected" not in " ".join(data["sentences"])
    assert all("it is not a count" in s for s in data["sentences"])
    assert "risk score" in data["fields"] and "expected incidents" not in data["fields"]


def test_top_outlines_the_highest_ranked_cells_with_risk(forecast):
    ranked = forecast[forecast["forecast_risk"] > 0].sort_values("forecast_rank")
    risk = ranked["forecast_risk"]

    def with_ties(cells: list) -> set:
        """The cells, and every cell tied on risk with the last of them."""
        return set(cells) | set(risk.index[risk == risk[cells[-1]]])

    # a number of cells: the first 25 by rank, and their ties
    picked, ties = top_cells(forecast, 25, func="t")
    assert set(forecast.index[picked]) == with_ties(list(ranked.index[:25]))
    assert ties == picked.sum() - 25
    # a share: walk the cells by rank, one by one, until the area reaches 1 % (spec's rule)
    area = forecast.geometry.area
    target, total, walked = 0.01 * area.sum(), 0.0, []
    for cell in ranked.index:
        walked.append(cell)
        total += area[cell]
        if total >= target:
            break
    picked, ties = top_cells(forecast, 0.01, func="t")
    assert set(forecast.index[picked]) == with_ties(walked) and ties > 0
    # never a cell with no risk, however many are asked for
    assert top_cells(forecast, 10**6, func="t")[0].sum() == len(ranked)
    # the map outlines them: the first 25 and their ties
    outlined = ranked.loc[sorted(with_ties(list(ranked.index[:25])))]
    m = forecast_map(forecast, top=25, tiles=None)
    outline = next(
        c for c in m._children.values() if getattr(c, "layer_name", "").startswith("Highest risk")
    )
    shape = json.loads(outline.payload)
    assert shape["pane"] == "hotspotLabels" and shape["style"]["color"] == TOP_OUTLINE
    drawn = shapely.union_all(
        [
            shapely.Polygon(np.reshape(p[0], (-1, 2)), [np.reshape(r, (-1, 2)) for r in p[1:]])
            for p in shape["polygons"]
        ]
    )
    wanted = shapely.union_all(outlined.geometry.to_crs(4326).array)
    assert drawn.symmetric_difference(wanted).area < 1e-3 * wanted.area
    assert f"Highest risk: {len(outlined)} cells" in legend(render(m))
    with pytest.raises(hs.HotspotInputError, match="forecast_map: top=1.5 must be a number"):
        forecast_map(forecast, top=1.5)
    with pytest.raises(hs.HotspotInputError, match="forecast_map: top='all'"):
        forecast_map(forecast, top="all")


def test_user_strings_are_escaped(forecast):
    cells = toy_cells(index=pd.Index([*PAYLOADS, "a", "b", "c", "d", "e", "f"], name="beat"))
    f = NaiveForecaster(periods=1).fit(toy_incidents(), cells, until=UNTIL).predict("7D")
    labels = gpd.GeoDataFrame({"name": PAYLOADS}, geometry=shapely.points([(50, 50)] * 3), crs=CRS)
    context = gpd.GeoDataFrame(
        {"name": [PAYLOADS[2]]}, geometry=[shapely.LineString([(0, 0), (300, 300)])], crs=CRS
    )
    allocation = stand_in_allocation(f, 2, capture={**CAPTURE, "label": PAYLOADS[0]})
    allocation.attrs["hotspot"]["allocate_patrols"]["districts"] = PAYLOADS[1]
    allocation.attrs["hotspot"]["allocate_patrols"]["per_area"] = 1
    for m in (
        forecast_map(f, title=PAYLOADS[0], labels=labels, context=context, tiles=None),
        patrol_map(allocation, forecast=f, title=PAYLOADS[2], labels=labels, tiles=None),
    ):
        page = render(m)
        for payload in PAYLOADS:
            assert payload not in page
        assert html.escape(PAYLOADS[0]) in page
    text = legend(render(patrol_map(allocation, forecast=f, tiles=None)))
    assert f"each week of {PAYLOADS[0]}" in text and f"at most 1 per {PAYLOADS[1]}" in text


def test_maps_add_to_a_map_and_leave_the_input_alone(toy_forecast, forecast):
    m = forecast_map(toy_forecast, tiles=None)
    assert patrol_map(stand_in_allocation(toy_forecast, 2), m=m) is m
    assert len(payloads(render(m), "d")) == 2
    before = forecast.copy()
    attrs = copy.deepcopy(forecast.attrs)
    allocation = stand_in_allocation(forecast)
    chosen = copy.deepcopy(allocation.attrs)
    patrol_map(allocation, forecast=forecast, tiles=None)
    assert allocation.attrs["hotspot"].keys() == chosen["hotspot"].keys()
    pd.testing.assert_frame_equal(forecast, before)
    assert forecast.attrs.keys() == attrs.keys()
    assert forecast.attrs["hotspot"]["forecast"] == attrs["hotspot"]["forecast"]


def test_bad_input_says_what_to_run(forecast):
    with pytest.raises(
        hs.HotspotInputError, match="forecast_map: the forecast has no 'forecast_rank'"
    ):
        forecast_map(forecast.drop(columns="forecast_rank"))
    with pytest.raises(hs.HotspotInputError, match="forecast_map: forecast= is a DataFrame"):
        forecast_map(pd.DataFrame(forecast.drop(columns="geometry")))
    with pytest.raises(hs.HotspotInputError, match="allocate_patrols"):
        patrol_map(forecast)
    other = toy_cells()
    other["forecast_rank"] = range(1, 10)
    with pytest.raises(hs.HotspotInputError, match="not in forecast="):
        patrol_map(stand_in_allocation(forecast), forecast=other.to_crs(forecast.crs))


# --- patrol_map ----------------------------------------------------------------------------


def test_patrol_map_states_the_back_test_in_a_sentence(forecast):
    allocation = stand_in_allocation(forecast, capture=CAPTURE)
    text = legend(render(patrol_map(allocation, forecast=forecast, tiles=None)))
    assert (
        "Chosen this way each week of 2019, 20 cells held 14 % of the next week's incidents "
        "(2.1–21 % by week)." in text
    )
    none = legend(render(patrol_map(stand_in_allocation(forecast), tiles=None)))
    assert "Not back-tested" in none and "Chosen this way" not in none
    # the period may come as the back-test's period record instead of a label
    period = {k: v for k, v in CAPTURE.items() if k != "label"}
    period["period"] = {
        "start": "2019-01-07",
        "end": "2019-12-29",
        "label": "2019-01-07 to 2019-12-29",
    }
    assert capture_sentence(stand_in_allocation(forecast, capture=period)).startswith(
        "Chosen this way each week of 2019-01-07 to 2019-12-29, 20 cells held 14 %"
    )


def test_patrol_map_says_whether_the_cells_beat_random_ones(forecast):
    """The back-test's comparison with as many random cells (allocate_patrols'
    compare_random, plan_patrols' corrected one) is printed after the capture, and a rule
    that does not beat random cells is said not to."""
    better = {"wins": 50, "losses": 2, "ties": 0, "pvalue": 1e-12, "candidates": 1}
    capture = {**CAPTURE, "against_random": {**better, "reliable": True}}
    text = legend(render(patrol_map(stand_in_allocation(forecast, capture=capture), tiles=None)))
    assert (
        "They held more than as many cells picked at random in 50 of 52 weeks "
        "(sign test: p = 1e-12)." in text
    )
    worse = {"wins": 27, "losses": 25, "ties": 0, "pvalue": 1.0, "candidates": 4}
    capture = {**CAPTURE, "against_random": {**worse, "reliable": False}}
    said = capture_sentence(stand_in_allocation(forecast, capture=capture))
    assert "corrected for choosing the best of 4 forecasters: p = 1" in said
    assert "not reliably better than cells picked at random" in said
    assert "do not send patrols on it alone" in said


def test_patrol_cells_are_numbered_and_their_tooltips_say_the_rank(forecast):
    allocation = stand_in_allocation(forecast, capture=CAPTURE)
    page = render(patrol_map(allocation, forecast=forecast, tiles=None))
    data = payloads(page, "d")[0]
    numbers = next(p for p in payloads(page, "t") if p["className"] == "hotspot-cluster-label")
    assert sorted(int(label[2]) for label in numbers["labels"]) == list(range(1, 21))
    # each number sits in its cell
    lonlat = allocation.geometry.to_crs(4326)
    for lon, lat, text, *_ in numbers["labels"]:
        cell = allocation.index[allocation["patrol_rank"] == int(text)][0]
        assert lonlat[cell].buffer(1e-6).contains(shapely.Point(lon, lat))
    # the patrol cells are the last drawn, in the patrol colour, over the faint forecast
    palette, fill = data["palette"], np.asarray(data["fill"])
    chosen = fill == palette.index(PATROL_COLOUR)
    assert chosen.sum() == 20 and chosen[-20:].all()
    others = (forecast["forecast_risk"] > 0) & ~forecast.index.isin(allocation.index)
    assert len(fill) == int(others.sum()) + 20
    risk = forecast["forecast_risk"].to_numpy()
    n = len(forecast)
    for k, sentence in enumerate(data["sentences"][-20:], start=1):
        r = allocation["forecast_risk"].iloc[k - 1]
        first, last = 1 + int((risk > r).sum()), int((risk >= r).sum())
        rank = f"{first:,}" if first == last else f"{first:,}–{last:,}"
        assert sentence == (
            f"Patrol area {k} of 20 (forecast rank {rank} of {n:,}): "
            f"{r:.2g} incidents expected this week"
        ), sentence
    share = field(data, "share of the forecast risk")[-20:]
    assert share[0] == f"{100 * allocation['patrol_risk_share'].iloc[0]:.2g} %"
    # without the forecast the rank comes from the allocation's own rows
    alone = payloads(render(patrol_map(allocation, tiles=None)), "d")[0]
    assert alone["sentences"][0].startswith(f"Patrol area 1 of 20 (forecast rank 1 of {n:,}): ")


# --- export_map and disclosure ------------------------------------------------------------


def test_export_map_draws_forecasts_and_allocations_by_their_method(forecast, tmp_path):
    path = hs.maps.export_map(forecast, tmp_path / "f.html", offline=True)
    page = path.read_text()
    assert "Forecast for 2020-01-06 to 2020-01-12" in page
    assert re.search(r"<b>Method</b>: Forecast", page)
    assert hs.maps.export.external_references(page) == []
    allocation = stand_in_allocation(forecast, capture=CAPTURE)
    page = hs.maps.export_map(allocation, tmp_path / "a.html", offline=True).read_text()
    assert "Chosen this way each week of 2019" in page and "Patrol allocation" in page
    with pytest.raises(hs.HotspotInputError, match="to_png: there is no slide image of a forecast"):
        hs.maps.to_png(forecast, tmp_path / "f.png")


def test_a_public_forecast_shows_ranks_not_numbers(tmp_path):
    # the one-week naive forecast IS last week's counts: 3 in cell 0, 1 in cells 4 and 8
    f = NaiveForecaster(periods=1).fit(toy_incidents(), toy_cells(), until=UNTIL).predict("7D")
    public = disclose(f)
    assert np.isnan(public["forecast_risk"].to_numpy()[[0, 4, 8]]).all()
    assert (public["forecast_risk"].drop(index=[0, 4, 8]) == 0).all()
    assert public["forecast_rank"].tolist() == f["forecast_rank"].tolist()
    page = hs.maps.export_map(f, tmp_path / "p.html", offline=True, public=True).read_text()
    data = payloads(page, "d")[0]
    assert "expected incidents" not in data["fields"]
    assert field(data, "cell") == ["0", "4", "8"]  # cells with no risk stay undrawn
    assert data["sentences"][0].startswith("Rank 1 of 9: top 10–25 % of the cells")  # 1/9
    assert "incidents expected" not in page
    assert "the forecast is shown by rank" in legend(page)


def test_a_public_patrol_map_hides_the_risk_shares(forecast, tmp_path):
    allocation = stand_in_allocation(forecast, capture=CAPTURE)
    attrs = copy.deepcopy(allocation.attrs["hotspot"]["allocate_patrols"])
    path = hs.maps.export_map(allocation, tmp_path / "a.html", offline=True, public=True)
    page = path.read_text()
    data = payloads(page, "d")[0]
    assert "share of the forecast risk" not in data["fields"]
    assert not any("expected" in s for s in data["sentences"])
    assert "Chosen this way each week of 2019" in page  # a share of all incidents: kept
    assert "the forecast is shown by rank" in legend(page)
    assert allocation.attrs["hotspot"]["allocate_patrols"] == attrs  # the input is unchanged
    assert np.isfinite(allocation["patrol_risk_share"]).all()


# --- backtest_plot -------------------------------------------------------------------------


@dataclass(frozen=True)
class StandInBacktest:
    """The spec's BacktestResult fields (helper A writes the real one)."""

    table: pd.DataFrame
    summary: pd.DataFrame
    risks: dict
    actual: np.ndarray
    periods: pd.DataFrame
    cells: gpd.GeoDataFrame
    forecasters: tuple
    params: dict

    def plot(self, ax: Any = None) -> Any:
        return backtest_plot(self, ax=ax)


COVERAGES = (0.01, 0.02, 0.05, 0.1, 0.2)


def flagged_hits(risk: np.ndarray, actual: np.ndarray, area: np.ndarray, c: float) -> tuple:
    """The spec's coverage rule with ties in cell order, walked one cell at a time."""
    hits = flagged = 0.0
    for cell in np.argsort(-risk, kind="stable"):
        hits += actual[cell]
        flagged += area[cell]
        if flagged >= c * area.sum():
            break
    return hits, flagged / area.sum()


@pytest.fixture(scope="module")
def backtest(burglary, toronto) -> StandInBacktest:
    cells = hs.square_grid(toronto, 500, quiet=True)
    starts = pd.date_range("2019-09-02", periods=10, freq="7D")
    area = cells.geometry.area.to_numpy()
    risks = {"random": [], "naive": []}
    actual = []
    for k, start in enumerate(starts):
        week = burglary[
            (burglary["time"] >= start) & (burglary["time"] < start + pd.Timedelta("7D"))
        ]
        actual.append(hs.count_incidents(week, cells, quiet=True)["count"].to_numpy())
        risks["naive"].append(
            NaiveForecaster(periods=12)
            .fit(burglary, cells, until=start)
            .predict("7D")["forecast_risk"]
            .to_numpy()
        )
        risks["random"].append(
            RandomForecaster(rng=k)
            .fit(burglary, cells, until=start)
            .predict("7D")["forecast_risk"]
            .to_numpy()
        )
    actual = np.asarray(actual, dtype=np.int64)
    risks = {k: np.asarray(v) for k, v in risks.items()}
    rows = []
    for name, r in risks.items():
        for k, start in enumerate(starts):
            for c in COVERAGES:
                hits, share = flagged_hits(r[k], actual[k], area, c)
                total = actual[k].sum()
                rows.append(
                    {
                        "forecaster": name,
                        "period_start": start,
                        "period_end": start + pd.Timedelta("7D"),
                        "coverage": c,
                        "area_share": share,
                        "hits": hits,
                        "total": total,
                        "hit_rate": hits / total,
                        "pai": hits / total / share,
                    }
                )
    table = pd.DataFrame(rows)
    grouped = table.groupby(["forecaster", "coverage"], sort=False)
    summary = grouped.agg(
        periods=("hits", "size"),
        hits=("hits", "sum"),
        total=("total", "sum"),
        area_share=("area_share", "mean"),
        hit_rate_mean=("hit_rate", "mean"),
        hit_rate_min=("hit_rate", "min"),
        hit_rate_q10=("hit_rate", lambda v: np.quantile(v, 0.1)),
        hit_rate_q90=("hit_rate", lambda v: np.quantile(v, 0.9)),
        hit_rate_max=("hit_rate", "max"),
        pai_q10=("pai", lambda v: np.quantile(v, 0.1)),
        pai_q90=("pai", lambda v: np.quantile(v, 0.9)),
    ).reset_index()
    summary["hit_rate"] = summary["hits"] / summary["total"]
    summary["pai"] = summary["hit_rate"] / summary["area_share"]
    return StandInBacktest(
        table=table,
        summary=summary,
        risks=risks,
        actual=actual,
        periods=pd.DataFrame({"start": starts, "end": starts + pd.Timedelta("7D")}),
        cells=cells,
        forecasters=("random", "naive"),
        params={
            "method": "backtest",
            "period": {
                "start": "2019-09-02",
                "end": "2019-11-10",
                "label": "2019-09-02 to 2019-11-10",
                "days": 70,
            },
            "horizon": "7D",
            "step": "7D",
            "coverages": list(COVERAGES),
        },
    )


def test_backtest_plot_draws_the_pooled_line_the_spread_and_the_baseline(backtest, tmp_path):
    ax = backtest.plot()
    lines = {line.get_label(): line for line in ax.get_lines()}
    naive = next(v for k, v in lines.items() if k.startswith("naive"))
    random = lines["random (no skill)"]
    s = backtest.summary.set_index(["forecaster", "coverage"])
    x = np.array(COVERAGES) * 100
    assert np.allclose(naive.get_xdata(), x)
    assert np.allclose(
        naive.get_ydata(), [100 * s.loc[("naive", c), "hit_rate"] for c in COVERAGES]
    )
    assert np.allclose(
        random.get_ydata(), [100 * s.loc[("random", c), "hit_rate"] for c in COVERAGES]
    )
    assert random.get_linestyle() == "--"
    # the band runs from the 10th to the 90th percentile of the weeks
    band = ax.collections[0].get_paths()[0].vertices
    for c in COVERAGES:
        at = band[np.isclose(band[:, 0], 100 * c), 1]
        low, high = (
            100 * s.loc[("naive", c), "hit_rate_q10"],
            100 * s.loc[("naive", c), "hit_rate_q90"],
        )
        assert np.isclose(at.min(), low) and np.isclose(at.max(), high)
    # the forecast beats random flagging at every coverage in these ten weeks (planted in the
    # data: burglary concentrates where it was)
    assert (naive.get_ydata() > random.get_ydata()).all()
    legend_texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend_texts == ["naive", "random (no skill)"]
    assert ax.get_title(loc="left") == (
        "Back-test: 10 weekly forecasts, 2019-09-02 to 2019-11-10\n"
        "line: all 10 weeks together; band: the 10th to 90th percentile week"
    )
    assert "hit rate" in ax.get_ylabel() and "area flagged" in ax.get_xlabel()
    ax.figure.savefig(tmp_path / "backtest.png", dpi=100)
    keep(ax.figure, "backtest_hit_rate.png")


def test_backtest_plot_pai_and_chosen_coverages(backtest, tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2)
    backtest_plot(backtest, ax=left)
    ax = backtest_plot(backtest, ax=right, metric="pai", coverages=[0.01, 0.05])
    assert ax is right
    s = backtest.summary.set_index(["forecaster", "coverage"])
    naive = next(line for line in ax.get_lines() if line.get_label().startswith("naive"))
    assert np.allclose(naive.get_xdata(), [1, 5])
    assert np.allclose(naive.get_ydata(), [s.loc[("naive", c), "pai"] for c in (0.01, 0.05)])
    assert "PAI" in ax.get_ylabel()
    fig.savefig(tmp_path / "backtest_both.png", dpi=100)
    keep(fig, "backtest_both.png")
    with pytest.raises(hs.HotspotInputError, match=r"coverages=\[0.3\] are not in the back-test"):
        backtest_plot(backtest, coverages=[0.3])
    with pytest.raises(hs.HotspotInputError, match="metric='pei' is not one of"):
        backtest_plot(backtest, metric="pei")
    with pytest.raises(hs.HotspotInputError, match="not the result of hotspot.backtest"):
        backtest_plot(backtest.table)


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from browser import LazyBrowser

    lazy = LazyBrowser()
    yield lazy
    lazy.close()


def _screenshot(opened: Any, name: str, tmp_path: Path) -> dict:
    from browser import screenshot_stats

    stats = screenshot_stats(opened.screenshot(name, tmp_path), opened.without_layers())
    assert stats["colours"] >= 30 and stats["layers"] >= 0.003, stats
    return stats


def _clean(opened: Any) -> None:
    assert opened.errors == [] and opened.aborted == [] and opened.dialogs == []


@pytest.mark.slow
def test_forecast_map_in_a_browser(browser, forecast, tmp_path):
    from browser import open_map, pixels_of, tooltip_rows, tooltip_sentence

    path = hs.maps.export_map(
        forecast_map(forecast, title=PAYLOADS[0]), tmp_path / "f.html", offline=True
    )
    with open_map(browser, path) as opened:
        page = opened.page
        state = opened.wait_painted(min_pixels=500)
        assert pixels_of(state["colours"], RISK_COLOURS[0]) > 10
        text = page.locator("div.hotspot-legend").inner_text()
        assert text.startswith(PAYLOADS[0]) and "Forecast for 2020-01-06 to 2020-01-12" in text
        _screenshot(opened, "forecast_map", tmp_path)
        top = forecast.sort_values("forecast_rank").geometry.to_crs(4326).iloc[0].centroid
        opened.set_view(top.y, top.x, 15)
        page.wait_for_timeout(300)
        drawn = np.flatnonzero(forecast["forecast_risk"].to_numpy() > 0)
        first = int(np.flatnonzero(drawn == forecast["forecast_rank"].to_numpy().argmin())[0])
        point = opened.find_layer([first])
        assert point is not None
        tip = opened.hover(point)
        assert tooltip_sentence(tip) == (
            f"Rank 1 of {len(forecast):,}: {forecast['forecast_risk'].max():.2g} incidents "
            "expected this week"
        )
        assert list(tooltip_rows(tip)) == ["cell", "expected incidents", "rank"]
        _screenshot(opened, "forecast_map_tooltip", tmp_path)
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        _clean(opened)


@pytest.mark.slow
def test_patrol_map_in_a_browser(browser, forecast, tmp_path):
    from browser import open_map, pixels_of, tooltip_sentence

    allocation = stand_in_allocation(forecast, capture=CAPTURE)
    path = hs.maps.export_map(
        patrol_map(allocation, forecast=forecast), tmp_path / "p.html", offline=True
    )
    with open_map(browser, path) as opened:
        page = opened.page
        opened.wait_painted(min_pixels=500)
        assert "20 cells held 14 %" in page.locator("div.hotspot-legend").inner_text()
        _screenshot(opened, "patrol_map", tmp_path)
        first = allocation.geometry.to_crs(4326).iloc[0].centroid
        before = opened.canvas()
        opened.set_view(first.y, first.x, 15)
        state = opened.wait_changed(before)
        assert pixels_of(state["colours"], PATROL_COLOUR) > 100  # cell 1, seen close up
        numbers = opened.label_boxes(".hotspot-cluster-label")
        assert any(b["text"] == "1" and b["visible"] for b in numbers)
        n_under = int(
            ((forecast["forecast_risk"] > 0) & ~forecast.index.isin(allocation.index)).sum()
        )
        point = opened.find_layer([n_under + k for k in range(20)])
        assert point is not None
        tip = opened.hover(point)
        assert tooltip_sentence(tip).startswith("Patrol area "), tip
        _screenshot(opened, "patrol_map_tooltip", tmp_path)
        _clean(opened)

"""Next week's patrol plan (hotspot/forecast/plan.py), its files (hotspot/report/forecast.py),
``hotspot forecast`` and the back-test on Toronto the issue asks for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.cli import main
from hotspot.errors import HotspotInputError
from hotspot.forecast.plan import default_forecasters, plan_patrols
from hotspot.maps.forecast import capture_sentence
from hotspot.report.forecast import patrol_table, write_forecast
from hotspot.simulate import simulate_incidents

HOTSPOTS = [
    {"x": 432_000, "y": 432_000, "radius": 120, "profile": "persistent", "rate": 6},
    {"x": 437_000, "y": 436_000, "radius": 150, "profile": "persistent", "rate": 4},
]


@pytest.fixture(scope="module")
def city():
    """80 weeks of a city with two persistent hot spots over a background, 250 m cells."""
    incidents, _ = simulate_incidents(
        n_background=3000, hotspots=HOTSPOTS, periods=80, start="2023-01-02", rng=11
    )
    grid = hs.square_grid(incidents, 250, quiet=True)
    return incidents, grid


@pytest.fixture(scope="module")
def plan(city):
    incidents, grid = city
    fast = {"average": default_forecasters()["average"], "kde": hs.KDEForecaster()}
    return plan_patrols(incidents, grid, areas=5, windows=8, forecasters=fast, rng=3, quiet=True)


def test_plan_picks_the_best_forecaster_by_its_back_test(plan):
    choice = plan.choice
    assert set(choice["forecaster"]) == {"average", "kde", "naive", "random"}
    assert choice["pooled"].is_monotonic_decreasing
    assert plan.forecaster == choice[choice["forecaster"] != "random"]["forecaster"].iloc[0]
    # the planted hot spots persist: cells chosen from the past beat cells chosen blindly
    best = choice.set_index("forecaster")["pooled"]
    assert best[plan.forecaster] > 5 * best["random"]
    # the capture recorded with the patrols is the chosen forecaster's row of the table
    capture = plan.capture
    assert capture["forecaster"] == plan.forecaster
    assert capture["pooled"] == pytest.approx(best[plan.forecaster])
    assert capture["periods"] + capture["empty_periods"] == plan.params["windows"] == 8


def test_beating_random_on_planted_hot_spots_is_said_to_be_reliable(plan):
    against = plan.params["against_random"]
    # candidates: average, kde and the naive baseline (random is what they are tested against)
    assert against["candidates"] == 3
    assert against["wins"] + against["losses"] + against["ties"] == 8
    assert against["reliable"] and against["wins"] == 8  # every week, p = 3 x 0.5**8
    assert against["pvalue"] == pytest.approx(3 * 0.5**8)
    assert "not reliably better" not in plan.sentence()
    # the patrols carry the corrected comparison, for patrol_map and the report
    assert plan.capture["against_random"] == against
    assert "corrected for choosing the best of 3 forecasters" in capture_sentence(plan.patrols)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_city_without_any_pattern_is_not_said_to_be_forecastable(seed):
    """A homogeneous Poisson city (no hot spot, no near repeat, no gradient): whichever
    forecaster wins the back-test, the plan must not claim it beats random cells."""
    from hotspot.simulate import simulate_self_exciting

    incidents, _ = simulate_self_exciting(
        background_rate=20.0, theta=0.0, days=420, background="uniform", rng=seed
    )
    grid = hs.square_grid(incidents, 250, quiet=True)
    fast = {"average": default_forecasters()["average"], "kde": hs.KDEForecaster()}
    plan = plan_patrols(
        incidents, grid, areas=20, windows=20, forecasters=fast, rng=seed, quiet=True
    )
    assert not plan.params["against_random"]["reliable"]
    assert "not reliably better than cells picked at random" in plan.sentence()


def test_plan_forecasts_the_window_after_the_data_end(city, plan):
    incidents, _ = city
    last_day = incidents["time"].max().normalize()
    origin = last_day + pd.Timedelta(days=1)
    assert plan.params["origin"] == f"{origin:%Y-%m-%d}"
    window = plan.forecast.attrs["hotspot"]["period"]
    assert window["start"] == f"{origin:%Y-%m-%d}" and window["days"] == 7
    training = plan.forecast.attrs["hotspot"]["forecast"]["training"]
    assert training["end"] == f"{origin:%Y-%m-%d}" and training["after_until"] == 0
    # the back-test ends where the forecast starts, 8 weeks of windows
    periods = plan.backtest.periods
    assert periods["end"].iloc[-1] == origin and len(periods) == 8
    assert len(plan.patrols) == 5
    assert plan.patrols["patrol_rank"].tolist() == [1, 2, 3, 4, 5]
    sentence = plan.sentence()
    assert window["start"] in sentence and "picked at random" in sentence


def test_plan_is_reproducible_with_the_same_rng(city, plan):
    incidents, grid = city
    fast = {"average": default_forecasters()["average"], "kde": hs.KDEForecaster()}
    again = plan_patrols(incidents, grid, areas=5, windows=8, forecasters=fast, rng=3, quiet=True)
    pd.testing.assert_frame_equal(again.choice, plan.choice)
    pd.testing.assert_frame_equal(again.backtest.table, plan.backtest.table)
    assert again.patrols.index.tolist() == plan.patrols.index.tolist()


def test_short_data_are_refused_with_the_reason(city):
    incidents, grid = city
    short = incidents[incidents["time"] < incidents["time"].min() + pd.Timedelta(days=30)]
    with pytest.raises(HotspotInputError, match="too short for a back-test"):
        plan_patrols(short, grid, quiet=True)
    with pytest.raises(HotspotInputError, match="areas"):
        plan_patrols(incidents, grid, areas=0, quiet=True)


def test_files_and_the_public_version(plan, tmp_path):
    html, files = write_forecast(plan, tmp_path, name="city", title="A <b>city</b>")
    assert {
        "city_forecast.html",
        "city_patrols.html",
        "city_patrols.csv",
        "city_backtest.csv",
    } <= set(files)
    assert all((tmp_path / f).is_file() for f in files)
    assert "A &lt;b&gt;city&lt;/b&gt;" in (tmp_path / "city_forecast.html").read_text()
    assert "Next week" in html and "<b>city" not in html
    table = pd.read_csv(tmp_path / "city_patrols.csv")
    assert table["patrol_rank"].tolist() == [1, 2, 3, 4, 5]
    assert np.allclose(table["forecast_risk"], plan.patrols["forecast_risk"])
    # public: ranks only, and no per-window table (its weekly totals can be small counts)
    public = tmp_path / "public"
    _, files = write_forecast(plan, public, name="city", title="city", public=True)
    assert "city_backtest.csv" not in files and not (public / "city_backtest.csv").exists()
    assert list(pd.read_csv(public / "city_patrols.csv").columns) == [
        "patrol_rank",
        "cell",
        "lon",
        "lat",
    ]
    assert list(patrol_table(plan.patrols, public=True).columns) == [
        "patrol_rank",
        "cell",
        "lon",
        "lat",
    ]


def test_cli_forecast_writes_the_plan(city, tmp_path, capsys):
    incidents, _ = city
    frame = incidents.to_crs(4326)
    csv = tmp_path / "city.csv"
    pd.DataFrame(
        {
            "date": frame["time"].dt.strftime("%Y-%m-%d %H:%M"),
            "lon": frame.geometry.x,
            "lat": frame.geometry.y,
            "category": frame["category"],
        }
    ).to_csv(csv, index=False)
    out = tmp_path / "out"
    args = ["forecast", str(csv), "--out", str(out), "--areas", "4", "--windows", "4"]
    assert main([*args, "--quiet", "--crs", "EPSG:27700"]) == 0
    printed = capsys.readouterr().out
    assert "4 cells for" in printed and "city_patrols.csv" in printed
    assert len(pd.read_csv(out / "city_patrols.csv")) == 4
    # a second run into the same folder refuses without --overwrite
    assert main([*args, "--quiet"]) == 2
    assert "--overwrite" in capsys.readouterr().err


@pytest.mark.slow
def test_toronto_break_and_enter_every_forecaster_beats_random_in_2019():
    """The issue's reference run: weekly over 2019 at 150 m, the four forecasters."""
    inc = hs.datasets.load_toronto(quiet=True)
    burglary = inc[inc["category"] == "Break and Enter"]
    cells = hs.square_grid(burglary, 150, quiet=True)

    def run():
        return hs.backtest(
            burglary,
            cells,
            default_forecasters(),
            start="2019-01-07",
            end="2020-01-06",
            rng=0,
            quiet=True,
        )

    result = run()
    at5 = result.summary[np.isclose(result.summary["coverage"], 0.05)].set_index("forecaster")
    random_pai = at5.loc["random", "pai"]
    assert 0.8 < random_pai < 1.2  # no skill is PAI 1
    for name in ("average", "kde", "prospective", "sepp", "naive"):
        assert at5.loc[name, "pai"] > 2 * random_pai, name
        # and in most weeks, not only pooled
        weekly = result.table[
            (result.table["forecaster"] == name) & np.isclose(result.table["coverage"], 0.05)
        ]
        rand = result.table[
            (result.table["forecaster"] == "random") & np.isclose(result.table["coverage"], 0.05)
        ]
        assert (weekly["pai"].to_numpy() > rand["pai"].to_numpy()).mean() > 0.9, name
    pd.testing.assert_frame_equal(run().table, result.table)

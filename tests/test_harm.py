"""Harm weights: a pandas map of the table, unmatched categories reported, the contract."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from helpers import EXAMPLE_HARM

from hotspot.errors import HotspotInputError
from hotspot.incidents.harm import harm_weights, normalise_category

EXAMPLE = EXAMPLE_HARM  # made-up numbers, not published harm weights


def test_harm_equals_a_pandas_map_of_the_table(west_yorkshire):
    out = harm_weights(west_yorkshire, EXAMPLE)
    expected = west_yorkshire["category"].map(EXAMPLE).astype(float)
    pd.testing.assert_series_equal(out["harm"], expected, check_names=False)
    assert out["harm"].dtype == np.float64 and (out["harm"] >= 0).all()
    record = out.attrs["hotspot"]["harm_weights"]
    assert record["matched"] == len(west_yorkshire) and record["defaulted"] == 0
    assert record["unmatched"] == {}
    assert record["used"] == EXAMPLE and record["table"] == EXAMPLE
    assert record["total"] == pytest.approx(expected.sum(), rel=1e-12)


@pytest.mark.parametrize("form", ["dict", "series", "frame", "csv"])
def test_every_form_of_table_gives_the_same_weights(west_yorkshire, tmp_path, form):
    frame = pd.DataFrame({"category": list(EXAMPLE), "weight": list(EXAMPLE.values())})
    if form == "csv":
        path = tmp_path / "weights.csv"
        frame.to_csv(path, index=False)
        table, source = path, f"CSV {path}"
    else:
        table, source = {
            "dict": (EXAMPLE, "dict"),
            "series": (pd.Series(EXAMPLE), "Series"),
            "frame": (frame, "DataFrame"),
        }[form]
    out = harm_weights(west_yorkshire, table)
    np.testing.assert_array_equal(
        out["harm"].to_numpy(), west_yorkshire["category"].map(EXAMPLE).to_numpy(dtype=float)
    )
    assert out.attrs["hotspot"]["harm_weights"]["source"] == source


def test_matching_ignores_case_and_spaces_only(west_yorkshire):
    shouted = {f"  {k.upper()}  ".replace(" ", "  "): v for k, v in EXAMPLE.items()}
    out = harm_weights(west_yorkshire, shouted)
    np.testing.assert_array_equal(
        out["harm"].to_numpy(), west_yorkshire["category"].map(EXAMPLE).to_numpy(dtype=float)
    )
    # no fuzzy matching: a plural is another category
    plural = {**EXAMPLE, "Burglaries": EXAMPLE["Burglary"]}
    del plural["Burglary"]
    with pytest.raises(HotspotInputError, match="'Burglary' \\(6,195\\)"):
        harm_weights(west_yorkshire, plural)
    assert normalise_category(" Anti-social\tbehaviour ") == "anti-social behaviour"


def test_missing_categories_raise_listing_them_with_counts(west_yorkshire):
    partial = {"Burglary": 20.0, "Robbery": 100.0}
    counts = west_yorkshire["category"].value_counts()
    with pytest.raises(HotspotInputError) as err:
        harm_weights(west_yorkshire, partial)
    message = str(err.value)
    assert message.startswith("harm_weights: ")
    n_missing = int(counts.drop(["Burglary", "Robbery"]).sum())
    assert f"{n_missing:,} incidents have categories not in the table" in message
    assert f"'Violence and sexual offences' ({counts['Violence and sexual offences']:,})" in message
    assert "default=" in message


def test_default_weights_the_rest_and_reports_them(west_yorkshire):
    partial = {"Burglary": 20.0, "Robbery": 100.0}
    out = harm_weights(west_yorkshire, partial, default=1)
    expected = west_yorkshire["category"].map(partial).fillna(1.0).to_numpy(dtype=float)
    np.testing.assert_array_equal(out["harm"].to_numpy(), expected)
    record = out.attrs["hotspot"]["harm_weights"]
    counts = west_yorkshire["category"].value_counts()
    assert record["unmatched"] == counts.drop(["Burglary", "Robbery"]).to_dict()
    assert record["matched"] == counts["Burglary"] + counts["Robbery"]
    assert record["matched"] + record["defaulted"] == len(west_yorkshire)
    assert record["default"] == 1.0


def test_missing_category_values_are_counted_as_missing(west_yorkshire):
    inc = west_yorkshire.head(100).copy()
    inc.loc[inc.index[:3], "category"] = None
    with pytest.raises(HotspotInputError, match="'<missing>' \\(3\\)"):
        harm_weights(inc, EXAMPLE)
    out = harm_weights(inc, EXAMPLE, default=0)
    assert out["harm"].iloc[:3].tolist() == [0.0, 0.0, 0.0]
    assert out.attrs["hotspot"]["harm_weights"]["unmatched"] == {"<missing>": 3}


def test_contract_stamp_and_input_unchanged(west_yorkshire):
    before = west_yorkshire.copy()
    attrs = copy.deepcopy(west_yorkshire.attrs)
    out = harm_weights(west_yorkshire, EXAMPLE)
    pd.testing.assert_frame_equal(west_yorkshire, before)
    assert west_yorkshire.attrs.keys() == attrs.keys()
    assert west_yorkshire.attrs["hotspot"].keys() == attrs["hotspot"].keys()
    assert "harm_weights" not in west_yorkshire.attrs["hotspot"]
    assert "harm" not in west_yorkshire.columns
    meta = out.attrs["hotspot"]
    assert (meta["kind"], meta["method"]) == ("incidents", "harm_weights")
    assert meta["period"]["label"] == "Jul 2016, Jul 2017, Jul 2018"  # the incidents' period
    assert "load_report" in meta and "rng_seed" in meta
    assert [c for c in out.columns if c not in west_yorkshire.columns] == ["harm"]


def test_an_existing_harm_column_is_replaced_and_recorded(west_yorkshire):
    once = harm_weights(west_yorkshire, EXAMPLE)
    twice = harm_weights(once, {k: 1.0 for k in EXAMPLE})
    assert (twice["harm"] == 1.0).all()
    assert twice.attrs["hotspot"]["harm_weights"]["replaced"] is True


@pytest.mark.parametrize(
    ("table", "kwargs", "match"),
    [
        ({"Burglary": -1}, {"default": 0}, "weight -1; every weight must be a finite number"),
        ({"Burglary": float("nan")}, {"default": 0}, "weight nan"),
        ({"Burglary": "5"}, {"default": 0}, "weight '5'"),
        ({"Burglary": True}, {"default": 0}, "weight True"),
        ({"Burglary": 1, " burglary": 2}, {"default": 0}, "same category"),
        ({}, {}, "table= is empty"),
        ([("Burglary", 1)], {}, "table= is a list"),
        ("/no/such/file.csv", {}, "is not a file"),
        (pd.DataFrame({"crime": ["Burglary"], "w": [1]}), {}, "no 'category' column"),
        (EXAMPLE, {"default": -2}, "default=-2 must be None or a finite number"),
        (EXAMPLE, {"category": "crime_type"}, "no 'crime_type' column"),
    ],
)
def test_bad_tables_and_parameters(west_yorkshire, table, kwargs, match):
    with pytest.raises(HotspotInputError, match=match) as err:
        harm_weights(west_yorkshire, table, **kwargs)
    assert str(err.value).startswith("harm_weights: ")


@pytest.mark.parametrize(
    ("weights", "name"), [("harm", "harm-weighted count"), (None, "weighted count")]
)
def test_counts_map_calls_a_weighted_count_by_its_name(west_yorkshire, weights, name):
    import re

    import hotspot as hs

    harmed = harm_weights(west_yorkshire, EXAMPLE)
    grid = hs.hex_grid(harmed, 3000, quiet=True)
    given = "harm" if weights else harmed["harm"].to_numpy()
    cells = hs.count_incidents(harmed, grid, incident_weights=given, quiet=True)
    html = hs.maps.counts_map(cells, "count_weighted", tiles=None).get_root().render()
    sentences = re.findall(r"(?:harm-)?weighted count [0-9][^\"<]*\(Jul 2016", html)
    shown = int((cells["count_weighted"] > 0).sum())
    assert len(sentences) == shown
    assert all(s.startswith(name + " ") for s in sentences)
    assert f"<b>{name}</b>" in html  # the legend title
    assert "count_weighted" not in html  # nor the column's name in a tooltip
    assert not re.search(r"[0-9] incidents? \(Jul 2016", html)  # no cell says "incidents"
    # the plain count still reads as incidents
    plain = hs.maps.counts_map(cells, tiles=None).get_root().render()
    assert re.search(r"[0-9] incidents \(Jul 2016", plain)

"""Place names from the data: districts, neighbourhoods, streets and their label positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

import hotspot as hs
from hotspot.places import area_names, location_texts, place_labels, thin_labels


def _frame(**columns):
    n = len(next(iter(columns.values())))
    xy = np.arange(2 * n, dtype=float).reshape(n, 2) * 100 + 400_000
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], **columns})
    return hs.read_incidents(frame, x="x", y="y", crs=27700, quiet=True)


def test_names_are_cleaned_per_schema():
    police = _frame(**{"LSOA name": ["Leeds 111B", "Bradford 002A", "nan", " Wakefield 010C "]})
    assert area_names(police).tolist()[:2] == ["Leeds", "Bradford"]
    assert pd.isna(area_names(police).iloc[2]) and area_names(police).iloc[3] == "Wakefield"
    toronto = _frame(Neighbourhood=["Annex (95)", "Moss Park (73)", "NSA"])
    assert area_names(toronto).tolist()[:2] == ["Annex", "Moss Park"]
    assert pd.isna(area_names(toronto).iloc[2])  # "NSA": no specified address
    streets = _frame(Location=["On or near Briggate", "On or near", ""])
    assert location_texts(streets).iloc[0] == "On or near Briggate"
    assert location_texts(streets).iloc[1:].isna().all()
    assert area_names(_frame(other=["a", "b"])) is None
    assert place_labels(_frame(other=["a", "b"])) is None


def test_labels_sit_at_the_median_of_each_area(west_yorkshire):
    labels = place_labels(west_yorkshire)
    district = west_yorkshire["LSOA name"].str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    xy = shapely.get_coordinates(west_yorkshire.geometry.array)
    frame = pd.DataFrame({"d": district.to_numpy(), "x": xy[:, 0], "y": xy[:, 1]})
    medians = frame.groupby("d")[["x", "y"]].median()
    sizes = frame.groupby("d").size()
    got = shapely.get_coordinates(labels.geometry.array)
    np.testing.assert_allclose(got, medians.loc[labels["name"]].to_numpy())
    assert labels["n_incidents"].tolist() == sizes.loc[labels["name"]].tolist()
    assert labels["n_incidents"].is_monotonic_decreasing
    assert int(labels["n_incidents"].sum()) == len(west_yorkshire)


def test_thinning_keeps_the_busiest_and_the_spacing(toronto):
    labels = place_labels(toronto)
    kept = thin_labels(labels, 2000)
    xy = shapely.get_coordinates(kept.geometry.array)
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    assert (gaps[np.triu_indices(len(xy), 1)] >= 2000).all()
    assert kept["name"].iloc[0] == labels["name"].iloc[0]  # the busiest always stays
    # every label left out is within 2 km of a busier one that was kept
    all_xy = shapely.get_coordinates(labels.geometry.array)
    for i in np.flatnonzero(~labels.index.isin(kept.index)):
        busier = kept.index[kept.index < labels.index[i]]
        near = np.hypot(*(shapely.get_coordinates(kept.loc[busier].geometry.array) - all_xy[i]).T)
        assert (near < 2000).any()

"""Harm weights: a weight per incident from its category and a table the analyst supplies.

Counting every incident as one treats a homicide like a shoplifting. A harm index weights each
category instead, e.g. by the days of imprisonment its sentencing guidelines start from (the
Cambridge Crime Harm Index) or by the ONS Crime Severity Score. hotspot ships no such table:
published indices are per offence code, and the categories of open data (police.uk's 14) are
broader, so any mapping is the analyst's judgement. See ``docs/methods/harm.md``.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspot._messages import first_rows
from hotspot._period import incidents_period
from hotspot._result import stamp
from hotspot._validate import check_columns
from hotspot.errors import HotspotInputError

__all__ = ["HARM_COLUMN", "harm_weights", "normalise_category"]

#: The column :func:`harm_weights` writes.
HARM_COLUMN = "harm"
_FUNC = "harm_weights"
_MISSING_LABEL = "<missing>"


def normalise_category(value: object) -> str:
    """A category as it is matched: stripped, inner spaces collapsed to one, case folded.

    Examples
    --------
    >>> normalise_category("  Anti-social   BEHAVIOUR ")
    'anti-social behaviour'
    """
    return " ".join(str(value).split()).casefold()


def _read_table(table: object) -> tuple[dict[str, float], str]:
    """The table as {label: weight} (labels as given) and a description of where it came from."""
    source = type(table).__name__
    if isinstance(table, str | os.PathLike):
        path = Path(table)
        if not path.is_file():
            raise HotspotInputError(
                f"{_FUNC}: table={os.fspath(table)!r} is not a file; pass a CSV with "
                "'category' and 'weight' columns, a dict or a pandas Series."
            )
        try:
            table = pd.read_csv(path)
        except (ValueError, OSError, UnicodeDecodeError) as err:
            raise HotspotInputError(
                f"{_FUNC}: table={os.fspath(path)!r} cannot be read as CSV ({err}); pass a CSV "
                "with 'category' and 'weight' columns."
            ) from None
        source = f"CSV {os.fspath(path)}"
    if isinstance(table, pd.DataFrame):
        check_columns(
            table,
            ["category", "weight"],
            func=_FUNC,
            what="table",
            fix="pass a table with one row per category and its weight",
        )
        labels, weights = table["category"].tolist(), table["weight"].tolist()
        source = source if source.startswith("CSV") else "DataFrame"
    elif isinstance(table, pd.Series):
        labels, weights = table.index.tolist(), table.tolist()
    elif isinstance(table, dict):
        labels, weights = list(table), list(table.values())
    else:
        raise HotspotInputError(
            f"{_FUNC}: table= is a {type(table).__name__}; pass a dict {{category: weight}}, a "
            "pandas Series, a DataFrame with 'category' and 'weight' columns or a CSV path."
        )
    if not labels:
        raise HotspotInputError(f"{_FUNC}: table= is empty; give at least one category.")
    out: dict[str, float] = {}
    for label, weight in zip(labels, weights, strict=True):
        if not isinstance(label, str) or not label.strip():
            raise HotspotInputError(
                f"{_FUNC}: table= has the category {label!r}, not a text label; name every "
                "category as it is written in the incidents."
            )
        ok = isinstance(weight, int | float | np.integer | np.floating) and not isinstance(
            weight, bool | np.bool_
        )
        if not ok or not math.isfinite(float(weight)) or float(weight) < 0:
            raise HotspotInputError(
                f"{_FUNC}: table= gives {label!r} the weight {weight!r}; every weight must be a "
                "finite number, 0 or more."
            )
        out[label] = float(weight)
    return out, source


def _by_key(table: dict[str, float]) -> dict[str, float]:
    """The table by normalised label; two labels that normalise alike must agree."""
    keyed: dict[str, float] = {}
    first: dict[str, str] = {}
    for label, weight in table.items():
        key = normalise_category(label)
        if key in keyed and keyed[key] != weight:
            raise HotspotInputError(
                f"{_FUNC}: table= gives {first[key]!r} the weight {keyed[key]:g} and {label!r} "
                f"the weight {weight:g}; they are the same category once case and spaces are "
                "ignored: keep one."
            )
        keyed[key] = weight
        first.setdefault(key, label)
    return keyed


def _check_default(default: object) -> float | None:
    if default is None:
        return None
    ok = isinstance(default, int | float | np.integer | np.floating) and not isinstance(
        default, bool | np.bool_
    )
    if not ok or not math.isfinite(float(default)) or float(default) < 0:
        raise HotspotInputError(
            f"{_FUNC}: default={default!r} must be None or a finite number, 0 or more, e.g. 1."
        )
    return float(default)


def harm_weights(
    incidents: pd.DataFrame,
    table: Any,
    *,
    category: str = "category",
    default: float | None = None,
) -> pd.DataFrame:
    """A copy of the incidents with a ``harm`` column: each incident's weight from ``table``.

    Parameters
    ----------
    incidents : GeoDataFrame or DataFrame
        Incidents with a category column (from :func:`hotspot.read_incidents`).
    table : dict, Series, DataFrame or path
        The weight of each category: ``{category: weight}``, a Series indexed by category, a
        DataFrame (or a CSV file) with ``category`` and ``weight`` columns. Weights are finite
        numbers, 0 or more, e.g. days of imprisonment (Cambridge Crime Harm Index) or an ONS
        Crime Severity Score. Categories are matched exactly once surrounding and repeated
        spaces are removed and case is ignored (:func:`normalise_category`); nothing else is
        guessed.
    category : str, default="category"
        The incidents' column of categories.
    default : float, optional
        The weight of incidents whose category is not in ``table`` (or missing). Without it
        such incidents are an error that lists their categories and counts.

    Returns
    -------
    GeoDataFrame or DataFrame
        A copy of ``incidents`` with a float ``harm`` column (replacing one it had), stamped
        with kind ``"incidents"`` and method ``"harm_weights"``.
        ``attrs["hotspot"]["harm_weights"]`` records ``category``, ``default``, ``source``
        (where the table came from), ``table`` (the table as given), ``used`` (each category
        found in the incidents and the weight it got), ``unmatched`` (categories not in the
        table and their incident counts, ``"<missing>"`` for a missing category), ``incidents``,
        ``matched`` and ``defaulted`` (``incidents == matched + defaulted``), ``total`` (the sum
        of ``harm``) and ``replaced`` (whether a ``harm`` column was overwritten).

    Raises
    ------
    HotspotInputError
        When the table is malformed (a negative, missing or non-numeric weight; two labels for
        one category with different weights), the category column is absent, or, without
        ``default``, some incidents' categories are not in the table.

    Notes
    -----
    Weighted counts per cell: :func:`hotspot.count_incidents` with ``incident_weights="harm"``.
    hotspot ships no published weights (``docs/methods/harm.md`` says why and where to find
    them); the table in the example is made up.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.incidents.harm import harm_weights
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> made_up = {"Violence and sexual offences": 10, "Burglary": 5}  # NOT published weights
    >>> weighted = harm_weights(inc, made_up, default=1)
    >>> record = weighted.attrs["hotspot"]["harm_weights"]
    >>> record["matched"] + record["defaulted"] == len(inc), float(weighted["harm"].max())
    (True, 10.0)
    """
    if not isinstance(incidents, pd.DataFrame):
        raise HotspotInputError(
            f"{_FUNC}: incidents= is a {type(incidents).__name__}; pass incidents from "
            "hotspot.read_incidents(...)."
        )
    if not isinstance(category, str):
        raise HotspotInputError(
            f"{_FUNC}: category={category!r} must be the name of the incidents' category column."
        )
    check_columns(
        incidents,
        [category],
        func=_FUNC,
        what="incidents frame",
        fix="pass category= the column that holds the crime type",
    )
    default = _check_default(default)
    given, source = _read_table(table)
    keyed = _by_key(given)

    values = incidents[category]
    missing = values.isna().to_numpy()
    labels = np.where(missing, _MISSING_LABEL, values.astype(object).astype(str).to_numpy())
    distinct, inverse = np.unique(labels, return_inverse=True)
    found = {
        label: keyed.get(normalise_category(label)) if label != _MISSING_LABEL else None
        for label in distinct
    }
    lookup = np.array(
        [np.nan if found[label] is None else found[label] for label in distinct], dtype=float
    )
    harm = lookup[inverse]
    unmatched_rows = np.isnan(harm)
    sizes = np.bincount(inverse, minlength=len(distinct))
    unmatched = {
        str(label): int(n)
        for label, n in sorted(
            zip(distinct, sizes, strict=True), key=lambda item: (-item[1], str(item[0]))
        )
        if found[label] is None
    }
    if unmatched and default is None:
        listed = ", ".join(f"{label!r} ({n:,})" for label, n in list(unmatched.items())[:10])
        more = f" and {len(unmatched) - 10} more" if len(unmatched) > 10 else ""
        raise HotspotInputError(
            f"{_FUNC}: {int(unmatched_rows.sum()):,} incidents have categories not in the "
            f"table: {listed}{more} (rows {first_rows(incidents.index[unmatched_rows])}); add "
            "them to the table or pass default= a weight for them."
        )
    if default is not None:
        harm = np.where(unmatched_rows, default, harm)

    out = incidents.copy()
    replaced = HARM_COLUMN in out.columns
    out[HARM_COLUMN] = harm.astype(float)
    out.attrs = dict(out.attrs)
    params = {
        "category": category,
        "default": default,
        "source": source,
        "table": given,
        "used": {str(k): v for k, v in found.items() if v is not None},
        "unmatched": unmatched,
        "incidents": len(incidents),
        "matched": int((~unmatched_rows).sum()),
        "defaulted": int(unmatched_rows.sum()),
        "total": float(math.fsum(harm.tolist())),
        "replaced": replaced,
    }
    return stamp(
        out,
        kind="incidents",
        method=_FUNC,
        params=params,
        source=incidents,
        period=incidents_period(incidents),
    )

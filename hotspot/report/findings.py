"""Key findings in plain words, generated from an analysis's results (the report's first
paragraph)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspot.disclosure import check_min_count, suppressed_text

PATTERN_ORDER = (
    "new hot spot",
    "intensifying hot spot",
    "consecutive hot spot",
    "persistent hot spot",
    "sporadic hot spot",
    "oscillating hot spot",
    "diminishing hot spot",
    "historical hot spot",
)


# Where results made before the result contract keep their parameters, by method.
LEGACY_KEYS = {"emerging_hotspots": "emerging"}


def params_of(result: Any, method: str) -> dict[str, Any]:
    """The parameters ``method`` recorded in ``result.attrs["hotspot"]`` (under its name, or
    the key it used before the result contract); empty when there are none.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame()
    >>> frame.attrs["hotspot"] = {"method": "emerging_hotspots", "emerging": {"alpha": 0.05}}
    >>> params_of(frame, "emerging_hotspots")
    {'alpha': 0.05}
    """
    meta = (getattr(result, "attrs", None) or {}).get("hotspot") or {}
    for key in (method, LEGACY_KEYS.get(method)):
        if key and isinstance(meta.get(key), dict):
            return meta[key]
    return {}


def _share_of_busiest(counts: np.ndarray, places: float = 0.05) -> tuple[float, int]:
    """Share of incidents in the busiest ``places`` share of cells, and that many cells."""
    counts = np.sort(np.nan_to_num(np.asarray(counts, dtype=float)))[::-1]
    k = max(1, int(round(places * len(counts))))
    total = counts.sum()
    return (float(counts[:k].sum() / total) if total else 0.0), k


def _areas_text(table: pd.DataFrame) -> str:
    if "area" not in table or table["area"].isna().all():
        return ""
    by_area = table["area"].value_counts()
    parts = [f"{name} ({k})" for name, k in by_area.head(4).items()]
    return f" The top {len(table)} are in " + ", ".join(parts) + "."


def key_findings(analysis: Any, public: bool = False, min_count: int = 5) -> str:
    """A plain-language paragraph of what the analysis found, for the top of its report section.

    Every number comes from the analysis's own results; public versions give no count below
    ``min_count`` (:mod:`hotspot.disclosure`'s wording: "fewer than 5 incidents").

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.analyze import run_analysis
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> a = run_analysis(inc, name="wy", title="WY", cell_size=2000, grid="hex",
    ...                  permutations=99, progress=False)
    >>> key_findings(a).startswith("In Jul 2016, Jul 2017, Jul 2018, 83,")
    True
    """
    min_count = check_min_count(min_count, func="key_findings")
    a = analysis
    cells = a.cells
    grid = cells.attrs["hotspot"]["grid"]
    period = a.period["label"] if a.period else "the period of the data"
    counts = cells["count"].to_numpy()
    used = int((counts > 0).sum())
    share, k = _share_of_busiest(counts)
    counted = int(np.nansum(counts))
    where = (
        f"{len(cells):,} {grid['cell_size']:,.0f} m cells"
        if counted == a.n_incidents
        else f"{len(cells):,} {grid['cell_size']:,.0f} m cells of the study area, which holds "
        f"{counted:,} of them"
    )
    sentences = [
        f"In {period}, {a.n_incidents:,} incidents were analysed on {where}; "
        f"{used:,} cells had any.",
        f"The busiest 5 % of cells ({k:,}) hold {100 * share:.0f} % of the incidents.",
    ]
    bins = a.gistar["gistar_bin"].to_numpy()
    hot = [int((bins == b).sum()) for b in (3, 2, 1)]
    if sum(hot):
        sentences.append(
            f"Gi* finds {sum(hot):,} hot spot cells ({hot[0]:,} at 99 % confidence), "
            "clusters of busy cells beyond what chance would give."
        )
    else:
        sentences.append("Gi* finds no statistically significant hot spot.")
    table = a.hotspots
    if table is not None and len(table) and "gistar_bin" in a.gistar and sum(hot):
        first = table.iloc[0]
        where = ", ".join(
            str(first[c]) for c in ("area", "location") if c in table and pd.notna(first[c])
        )
        count = int(first["incidents"])
        shown = not public or count >= min_count
        # a public version hides a small count, and its share (which times the total is it)
        amount = (
            f"{count:,} incidents, {100 * first['share']:.1f} % of all"
            if shown
            else f"{suppressed_text(min_count)} incidents"
        )
        sentences.append(
            f"The top hot spot{' (' + where + ')' if where else ''} has {amount}."
            f"{_areas_text(table)}"
        )
    if a.emerging is not None:
        e = params_of(a.emerging, "emerging_hotspots")
        kinds = e["categories"]
        found = [(p, kinds.get(p, 0)) for p in PATTERN_ORDER if kinds.get(p, 0)]
        e_period = a.emerging.attrs["hotspot"].get("period", {}).get("label", "")
        if found:
            listed = ", ".join(f"{n:,} {p}s" for p, n in found[:4])
            sentences.append(f"Over {e_period}, the emerging hot spot analysis finds {listed}.")
        else:
            sentences.append(
                f"Over {e_period}, no cell is a significant new, intensifying or persistent "
                "hot spot."
            )
        trend = a.emerging["emerging_trend_p"] < e["alpha"]
        up = int((trend & (a.emerging["emerging_trend_tau"] > 0)).sum())
        down = int((trend & (a.emerging["emerging_trend_tau"] < 0)).sum())
        analysed = e["n_analysed"]
        sentences.append(
            f"Of {analysed:,} cells with incidents, {up:,} show a significant rising trend and "
            f"{down:,} a falling one."
        )
    if a.knox is not None:
        # the first distance band after the same-location row, the first time band
        row = 1 if "same" in str(a.knox.ratio.index[0]).lower() else 0
        ratio, p = a.knox.ratio.iloc[row, 0], a.knox.pvalue.iloc[row, 0]
        d, t = a.settings["knox"]["distance_bands_m"][1], a.settings["knox"]["time_bands_days"][1]
        if ratio is not None and p is not None and np.isfinite(ratio):
            verdict = (
                "a near-repeat pattern: after one incident, the risk nearby is raised for a while"
                if p < 0.05 and ratio > 1
                else "no significant near-repeat excess"
            )
            sentences.append(
                f"Pairs of incidents within {d} m and {t} days of each other are {ratio:.2f} "
                f"times as common as chance gives (p = {p:.3g}): {verdict}."
            )
    return " ".join(sentences)

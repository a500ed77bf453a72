"""The standard analysis pipeline behind ``hotspot analyze`` and ``hotspot demo``.

Load report, counts per cell, Gi* hot spots, kernel density, HDBSCAN clusters and, when the data
are timed finer than a month, emerging hot spots and the Knox near-repeat test. Every result
keeps the parameters that made it; :mod:`hotspot.report` writes the files and the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot.errors import HotspotInputError

FINE_RESOLUTIONS = ("day", "hour", "minute", "second")
# Bins per emerging-hot-spot cube: two years of weeks, three of months, ninety days.
DEFAULT_SPAN = {
    "W": pd.DateOffset(years=2),
    "MS": pd.DateOffset(years=3),
    "D": pd.DateOffset(days=90),
}


@dataclass
class Analysis:
    """The results of :func:`run_analysis` and the settings that made them."""

    name: str
    title: str
    settings: dict[str, Any]
    load_report: Any
    n_incidents: int
    cells: gpd.GeoDataFrame | None = None
    gistar: gpd.GeoDataFrame | None = None
    surface: Any = None
    clusters: gpd.GeoDataFrame | None = None
    cube: Any = None
    emerging: gpd.GeoDataFrame | None = None
    knox: Any = None
    knox_incidents: int = 0
    notes: list[str] = field(default_factory=list)


def _steps(progress: bool, total: int, name: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=name, disable=not progress, unit="step", leave=True)


def select_categories(
    incidents: gpd.GeoDataFrame, categories: Sequence[str] | None
) -> gpd.GeoDataFrame:
    """The incidents of the given categories; an error names the categories that exist.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> len(select_categories(inc, ["Robbery"])) == int((inc["category"] == "Robbery").sum())
    True
    """
    if not categories:
        return incidents
    if "category" not in incidents.columns:
        raise HotspotInputError(
            "--category needs a category column: name it with read_incidents(category=...)"
        )
    present = incidents["category"].astype(str)
    missing = sorted(set(categories) - set(present.unique()))
    if missing:
        known = ", ".join(sorted(present.unique())[:20])
        raise HotspotInputError(f"no incident has category {missing}; the categories are: {known}")
    return incidents[present.isin(list(categories)).to_numpy()]


def run_analysis(
    incidents: gpd.GeoDataFrame,
    *,
    name: str,
    title: str,
    cell_size: float | None = None,
    grid: str = "square",
    freq: str = "W",
    categories: Sequence[str] | None = None,
    knox_categories: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    permutations: int = 999,
    min_cluster_size: int = 100,
    rng: int = 0,
    progress: bool = True,
) -> Analysis:
    """Run the standard pipeline on incidents from :func:`hotspot.read_incidents`.

    Parameters
    ----------
    incidents : GeoDataFrame
        Incidents with their load report.
    name, title : str
        File prefix and heading of this analysis.
    cell_size : float, optional
        Grid cell size in metres (default: the grid's own choice, announced in the report).
    grid : {"square", "hex"}, default="square"
    freq : str, default="W"
        Time bins of the emerging hot spot cube ("D", "W", "MS").
    categories : sequence of str, optional
        Analyse only these categories.
    knox_categories : sequence of str, optional
        Categories for the Knox test (default: the analysed ones). Near repeats are a
        property of one crime type, usually burglary.
    start, end : optional
        Period of the cube (default: the last two years of weeks, three of months).
    permutations : int, default=999
        Gi* and Knox permutations.
    min_cluster_size : int, default=100
        HDBSCAN's smallest cluster, in incidents.
    rng : int, default=0
        Seed of every random step.
    progress : bool, default=True
        Show a progress bar of the steps.

    Returns
    -------
    Analysis

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> a = run_analysis(inc, name="wy", title="West Yorkshire", cell_size=2000, grid="hex",
    ...                  permutations=99, progress=False)
    >>> int(a.cells["count"].sum()) == a.n_incidents, a.emerging is None
    (True, True)
    """
    from hotspot.cluster import cluster_incidents
    from hotspot.clustering.summary import cluster_summary
    from hotspot.density import kde
    from hotspot.grid import count_incidents, hex_grid, square_grid
    from hotspot.load_report import get_load_report
    from hotspot.stats.local import gistar

    if grid not in ("square", "hex"):
        raise HotspotInputError(f"grid={grid!r}: use 'square' or 'hex'")
    report = get_load_report(incidents)
    chosen = select_categories(incidents, categories)
    timed = report.time_resolution in FINE_RESOLUTIONS
    settings: dict[str, Any] = {
        "grid": grid,
        "cell_size": cell_size,
        "categories": list(categories) if categories else "all",
        "permutations": permutations,
        "min_cluster_size": min_cluster_size,
        "rng": rng,
    }
    analysis = Analysis(name, title, settings, report, len(chosen))
    if len(chosen) < len(incidents):
        analysis.notes.append(
            f"{len(chosen):,} of {len(incidents):,} incidents are of the categories analysed "
            f"({', '.join(categories or [])}); the other {len(incidents) - len(chosen):,} are "
            "left out of every step."
        )
    bar = _steps(progress, 6 if timed else 4, name)
    bar.set_postfix_str("counts")
    make_grid = hex_grid if grid == "hex" else square_grid
    cells = count_incidents(chosen, make_grid(chosen, cell_size, quiet=True), quiet=True)
    analysis.cells = cells
    settings["cell_size"] = cells.attrs["hotspot"]["grid"]["cell_size"]
    bar.update()

    bar.set_postfix_str(f"Gi* ({permutations} permutations)")
    inner = None if progress else False  # bars inside the long steps, when long
    analysis.gistar = gistar(cells, permutations=permutations, rng=rng, quiet=True, progress=inner)
    bar.update()

    bar.set_postfix_str("kernel density")
    analysis.surface = kde(chosen, quiet=True)
    bar.update()

    bar.set_postfix_str("HDBSCAN clusters")
    clustered = cluster_incidents(chosen, "hdbscan", min_cluster_size=min_cluster_size, quiet=True)
    analysis.clusters = cluster_summary(clustered)
    if analysis.clusters.empty:
        analysis.notes.append(
            f"HDBSCAN found no cluster of at least {min_cluster_size:,} incidents among "
            f"{len(chosen):,}; lower --min-cluster-size to look for smaller ones."
        )
    bar.update()

    if timed:
        _space_time(analysis, chosen, cells, freq, start, end, knox_categories, bar, progress)
    else:
        analysis.notes.append(
            "Emerging hot spots and near repeats not run: "
            + (
                f"the times are by {report.time_resolution} ({report.time_min:%Y-%m-%d} to "
                f"{report.time_max:%Y-%m-%d}); both need dates or times of day."
                if report.time_min is not None
                else "the incidents have no times."
            )
        )
    bar.close()
    return analysis


def _space_time(
    analysis: Analysis,
    incidents: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    freq: str,
    start: Any,
    end: Any,
    knox_categories: Sequence[str] | None,
    bar: Any,
    show_inner: bool,
) -> None:
    from hotspot.cube import space_time_cube
    from hotspot.emerging import emerging_hotspots
    from hotspot.nearrepeat import knox_test

    settings = analysis.settings
    last = incidents["time"].max()
    if end is None:
        end = last
    if start is None:
        span = DEFAULT_SPAN.get(
            freq.upper() if freq.upper() != "M" else "MS", pd.DateOffset(years=2)
        )
        start = pd.Timestamp(end) - span
    bar.set_postfix_str(f"emerging hot spots ({freq} bins)")
    cube = space_time_cube(incidents, cells, freq, start=start, end=end, quiet=True)
    settings.update(
        freq=freq, start=f"{cube.bins[0]:%Y-%m-%d}", end=f"{cube.bin_edges[-1]:%Y-%m-%d}"
    )
    analysis.cube = cube
    if len(cube.bins) < 10:
        analysis.notes.append(
            f"Emerging hot spots not run: the cube has {len(cube.bins)} bins of {freq}; "
            "the trend test needs at least 10."
        )
    else:
        analysis.emerging = emerging_hotspots(cube, quiet=True)
    bar.update()

    bar.set_postfix_str("Knox near-repeat test")
    knox_set = select_categories(incidents, knox_categories)
    year_before = pd.Timestamp(last) - pd.DateOffset(years=1)
    knox_set = knox_set[knox_set["time"] > year_before]
    settings["knox"] = {
        "categories": list(knox_categories) if knox_categories else settings["categories"],
        "period": f"{year_before:%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}",
        "distance_bands_m": [0, 100, 200, 300, 400],
        "time_bands_days": [0, 7, 14, 21, 28],
    }
    if len(knox_set) < 30:
        analysis.notes.append(
            f"Knox test not run: {len(knox_set)} incidents in the last year of the chosen "
            "categories (at least 30 are needed)."
        )
    else:
        analysis.knox = knox_test(
            knox_set,
            permutations=settings["permutations"],
            rng=settings["rng"],
            progress=None if show_inner else False,
        )
        analysis.knox_incidents = len(knox_set)
    bar.update()

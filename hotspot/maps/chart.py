"""Incidents per time bin as a chart, with the bins the data cover only in part marked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspot._validate import check_integer, check_output_file
from hotspot.disclosure import disclosure_rule
from hotspot.errors import HotspotInputError
from hotspot.grid.cube import SpaceTimeCube, freq_word

WHOLE_COLOUR = "#bd0026"
PARTIAL_COLOUR = "#bdbdbd"


def time_chart(cube: Any, path: str | Path, *, title: str | None = None, dpi: int = 100) -> Path:
    """A bar chart of incidents per bin of a space-time cube, written to a PNG file.

    Whole bins are drawn in red, partial ones (``cube.partial_bins``: a first or last bin the
    data cover only in part, and any padding) in grey and named in the legend, so a short last
    week is never read as a fall in crime.

    Parameters
    ----------
    cube : SpaceTimeCube
        From :func:`hotspot.space_time_cube`.
    path : str or Path
        The PNG file to write.
    title : str, optional
        Title above the chart (default: "Incidents per <bin>, <period>").
    dpi : int, default=100
        Resolution; the image is 9 × 3 inches.

    Returns
    -------
    Path
        The file written (the same bytes for the same cube).

    Examples
    --------
    >>> import tempfile, hotspot as hs
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> year = inc[(inc["time"] >= "2021-01-01")]
    >>> cube = hs.space_time_cube(year, hs.square_grid(year, 2000, quiet=True), "W", quiet=True)
    >>> out = hs.maps.time_chart(cube, tempfile.mkdtemp() + "/weeks.png")
    >>> out.suffix, int(cube.partial_bins.sum())
    ('.png', 2)
    """
    path = check_output_file(path, "chart.png")  # before drawing: a folder given by mistake
    dpi = check_integer(dpi, "dpi", minimum=10, example="100", func="time_chart")
    fig = chart_figure(cube, title=title, dpi=dpi)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png", facecolor="white", metadata={"Software": None})
    return path


def chart_figure(cube: Any, *, title: str | None = None, dpi: int = 100) -> Any:
    """The matplotlib figure :func:`time_chart` writes (one bar per bin, in bin order)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    if not isinstance(cube, SpaceTimeCube):
        raise HotspotInputError(
            f"time_chart: cube= is a {type(cube).__name__}, not a SpaceTimeCube; make one with "
            "hotspot.space_time_cube(incidents, cells, freq)."
        )
    if disclosure_rule(cube) is not None or np.isnan(np.asarray(cube.counts, dtype=float)).any():
        raise HotspotInputError(
            "time_chart: needs the cube's own counts: this one is a public copy whose small "
            "counts are hidden, so its totals would be too low; chart the internal cube (the "
            "totals of a whole area per bin are rarely small counts)."
        )
    totals = np.nan_to_num(np.asarray(cube.counts, dtype=float)).sum(axis=1)
    partial = np.asarray(cube.partial_bins, dtype=bool)
    edges = cube.bin_edges
    starts = edges[:-1].to_pydatetime()
    widths = np.asarray((edges[1:] - edges[:-1]) / pd.Timedelta(days=1), dtype=float)
    unit = freq_word(cube.freq)
    period = (cube.attrs.get("period") or {}).get("label", "")
    fig = Figure(figsize=(9, 3), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.08, 0.14, 0.9, 0.66))
    colours = np.where(partial, PARTIAL_COLOUR, WHOLE_COLOUR)
    ax.bar(starts, totals, width=widths * 0.9, align="edge", color=colours, linewidth=0)
    ax.set_ylabel(f"incidents per {unit}")
    ax.set_ylim(0, max(1.0, float(totals.max()) * 1.08))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Patch(color=WHOLE_COLOUR, label=f"whole {unit}s")]
    if partial.any():
        handles.append(
            Patch(
                color=PARTIAL_COLOUR,
                label=f"partial {unit}s ({int(partial.sum())}): the data cover only part of them",
            )
        )
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    fig.text(0.08, 0.92, title or f"Incidents per {unit}, {period}", fontsize=11, weight="bold")
    return fig

"""The Knox test's table as a picture: Knox ratios as a heat table with significance marks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hotspot.errors import HotspotInputError

if TYPE_CHECKING:
    from hotspot.spacetime.nearrepeat import KnoxResult

__all__ = ["knox_plot"]


def knox_plot(
    result: KnoxResult, *, ax: Any = None, labels: str = "nrc", title: str | None = None
) -> Any:
    """The Knox ratios of :func:`hotspot.knox_test` as a heat table with significance marks.

    Each cell shows the ratio of observed to expected pairs, as
    :meth:`~hotspot.KnoxResult.nrc_table` writes it (``**`` for p < 0.01, ``*`` for
    p < 0.05), on a diverging scale of its logarithm: red above 1 (more close pairs than
    chance), blue below, white at 1 and where the ratio is undefined.

    Parameters
    ----------
    result : KnoxResult
        From :func:`hotspot.knox_test`.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the table.
    labels : {"nrc", "exact"}, default "nrc"
        Band labels: the Near Repeat Calculator's, or the exact intervals (see
        :meth:`~hotspot.KnoxResult.nrc_table`).
    title : str, optional
        By default "Knox ratio (observed / expected, <permutations> permutations)".

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ImportError
        Without matplotlib (``pip install 'hotspot[notebooks]'``).
    TypeError
        ``result`` is not the result of :func:`hotspot.knox_test`.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.maps.knox import knox_plot
    >>> res = hs.knox_test(hs.datasets.load_burkitt(), distance_bands=(0, 20000, 40000),
    ...                    time_bands=(0, 5, 10), permutations=19, rng=0)
    >>> ax = knox_plot(res, title="Burkitt's lymphoma, Uganda")
    >>> len(ax.texts), ax.get_title()
    (12, "Burkitt's lymphoma, Uganda")
    """
    if not (hasattr(result, "nrc_table") and hasattr(result, "ratio")):
        raise HotspotInputError(
            f"knox_plot: result= is a {type(result).__name__}, not the result of "
            "hotspot.knox_test(); run that first."
        )
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("knox_plot() needs matplotlib: pip install 'hotspot[notebooks]'") from err
    table = result.nrc_table(labels=labels)
    ratio = result.ratio.to_numpy(dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 + 1.3 * ratio.shape[1], 0.8 + 0.5 * ratio.shape[0]))
    finite = np.isfinite(ratio)
    spread = max(float(np.abs(np.log(ratio[finite & (ratio > 0)])).max(initial=0.1)), 0.1)
    shown = np.where(finite & (ratio > 0), np.log(np.where(ratio > 0, ratio, 1.0)), np.nan)
    ax.imshow(shown, cmap="RdBu_r", vmin=-spread, vmax=spread, aspect="auto")
    for (i, j), text in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, text, ha="center", va="center", fontsize=9)
    ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index)
    ax.set_xlabel("time between incidents")
    ax.set_ylabel("distance between incidents")
    permutations = getattr(result, "permutations", result.params.get("permutations"))
    ax.set_title(title or f"Knox ratio (observed / expected, {permutations} permutations)")
    return ax

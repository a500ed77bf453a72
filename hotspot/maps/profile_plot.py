"""Charts of when crime happens: the weekday × hour heat table, month and hour bars, the
trend line with its partial bins, and small multiples of hot-spot profiles.

Only matplotlib's object API is used (``Figure`` + ``FigureCanvasAgg``, or the ``ax=`` given),
never pyplot's global state; matplotlib is imported when a chart is drawn (it comes with
``pip install 'hotspot[notebooks]'``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hotspot._period import period_label
from hotspot._result import method_of
from hotspot.errors import HotspotInputError
from hotspot.grid import freq_word
from hotspot.temporal.profile import MONTH_NAMES, WEEKDAY_NAMES, profile_peaks

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HEAT_COLOURS = "YlOrRd"
WHOLE_COLOUR = "#bd0026"
PARTIAL_COLOUR = "#969696"
PROFILE_METHODS = ("temporal_profile", "hotspot_profiles")


def _matplotlib(func: str) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(f"{func}() needs matplotlib: pip install 'hotspot[notebooks]'") from err

    def new(size: tuple[float, float]) -> Figure:
        fig = Figure(figsize=size, dpi=100, facecolor="white")
        FigureCanvasAgg(fig)
        return fig

    return new


def _params(profile: Any, func: str) -> tuple[str, dict]:
    method = method_of(profile)
    if method not in (*PROFILE_METHODS, "temporal_trend") or not isinstance(profile, pd.DataFrame):
        raise HotspotInputError(
            f"{func}: profile= was made by {method!r}, not by temporal_profile, "
            "hotspot_profiles or trend; run one of those first."
        )
    return method, profile.attrs["hotspot"][method]


def _subtitle(profile: pd.DataFrame, count: float) -> str:
    period = period_label(profile)
    parts = [f"{count:,.0f} incidents"] + ([period] if period else [])
    return " · ".join(parts)


def _rounding_note(hours: np.ndarray) -> str | None:
    """A warning naming the hours that hold far more than their two neighbours (1.4 times
    their mean): often 00:00 and 12:00, where incidents with an unknown time are recorded."""
    around = (np.roll(hours, 1) + np.roll(hours, -1)) / 2
    spikes = np.flatnonzero((around > 0) & (hours > 1.4 * around))
    if not len(spikes):
        return None
    listed = ", ".join(f"{h:02d}:00 ({hours[h] / around[h]:.1f}×)" for h in spikes)
    return (
        f"Spikes against the neighbouring hours at {listed}: incidents with an unknown time "
        "are often recorded at midnight or noon."
    )


def _heat(ax: Axes, frame: pd.DataFrame, vmax: float, peak_start: int | None) -> Any:
    from matplotlib.patches import Rectangle

    shares = frame["share"].to_numpy(dtype=float).reshape(7, 24) * 100
    image = ax.imshow(shares, cmap=HEAT_COLOURS, vmin=0, vmax=vmax, aspect="auto")
    ax.set_xticks(range(24), [f"{h:02d}" for h in range(24)], fontsize=7)
    ax.set_yticks(range(7), WEEKDAY_NAMES, fontsize=8)
    ax.tick_params(length=0)
    ax.axhline(4.5, color="white", linewidth=3)  # the weekend apart, at the bottom
    ax.set_xticks(np.arange(-0.5, 24, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, 7, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if peak_start is not None:
        for k in range(4):
            cell = (peak_start + k) % 168
            ax.add_patch(
                Rectangle(
                    (cell % 24 - 0.5, cell // 24 - 0.5),
                    1,
                    1,
                    fill=False,
                    edgecolor="black",
                    linewidth=1.4,
                )
            )
    return image


def _one_group(profile: pd.DataFrame, func: str) -> pd.DataFrame:
    groups = profile["group"].unique()
    if len(groups) != 1:
        raise HotspotInputError(
            f"{func}: profile= holds {len(groups)} groups ({', '.join(map(str, groups[:4]))}"
            f"{' …' if len(groups) > 4 else ''}); pass one, e.g. "
            f"profile[profile['group'] == {groups[0]!r}], or draw them all with profile_grid()."
        )
    return profile


def profile_plot(
    profile: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw a profile or a trend as analysts read them.

    * weekday × hour (:func:`hotspot.temporal.profile.temporal_profile`): a heat table, Monday
      to Sunday down (the weekend together at the bottom, set apart by a white line), 00 to 23
      across, each cell's share of the week's incidents, a colour bar marking the share of an
      even spread, and the peak 4-hour window outlined;
    * hour, weekday or month: bars of the shares (of ``rate`` when the profile was normalised
      by occurrences), with the even spread dashed;
    * a trend (:func:`hotspot.temporal.profile.trend`): a line of counts per bin, the partial
      bins hollow and joined by a dashed line, so a short last month is not read as a fall.

    The subtitle gives the incidents counted and the period the result is stamped with.

    Parameters
    ----------
    profile : DataFrame
        One group of a profile (``profile[profile["group"] == ...]``), or a trend.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.axes.Axes
        Its ``.figure`` saves with ``savefig``.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import temporal_profile
    >>> from hotspot.maps.profile_plot import profile_plot
    >>> prof = temporal_profile(hs.datasets.load_toronto(quiet=True))
    >>> ax = profile_plot(prof)
    >>> ax.get_title(loc="left")
    'When incidents happen: all incidents'
    """
    func = "profile_plot"
    method, params = _params(profile, func)
    new = _matplotlib(func)
    if method == "temporal_trend":
        return _trend(profile, ax, title, new)
    profile = _one_group(profile, func)
    group = profile["group"].iloc[0]
    count = float(profile["count"].sum())
    unit = params["unit"]
    if unit == "hour_of_week":
        if ax is None:
            ax = new((10, 4.6)).add_axes((0.06, 0.17, 0.82, 0.64))
        peak = profile_peaks(profile).iloc[0]
        vmax = float(profile["share"].max()) * 100
        image = _heat(ax, profile, vmax, int(peak["start"]))
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("% of the week's incidents (line: even spread)", fontsize=8)
        bar.ax.axhline(100 / 168, color="black", linewidth=1.2)
        hours = profile.groupby("hour")["count"].sum().to_numpy()
        notes = [
            f"peak {peak['label']} outlined: {peak['share']:.1%} of incidents "
            f"({peak['even_share']:.1%} if spread evenly)"
        ]
    else:
        if ax is None:
            ax = new((8, 3.9)).add_axes((0.09, 0.2, 0.88, 0.6))
        names = {
            "hour": [f"{h:02d}" for h in range(24)],
            "weekday": list(WEEKDAY_NAMES),
            "month": list(MONTH_NAMES),
        }[unit]
        rate = "rate" in profile.columns
        values = profile["rate"].to_numpy() if rate else profile["share"].to_numpy() * 100
        ax.bar(range(len(names)), values, color=WHOLE_COLOUR, width=0.8)
        ax.axhline(
            np.nanmean(values) if rate else 100 / len(names),
            color="black",
            linestyle="--",
            linewidth=1,
            label="even spread",
        )
        ax.set_xticks(range(len(names)), names, fontsize=8)
        per = {"hour": "day of the data", "weekday": "such weekday", "month": "day of the month"}
        ax.set_ylabel(f"incidents per {per[unit]}" if rate else "% of incidents", fontsize=9)
        ax.legend(frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        hours = profile["count"].to_numpy() if unit == "hour" else None
        notes = []
        if unit == "month" and not rate:
            notes.append(
                "Shares are not adjusted for month length or for months the period holds more "
                "often; temporal_profile(..., normalise='occurrences') gives incidents per day."
            )
    if hours is not None and (note := _rounding_note(hours)):
        notes.append(note)
    ax.set_title(
        title or f"When incidents happen: {group}", loc="left", fontsize=12, weight="bold", pad=22
    )
    ax.text(0, 1.02, _subtitle(profile, count), transform=ax.transAxes, fontsize=9, color="#444444")
    if notes:
        ax.text(
            0,
            -0.14 if unit != "hour_of_week" else -0.12,
            "\n".join(notes),
            transform=ax.transAxes,
            fontsize=7.5,
            color="#444444",
            va="top",
        )
    return ax


def _trend(profile: pd.DataFrame, ax: Axes | None, title: str | None, new: Any) -> Axes:
    if ax is None:
        ax = new((9, 3.4)).add_axes((0.08, 0.14, 0.9, 0.66))
    starts = profile["start"].to_numpy()
    counts = profile["count"].to_numpy(dtype=float)
    partial = profile["partial"].to_numpy(dtype=bool)
    freq = freq_word(profile.attrs["hotspot"]["temporal_trend"]["freq"])
    ax.plot(starts, counts, color=PARTIAL_COLOUR, linestyle="--", linewidth=1)
    ax.plot(
        starts,
        np.where(partial, np.nan, counts),
        color=WHOLE_COLOUR,
        linewidth=1.6,
        marker="o",
        markersize=3,
        label=f"whole {freq}s",
    )
    if partial.any():
        ax.plot(
            starts[partial],
            counts[partial],
            linestyle="none",
            marker="o",
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=PARTIAL_COLOUR,
            label=f"partial {freq}s ({int(partial.sum())}): the data cover only part of them",
        )
    ax.set_ylim(0, max(1.0, float(counts.max()) * 1.08))
    ax.set_ylabel(f"incidents per {freq}", fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(frameon=False, fontsize=8, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2)
    ax.set_title(title or "Incidents over time", loc="left", fontsize=12, weight="bold", pad=22)
    ax.text(
        0,
        1.02,
        _subtitle(profile, counts.sum()),
        transform=ax.transAxes,
        fontsize=9,
        color="#444444",
    )
    return ax


def profile_grid(table: pd.DataFrame, *, ncols: int = 2, title: str | None = None) -> Figure:
    """Small multiples: one weekday × hour heat table per group, on one colour scale.

    Made for :func:`hotspot.temporal.profile.hotspot_profiles` (hot spots, then the rest of
    the area) and any weekday × hour :func:`~hotspot.temporal.profile.temporal_profile` with
    ``groups=``. Each panel names its group, its incidents and its peak 4-hour window
    (outlined); the shared scale makes a hot spot's Friday night comparable with the rest's.

    Parameters
    ----------
    table : DataFrame
        A weekday × hour profile with several groups.
    ncols : int, default=2
        Panels per row.
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.temporal.profile import temporal_profile
    >>> from hotspot.maps.profile_plot import profile_grid
    >>> inc = hs.datasets.load_toronto(quiet=True)
    >>> fig = profile_grid(temporal_profile(inc, groups="category"))
    >>> len([a for a in fig.axes if a.get_label() != "<colorbar>"])
    5
    """
    from hotspot._validate import check_integer

    func = "profile_grid"
    _, params = _params(table, func)
    ncols = check_integer(ncols, "ncols", minimum=1, example="2", func=func)
    if params.get("unit") != "hour_of_week":
        raise HotspotInputError(
            f"{func}: table= is a profile by {params.get('by')!r}; small multiples are drawn "
            "for by=('weekday', 'hour') profiles."
        )
    peaks = profile_peaks(table).set_index("group")
    groups = list(peaks.index)
    nrows = -(-len(groups) // ncols)
    height = 2.7 * nrows + 1.2
    fig = _matplotlib(func)((6.2 * ncols, height))
    vmax = float(table["share"].max()) * 100
    image = None
    axes = []
    for k, group in enumerate(groups):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        axes.append(ax)
        frame = table[table["group"] == group]
        peak = peaks.loc[group]
        image = _heat(ax, frame, vmax, int(peak["start"]))
        cell = frame["cell"].iloc[0] if "cell" in frame.columns else None
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)  # the rest of the area has no cell: the column is float
        where = f", cell {cell}" if cell is not None and pd.notna(cell) else ""
        ax.set_title(
            f"{group}{where} ({peak['count']:,.0f} incidents)\npeak {peak['label']}: "
            f"{peak['share']:.1%} (even {peak['even_share']:.1%})",
            loc="left",
            fontsize=9,
        )
    fig.subplots_adjust(
        left=0.05,
        right=0.9,
        top=1 - 1.4 / height,
        hspace=0.55,
        wspace=0.15,
        bottom=0.06,
    )
    bar = fig.colorbar(image, ax=axes, fraction=0.02, pad=0.02)
    bar.set_label("% of the group's incidents in the week (line: even spread)", fontsize=8)
    bar.ax.axhline(100 / 168, color="black", linewidth=1)
    period = period_label(table)
    fig.suptitle(
        (title or "When incidents happen, by group") + (f"\n{period}" if period else ""),
        x=0.05,
        ha="left",
        fontsize=12,
    )
    return fig

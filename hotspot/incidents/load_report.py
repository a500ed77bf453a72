"""The load report: what was read, what was kept, what was excluded and why."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hotspot.errors import HotspotInputError


@dataclass(frozen=True)
class LoadReport:
    """What :func:`hotspot.read_incidents` did with a source.

    Attributes
    ----------
    source : str
        File name or a description of the frame.
    schema : str
        The detected (or given) schema.
    columns : dict
        Role (``lon``, ``lat``, ``x``, ``y``, ``time``, ``hour``, ``category``) → source column.
    rows_read, rows_kept : int
        Rows in the source; rows in the incidents. ``rows_read == rows_kept + sum(excluded)``.
    excluded : dict
        Reason → number of rows excluded for it.
    excluded_rows : DataFrame
        The excluded rows as read (original index and columns) with a ``reason`` column.
    crs : str
        The incidents' projected CRS; ``crs_reason`` says why it was chosen.
    time_min, time_max : Timestamp or None
        Range of the kept times; ``time_resolution`` is "month", "day", "hour", ….
    notes : tuple of str
        Things worth knowing (duplicates, long tails, conversions, formats, placeholders).
    timezone : str or None
        The zone times written with a UTC offset were converted to (``None`` when no time had
        one: times are then kept as written, in local wall-clock time); ``timezone_reason``
        says how it was found (``timezone=``, or the incidents' location, looked up offline).
    read_as : dict or None
        How the file was read, when the reader recorded it (``encoding``, ``sep``,
        ``decimal``, ``sheet``, ``layer``).
    windows : dict or None
        With time windows (``time_start``/``time_end``): kept rows per kind of window
        (``window``, ``window over 7 days, capped``, ``zero-length window``, ``no end``,
        ``unreadable end``, ``negative window``), adding up to ``rows_kept``; None without.
    """

    source: str
    schema: str
    columns: dict[str, str]
    rows_read: int
    rows_kept: int
    excluded: dict[str, int]
    excluded_rows: pd.DataFrame = field(repr=False)
    crs: str
    crs_reason: str
    time_min: pd.Timestamp | None = None
    time_max: pd.Timestamp | None = None
    time_resolution: str | None = None
    notes: tuple[str, ...] = ()
    timezone: str | None = None
    timezone_reason: str | None = None
    read_as: dict[str, Any] | None = field(default=None, repr=False)
    windows: dict[str, int] | None = None

    def __post_init__(self) -> None:
        if self.rows_read != self.rows_kept + sum(self.excluded.values()):
            raise AssertionError("load report does not conserve rows")  # an internal bug
        if self.windows is not None and sum(self.windows.values()) != self.rows_kept:
            raise AssertionError("load report's windows do not add up to the rows kept")

    # The report is immutable; pandas deep-copies ``attrs`` on every operation, so sharing it
    # keeps that cheap however many excluded rows it holds.
    def __deepcopy__(self, memo: dict) -> LoadReport:
        return self

    def __copy__(self) -> LoadReport:
        return self

    @property
    def rows_excluded(self) -> int:
        """Total rows excluded."""
        return int(sum(self.excluded.values()))

    def rows(self) -> list[tuple[str, str]]:
        """The report as (label, value) pairs, in display order."""
        out = [("source", self.source)]
        read_as = _read_as(self.read_as)
        if read_as:
            out.append(("read as", read_as))
        out += [
            ("schema", self.schema),
            ("columns", ", ".join(f"{k}={v}" for k, v in self.columns.items())),
            ("rows read", f"{self.rows_read:,}"),
            ("rows kept", f"{self.rows_kept:,}"),
            ("rows excluded", f"{self.rows_excluded:,}"),
        ]
        for reason, n in sorted(self.excluded.items(), key=lambda kv: -kv[1]):
            out.append((f"  {reason}", f"{n:,}"))
        out.append(("crs", f"{self.crs} ({self.crs_reason})"))
        if self.time_min is not None:
            out.append(("time range", f"{self.time_min} to {self.time_max}"))
            out.append(("time resolution", str(self.time_resolution)))
        if self.windows is not None:
            out.append(("time windows", f"{self.rows_kept:,} rows"))
            for kind, n in self.windows.items():
                out.append((f"  {kind}", f"{n:,}"))
        if self.timezone is not None:
            out.append(("time zone", f"{self.timezone} ({self.timezone_reason})"))
        source_notes = (self.read_as or {}).get("notes") or ()
        for note in (*source_notes, *self.notes):
            out.append(("note", str(note)))
        return out

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left;padding-left:{1.5 if k.startswith(' ') else 0}em'>"
            f"{html.escape(k.strip())}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.rows()
        )
        return f"<table class='hotspot-load-report'>{body}</table>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary (no rows)."""
        return {
            "source": self.source,
            "schema": self.schema,
            "columns": dict(self.columns),
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_excluded": self.rows_excluded,
            "excluded": dict(self.excluded),
            "crs": self.crs,
            "crs_reason": self.crs_reason,
            "time_min": None if self.time_min is None else str(self.time_min),
            "time_max": None if self.time_max is None else str(self.time_max),
            "time_resolution": self.time_resolution,
            "notes": list(self.notes),
            "timezone": self.timezone,
            "timezone_reason": self.timezone_reason,
            "windows": None if self.windows is None else dict(self.windows),
            "read_as": None
            if self.read_as is None
            else {
                k: [_plain(x) for x in v] if isinstance(v, list | tuple) else _plain(v)
                for k, v in self.read_as.items()
            },
        }


def _read_as(facts: dict[str, Any] | None) -> str:
    """How the source reader read the file, e.g. ``csv, encoding='cp1252' (detected), sep=';'``.

    Examples
    --------
    >>> _read_as({"format": "csv", "encoding": "cp1252", "sep": ";", "decimal": ",",
    ...           "sheet": None, "header": 0, "detected": ("encoding",), "notes": ()})
    "csv, encoding='cp1252' (detected), sep=';', decimal=','"
    >>> _read_as(None)
    ''
    """
    if not facts:
        return ""
    detected = set(facts.get("detected") or ())
    parts = [str(facts["format"])] if facts.get("format") else []
    for key in ("encoding", "sep", "decimal", "sheet", "layer", "header"):
        value = facts.get(key)
        if value is None or (key == "header" and value == 0):
            continue
        parts.append(f"{key}={value!r}{' (detected)' if key in detected else ''}")
    return ", ".join(parts)


def _plain(value: Any) -> Any:
    """A JSON-friendly value: strings, numbers and None as they are, anything else as text."""
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def get_load_report(incidents: pd.DataFrame) -> LoadReport:
    """The :class:`LoadReport` carried by incidents from :func:`hotspot.read_incidents`.

    Raises
    ------
    HotspotInputError
        When the frame did not come through ``read_incidents``.
    """
    report = incidents.attrs.get("hotspot", {}).get("load_report")
    if not isinstance(report, LoadReport):
        raise HotspotInputError(
            "these incidents carry no load report: load them with hotspot.read_incidents(...) "
            "(attrs are lost by pd.concat and some other operations)"
        )
    return report


def load_report(incidents: pd.DataFrame) -> None:
    """Print the load report of incidents as a table.

    The report object itself is ``incidents.attrs["hotspot"]["load_report"]`` (a
    :class:`LoadReport`, whose ``excluded_rows`` holds the excluded rows with their reason).

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> hs.load_report(inc)  # doctest: +ELLIPSIS
    source ...
    """
    print(get_load_report(incidents))


def excluded_incidents(incidents: pd.DataFrame) -> pd.DataFrame:
    """The rows :func:`hotspot.read_incidents` excluded, as read, with a ``reason`` column.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_west_yorkshire(quiet=True)
    >>> hs.excluded_incidents(inc)["reason"].value_counts().to_dict()
    {'missing coordinates': 3771}
    """
    return get_load_report(incidents).excluded_rows.copy()

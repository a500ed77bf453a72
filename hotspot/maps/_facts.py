"""The facts a map's footer states, read from the result's attrs: the data's source, the period
analysed, the method that made the result (``attrs["hotspot"]["method"]``) with its
parameters, and the package's version. Shared by the HTML maps and the PNG images.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hotspot._version import __version__
from hotspot.disclosure import result_method
from hotspot.maps._kinds import METHOD_TITLES
from hotspot.maps._result_attrs import hotspot_attrs, method_params

# Parameters never listed in a footer (long records, not settings).
UNLISTED = ("clusters", "categories")
# At most this many parameters are listed.
MAX_PARAMS = 8


def _period(meta: dict[str, Any], params: dict[str, Any]) -> tuple[str, str] | None:
    """The period of the incidents the result was made from (not of the whole file), from
    records made before results carried ``period``."""
    counted = meta.get("counts")
    if isinstance(counted, dict) and counted.get("period"):
        return tuple(counted["period"])
    bins = params.get("bins")
    if isinstance(bins, list | tuple) and len(bins) >= 2:  # emerging hot spots: its bins
        return str(bins[0])[:10], str(bins[1])[:10]
    if meta.get("start") is not None and meta.get("end") is not None:  # a cube: its bins
        return str(meta["start"])[:10], str(meta["end"])[:10]
    return None


def _settings(method: str, params: dict[str, Any], meta: dict[str, Any]) -> str:
    if method == "space_time_cube" and not params:  # a cube records its bins at the top
        params = {"freq": meta.get("freq")} if meta.get("freq") else {}
    shown = {
        k: v
        for k, v in params.items()
        if isinstance(v, str | int | float | bool) and k not in UNLISTED
    }
    return ", ".join(
        f"{k}={v:,.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in list(shown.items())[:MAX_PARAMS]
    )


def result_facts(result: Any) -> dict[str, str]:
    """Footer lines read from the result's attrs: data (and the rows selected, for a result of
    ``LazyIncidents.where``), period and method with its parameters.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot._result import stamp
    >>> hot = stamp(pd.DataFrame(), kind="cells", method="gistar",
    ...             params={"alpha": 0.05, "permutations": 999},
    ...             period={"label": "Jul 2016", "start": "2016-07-01", "end": "2016-07-31"})
    >>> result_facts(hot)
    {'Period': 'Jul 2016', 'Method': 'Getis–Ord Gi*: alpha=0.05, permutations=999'}
    """
    meta = hotspot_attrs(result)
    report = meta.get("incidents_report") or {}
    if not report and "load_report" in meta:
        report = meta["load_report"].to_dict()
    method = result_method(result)
    params = method_params(result, method) if method else {}
    lines: dict[str, str] = {}
    if report.get("source"):
        lines["Data"] = f"{Path(str(report['source'])).name} ({report.get('schema', '')})"
    if meta.get("selection"):  # LazyIncidents.where: the rows the numbers are of
        lines["Selection"] = f"rows where {meta['selection']}"
    stamped = meta.get("period")
    period = _period(meta, params)
    if isinstance(stamped, dict) and stamped.get("label"):
        lines["Period"] = str(stamped["label"])
    elif period:
        lines["Period"] = f"{period[0]} to {period[1]}"
    elif report.get("time_min"):
        lines["Period"] = f"{str(report['time_min'])[:10]} to {str(report['time_max'])[:10]}"
    if method is not None:
        title = METHOD_TITLES.get(method, method)
        text = _settings(method, params, meta)
        lines["Method"] = f"{title}: {text}" if text else title
    return lines


def made_with() -> str:
    """``"hotspot 0.2.0"``: the package and version that drew the map."""
    return f"hotspot {__version__}"

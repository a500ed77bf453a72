"""Incidents in: reading files, detecting the schema, parsing times, projecting, the load report."""

from hotspot.incidents._timeparse import long_tail
from hotspot.incidents.harm import harm_weights
from hotspot.incidents.load_report import (
    LoadReport,
    excluded_incidents,
    get_load_report,
    load_report,
)
from hotspot.incidents.read import read_incidents

__all__ = [
    "LoadReport",
    "excluded_incidents",
    "get_load_report",
    "harm_weights",
    "load_report",
    "long_tail",
    "read_incidents",
]

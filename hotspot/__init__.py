"""hotspot: crime-pattern hotspot analysis. Incidents in, GeoDataFrames and maps out."""

from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.incidents import read_incidents
from hotspot.load_report import LoadReport, excluded_incidents, load_report

__version__ = "0.1.0"

__all__ = [
    "HotspotInputError",
    "HotspotWarning",
    "LoadReport",
    "excluded_incidents",
    "load_report",
    "read_incidents",
]

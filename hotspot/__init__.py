"""hotspot: crime-pattern hotspot analysis. Incidents in, GeoDataFrames and maps out."""

from hotspot import datasets, maps
from hotspot.cube import SpaceTimeCube, read_cube, space_time_cube
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.grid import assign_cells, count_incidents, hex_grid, square_grid
from hotspot.incidents import read_incidents
from hotspot.load_report import LoadReport, excluded_incidents, load_report

__version__ = "0.1.0"

__all__ = [
    "HotspotInputError",
    "HotspotWarning",
    "LoadReport",
    "SpaceTimeCube",
    "assign_cells",
    "count_incidents",
    "datasets",
    "excluded_incidents",
    "hex_grid",
    "maps",
    "load_report",
    "read_cube",
    "read_incidents",
    "space_time_cube",
    "square_grid",
]

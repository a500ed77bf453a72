"""hotspot: crime-pattern hotspot analysis. Incidents in, GeoDataFrames and maps out."""

from hotspot import datasets, maps
from hotspot.cube import SpaceTimeCube, read_cube, space_time_cube
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.grid import assign_cells, count_incidents, hex_grid, square_grid
from hotspot.incidents import read_incidents
from hotspot.load_report import LoadReport, excluded_incidents, load_report
from hotspot.optimized import optimized_hotspots
from hotspot.stats.autocorrelation import general_g, incremental_autocorrelation, moran
from hotspot.stats.local import gistar, lisa
from hotspot.weights import Neighbours, build_weights

__version__ = "0.1.0"

__all__ = [
    "HotspotInputError",
    "HotspotWarning",
    "LoadReport",
    "Neighbours",
    "SpaceTimeCube",
    "assign_cells",
    "build_weights",
    "count_incidents",
    "datasets",
    "excluded_incidents",
    "general_g",
    "gistar",
    "hex_grid",
    "incremental_autocorrelation",
    "lisa",
    "maps",
    "moran",
    "optimized_hotspots",
    "load_report",
    "read_cube",
    "read_incidents",
    "space_time_cube",
    "square_grid",
]

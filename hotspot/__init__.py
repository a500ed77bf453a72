"""hotspot: crime-pattern hotspot analysis. Incidents in, GeoDataFrames and maps out."""

from hotspot import datasets, maps
from hotspot.clustering.cluster import cluster_incidents
from hotspot.clustering.ellipse import StandardDeviationalEllipse, standard_deviational_ellipse
from hotspot.clustering.stability import cluster_stability
from hotspot.clustering.summary import cluster_summary
from hotspot.density.surface import (
    density_hotspots,
    density_to_cells,
    dual_kde,
    kde,
    kde_bandwidth,
    surface_to_geotiff_array,
)
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.grid.cells import assign_cells, count_incidents, hex_grid, square_grid
from hotspot.grid.cube import SpaceTimeCube, read_cube, space_time_cube
from hotspot.grid.weights import Neighbours, build_weights
from hotspot.incidents.load_report import LoadReport, excluded_incidents, load_report
from hotspot.incidents.read import read_incidents
from hotspot.report.ranking import hotspot_table
from hotspot.spacetime.emerging import emerging_hotspots
from hotspot.spacetime.nearrepeat import (
    KnoxResult,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
)
from hotspot.stats.autocorrelation import general_g, incremental_autocorrelation, moran
from hotspot.stats.concentration import Concentration, concentration, share_of_places
from hotspot.stats.local import gistar, lisa
from hotspot.stats.optimized import optimized_hotspots
from hotspot.stats.pointpattern import nearest_neighbour_index, ripley

__version__ = "0.1.0"

__all__ = [
    "HotspotInputError",
    "HotspotWarning",
    "KnoxResult",
    "Concentration",
    "LoadReport",
    "Neighbours",
    "SpaceTimeCube",
    "StandardDeviationalEllipse",
    "assign_cells",
    "build_weights",
    "cluster_incidents",
    "cluster_stability",
    "cluster_summary",
    "concentration",
    "count_incidents",
    "datasets",
    "density_hotspots",
    "density_to_cells",
    "dual_kde",
    "emerging_hotspots",
    "excluded_incidents",
    "general_g",
    "gistar",
    "hex_grid",
    "hotspot_table",
    "incremental_autocorrelation",
    "kde",
    "kde_bandwidth",
    "knox_test",
    "lisa",
    "maps",
    "moran",
    "near_repeat_chain_ids",
    "near_repeat_chains",
    "nearest_neighbour_index",
    "optimized_hotspots",
    "load_report",
    "read_cube",
    "read_incidents",
    "ripley",
    "share_of_places",
    "space_time_cube",
    "square_grid",
    "standard_deviational_ellipse",
    "surface_to_geotiff_array",
]

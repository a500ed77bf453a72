"""hotspot: crime-pattern hotspot analysis. Incidents in, GeoDataFrames and maps out."""

from hotspot import datasets, maps
from hotspot._result import GlobalTest, SeriesTest
from hotspot._version import __version__ as __version__
from hotspot.clustering import (
    StandardDeviationalEllipse,
    cluster_incidents,
    cluster_stability,
    cluster_summary,
    standard_deviational_ellipse,
)
from hotspot.density import (
    density_hotspots,
    density_to_cells,
    dual_kde,
    kde,
    kde_bandwidth,
    surface_to_geotiff_array,
)
from hotspot.errors import HotspotInputError, HotspotWarning
from hotspot.grid import (
    Neighbours,
    SpaceTimeCube,
    assign_cells,
    build_weights,
    count_incidents,
    hex_grid,
    read_cube,
    space_time_cube,
    square_grid,
)
from hotspot.incidents import LoadReport, excluded_incidents, load_report, read_incidents
from hotspot.report import hotspot_table
from hotspot.spacetime import (
    KnoxResult,
    emerging_hotspots,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
)
from hotspot.stats import (
    Concentration,
    concentration,
    general_g,
    gistar,
    incremental_autocorrelation,
    lisa,
    moran,
    nearest_neighbour_index,
    optimized_hotspots,
    ripley,
    share_of_places,
)

__all__ = [
    "HotspotInputError",
    "HotspotWarning",
    "KnoxResult",
    "Concentration",
    "GlobalTest",
    "LoadReport",
    "Neighbours",
    "SeriesTest",
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

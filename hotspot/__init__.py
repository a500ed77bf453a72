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
from hotspot.incidents import (
    LoadReport,
    excluded_incidents,
    harm_weights,
    load_report,
    read_incidents,
)
from hotspot.report import hotspot_table
from hotspot.spacetime import (
    KnoxResult,
    RepeatSummary,
    emerging_hotspots,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
    repeat_location_ids,
    repeat_locations,
    repeat_summary,
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
from hotspot.temporal import (
    aoristic_weights,
    hotspot_profiles,
    profile_peaks,
    temporal_profile,
    temporal_trend,
)

__all__ = [
    "BacktestResult",
    "Concentration",
    "GlobalTest",
    "HotspotInputError",
    "HotspotWarning",
    "KDEForecaster",
    "KnoxResult",
    "LoadReport",
    "NaiveForecaster",
    "Neighbours",
    "PatrolPlan",
    "ProspectiveForecaster",
    "RandomForecaster",
    "RecaptureRate",
    "RepeatSummary",
    "SEPPForecaster",
    "SeriesTest",
    "SpaceTimeCube",
    "StandardDeviationalEllipse",
    "allocate_patrols",
    "aoristic_weights",
    "assign_cells",
    "backtest",
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
    "harm_weights",
    "hex_grid",
    "hit_rate_curve",
    "hotspot_profiles",
    "hotspot_table",
    "incremental_autocorrelation",
    "kde",
    "kde_bandwidth",
    "knox_test",
    "lisa",
    "load_report",
    "maps",
    "moran",
    "near_repeat_chain_ids",
    "near_repeat_chains",
    "nearest_neighbour_index",
    "optimized_hotspots",
    "plan_patrols",
    "profile_peaks",
    "read_cube",
    "read_incidents",
    "recapture_rate_index",
    "repeat_location_ids",
    "repeat_locations",
    "repeat_summary",
    "ripley",
    "share_of_places",
    "space_time_cube",
    "square_grid",
    "standard_deviational_ellipse",
    "surface_to_geotiff_array",
    "temporal_profile",
    "temporal_trend",
]


#: Imported on first use: forecasting needs scikit-learn's estimator base, which brings in
#: scipy.stats (about 0.45 s on every ``import hotspot`` otherwise).
FORECAST_NAMES = frozenset(
    {
        "BacktestResult",
        "KDEForecaster",
        "NaiveForecaster",
        "PatrolPlan",
        "ProspectiveForecaster",
        "RandomForecaster",
        "RecaptureRate",
        "SEPPForecaster",
        "allocate_patrols",
        "backtest",
        "hit_rate_curve",
        "plan_patrols",
        "recapture_rate_index",
    }
)


def __getattr__(name: str) -> object:
    """``hotspot.scale`` (the Dask path, optional) and the forecasting names are imported on
    first use."""
    import importlib

    if name == "scale":
        return importlib.import_module("hotspot.scale")
    if name in FORECAST_NAMES:
        return getattr(importlib.import_module("hotspot.forecast"), name)
    raise AttributeError(f"module 'hotspot' has no attribute {name!r}")

"""Statistics: global tests, local statistics, multiple-testing correction, concentration."""

from hotspot._result import GlobalTest
from hotspot.stats.autocorrelation import general_g, incremental_autocorrelation, moran
from hotspot.stats.concentration import Concentration, concentration, share_of_places
from hotspot.stats.local import gistar, lisa
from hotspot.stats.mann_kendall import MannKendall, mann_kendall
from hotspot.stats.multiple_testing import confidence_bins, fdr_adjust, fdr_threshold
from hotspot.stats.pointpattern import nearest_neighbour_index, ripley

__all__ = [
    "Concentration",
    "GlobalTest",
    "MannKendall",
    "concentration",
    "confidence_bins",
    "fdr_adjust",
    "fdr_threshold",
    "general_g",
    "gistar",
    "incremental_autocorrelation",
    "lisa",
    "mann_kendall",
    "moran",
    "nearest_neighbour_index",
    "ripley",
    "share_of_places",
]

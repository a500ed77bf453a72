"""Statistics: global tests, local statistics, multiple-testing correction, concentration.

Every result follows one contract (:mod:`hotspot._result`): local statistics return a copy of
the cells with ``<method>_<quantity>`` columns, stamped in ``attrs["hotspot"]``; tests return
a :class:`GlobalTest` (one number) or a :class:`SeriesTest` (one number per distance) whose
``params`` hold ``method``, ``period`` and ``rng_seed``.
"""

from hotspot._result import GlobalTest, SeriesTest
from hotspot.stats.autocorrelation import general_g, moran
from hotspot.stats.concentration import Concentration, concentration, share_of_places
from hotspot.stats.incremental import choose_distance_band, incremental_autocorrelation
from hotspot.stats.local import gistar, lisa
from hotspot.stats.mann_kendall import MannKendall, mann_kendall
from hotspot.stats.multiple_testing import confidence_bins, fdr_adjust, fdr_threshold
from hotspot.stats.optimized import optimized_hotspots
from hotspot.stats.pointpattern import nearest_neighbour_index, ripley

__all__ = [
    "Concentration",
    "GlobalTest",
    "MannKendall",
    "SeriesTest",
    "choose_distance_band",
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
    "optimized_hotspots",
    "ripley",
    "share_of_places",
]

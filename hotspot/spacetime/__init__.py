"""Space and time together: emerging hot spots and near repeats (Knox test, chains)."""

from hotspot.spacetime.emerging import MIN_BINS, NOT_ANALYSED, emerging_hotspots
from hotspot.spacetime.nearrepeat import (
    KnoxResult,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
)

__all__ = [
    "MIN_BINS",
    "NOT_ANALYSED",
    "KnoxResult",
    "emerging_hotspots",
    "knox_test",
    "near_repeat_chain_ids",
    "near_repeat_chains",
]

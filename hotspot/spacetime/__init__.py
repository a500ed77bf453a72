"""Space and time together: emerging hot spots and near repeats (Knox test, chains)."""

from hotspot.spacetime.emerging import MIN_BINS, NOT_ANALYSED, emerging_hotspots
from hotspot.spacetime.nearrepeat import (
    KnoxResult,
    knox_test,
    near_repeat_chain_ids,
    near_repeat_chains,
)
from hotspot.spacetime.repeats import (
    RepeatSummary,
    repeat_location_ids,
    repeat_locations,
    repeat_summary,
    snapped_note,
)

__all__ = [
    "MIN_BINS",
    "NOT_ANALYSED",
    "RepeatSummary",
    "repeat_location_ids",
    "repeat_locations",
    "repeat_summary",
    "snapped_note",
    "KnoxResult",
    "emerging_hotspots",
    "knox_test",
    "near_repeat_chain_ids",
    "near_repeat_chains",
]

"""When crime happens: time windows spread over hours, weekdays, months and calendar bins
(aoristic weights), weekday × hour and month profiles, hot spots' profiles against the rest of
the area, and counts over time with partial bins flagged."""

from hotspot.temporal.aoristic import aoristic_weights
from hotspot.temporal.profile import (
    hotspot_profiles,
    profile_peaks,
    temporal_profile,
    temporal_trend,
)

__all__ = [
    "aoristic_weights",
    "hotspot_profiles",
    "profile_peaks",
    "temporal_profile",
    "temporal_trend",
]

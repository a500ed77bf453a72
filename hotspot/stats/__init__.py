"""Statistics: global tests, local statistics, multiple-testing correction, concentration."""

from hotspot.stats._result import GlobalTest

__all__ = ["GlobalTest"]

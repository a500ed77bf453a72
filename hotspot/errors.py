"""Errors and warnings raised by hotspot."""


class HotspotInputError(ValueError):
    """Bad input: names the source, the column, the first bad rows and the fix."""


class HotspotWarning(UserWarning):
    """Something the analyst should know about the input or a choice made for them."""

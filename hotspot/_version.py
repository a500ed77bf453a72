"""The package version, in one place (``hotspot.__version__`` reads it)."""

__version__ = "0.2.0"

"""Shared fixtures: the embedded real datasets, loaded once per test session."""

from __future__ import annotations

import pytest

import hotspot as hs


@pytest.fixture(scope="session")
def west_yorkshire():
    return hs.datasets.load_west_yorkshire(quiet=True)


@pytest.fixture(scope="session")
def toronto():
    return hs.datasets.load_toronto(quiet=True)

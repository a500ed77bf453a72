"""Shared fixtures: the embedded real datasets, loaded once per test session.

Reading and projecting West Yorkshire takes about half a second and Toronto about a second,
and the doctests load them some sixty times. While the tests run, ``load_west_yorkshire`` and
``load_toronto`` called with ``quiet=True`` read each file once per process and hand out a
copy each time (data and attrs copied: nothing a caller does reaches the next; the frozen load
report is shared, as pandas shares it with every frame derived from a load). Any other call
(``quiet=False``, which prints the load report, or any new argument) runs the real loader, and
so does the first call: the loaders themselves stay under test. The key includes the file's
path, size and modification time, so ``HOTSPOT_DATA_DIR`` or a rebuilt file is honoured.

The reference tests against esda pay its numba compile (about 20 s, most of it for the
kernels of ``G_Local``'s permutations) in the first process that needs it, and no other:
esda's kernels are cached on disk (see ``_cache_esda_kernels``). The tests take esda and
libpysal from the ``esda`` and ``libpysal`` fixtures, imported on first use: importing them
costs about a second, which every xdist worker paid while collecting, whatever it ran.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hotspot as hs
from hotspot import datasets

DATA_FILES = {
    "load_west_yorkshire": "west_yorkshire.parquet",
    "load_toronto": "toronto.parquet",
}


def _loaded_once(loader: Callable[..., Any], file: str) -> Callable[..., Any]:
    """``loader`` serving copies of one read of ``file`` to ``quiet=True`` calls."""
    cache: dict[tuple[str, int, int], Any] = {}

    @functools.wraps(loader)
    def load(*args: Any, **kwargs: Any) -> Any:
        if args or kwargs != {"quiet": True}:
            return loader(*args, **kwargs)
        path = datasets.data_path(file)  # raises as the loader does when the data are missing
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in cache:
            cache[key] = loader(quiet=True)
        return cache[key].copy()  # a deep copy: data, geometry and attrs

    load.__wrapped_loader__ = loader  # type: ignore[attr-defined]
    return load


# esda kernels that take another compiled function as an argument: numba keys their
# compiled versions by that function's identity, which differs in every process, so a disk
# cache would only grow (they compile in a few seconds; the rest are cached).
UNCACHEABLE_ESDA_KERNELS = frozenset({"compute_chunk"})


def _cache_esda_kernels() -> None:
    """Let numba cache esda's compiled kernels on disk, as ``cache=True`` would.

    esda compiles them without ``cache=True``, so every test session paid the compile again:
    about 20 s of CPU on the first ``G_Local``/``Moran_Local`` with permutations. With the
    cache the session that compiles them first writes them next to esda's modules (numba's
    default place: ``__pycache__`` in the virtual environment, or its user-wide cache when
    that is read-only), and later sessions and xdist workers load them. Only when esda was
    imported (by the ``esda`` fixture, or a test module that imports it): a run without
    them does not import it.
    Numba's ``Dispatcher.enable_caching`` is what ``cache=True`` calls; should a numba
    release drop it, the kernels are compiled as before.
    """
    if "esda" not in sys.modules:
        return
    try:
        from numba.core.registry import CPUDispatcher
    except ImportError:  # esda without numba: nothing is compiled
        return
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith("esda."):
            continue
        for name, kernel in vars(module).items():
            if (
                isinstance(kernel, CPUDispatcher)
                and kernel.__module__ == module_name
                and name not in UNCACHEABLE_ESDA_KERNELS
                and not kernel.signatures  # not compiled yet
            ):
                try:
                    kernel.enable_caching()
                except (AttributeError, RuntimeError):  # no such method, or nowhere to write
                    return


# Doctests that run the whole pipeline (``run_analysis``): slow, as the tests that do are
# (``make test`` runs them, ``make test-fast`` leaves them out).
SLOW_DOCTESTS = frozenset(
    {
        "hotspot.analyze.run_analysis",
        "hotspot.report.findings.key_findings",
        "hotspot.report.findings.when_sentences",
    }
)


SLOW_LIST = Path(__file__).with_name("slow_tests.txt")


def slow_list(path: Path = SLOW_LIST) -> frozenset[str]:
    """The test ids in ``tests/slow_tests.txt``: the longest tests, which ``make test-fast``
    leaves out (``scripts/update_slow_tests.py`` writes it; ``HOTSPOT_SLOW_LIST=off`` ignores
    it, as that script does while it measures)."""
    if os.environ.get("HOTSPOT_SLOW_LIST") == "off" or not path.is_file():
        return frozenset()
    lines = (line.split(None, 1) for line in path.read_text().splitlines())
    return frozenset(parts[1].strip() for parts in lines if len(parts) == 2 and parts[0][0] != "#")


@pytest.hookimpl(tryfirst=True)  # before ``-m "not slow"`` deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    listed = slow_list()
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)
        elif item.nodeid in listed:
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Install the load-once loaders for the whole run, doctests in ``hotspot/`` included (a
    fixture here would reach only the tests under ``tests/``). After collection: the doctests
    of ``hotspot.datasets`` were collected with its own functions, so they run the real ones.
    Then cache esda's kernels, if the collected modules imported esda."""
    _cache_esda_kernels()
    for name, file in DATA_FILES.items():
        loader = getattr(datasets, name)
        if not hasattr(loader, "__wrapped_loader__"):
            setattr(datasets, name, _loaded_once(loader, file))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for name in DATA_FILES:
        loader = getattr(datasets, name)
        setattr(datasets, name, getattr(loader, "__wrapped_loader__", loader))


@pytest.fixture(scope="session")
def west_yorkshire():
    return hs.datasets.load_west_yorkshire(quiet=True)


@pytest.fixture(scope="session")
def toronto():
    return hs.datasets.load_toronto(quiet=True)


@pytest.fixture(scope="session")
def libpysal():
    """libpysal, the reference for weights, imported by the first test that needs it."""
    import libpysal

    return libpysal


@pytest.fixture(scope="session")
def esda():
    """esda, the reference for the spatial statistics, imported by the first test that needs
    it, with its numba kernels cached on disk before any is compiled."""
    import esda

    _cache_esda_kernels()
    return esda

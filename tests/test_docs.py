"""The documentation site builds with warnings as errors, offline, and covers the API."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def nav_pages(nav: object) -> list[str]:
    """Every Markdown file named in the ``nav`` of mkdocs.yml."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    return []


def read_nav() -> list[str]:
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as f:
        config = yaml_load(f)
    return nav_pages(config["nav"])


def test_every_nav_page_exists() -> None:
    pages = read_nav()
    assert "loading.md" in pages and "api.md" in pages
    assert len(pages) == len(set(pages)), "a page is listed twice in the nav"
    missing = [page for page in pages if not (DOCS / page).is_file()]
    assert not missing, f"pages in the nav but not in docs/: {missing}"
    orphans = sorted(
        str(path.relative_to(DOCS))
        for path in DOCS.rglob("*.md")
        if str(path.relative_to(DOCS)) not in pages
    )
    assert not orphans, f"pages in docs/ but not in the nav: {orphans}"


# the whole documentation site: `make test` builds it, `make test-fast` does not (the tests
# that use it are marked slow; the nav check reads two files and stays in the inner loop)
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    print(output)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{output}"
    assert "WARNING" not in output, output
    return site_dir


@pytest.mark.slow
def test_site_builds_and_renders_the_api(site: Path) -> None:
    for page in read_nav():
        built = site / (page[: -len(".md")] + "/index.html")
        if page == "index.md":
            built = site / "index.html"
        assert built.is_file(), f"{page} was not built"
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("hotspot.gistar", "hotspot.read_incidents", "hotspot.maps.export_map"):
        assert f'id="{name}"' in api, f"{name} is missing from the API page"
    gistar = (site / "methods" / "gistar" / "index.html").read_text(encoding="utf-8")
    assert 'id="hotspot.gistar"' in gistar
    # Sphinx roles in docstrings are turned into links or code, never shown raw.
    assert ":func:" not in api and ":class:" not in api


@pytest.mark.slow
def test_site_loads_nothing_from_the_network(site: Path) -> None:
    remote = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for page in site.rglob("*.html"):
        found = remote.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)} loads from the network: {found[:3]}"

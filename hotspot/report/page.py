"""What every part of the report page writes with: escaped text and inlined images."""

from __future__ import annotations

import base64
import html
from pathlib import Path

__all__ = ["escape", "image_uri"]


def escape(value: object) -> str:
    """``str(value)`` made safe for HTML text and attribute values.

    Examples
    --------
    >>> escape("<b>'x'</b>")
    '&lt;b&gt;&#x27;x&#x27;&lt;/b&gt;'
    """
    return html.escape(str(value), quote=True)


def image_uri(path: Path) -> str:
    """A PNG file as a data: URI, for an <img> that works without the file beside the page."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")

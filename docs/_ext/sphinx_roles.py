"""Griffe extension for the docs build: turn the Sphinx roles in hotspot's docstrings into links.

hotspot's docstrings are numpydoc and cross-reference with Sphinx roles (``:func:`kde```,
``:class:`~hotspot.errors.HotspotWarning```). mkdocstrings does not read roles, so they would
show as ``:func:kde``. This rewrites each role, after the whole package is loaded, into an
optional autorefs link: a link when the target is documented on the site, plain code otherwise
(so an unresolved target never fails ``mkdocs build --strict``). A reST ``::`` that introduces a
literal block becomes ``:``. Only the text rendered on the site changes; the source is untouched.
"""

from __future__ import annotations

import html
import re

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|obj|exc|const):`(?P<target>[^`]+)`")
LITERAL_BLOCK = re.compile(r"(?<=\S)::(?=\n\s*\n)")


def _resolve(target: str, obj: griffe.Object) -> str:
    """The dotted path of ``target`` as seen from ``obj``'s scope (``target`` itself if unknown)."""
    if target.startswith("hotspot."):
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        member = scope.members.get(head)
        if member is not None:
            path = member.target_path if member.is_alias else member.path
            return f"{path}.{rest}" if rest else path
        scope = scope.parent
    return target


def _rewrite(text: str, obj: griffe.Object) -> str:
    def link(match: re.Match[str]) -> str:
        target = match.group("target").strip()
        short = target.startswith("~")
        target = target.lstrip("~!")
        title = target.rsplit(".", 1)[-1] if short else target
        identifier = html.escape(_resolve(target, obj), quote=True)
        return f'<autoref identifier="{identifier}" optional><code>{html.escape(title)}</code></autoref>'

    return LITERAL_BLOCK.sub(":", ROLE.sub(link, text))


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
        seen: set[str] = set()
        stack: list[griffe.Object] = [pkg]
        while stack:
            obj = stack.pop()
            if obj.path in seen:
                continue
            seen.add(obj.path)
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(obj.docstring.value, obj)
            stack.extend(member for member in obj.members.values() if not member.is_alias)

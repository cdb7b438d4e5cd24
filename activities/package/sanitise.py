"""Cleaning the markup in an H5P activity's ``content/content.json``.

H5P content types put their text fields into the page as HTML, so a package's content.json is
HTML written by whoever made the package. :func:`sanitise_content` cleans every string that holds
markup (has a ``<``) with nh3, an allow-list sanitiser (the Rust crate ammonia), keeping the tags
H5P's text editor produces: paragraphs, line breaks, emphasis, lists, links, headings h2 to h6,
quotations, tables, code. Everything else goes: ``<script>``, ``<style>``, frames, objects, SVG
and MathML with their content; ``style`` and ``on*`` attributes; ``javascript:`` and other
non-web links. Links keep ``href`` (http, https, mailto or relative), ``title`` and ``target``
(``_blank`` or ``_self``), and get ``rel="noopener noreferrer"``.

Strings without ``<`` are text, left as they are, except a bare ``javascript:`` or
``vbscript:`` URL (a link field), which becomes ``""``. The activity also plays in a sandboxed
iframe of its own origin (docs/h5p.md): this is the second wall, not the only one.
"""

from __future__ import annotations

import re
from typing import Any

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "sanitise_content", "sanitise_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "b", "blockquote", "br", "code", "div", "em", "h2", "h3", "h4", "h5", "h6", "hr",
        "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody",
        "td", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "target"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: Removed with everything inside them (the others outside the allow-list lose only the tags).
_REMOVED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "template", "svg", "math", "noscript",
    "textarea", "select", "title",
}  # fmt: skip

_TARGETS = {"_blank", "_self"}

#: A string a browser would run as a link: ``javascript:`` or ``vbscript:`` once leading
#: spaces and control characters, and tabs and newlines anywhere, are dropped (WHATWG URL).
_SCRIPT_URL = re.compile(r"(?:javascript|vbscript):", re.IGNORECASE)
_URL_IGNORED = str.maketrans("", "", "\t\n\r")
_URL_LEADING = "".join(chr(c) for c in range(0x21))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "target":
        return value if value in _TARGETS else None
    if attribute == "href" and "\\" in value:
        return None  # browsers read \ as /: "/\evil.example" leads off-site unseen
    return value


def sanitise_html(html: str) -> str:
    """``html`` cleaned to the tags and attributes H5P text fields use."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_REMOVED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _sanitise_string(value: str) -> str:
    if "<" in value:
        return sanitise_html(value)
    if _SCRIPT_URL.match(value.lstrip(_URL_LEADING).translate(_URL_IGNORED)):
        return ""
    return value


def sanitise_content(data: Any) -> Any:
    """A copy of ``data`` (parsed JSON) with every string cleaned: markup by
    :func:`sanitise_html`, script URLs emptied; keys too, as a content type may show them.
    Numbers, booleans and ``None`` are returned as they are."""
    if isinstance(data, str):
        return _sanitise_string(data)
    if isinstance(data, list):
        return [sanitise_content(item) for item in data]
    if isinstance(data, dict):
        return {
            _sanitise_string(key) if isinstance(key, str) else key: sanitise_content(value)
            for key, value in data.items()
        }
    return data

"""Markdown rendering and HTML sanitising.

All HTML that does not come from our own templates (Markdown written by trainers, rich text, HTML
in imported files) goes through :func:`sanitize_html` before it reaches a page. nh3 (a binding to
the Rust crate ammonia) does the work with an allow-list: anything not listed is removed.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["render_markdown", "sanitize_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em",
        "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
        "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto", "tel"})


#: Attributes that hold a URL, on whichever tag carries them (today ``a`` and ``img``).
URL_ATTRIBUTES: frozenset[str] = frozenset({"href", "src", "cite", "srcset", "poster", "action"})

#: What browsers drop from a URL before reading it (WHATWG URL): leading and trailing C0
#: controls and spaces, and every tab and newline anywhere in it.
_STRIPPED = "".join(chr(c) for c in range(0x21))
_REMOVED = str.maketrans("", "", "\t\n\r")


def _safe_url(value: str) -> str | None:
    """``value`` as the browser will read it, or None if it could lead off-site unseen.

    Refused: protocol-relative URLs (``//evil.example/x``), and any URL with a backslash, which
    browsers read as a slash in http(s) URLs (``/\\evil.example`` is ``//evil.example``). The
    value arrives with entities decoded, so ``&#92;`` and ``&Tab;`` variants are caught here too.
    """
    url = value.strip(_STRIPPED).translate(_REMOVED)
    if "\\" in url or url.startswith("//"):
        return None
    return url


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop URLs that would lead off-site unseen (``_safe_url``), and images that would load from
    another site: deployments may be offline, and an off-site image is a tracking pixel. Only
    same-site paths are kept for images."""
    if attribute not in URL_ATTRIBUTES:
        return value
    url = _safe_url(value)
    if url is None:
        return None
    if tag == "img" and attribute == "src":
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            return None
    return url


def sanitize_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed.

    Scripts, styles, frames, forms, SVG and MathML are dropped with their content; event-handler
    and style attributes are dropped; ``javascript:`` and ``data:`` URLs are dropped; links get
    ``rel="noopener noreferrer"``.
    """
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _demote_h1(tokens: list[Token]) -> None:
    """A page has one ``h1`` (its title), so Markdown ``#`` headings become ``h2``."""
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    parser.enable("table")
    parser.enable("strikethrough")
    return parser


def render_markdown(text: str) -> str:
    """Render CommonMark (with tables and strikethrough) to sanitised HTML.

    The same text always gives the same HTML, so the last texts rendered are kept: a page that
    shows a course's description renders it once per process, not on every request."""
    return _render_markdown(text or "")


@lru_cache(maxsize=1024)
def _render_markdown(text: str) -> str:
    parser = _parser()
    tokens = parser.parse(text or "")
    _demote_h1(tokens)
    return sanitize_html(parser.renderer.render(tokens, parser.options, {}))

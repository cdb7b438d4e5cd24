"""Sanitising and Markdown: attacks are removed, ordinary formatting is kept."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pytest

from core.api import render_markdown, sanitize_html

ATTACKS = [
    # (payload, text that must not survive)
    ("<script>alert(1)</script>", "alert(1)"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "evil.example"),
    ('<img src="/x.png" onerror="alert(1)">', "onerror"),
    ('<p onclick="steal()">hi</p>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert(1)"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', "svg"),
    ("<svg><script>alert(1)</script></svg>", "alert(1)"),
    ("<math><mtext><img src=x onerror=alert(1)></mtext></math>", "onerror"),
    ("<math href='javascript:alert(1)'>x</math>", "math"),
    ('<iframe src="https://evil.example"></iframe>', "iframe"),
    ('<object data="x.swf"></object>', "object"),
    ('<embed src="x.swf">', "embed"),
    ('<form action="https://evil.example"><input name="p"></form>', "form"),
    ("<style>body{background:url(https://evil.example)}</style>", "evil.example"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "style"),
    ('<div style="position:fixed;top:0;left:0;width:100%">cover</div>', "position:fixed"),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', "evil.example"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "refresh"),
    ('<base href="https://evil.example/">', "base"),
    ('<img src="https://tracker.example/pixel.gif" alt="">', "tracker.example"),
    ("<!-- <script>alert(1)</script> -->", "alert(1)"),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
    ("<template><script>alert(1)</script></template>", "alert(1)"),
]


@pytest.mark.parametrize(("payload", "forbidden"), ATTACKS)
def test_sanitize_removes_attack(payload: str, forbidden: str) -> None:
    cleaned = sanitize_html(payload).lower()
    assert forbidden.lower() not in cleaned


@pytest.mark.parametrize(("payload", "forbidden"), ATTACKS)
def test_markdown_with_raw_html_removes_attack(payload: str, forbidden: str) -> None:
    html = render_markdown(f"Some text.\n\n{payload}\n\nMore text.").lower()
    assert forbidden.lower() not in html
    assert "some text." in html


def test_markdown_link_with_javascript_url_is_not_a_link() -> None:
    html = render_markdown("[click](javascript:alert(1)) and <a href='javascript:x()'>y</a>")
    assert "href" not in html.lower()


def test_ordinary_formatting_is_kept() -> None:
    source = (
        "## Section\n\nSome **bold**, *italic*, `code` and a [link](https://example.org).\n\n"
        "1. first\n2. second\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "![a local image](/media/images/x.png)\n"
    )
    html = render_markdown(source)
    for fragment in (
        "<h2>Section</h2>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<code>code</code>",
        'href="https://example.org"',
        'rel="noopener noreferrer"',
        "<ol>",
        "<blockquote>",
        "<table>",
        "<td>2</td>",
        '<img src="/media/images/x.png" alt="a local image">',
    ):
        assert fragment in html, fragment


def test_top_level_heading_becomes_h2() -> None:
    """The page title is the only h1."""
    assert render_markdown("# Title") == "<h2>Title</h2>\n"


def test_rich_text_formatting_is_kept() -> None:
    html = '<h3>Steps</h3><ul><li><b>Listen</b></li></ul><p><a href="/en/x/">x</a></p>'
    assert sanitize_html(html) == (
        "<h3>Steps</h3><ul><li><b>Listen</b></li></ul>"
        '<p><a href="/en/x/" rel="noopener noreferrer">x</a></p>'
    )


# --- URLs that leave the site unseen (issue #12) -------------------------------------------------
# Browsers read a backslash as a slash in http(s) URLs and drop tabs and newlines anywhere in a
# URL, so each of these is the protocol-relative ``//evil.example``: off-site, looking local.
OFF_SITE_URLS = [
    "//evil.example/x",
    "/\\evil.example/a.png",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example/a.png",
    "/\n\\evil.example",
    " //evil.example",
    "\x01//evil.example",
    "&#92;&#92;evil.example",
    "/&#x5C;evil.example/a.png",
    "/&bsol;evil.example",
    "/&Tab;/evil.example",
    "&sol;&sol;evil.example",
    "/&NewLine;/evil.example",
    "https:\\\\evil.example",
    "http:/\\evil.example",
]


@pytest.mark.parametrize("url", OFF_SITE_URLS, ids=repr)
@pytest.mark.parametrize("tag", ["a href", "img src"])
def test_protocol_relative_and_backslash_urls_are_refused(url: str, tag: str) -> None:
    name, attribute = tag.split()
    cleaned = sanitize_html(f'<{name} {attribute}="{url}" alt="a">x</{name}>').lower()
    assert "evil.example" not in cleaned
    assert f"{attribute}=" not in cleaned


def browser_host(url: str) -> str:
    """The host a browser on https://site.example/en/x/ would reach through ``url``, read as
    browsers read it (controls stripped, tabs and newlines dropped, backslash as slash)."""
    url = html.unescape(url).strip("".join(chr(c) for c in range(0x21)))
    url = re.sub(r"[\t\n\r]", "", url).replace("\\", "/")
    return urlsplit(urljoin("https://site.example/en/x/", url)).netloc


@pytest.mark.parametrize("url", OFF_SITE_URLS, ids=repr)
def test_markdown_links_and_images_refuse_them_too(url: str) -> None:
    rendered = render_markdown(f"[x](<{url}>) ![y](<{url}>) <a href='{url}'>z</a>")
    for found in re.findall(r'(?:href|src)="([^"]*)"', rendered):
        assert browser_host(found) == "site.example", (url, rendered)


def test_browser_host_sees_what_browsers_see() -> None:
    """The check above would catch the attack: the raw URLs do reach another host."""
    assert {browser_host(url) for url in OFF_SITE_URLS} == {"evil.example"}


KEPT_LINKS = [
    "/en/courses/",
    "lesson-2/",
    "../module/",
    "#section-2",
    "?page=2",
    "https://example.org/guide",
    "http://example.org/",
    "mailto:help@example.org",
    "/en/search/?q=a%5Cb",
]


@pytest.mark.parametrize("url", KEPT_LINKS)
def test_ordinary_links_survive(url: str) -> None:
    assert f'href="{url}"' in sanitize_html(f'<a href="{url}">x</a>')


def test_a_tab_inside_a_link_is_dropped_as_browsers_do() -> None:
    assert 'href="/en/courses/"' in sanitize_html('<a href="/en/cour&Tab;ses/">x</a>')


@pytest.mark.parametrize("url", ["/media/images/x.png", "/static/img/logo.svg"])
def test_same_site_images_survive(url: str) -> None:
    assert f'src="{url}"' in sanitize_html(f'<img src="{url}" alt="">')

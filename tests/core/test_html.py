"""Sanitising and Markdown: attacks are removed, ordinary formatting is kept."""

from __future__ import annotations

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

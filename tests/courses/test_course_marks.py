"""``with_marks``: the reader's ticks on a course outline rendered once for every reader look
exactly as the outline rendered for that reader (``tick.html``, ``state_badge.html``)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from courses.templatetags.course_marks import with_marks

#: An outline as course_body.html marks it: module 10 (lessons 11, 12), module 20 (lesson 21).
MARKED = (
    "<!--state:10-->\n<ol><li><!--tick:11--><a>One</a></li><li><!--tick:12--><a>Two</a></li></ol>"
    "<!--state:20-->\n<ol><li><!--tick:21--><a>Three</a></li></ol>"
)
#: The same outline as the page rendered it per reader before (the includes).
PER_READER = Template(
    "{% for module, lessons in outline %}"
    '{% include "courses/includes/state_badge.html" with id=module %}\n<ol>'
    "{% for id, title in lessons %}"
    '<li{% if id in marks.done %} class="is-done"{% endif %}>'
    '{% include "courses/includes/tick.html" %}<a>{{ title }}</a></li>'
    "{% endfor %}</ol>{% endfor %}"
)
OUTLINE = [(10, [(11, "One"), (12, "Two")]), (20, [(21, "Three")])]


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize(
    ("done", "started"),
    [(set(), set()), ({11}, {10}), ({10, 11, 12}, {20}), ({10, 11, 12, 20, 21}, set())],
)
def test_ticks_match_the_page_rendered_for_the_reader(
    language: str, done: set[int], started: set[int]
) -> None:
    marks = {"done": done, "started": started}
    with translation.override(language):
        expected = PER_READER.render(Context({"outline": OUTLINE, "marks": marks}))
        assert with_marks(MARKED, marks) == expected


def test_without_marks_nothing_is_ticked_and_no_mark_is_left_in_the_page() -> None:
    shown = with_marks(MARKED, None)
    assert "<!--" not in shown
    assert "is-done" not in shown
    assert "✓" not in shown

"""Panels: a higher app fills a slot of a lower app's page (``core.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django.template import engines
from django.test import RequestFactory

from core import panels
from core.panels import cached_data, register_context, register_panel

SLOT = "tests.slot"


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test works on a copy of the registry; the real one is put back after it."""
    monkeypatch.setattr(panels, "_PANELS", {k: list(v) for k, v in panels._PANELS.items()})
    monkeypatch.setattr(panels, "_CONTEXTS", {k: list(v) for k, v in panels._CONTEXTS.items()})


@pytest.fixture
def templates(tmp_path: Any, settings: Any) -> Any:
    """Panel templates in a folder of their own."""
    (tmp_path / "tests").mkdir()
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return tmp_path / "tests"


def render(source: str, **context: Any) -> str:
    request = RequestFactory().get("/")
    template = engines["django"].from_string("{% load zhusan %}" + source)
    return template.render({"request": request, **context}, request).strip()


class Subject:
    def __init__(self, pk: int, title: str) -> None:
        self.pk, self.title = pk, title


def test_panels_render_in_order_with_the_page_context_and_their_own(templates: Any) -> None:
    (templates / "second.html").write_text("<p>{{ page_title }}: {{ count }}</p>")
    (templates / "first.html").write_text("<p>first for {{ subject.title }}</p>")
    register_panel(SLOT, template="tests/second.html", data=lambda r, s: {"count": 2}, order=20)
    register_panel(SLOT, template="tests/first.html", data=lambda r, s: {"subject": s}, order=10)
    html = render('{% panels "tests.slot" thing %}', thing=Subject(1, "Module 1"), page_title="P")
    assert html == "<p>first for Module 1</p>\n<p>P: 2</p>"


def test_a_panel_with_nothing_to_show_is_left_out_and_the_page_falls_back(templates: Any) -> None:
    (templates / "empty.html").write_text("{% if show %}shown{% endif %}")
    register_panel(SLOT, template="tests/empty.html", data=lambda r, s: None)
    register_panel(SLOT, template="tests/empty.html", data=lambda r, s: {"show": False}, order=1)
    source = (
        '{% panels "tests.slot" thing as html %}{% if html %}{{ html }}{% else %}own{% endif %}'
    )
    assert render(source, thing=Subject(1, "x")) == "own"
    assert render('{% panels "nobody.fills.this" thing %}', thing=Subject(1, "x")) == ""


def test_one_data_function_runs_once_per_request_and_subject(templates: Any) -> None:
    (templates / "a.html").write_text("a{{ n }}")
    (templates / "b.html").write_text("b{{ n }}")
    calls: list[int] = []

    def data(request: Any, subject: Subject) -> Mapping[str, Any]:
        calls.append(subject.pk)
        return {"n": len(calls)}

    register_panel("tests.one", template="tests/a.html", data=data)
    register_panel("tests.two", template="tests/b.html", data=data)
    source = '{% panels "tests.one" x %} {% panels "tests.two" x %} {% panels "tests.one" y %}'
    html = render(source, x=Subject(1, "x"), y=Subject(2, "y"))
    assert html == "a1 b1 a2"
    assert calls == [1, 2]


def test_panel_output_is_escaped_by_its_template(templates: Any) -> None:
    (templates / "name.html").write_text("<b>{{ name }}</b>")
    register_panel(SLOT, template="tests/name.html", data=lambda r, s: {"name": s.title})
    html = render('{% panels "tests.slot" x %}', x=Subject(1, "<script>alert(1)</script>"))
    assert html == "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>"


def test_registering_again_changes_nothing(templates: Any) -> None:
    def data(request: Any, subject: Any) -> None:
        return None

    first = register_panel(SLOT, template="tests/x.html", data=data)
    again = register_panel(SLOT, template="tests/x.html", data=data)
    assert first == again
    assert panels.panels_for(SLOT) == [first]


def test_the_apps_register_their_panels() -> None:
    slots = {slot: [p.template for p in found] for slot, found in panels._PANELS.items()}
    assert slots == {
        "courses.course_actions": ["learners/panels/course_actions.html"],
        "courses.course_award": ["certification/panels/course_award.html"],
        "courses.lesson_progress": ["learners/panels/lesson_progress.html"],
        # quizzes first: after a module's last lesson its quiz is what comes next
        "courses.lesson_next": [
            "quizzes/panels/lesson_next_quiz.html",
            "learners/panels/lesson_next.html",
        ],
        "courses.module_end": ["quizzes/panels/module_assessment.html"],
        "courses.translation_status": ["quizzes/panels/translation_status.html"],
        "learners.my_learning": ["certification/panels/my_certificates.html"],
    }


# --- facts rather than HTML: {% slot_context %} ---------------------------------------------------


def test_slot_context_merges_what_the_providers_give() -> None:
    register_context("tests.facts", data=lambda r, s: {"done": {1, 2}, "label": "a"})
    register_context("tests.facts", data=lambda r, s: None)  # nothing to say
    register_context("tests.facts", data=lambda r, s: {"done": {3}, "label": "b"})
    source = (
        '{% slot_context "tests.facts" x as facts %}'
        "{% if 3 in facts.done %}3{% endif %}{% if 1 in facts.done %}1{% endif %}{{ facts.label }}"
    )
    assert render(source, x=Subject(1, "x")) == "31b"  # sets are joined; the last value wins


def test_an_empty_slot_context_reads_as_nothing() -> None:
    source = (
        '{% slot_context "nobody.fills.this" x as facts %}{% if 1 in facts.done %}no{% endif %}'
    )
    assert render(source, x=Subject(1, "x")) == ""


def test_a_context_and_a_panel_share_one_call(templates: Any) -> None:
    (templates / "a.html").write_text("{{ n }}")
    calls: list[int] = []

    def data(request: Any, subject: Subject) -> Mapping[str, Any]:
        calls.append(subject.pk)
        return {"n": len(calls)}

    register_panel("tests.panel", template="tests/a.html", data=data)
    register_context("tests.facts", data=lambda r, s: cached_data(data, r, s))
    source = '{% panels "tests.panel" x %}{% slot_context "tests.facts" x as f %}{{ f.n }}'
    assert render(source, x=Subject(1, "x")) == "11"
    assert calls == [1]


def test_the_apps_register_their_contexts() -> None:
    assert {slot: [f.__qualname__ for f in found] for slot, found in panels._CONTEXTS.items()} == {
        "courses.course_marks": ["course_marks"],
        "courses.module_marks": ["module_marks"],
    }

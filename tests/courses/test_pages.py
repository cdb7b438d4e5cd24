"""The pages people read: catalogue, course overview, module and lesson pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.api import CoursePage, LessonPage
from tests.conftest import assert_max_queries
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    lesson_body,
    practitioner,
)

pytestmark = pytest.mark.django_db

BASE = "/en/courses/sample-course/"
LESSON_URL = BASE + "first-module/every-block/"


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_catalogue_lists_published_courses(client: Client, sample_course: CoursePage) -> None:
    CoursePageFactory(title="Unpublished course", live=False)
    page = html(client, "/en/courses/")
    assert "A sample course for tests" in page
    assert 'href="/en/courses/sample-course/"' in page
    assert "about 1.5 hours" in page
    assert "Unpublished course" not in page


def test_course_overview(client: Client, sample_course: CoursePage) -> None:
    page = html(client, BASE)
    assert "<h1>A sample course for tests</h1>" in page
    assert "Read a lesson with every kind of block." in page  # outcomes
    assert "Psychologist, Social worker" in page
    assert "version 2.1" in page
    assert "The course description, in <strong>Markdown</strong>." in page
    titles = re.findall(r'<li><a href="[^"]+">([^<]+)</a> <span class="muted">', page)
    assert titles == ["A lesson with every block", "The second lesson", "The third lesson"]
    assert "25 min" in page  # module 1: 15 + 10 minutes
    assert f'href="{LESSON_URL}">Start the course' in page.replace("\n", "")


def test_module_page(client: Client, sample_course: CoursePage) -> None:
    page = html(client, BASE + "first-module/")
    assert "The module introduction." in page
    assert "A lesson with every block" in page and "The second lesson" in page
    assert "The third lesson" not in page


def test_lesson_page_navigation(client: Client, sample_course: CoursePage) -> None:
    first = html(client, LESSON_URL)
    assert "Module 1 of 2: First module" in first
    assert "Lesson 1 of 3" in first
    assert 'rel="prev"' not in first
    assert f'href="{BASE}first-module/second-lesson/" rel="next"' in first
    assert 'aria-label="Breadcrumb"' in first
    assert f'<a href="{BASE}">A sample course for tests</a>' in first

    last = html(client, BASE + "second-module/third-lesson/")
    assert "Module 2 of 2" in last and "Lesson 3 of 3" in last
    assert f'href="{BASE}first-module/second-lesson/" rel="prev"' in last  # across modules
    assert 'rel="next"' not in last
    assert "Back to the course overview" in last


def test_lesson_renders_every_block(client: Client, sample_course: CoursePage) -> None:
    page = html(client, LESSON_URL)
    assert "<h2>Opening section</h2>" in page
    assert "A second Markdown block straight after the first." in page
    assert "Rich <b>text</b> from the editor." in page
    assert 'alt="An orange square"' in page and "<figcaption>A diagram</figcaption>" in page
    assert "The transcript of the embedded video." in page
    # The embed cannot be fetched here (no provider for that address): a plain link instead.
    assert 'href="https://video.example.org/watch/1"' in page
    assert '<track kind="captions"' in page
    assert "Case scenario (composite)" in page
    assert "does not describe any real person" in page
    assert "What would make <strong>you</strong> feel safe" in page
    assert "First-visit checklist" in page and "download" in page
    assert "<li>Safety comes first.</li>" in page


def test_content_note_folds_what_follows_and_offers_a_pause(
    client: Client, sample_course: CoursePage
) -> None:
    page = html(client, LESSON_URL)
    note_at = page.index("The next part mentions the loss of a parent.")
    gate_at = page.index('<details class="content-note__gate">')
    hidden_at = page.index("Text behind the content note.")
    assert note_at < gate_at < hidden_at
    assert page.index("<h2>Opening section</h2>") < note_at  # earlier material is not folded
    pause = re.search(
        r'<a class="button button--secondary" href="([^"]+)">Pause and come back', page
    )
    assert pause and pause.group(1) == BASE


def test_locale_prefixed_urls(client: Client, sample_course: CoursePage) -> None:
    assert client.get("/").status_code == 302
    for code in ("en", "ru", "kk"):
        page = html(client, f"/{code}/courses/sample-course/first-module/every-block/")
        assert f'<html lang="{code}">' in page


def test_unpublished_lesson_is_not_served_or_linked(
    client: Client, sample_course: CoursePage
) -> None:
    lesson = LessonPage.objects.get(slug="second-lesson")
    lesson.unpublish()
    assert client.get(BASE + "first-module/second-lesson/").status_code == 404
    page = html(client, LESSON_URL)
    assert "second-lesson" not in page
    assert f'href="{BASE}second-module/third-lesson/" rel="next"' in page


def test_unknown_page_is_404(client: Client, sample_course: CoursePage) -> None:
    assert client.get(BASE + "first-module/nope/").status_code == 404
    assert client.get("/en/nope/").status_code == 404


def test_published_change_is_shown_at_once_despite_the_cache(
    client: Client, sample_course: CoursePage
) -> None:
    assert "Short text." in html(client, BASE + "first-module/second-lesson/")
    lesson = LessonPage.objects.get(slug="second-lesson")
    lesson.body = [("markdown", "Brand new text.")]
    lesson.save_revision().publish()
    page = html(client, BASE + "first-module/second-lesson/")
    assert "Brand new text." in page and "Short text." not in page


def test_draft_is_not_shown_until_published(client: Client, sample_course: CoursePage) -> None:
    lesson = LessonPage.objects.get(slug="second-lesson")
    lesson.body = [("markdown", "A draft.")]
    lesson.save_revision()
    assert "A draft." not in html(client, BASE + "first-module/second-lesson/")


# --- query budgets -----------------------------------------------------------------------------


def build_course(lessons: int, blocks: int) -> str:
    course = CoursePageFactory(slug=f"course-{lessons}-{blocks}")
    modules = [ModulePageFactory(parent=course) for _ in range(2)]
    made = [
        LessonPageFactory(parent=modules[i % 2], body=lesson_body(blocks)) for i in range(lessons)
    ]
    return made[0].url


def count_queries(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm the caches a running site has warm
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "signed-in"])
def test_lesson_page_queries_do_not_grow_with_lessons_or_blocks(
    client: Client, logged_in: bool
) -> None:
    if logged_in:
        client.force_login(practitioner())
    small = build_course(lessons=2, blocks=1)
    large = build_course(lessons=40, blocks=60)
    assert count_queries(client, small) == count_queries(client, large)
    with assert_max_queries(10):
        client.get(large)
    # Cold, with the rendered body not cached yet: more queries, still not growing.
    cache.clear()
    with CaptureQueriesContext(connection) as cold_small:
        client.get(small)
    cache.clear()
    with CaptureQueriesContext(connection) as cold_large:
        client.get(large)
    assert len(cold_small.captured_queries) == len(cold_large.captured_queries)


@pytest.mark.parametrize(
    ("url_of", "limit"),
    [
        (lambda course: "/en/courses/", 8),
        (lambda course: course.url, 9),  # + the certificate the course leads to (course_award)
        (lambda course: course.get_children().first().url, 8),
    ],
    ids=["catalogue", "course", "module"],
)
def test_listing_queries_do_not_grow(client: Client, url_of: Any, limit: int) -> None:
    small = CoursePageFactory(slug="small")
    LessonPageFactory(parent=ModulePageFactory(parent=small))
    first = count_queries(client, url_of(small))
    big = CoursePageFactory(slug="big")
    modules = [ModulePageFactory(parent=big) for _ in range(8)]
    for i in range(40):
        LessonPageFactory(parent=modules[i % 8])
    for _ in range(10):
        CoursePageFactory()
    small_url, big_url = url_of(small), url_of(big)
    assert count_queries(client, big_url) == count_queries(client, small_url) == first
    with assert_max_queries(limit):
        client.get(big_url)

"""Issue #18: the pages signed-in practitioners read, fast and still right.

What every reader's request works out again from published pages (the route, the site, the lesson
sequence, outlines, which pages are private, the quizzes a course requires) is kept in the page
memo (``core.page_cache.page_memo``) until the page cache's generation moves. These tests hold the
pages to their query budgets on a warm worker, and prove what must not change: a learner sees only
their own progress, a publish shows at once, and privacy restrictions hold.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from courses.api import LessonPage
from learners.api import lesson_progress_complete
from tests.conftest import assert_max_queries
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    lesson_body,
    practitioner,
)
from tests.quizzes.helpers import placed_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def lessons() -> list[LessonPage]:
    """A course of two modules: three lessons, then two under a module that ends with a quiz."""
    course = CoursePageFactory(slug="memo-course", title="Memo course")
    first = ModulePageFactory(parent=course, slug="first", title="First module")
    second = ModulePageFactory(parent=course, slug="second", title="Second module")
    made = [
        LessonPageFactory(
            parent=first, slug=f"lesson-{i}", title=f"Lesson {i}", body=lesson_body(6)
        )
        for i in range(1, 4)
    ]
    made += [
        LessonPageFactory(parent=second, slug=f"lesson-{i}", title=f"Lesson {i}") for i in (4, 5)
    ]
    return made


def warm_get(client: Client, url: str) -> str:
    """GET twice (the first fills the memo and the caches, as a running worker has them)."""
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("url_of", "limit"),
    [
        # session, user, the learner's record of the lesson
        (lambda lessons: lessons[1].url, 4),
        # session, user, the learner's records, quiz results (the module quiz's panel reads
        # its result from them: ``core.api.shared_reads`` around the page)
        (lambda lessons: lessons[3].get_parent().url, 4),
        # session, user, the learner's records and enrolments (one query), quiz results
        (lambda lessons: lessons[0].get_parent().get_parent().url, 4),
    ],
    ids=["lesson", "module", "course"],
)
def test_signed_in_pages_keep_their_query_budget(
    client: Client, lessons: list[LessonPage], url_of: Any, limit: int
) -> None:
    placed_quiz(lessons[3].get_parent())
    learner = practitioner()
    lesson_progress_complete(user=learner, lesson=lessons[0])
    client.force_login(learner)
    url = url_of(lessons)
    warm_get(client, url)
    with assert_max_queries(limit):
        assert client.get(url).status_code == 200


def test_my_learning_reads_the_learners_rows_once(
    client: Client, lessons: list[LessonPage]
) -> None:
    """The course cards and the certification panel ("working towards") need the same rows of
    the learner: enrolments, lesson records and quiz results are read once between them
    (``core.api.shared_reads``), and the page keeps its budget on a warm worker."""
    from certification.models import TrackRequirement
    from learners.api import enrollment_create
    from tests.factories.certification import TrackFactory

    course = lessons[0].get_parent().get_parent()
    other = CoursePageFactory(slug="other-course")
    LessonPageFactory(parent=ModulePageFactory(parent=other))
    placed_quiz(lessons[3].get_parent())
    track = TrackFactory(name="Memo track")
    for required in (course, other):
        TrackRequirement.objects.create(track=track, course=required)
    learner = practitioner()
    enrollment_create(user=learner, course=course)
    lesson_progress_complete(user=learner, lesson=lessons[0])
    client.force_login(learner)
    html = warm_get(client, "/en/learn/")
    assert "Memo track" in html and "0 of 2 courses done" in html
    # session, user, records and enrolments (one query), quiz results, due dates, certificates
    with assert_max_queries(6) as queries:
        assert client.get("/en/learn/").status_code == 200
    tables = [q["sql"] for q in queries.captured_queries]
    for table in ("learners_enrollment", "learners_lessonprogress", "quizzes_quizresult"):
        assert sum(f'FROM "{table}"' in sql for sql in tables) == 1, table


def test_the_signed_in_lesson_budget_does_not_grow_with_the_course(client: Client) -> None:
    """A lesson of a 40-lesson course with 60 blocks costs what one of two lessons costs."""
    small_course = CoursePageFactory(slug="small")
    small = LessonPageFactory(parent=ModulePageFactory(parent=small_course), body=lesson_body(1))
    large_course = CoursePageFactory(slug="large")
    modules = [ModulePageFactory(parent=large_course) for _ in range(8)]
    large = [LessonPageFactory(parent=modules[i % 8], body=lesson_body(60)) for i in range(40)]
    client.force_login(practitioner())
    warm_get(client, small.url)
    warm_get(client, large[20].url)
    with assert_max_queries(4) as small_queries:
        client.get(small.url)
    with assert_max_queries(4) as large_queries:
        client.get(large[20].url)
    assert len(small_queries.captured_queries) == len(large_queries.captured_queries)


def test_a_learner_never_sees_another_learners_state(
    client: Client, lessons: list[LessonPage]
) -> None:
    """Dana completed the lesson and read the pages first (filling the memo and the body cache);
    Aru, reading the same pages next on the same worker, sees only her own progress."""
    dana, aru = practitioner(username="dana"), practitioner(username="aru")
    lesson_progress_complete(user=dana, lesson=lessons[1])
    course_url = lessons[0].get_parent().get_parent().url
    client.force_login(dana)
    page = warm_get(client, lessons[1].url)
    assert "You completed this lesson on" in page
    assert 'class="is-done"' in warm_get(client, course_url)
    client.logout()

    client.force_login(aru)
    page = warm_get(client, lessons[1].url)
    assert "You completed this lesson on" not in page
    assert "Mark this lesson as complete" in page
    assert "dana" not in page
    assert 'class="is-done"' not in warm_get(client, course_url)
    assert 'class="is-done"' not in warm_get(client, lessons[0].get_parent().url)

    # And the other way round: Aru's completion shows to her at once, never to Dana.
    lesson_progress_complete(user=aru, lesson=lessons[2])
    assert "You completed this lesson on" in client.get(lessons[2].url).content.decode()
    client.force_login(dana)
    assert "You completed this lesson on" not in client.get(lessons[2].url).content.decode()


def test_a_publish_shows_at_once(client: Client, lessons: list[LessonPage]) -> None:
    client.force_login(practitioner())
    lesson = lessons[1]
    warm_get(client, lesson.url)
    warm_get(client, lessons[2].url)

    lesson.title = "A clearer title"
    lesson.summary = "What changed after the review."
    lesson.save_revision().publish()
    page = client.get(lesson.url).content.decode()
    assert "A clearer title" in page
    assert "What changed after the review." in page
    # The neighbour's pager names the new title too.
    assert "A clearer title" in client.get(lessons[2].url).content.decode()

    url = lesson.url
    lesson.unpublish()
    assert client.get(url).status_code == 404
    # The lesson has left the sequence: the next lesson's "previous" skips it.
    assert "A clearer title" not in client.get(lessons[2].url).content.decode()


def test_a_moved_or_renamed_lesson_is_found_at_its_new_address(
    client: Client, lessons: list[LessonPage]
) -> None:
    client.force_login(practitioner())
    lesson = lessons[2]
    old_url = lesson.url
    warm_get(client, old_url)
    lesson.slug = "renamed"
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(lesson.url).status_code == 200
    lesson.move(lessons[3].get_parent(), pos="last-child")
    lesson.refresh_from_db()
    assert "/second/renamed/" in lesson.url
    assert client.get(lesson.url).status_code == 200


@pytest.mark.parametrize("kind", ["login", "groups"])
def test_a_restriction_added_after_the_memo_is_warm_holds_at_once(
    client: Client, lessons: list[LessonPage], kind: str
) -> None:
    lesson = lessons[1]
    course = lesson.get_parent().get_parent()
    reader = practitioner()
    client.force_login(reader)
    warm_get(client, lesson.url)
    client.logout()
    warm_get(client, lesson.url)  # anonymous too: the page cache and the memo are both warm

    restriction = PageViewRestriction.objects.create(page=course, restriction_type=kind)
    if kind == "groups":
        restriction.groups.add(Group.objects.create(name="Pilot region"))
    response = client.get(lesson.url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(reader)
    response = client.get(lesson.url)
    if kind == "login":
        assert response.status_code == 200
    else:  # signed in, but not in the group
        assert response.status_code in (302, 403)
        assert "Lesson 2" not in response.content.decode()

    restriction.delete()
    assert client.get(lesson.url).status_code == 200


def test_a_renamed_quiz_shows_at_once_in_the_pager(
    client: Client, lessons: list[LessonPage]
) -> None:
    """The last lesson of a module with a quiz leads on to it by name (the lesson sequence is
    kept in the memo): renaming the quiz moves the generation on."""
    quiz = placed_quiz(lessons[3].get_parent(), title="Check your understanding")
    client.force_login(practitioner())
    assert "Check your understanding" in warm_get(client, lessons[4].url)
    quiz.title = "Module two check"
    quiz.save()
    assert "Module two check" in client.get(lessons[4].url).content.decode()

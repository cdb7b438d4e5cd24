"""Enrolment and lesson progress: idempotent writes, history kept, completion explained."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from courses.api import CoursePage, LessonPage
from learners.api import (
    REGION_CODES,
    MissingItem,
    course_completion,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
    region_choices,
    region_code_for,
    register_requirement,
)
from learners.completion import _REQUIREMENTS
from learners.models import Enrollment, LessonProgress, Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def lesson(slug: str) -> LessonPage:
    return LessonPage.objects.get(slug=slug)


def test_completing_twice_keeps_one_row_and_the_first_time(sample_course: CoursePage) -> None:
    user = UserFactory()
    first = lesson_progress_complete(user=user, lesson=lesson("every-block"))
    again = lesson_progress_complete(user=user, lesson=lesson("every-block"))
    assert first.pk == again.pk
    assert again.completed_at == first.completed_at
    assert LessonProgress.objects.filter(user=user).count() == 1
    assert first.course_id == sample_course.pk
    assert first.course_version == "2.1"


def test_the_database_refuses_a_second_row(sample_course: CoursePage) -> None:
    from django.db import IntegrityError, transaction

    user = UserFactory()
    row = lesson_progress_complete(user=user, lesson=lesson("every-block"))
    with (
        pytest.raises(IntegrityError, match=r"learners_progress_unique_user_lesson|UNIQUE"),
        transaction.atomic(),
    ):
        LessonProgress.objects.create(
                user=user, lesson=row.lesson, course=row.course, course_version="2.1",
                completed_at=row.completed_at,
            )  # fmt: skip


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
def test_concurrent_completions_make_one_row(sample_course_committed: CoursePage) -> None:
    user = UserFactory()
    target = lesson("every-block")
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def click() -> None:
        try:
            barrier.wait()
            lesson_progress_complete(user=user, lesson=target)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert LessonProgress.objects.filter(user=user, lesson=target).count() == 1


def test_leaving_keeps_history_and_rejoining_restores(sample_course: CoursePage) -> None:
    user = UserFactory()
    enrollment_create(user=user, course=sample_course)
    lesson_progress_complete(user=user, lesson=lesson("every-block"))
    left = enrollment_leave(user=user, course=sample_course)
    assert left is not None
    assert left.left_at is not None
    assert LessonProgress.objects.filter(user=user).count() == 1
    back = enrollment_create(user=user, course=sample_course)
    assert back.pk == left.pk
    assert back.active
    assert Enrollment.objects.filter(user=user).count() == 1


def test_completion_lists_what_is_left(sample_course: CoursePage) -> None:
    user = UserFactory()
    completion = course_completion(user=user, course=sample_course)
    assert (completion.required, completion.done, completion.percent) == (3, 0, 0)
    assert not completion.complete
    lesson_progress_complete(user=user, lesson=lesson("every-block"))
    lesson_progress_complete(user=user, lesson=lesson("second-lesson"))
    completion = course_completion(user=user, course=sample_course)
    assert [m.complete for m in completion.modules] == [True, False]
    assert completion.percent == 67
    assert completion.missing == [
        MissingItem(
            "lesson",
            "The third lesson",
            "Second module",
            "not marked complete yet",
            lesson("third-lesson").pk,
        )
    ]
    lesson_progress_complete(user=user, lesson=lesson("third-lesson"))
    assert course_completion(user=user, course=sample_course).complete


def test_unpublished_lesson_is_not_required(sample_course: CoursePage) -> None:
    user = UserFactory()
    lesson("third-lesson").unpublish()
    completion = course_completion(user=user, course=sample_course)
    assert completion.required == 2


@pytest.fixture
def extra_requirement() -> Iterator[None]:
    calls: list[object] = []

    def quiz_not_passed(users: object, courses: object, structures: object) -> object:
        calls.append(users)
        return lambda user_id, course_id: [
            (None, MissingItem("quiz", "Final check", "", "required quiz not passed yet"))
        ]

    register_requirement(quiz_not_passed)
    yield
    _REQUIREMENTS.remove(quiz_not_passed)


def test_requirement_hooks_add_missing_items(
    sample_course: CoursePage, extra_requirement: None
) -> None:
    user = UserFactory()
    for slug in ("every-block", "second-lesson", "third-lesson"):
        lesson_progress_complete(user=user, lesson=lesson(slug))
    completion = course_completion(user=user, course=sample_course)
    assert not completion.complete
    assert [item.kind for item in completion.missing] == ["quiz"]


def test_completion_query_count_does_not_grow(sample_course: CoursePage) -> None:
    """Four queries cold (pages, the learner's records, the courses' required activities and
    required quizzes) for one course or for many, and one (the learner's records) once the page
    memo holds the rest; the quizzes' own budget with quizzes placed is tested in tests/quizzes,
    the activities' in tests/activities."""
    from django.test.utils import CaptureQueriesContext

    from core.api import invalidate_page_cache
    from learners.api import courses_completion
    from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    user = UserFactory()
    course_completion(user=user, course=sample_course)  # warm the content-type cache
    with CaptureQueriesContext(connection) as ctx:
        course_completion(user=user, course=sample_course)
    assert len(ctx.captured_queries) == 1
    invalidate_page_cache()
    with CaptureQueriesContext(connection) as ctx:
        course_completion(user=user, course=sample_course)
    assert len(ctx.captured_queries) == 4
    courses = [sample_course]
    for _ in range(20):
        course = CoursePageFactory()
        LessonPageFactory.create_batch(3, parent=ModulePageFactory(parent=course))
        courses.append(course)
    with CaptureQueriesContext(connection) as ctx:
        result = courses_completion(user=user, courses=courses)
    assert len(ctx.captured_queries) == 4
    assert [result[c.pk].required for c in courses] == [3] + [3] * 20


# --- regions and profiles ----------------------------------------------------------------------


def test_regions_are_the_twenty_iso_subdivisions() -> None:
    assert len(REGION_CODES) == 20
    assert {"KZ-71", "KZ-75", "KZ-79"} <= REGION_CODES  # Astana, Almaty, Shymkent
    assert len(region_choices("en")) == 20


@pytest.mark.parametrize(
    ("value", "code"),
    [("KZ-75", "KZ-75"), (" kz-71 ", "KZ-71"), ("Shymkent", "KZ-79"),
     ("Западно-Казахстанская область", "KZ-27"), ("Atlantis", None), ("Алматы", "KZ-75"),
     ("Астана", "KZ-71"), ("Шымкент", "KZ-79"), ("Абайская  область", "KZ-10"),
     ("Туркестанская область", "KZ-61")],
)  # fmt: skip
def test_region_lookup_by_code_or_name(value: str, code: str | None) -> None:
    assert region_code_for(value) == code


def test_profile_rejects_a_region_outside_kazakhstan() -> None:
    profile = Profile(user=UserFactory(), specialty="psychologist", region="RU-MOW")
    with pytest.raises(ValidationError, match="not a region of Kazakhstan"):
        profile.full_clean()
    profile.region = "KZ-75"
    profile.full_clean()
    assert profile.region_name == "Almaty"

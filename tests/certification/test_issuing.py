"""Issuing: eligibility by the track's courses (per specialty), exactly one certificate."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

import pytest

from certification.codes import code_normalise, new_code
from certification.dates import add_months
from certification.models import Certificate, CertificationTrack, TrackRequirement
from certification.services import certificate_issue
from certification.tasks import issue_for_user
from courses.api import CoursePage, LessonPage
from learners.api import lesson_progress_complete
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, practitioner

pytestmark = pytest.mark.django_db


def course_with_lessons(count: int = 2) -> tuple[CoursePage, list[LessonPage]]:
    course = CoursePageFactory()
    module = ModulePageFactory(parent=course)
    return course, [LessonPageFactory(parent=module) for _ in range(count)]


def track_for(*courses: CoursePage, specialty: str = "", **fields: object) -> CertificationTrack:
    track = CertificationTrack.objects.create(
        name="Psychosocial support for returnee families", slug="psychosocial", **fields
    )
    for order, course in enumerate(courses):
        TrackRequirement.objects.create(
            track=track, course=course, specialty=specialty, sort_order=order
        )
    return track


def complete(user: object, lessons: list[LessonPage]) -> None:
    for lesson in lessons:
        lesson_progress_complete(user=user, lesson=lesson)


def test_a_certificate_is_issued_when_every_required_course_is_complete(
    django_capture_on_commit_callbacks: Any,
) -> None:
    course, lessons = course_with_lessons()
    track = track_for(course, validity_months=24)
    user = practitioner(first_name="Айгерім", last_name="Нұрланова")
    complete(user, lessons[:1])
    assert certificate_issue(user=user, track=track) is None
    with (
        mock.patch("certification.tasks.issue_for_user.delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete(user, lessons[1:])  # the signal queues the task after the commit
    queued.assert_called_once_with(user.pk)
    # What the worker runs (a real worker would not see this test's uncommitted rows).
    issued = issue_for_user(user.pk)
    certificate = Certificate.objects.get(user=user, track=track)
    assert issued == [certificate.pk]
    assert certificate.holder_name == "Айгерім Нұрланова"
    assert certificate.expires_on == add_months(certificate.issued_on, 24)
    assert certificate.course_versions == {
        str(course.pk): {"title": course.title, "version": course.version}
    }
    assert code_normalise(certificate.code) == certificate.code


def test_issuing_twice_gives_one_certificate() -> None:
    course, lessons = course_with_lessons(1)
    track = track_for(course)
    user = practitioner()
    complete(user, lessons)
    first = certificate_issue(user=user, track=track)
    assert first is not None
    assert certificate_issue(user=user, track=track) == first
    assert issue_for_user(user.pk) == [first.pk]
    assert Certificate.objects.filter(user=user).count() == 1


def test_a_course_for_another_specialty_is_not_required() -> None:
    course, lessons = course_with_lessons(1)
    other, _ = course_with_lessons(1)
    track = track_for(course)
    TrackRequirement.objects.create(track=track, course=other, specialty="police_probation")
    user = practitioner()  # a psychologist by default
    complete(user, lessons)
    assert issue_for_user(user.pk) == [Certificate.objects.get(user=user, track=track).pk]


def test_an_inactive_track_issues_nothing() -> None:
    course, lessons = course_with_lessons(1)
    track_for(course, active=False)
    user = practitioner()
    complete(user, lessons)
    assert issue_for_user(user.pk) == []
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2026, 11, 21), 24, date(2028, 11, 21)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_codes_are_random_and_read_forgivingly() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 24 and code.count("-") == 4
    assert code_normalise(code.lower().replace("-", " ")) == code
    assert code_normalise("0000-0000-0000-0000-000O") == "0000-0000-0000-0000-0000"
    assert code_normalise("too short") is None
    assert code_normalise("UUUU-UUUU-UUUU-UUUU-UUUU") is None  # U is not in the alphabet


def test_only_lessons_of_courses_a_track_asks_for_queue_the_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A lesson of a course no active track requires (or renews with) queues nothing."""
    required, required_lessons = course_with_lessons(1)
    refresher, refresher_lessons = course_with_lessons(1)
    _elsewhere, other_lessons = course_with_lessons(1)
    track_for(required, refresher_course=refresher, renewal_rule="refresher")
    user = practitioner()
    for lessons, expected in ((other_lessons, 0), (required_lessons, 1), (refresher_lessons, 1)):
        with (
            mock.patch("certification.tasks.issue_for_user.delay") as queued,
            django_capture_on_commit_callbacks(execute=True),
        ):
            complete(user, lessons)
        assert queued.call_count == expected
    CertificationTrack.objects.update(active=False)
    with (
        mock.patch("certification.tasks.issue_for_user.delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        complete(practitioner(), required_lessons)  # required, but by an inactive track
    assert queued.call_count == 0

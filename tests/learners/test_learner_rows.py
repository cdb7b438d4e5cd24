"""One learner's rows in one query (``learners.completion.learner_rows``, plain SQL: decision
0018): the same records and enrolments the ORM reads, converted as it converts them, and no one
else's."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from django.utils import timezone

from learners.api import enrollment_create, enrollment_leave, lesson_progress_complete
from learners.completion import learner_rows
from learners.models import Enrollment, LessonProgress
from learners.selectors import enrollment_for
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, practitioner

pytestmark = pytest.mark.django_db


def _course(slug: str) -> Any:
    course = CoursePageFactory(slug=slug)
    module = ModulePageFactory(parent=course)
    return course, [LessonPageFactory(parent=module, slug=f"{slug}-{i}") for i in range(3)]


def _fields(enrollment: Enrollment) -> dict[str, Any]:
    return {f.attname: getattr(enrollment, f.attname) for f in Enrollment._meta.concrete_fields}


def test_the_rows_are_the_learners_records_and_enrolments_as_the_orm_reads_them() -> None:
    (kept, kept_lessons), (left, left_lessons) = _course("kept"), _course("left")
    learner, other = practitioner(), practitioner()
    enrollment_create(user=learner, course=kept)
    enrollment_create(user=learner, course=left)
    enrollment_leave(user=learner, course=left)
    for lesson in (kept_lessons[0], kept_lessons[2], left_lessons[1]):
        lesson_progress_complete(user=learner, lesson=lesson)
    enrollment_create(user=other, course=kept)
    lesson_progress_complete(user=other, lesson=kept_lessons[1])

    rows = learner_rows(learner.pk)

    expected = {
        (r.course_id, r.lesson_id, r.lesson.translation_key, r.completed_at)
        for r in LessonProgress.objects.filter(user=learner).select_related("lesson")
    }
    assert set(rows.records) == expected and len(rows.records) == 3
    assert all(isinstance(key, UUID) for _c, _l, key, _at in rows.records)
    assert all(timezone.is_aware(at) for *_rest, at in rows.records)
    orm = list(Enrollment.objects.filter(user=learner))  # newest first, left ones too
    assert [_fields(e) for _key, e in rows.enrollments] == [_fields(e) for e in orm]
    assert [key for key, _e in rows.enrollments] == [e.course.translation_key for e in orm]
    newest, first = (e for _key, e in rows.enrollments)
    assert newest.course_id == left.pk and timezone.is_aware(newest.left_at)
    assert first.course_id == kept.pk and first.left_at is None
    # What pages ask of them: the course's enrolment, left or not, and nobody else's.
    assert enrollment_for(user=learner, course=left).left_at is not None
    assert enrollment_for(user=other, course=left) is None


def test_a_learner_with_nothing_done_has_no_rows() -> None:
    rows = learner_rows(practitioner().pk)
    assert rows.records == [] and rows.enrollments == []

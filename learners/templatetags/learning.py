"""Template tags that show a learner's own state on course pages, so the course page types need
not know about learners (the dependency goes one way: learners → courses)."""

from __future__ import annotations

from typing import Any

from django import template

from learners.completion import course_completion
from learners.models import Enrollment
from learners.selectors import lesson_progress_for

register = template.Library()


def _learner(context: dict[str, Any]) -> Any:
    """The signed-in user reading the page, or None (anonymous, or a CMS preview)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "is_preview", False):
        return None
    return user


@register.simple_tag(takes_context=True)
def lesson_state(context: dict[str, Any], lesson: Any) -> dict[str, Any] | None:
    """The signed-in learner's record for this lesson (one query); None when anonymous."""
    user = _learner(context)
    if user is None:
        return None
    return {"progress": lesson_progress_for(user=user, lesson_id=lesson.pk)}


@register.simple_tag(takes_context=True)
def course_state(context: dict[str, Any], course: Any) -> dict[str, Any] | None:
    """Enrolment and completion of this course for the signed-in learner; None when anonymous."""
    user = _learner(context)
    if user is None:
        return None
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    completion = course_completion(user=user, course=course)
    return {
        "enrollment": enrollment,
        "enrolled": enrollment is not None and enrollment.left_at is None,
        "completion": completion,
        "next_lesson_id": completion.missing[0].page_id if completion.missing else None,
    }

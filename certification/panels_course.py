"""What ``certification`` shows on a course page (slot ``courses.course_award``): the certificate
the course leads to, said before any certificate is issued. Registered from
``CertificationConfig.ready``; ``courses`` knows nothing of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import get_language

from core.api import Specialty, page_memo, register_panel
from courses.api import CoursePage

from .models import CertificationTrack, TrackRequirement

__all__ = ["CourseAward", "course_award", "register"]


@dataclass
class CourseAward:
    """An active track that requires the course: its certificate, how many courses it takes in
    all, and the specialties it requires the course of (empty: everyone)."""

    track: CertificationTrack
    course_count: int
    specialties: list[str] = field(default_factory=list)

    @property
    def only_course(self) -> bool:
        return self.course_count <= 1

    @property
    def other_courses(self) -> int:
        return self.course_count - 1


def course_award(request: HttpRequest | None, course: CoursePage) -> Mapping[str, Any] | None:
    """The certificates completing ``course`` leads to, or nothing: the same for every reader,
    kept in the page memo until a publish or a change to a track moves the generation on."""
    return page_memo(request, ("course-award", course.pk, get_language()), lambda: _awards(course))


def _awards(course: CoursePage) -> Mapping[str, Any] | None:
    """One query."""
    requirements = (
        TrackRequirement.objects.filter(course_id=course.pk, track__active=True)
        .select_related("track")
        .annotate(course_count=Count("track__requirements__course", distinct=True))
        .order_by("track__name", "specialty")
    )
    awards: dict[int, CourseAward] = {}
    everyone: set[int] = set()
    for requirement in requirements:
        award = awards.setdefault(
            requirement.track_id,
            CourseAward(requirement.track, requirement.course_count),
        )
        if not requirement.specialty:
            everyone.add(requirement.track_id)
        elif requirement.specialty in Specialty.values:
            award.specialties.append(str(Specialty(requirement.specialty).label))
    for track_id in everyone:
        awards[track_id].specialties = []
    return {"awards": list(awards.values())} if awards else None


def register() -> None:
    register_panel(
        "courses.course_award", template="certification/panels/course_award.html", data=course_award
    )

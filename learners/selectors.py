"""Reads for learners: what a learner sees of their own learning."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from core.api import Specialty
from courses.api import CoursePage

from .completion import (
    CourseCompletion,
    completion_from,
    course_structures,
    courses_completion,
    requirements_lookup,
)
from .models import Cohort, CohortCourse, Enrollment, LessonProgress, Profile
from .regions import REGION_CODES, region_name

__all__ = [
    "CohortTable",
    "LearningEntry",
    "ReportRow",
    "cohort_member_detail",
    "cohort_table",
    "cohorts_visible_to",
    "course_report",
    "lesson_progress_for",
    "my_learning",
    "report_regions",
]


@dataclass
class LearningEntry:
    """One course on My learning."""

    enrollment: Enrollment
    course: CoursePage
    completion: CourseCompletion
    next_lesson_url: str | None
    next_lesson_title: str | None
    due_date: date | None = None

    @property
    def overdue(self) -> bool:
        return bool(
            self.due_date and not self.completion.complete and self.due_date < timezone.localdate()
        )


def my_learning(*, user: Any, request: HttpRequest | None) -> list[LearningEntry]:
    """The user's active enrolments with progress and the lesson to continue with.

    A fixed number of queries whatever the number of courses: enrolments with their courses,
    the courses' pages, the learner's records, and the next lessons' URLs.
    """
    enrollments = list(
        Enrollment.objects.filter(user=user, left_at=None, course__live=True)
        .select_related("course", "course__locale")
        .order_by("-enrolled_at")
    )
    courses = [e.course for e in enrollments]
    completions = courses_completion(user=user, courses=courses)
    next_ids = {
        c.pk: (completions[c.pk].missing[0].page_id if completions[c.pk].missing else None)
        for c in courses
    }
    wanted = [pk for pk in next_ids.values() if pk]
    next_pages = Page.objects.select_related("locale").in_bulk(wanted) if wanted else {}
    # The earliest due date among the learner's cohorts that were assigned each course.
    due_dates = dict(
        CohortCourse.objects.filter(
            cohort__memberships__user=user, course__in=courses, due_date__isnull=False
        )
        .values("course_id")
        .annotate(due=Min("due_date"))
        .values_list("course_id", "due")
    )
    entries = []
    for enrollment in enrollments:
        course = enrollment.course
        next_page = next_pages.get(next_ids[course.pk] or 0)
        entries.append(
            LearningEntry(
                enrollment=enrollment,
                course=course,
                completion=completions[course.pk],
                next_lesson_url=next_page.get_url(request) if next_page else None,
                next_lesson_title=next_page.title if next_page else None,
                due_date=due_dates.get(course.pk),
            )
        )
    return entries


def lesson_progress_for(*, user: Any, lesson_id: int) -> LessonProgress | None:
    """The learner's record for one lesson, if they completed it."""
    return LessonProgress.objects.filter(user=user, lesson_id=lesson_id).first()


# --- cohorts -------------------------------------------------------------------------------------


def cohorts_visible_to(*, user: Any) -> QuerySet[Cohort]:
    """The cohorts ``user`` may see: the one place this is decided for every cohort view.

    Trainers see the cohorts they run; administrators see all. Nobody else sees a cohort's members
    (regional coordinators and the ministry get aggregates, not cohort tables).
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


@dataclass
class CohortCell:
    """One member's standing in one assigned course."""

    percent: int
    complete: bool
    last_activity: datetime | None
    due_date: date | None

    @property
    def overdue(self) -> bool:
        return bool(self.due_date and not self.complete and self.due_date < timezone.localdate())


@dataclass
class CohortRow:
    member: Any
    profile: Profile | None
    cells: list[CohortCell]
    specialty_label: str = ""

    @property
    def last_activity(self) -> datetime | None:
        times = [c.last_activity for c in self.cells if c.last_activity]
        return max(times) if times else None


@dataclass
class CohortTable:
    cohort: Cohort
    assignments: list[CohortCourse]
    rows: list[CohortRow]


def cohort_table(*, cohort: Cohort) -> CohortTable:
    """Members by assigned courses: percentage, last activity, overdue. Four queries, whatever
    the number of members and courses."""
    assignments = list(
        cohort.assignments.select_related("course").order_by("due_date", "course__title")
    )
    courses = [a.course for a in assignments]
    structures = course_structures(courses)
    members = list(
        get_user_model()
        .objects.filter(cohort_memberships__cohort=cohort)
        .select_related("profile")
        .order_by("last_name", "first_name", "username")
    )
    done: dict[tuple[int, int], set[int]] = defaultdict(set)
    last: dict[tuple[int, int], datetime] = {}
    records = LessonProgress.objects.filter(
        user__cohort_memberships__cohort=cohort, course__in=courses
    )
    for user_id, course_id, lesson_id in records.values_list("user_id", "course_id", "lesson_id"):
        done[(user_id, course_id)].add(lesson_id)
    # The latest date per member and course, from the database: converting every row's timestamp
    # in Python was a fifth of the page's time with 500 members.
    for user_id, course_id, latest in (
        records.values("user_id", "course_id")
        .annotate(latest=Max("completed_at"))
        .values_list("user_id", "course_id", "latest")
    ):
        last[(user_id, course_id)] = latest
    requirements = requirements_lookup(
        users=[m.pk for m in members], courses=courses, structures=structures
    )
    # Translated once per page, not once per row.
    specialty_labels = {value: str(label) for value, label in Specialty.choices}
    rows = []
    for member in members:
        cells = []
        for assignment in assignments:
            key = (member.pk, assignment.course_id)
            completion = completion_from(
                user=member,
                course=assignment.course,
                structure=structures[assignment.course_id],
                done_ids=done.get(key, set()),
                requirements=requirements,
            )
            cells.append(
                CohortCell(
                    completion.percent, completion.complete, last.get(key), assignment.due_date
                )
            )
        profile = getattr(member, "profile", None)
        label = specialty_labels.get(profile.specialty, "") if profile else ""
        rows.append(CohortRow(member, profile, cells, label))
    return CohortTable(cohort, assignments, rows)


@dataclass
class MemberCourse:
    assignment: CohortCourse
    completion: CourseCompletion

    @property
    def overdue(self) -> bool:
        due = self.assignment.due_date
        return bool(due and not self.completion.complete and due < timezone.localdate())


def cohort_member_detail(*, cohort: Cohort, member: Any) -> list[MemberCourse]:
    """One member's completion of each course assigned to the cohort, with what is missing."""
    assignments = list(cohort.assignments.select_related("course").order_by("due_date"))
    completions = courses_completion(user=member, courses=[a.course for a in assignments])
    return [MemberCourse(a, completions[a.course_id]) for a in assignments]


# --- aggregates for regional coordinators and the ministry ---------------------------------------


def report_regions(*, user: Any) -> frozenset[str] | None:
    """The regions whose aggregates ``user`` may see, or None when they may see no report.

    The one place this is decided: the ministry and administrators see every region, a regional
    coordinator the regions assigned to them. Reports show counts, never names or reflections.
    """
    if not user.is_authenticated:
        return None
    if user.is_superuser or user.groups.filter(name="Ministry").exists():
        return REGION_CODES
    if user.groups.filter(name="Regional coordinator").exists():
        return frozenset(user.coordinated_regions.values_list("region", flat=True))
    return None


@dataclass
class ReportRow:
    """Counts for one region and specialty in one course."""

    region: str
    specialty: str
    practitioners: int = 0
    enrolled: int = 0
    completed: int = 0

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def specialty_label(self) -> str:
        return str(Specialty(self.specialty).label) if self.specialty in Specialty.values else ""


def course_report(*, course: CoursePage, regions: frozenset[str]) -> list[ReportRow]:
    """Practitioners, enrolments and completions of ``course`` by region and specialty.

    Completion is decided by the same rules as everywhere (``completion_from``), for every
    practitioner in scope: four queries whatever the number of learners.
    """
    structure = course_structures([course])[course.pk]
    profiles = list(
        Profile.objects.filter(region__in=regions).values_list("user_id", "region", "specialty")
    )
    enrolled = set(
        Enrollment.objects.filter(
            course=course, left_at=None, user__profile__region__in=regions
        ).values_list("user_id", flat=True)
    )
    done: dict[int, set[int]] = defaultdict(set)
    for user_id, lesson_id in LessonProgress.objects.filter(
        course=course, user__profile__region__in=regions
    ).values_list("user_id", "lesson_id"):
        done[user_id].add(lesson_id)
    requirements = requirements_lookup(
        users=Profile.objects.filter(region__in=regions).values("user_id"),
        courses=[course],
        structures={course.pk: structure},
    )
    rows: dict[tuple[str, str], ReportRow] = {}
    for user_id, region, specialty in profiles:
        row = rows.setdefault((region, specialty), ReportRow(region, specialty))
        row.practitioners += 1
        if user_id in enrolled:
            row.enrolled += 1
        if (
            user_id in done
            and completion_from(
                user=user_id,
                course=course,
                structure=structure,
                done_ids=done[user_id],
                requirements=requirements,
            ).complete
        ):
            row.completed += 1
    return sorted(rows.values(), key=lambda r: (r.region_name, r.specialty_label))

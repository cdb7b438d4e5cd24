"""Reads for learners: what a learner sees of their own learning."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest
from django.utils import timezone
from wagtail.models import Page

from accounts.api import Role
from core.api import Specialty, page_memo, rows_where
from courses.api import (
    CoursePage,
    LessonPage,
    all_courses,
    live_courses_shown,
    translation_ids,
)

from .completion import (
    CourseCompletion,
    MissingItem,
    completion_from,
    course_structures,
    courses_completion,
    learner_records,
    learner_rows,
    requirements_lookup,
)
from .models import (
    Cohort,
    CohortCourse,
    CohortJoinInvitation,
    CohortMembership,
    CoordinatorRegion,
    Enrollment,
    LessonProgress,
    Profile,
    SpecialistImportJob,
)
from .permissions import can_view_reports, reports_on_every_region, sees_every_cohort
from .regions import REGION_CODES

__all__ = [
    "CohortTable",
    "CourseHistory",
    "CourseStanding",
    "LearningEntry",
    "PractitionerProfile",
    "cohort_has_course",
    "cohort_join_invitations_due_ids",
    "cohort_member_detail",
    "cohort_member_ids",
    "cohort_members",
    "cohort_table",
    "cohort_user_ids",
    "cohorts_visible_to",
    "course_finished_at",
    "course_histories",
    "course_standings",
    "enrollment_for",
    "learner_ids_with_progress",
    "lesson_completed_since",
    "lesson_progress_for",
    "my_learning",
    "practitioner_profile_count",
    "practitioner_profiles",
    "practitioners",
    "profile_exists",
    "profile_for",
    "report_regions",
    "specialist_import_job_status",
    "specialist_import_jobs_recent",
    "specialty_of",
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

    @property
    def state(self) -> str:
        """``"completed"``, ``"in_progress"`` (something done) or ``"not_started"``."""
        if self.completion.complete:
            return "completed"
        return "in_progress" if self.completion.done else "not_started"


def _active_enrollments(user_id: int) -> list[Enrollment]:
    """The learner's enrolments they have not left, newest first (their courses are in the page
    memo: ``courses.api.live_courses_shown``), from :func:`learner_rows` (no query of their own
    within a ``core.api.shared_reads`` block)."""
    return [e for _key, e in learner_rows(user_id).enrollments if e.left_at is None]


def _due_dates(user_id: int, course_keys: list[Any]) -> dict[Any, date]:
    """The earliest due date, by course translation key, among the cohorts of ``user_id`` that
    were assigned each course. Plain SQL: the ORM's three joins cost ten times running the query
    on every My learning (docs/benchmarks.md)."""
    if not course_keys:
        return {}
    q = connection.ops.quote_name
    assigned, members = CohortCourse._meta, CohortMembership._meta
    page = q(Page._meta.db_table)
    keys = ", ".join(["%s"] * len(course_keys))
    # Names from the models' metadata, quoted; every value is a parameter.
    sql = (
        f"SELECT p.{q('translation_key')}, MIN(a.{q('due_date')}) FROM {q(assigned.db_table)} a "  # noqa: S608
        f"JOIN {q(members.db_table)} m ON m.{q('cohort_id')} = a.{q('cohort_id')} "
        f"JOIN {page} p ON p.{q('id')} = a.{q('course_id')} "
        f"WHERE m.{q('user_id')} = %s AND a.{q('due_date')} IS NOT NULL "
        f"AND p.{q('translation_key')} IN ({keys}) GROUP BY p.{q('translation_key')}"
    )
    key_field = Page._meta.get_field("translation_key")
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [user_id, *(key_field.get_db_prep_value(k, connection) for k in course_keys)]
        )
        rows = cursor.fetchall()
    return {
        key_field.to_python(key): due if isinstance(due, date) else date.fromisoformat(due)
        for key, due in rows
    }


def my_learning(*, user: User, request: HttpRequest | None) -> list[LearningEntry]:
    """The user's active enrolments with progress and the lesson to continue with.

    A fixed number of queries whatever the number of courses: enrolments with their courses,
    the courses' pages, the learner's records, and the next lessons' URLs.
    """
    # Each live course in the reader's language when it has a live translation (records count
    # for every translation: ``courses_completion``).
    shown = live_courses_shown(e.course_id for e in _active_enrollments(user.pk))
    enrollments = [e for e in _active_enrollments(user.pk) if e.course_id in shown]
    courses = [shown[e.course_id] for e in enrollments]
    completions = courses_completion(user=user, courses=courses)
    # The next lesson to continue with; a quiz (after the module's lessons) links itself.
    next_items: dict[int, MissingItem | None] = {
        c.pk: next(iter(completions[c.pk].missing), None) for c in courses
    }
    next_ids = {
        pk: item.page_id if item is not None and item.kind == "lesson" else None
        for pk, item in next_items.items()
    }
    wanted = [pk for pk in next_ids.values() if pk]
    # Their URLs and titles are the same for every reader: from the page memo.
    host = request.get_host() if request is not None else ""
    next_pages = (
        page_memo(
            request, ("lesson-links", host, tuple(sorted(wanted))), lambda: _links(wanted, request)
        )
        if wanted
        else {}
    )
    due_dates = _due_dates(user.pk, [c.translation_key for c in courses])
    entries = []
    for enrollment in enrollments:
        course = shown[enrollment.course_id]
        next_page = next_pages.get(next_ids[course.pk] or 0)
        item = next_items[course.pk]
        next_url, next_title = next_page or (None, None)
        if next_page is None and item is not None and item.url:
            next_url, next_title = item.url, item.title
        entries.append(
            LearningEntry(
                enrollment=enrollment,
                course=course,
                completion=completions[course.pk],
                next_lesson_url=next_url,
                next_lesson_title=next_title,
                due_date=due_dates.get(course.translation_key),
            )
        )
    return entries


def _links(ids: list[int], request: HttpRequest | None) -> dict[int, tuple[str | None, str]]:
    """Each page's URL (as ``get_url`` makes it for ``request``'s site) and title."""
    pages = Page.objects.select_related("locale").in_bulk(ids)
    return {pk: (page.get_url(request), page.title) for pk, page in pages.items()}


def profile_for(*, user: User) -> Profile | None:
    """``user``'s specialist profile, or None before they complete it."""
    return Profile.objects.filter(user=user).first()


def profile_exists(*, user: User) -> bool:
    """Whether ``user`` has completed their specialist profile."""
    return Profile.objects.filter(user_id=user.pk).exists()


def enrollment_for(*, user: User, course: CoursePage) -> Enrollment | None:
    """``user``'s enrolment in ``course``, in any of its languages (also one they left), or
    None: the newest, from :func:`learner_rows` (the course page's actions share it with its
    ticks)."""
    key = course.translation_key
    return next(
        (e for course_key, e in learner_rows(user.pk).enrollments if course_key == key), None
    )


def lesson_progress_for(*, user: User, lesson: LessonPage) -> LessonProgress | None:
    """The learner's record for one lesson, in any of its languages, if they completed it (one
    query, by the lesson's translation key: a join, not nested subqueries to compile)."""
    return (
        LessonProgress.objects.filter(user=user, lesson__translation_key=lesson.translation_key)
        .order_by()
        .first()
    )


def specialty_of(*, user: User) -> str:
    """``user``'s specialty, or "" when they have no profile."""
    # Not a queryset: building one cost three times reading the row (decision 0018).
    return next((p.specialty for p in rows_where(Profile, {"user_id": user.pk})), "")


def preferred_language_of(*, user: User) -> str | None:
    """The language ``user`` chose in their profile, or None when they have no profile (or it
    names a language the site no longer offers)."""
    from django.conf import settings

    language = (
        Profile.objects.filter(user_id=user.pk)
        .order_by()
        .values_list("preferred_language", flat=True)
        .first()
    )
    return language if language in {code for code, _name in settings.LANGUAGES} else None


def course_finished_at(*, user: User, course: CoursePage) -> datetime | None:
    """When ``user`` last completed a lesson of ``course`` (None: never)."""
    latest: datetime | None = LessonProgress.objects.filter(
        user=user, course__translation_key=course.translation_key
    ).aggregate(last=Max("completed_at"))["last"]
    return latest


def lesson_completed_since(*, user: OuterRef, course_id: int, since: OuterRef) -> Exists:
    """A condition for another app's query: the learner ``user`` (an outer reference to a user
    id) completed a lesson of the course ``course_id`` at or after ``since`` (an outer reference
    to a moment). For example, certificates whose holder finished a refresher after the
    certificate was made."""
    return Exists(
        LessonProgress.objects.filter(user_id=user, course_id=course_id, completed_at__gte=since)
    )


@dataclass(frozen=True)
class CourseStanding:
    """One learner's standing in one course."""

    completion: CourseCompletion
    #: Enrolled now (not left).
    enrolled: bool
    #: When they last completed a lesson of the course.
    last_activity: datetime | None


def course_standings(
    *, user_ids: Collection[int], courses: list[CoursePage]
) -> dict[tuple[int, int], CourseStanding]:
    """The standing of every learner of ``user_ids`` in every one of ``courses``, by
    ``(user id, course id)``: a fixed number of queries (the courses' structures, enrolments,
    progress, and the registered requirements) whatever the number of learners."""
    if not courses or not user_ids:
        return {}
    user_ids = sorted(set(user_ids))
    course_ids = {c.pk for c in courses}
    if len(user_ids) == 1:  # a learner's own page: the reads My learning shares
        (learner,) = user_ids
        mine = _active_enrollments(learner)
        enrolled = {(learner, e.course_id) for e in mine if e.course_id in course_ids}
        records: Iterable[tuple[int, int, int, datetime]] = [
            (learner, course_id, lesson_id, at)
            for course_id, lesson_id, _key, at in learner_records(learner)
            if course_id in course_ids
        ]
    else:
        enrolled = set(
            Enrollment.objects.filter(
                user_id__in=user_ids, course__in=courses, left_at=None
            ).values_list("user_id", "course_id")
        )
        records = LessonProgress.objects.filter(
            user_id__in=user_ids, course__in=courses
        ).values_list("user_id", "course_id", "lesson_id", "completed_at")
    done: dict[tuple[int, int], set[int]] = defaultdict(set)
    last: dict[tuple[int, int], datetime] = {}
    for user_id, course_id, lesson_id, completed_at in records:
        key = (user_id, course_id)
        done[key].add(lesson_id)
        if key not in last or completed_at > last[key]:
            last[key] = completed_at
    structures = course_structures(courses)
    requirements = requirements_lookup(users=user_ids, courses=courses, structures=structures)
    standings = {}
    for user_id in user_ids:
        for course in courses:
            key = (user_id, course.pk)
            completion = completion_from(
                user=user_id,
                course=course,
                structure=structures[course.pk],
                done_ids=done.get(key, set()),
                requirements=requirements,
            )
            standings[key] = CourseStanding(completion, key in enrolled, last.get(key))
    return standings


# --- cohorts -------------------------------------------------------------------------------------


def cohorts_visible_to(*, user: User | AnonymousUser) -> QuerySet[Cohort]:
    """The cohorts ``user`` may see: the one place this is decided for every cohort view.

    Trainers see the cohorts they run; administrators see all. Nobody else sees a cohort's members
    (regional coordinators and the ministry get aggregates, not cohort tables).
    """
    if not user.is_authenticated:
        return Cohort.objects.none()
    if sees_every_cohort(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


def learner_ids_trained_by(*, user: User) -> QuerySet[CohortMembership, int]:
    """The ids of the members of the cohorts ``user`` runs, as a subquery (``values``): whose
    written work a trainer grades (``quizzes.grading``)."""
    return CohortMembership.objects.filter(cohort__trainers=user).values_list("user_id", flat=True)


def cohorts_trained_by(*, user: User) -> QuerySet[Cohort]:
    """The cohorts ``user`` runs, by name (the grading queue's filter)."""
    return Cohort.objects.filter(trainers=user).order_by("name").only("pk", "name")


def practitioners(queryset: QuerySet[User] | None = None) -> QuerySet[User]:
    """The accounts in ``queryset`` (default: every account) that are practitioners: not staff,
    not administrators, and in no role group but Practitioner (``permissions.keeps_a_profile``,
    as one query). The only accounts a trainer may bring into a cohort or see in one: trainers,
    reviewers, coordinators, the ministry and administrators stay out of trainers' reach."""
    queryset = queryset if queryset is not None else get_user_model().objects.all()
    other_roles = [role.value for role in Role if role != Role.PRACTITIONER]
    return queryset.filter(is_staff=False, is_superuser=False).exclude(groups__name__in=other_roles)


def cohort_members(*, cohort: Cohort) -> QuerySet[User]:
    """The members of ``cohort`` its trainers may see (``practitioners``; an account of another
    role added before trainers were limited to practitioners stays hidden), with profiles."""
    return practitioners(
        get_user_model().objects.filter(cohort_memberships__cohort=cohort)
    ).select_related("profile")


def cohort_member_ids(*, cohort: Cohort, user_ids: Collection[int]) -> set[int]:
    """Which of ``user_ids`` are members of ``cohort``."""
    return set(
        CohortMembership.objects.filter(cohort=cohort, user_id__in=list(user_ids)).values_list(
            "user_id", flat=True
        )
    )


def cohort_has_course(*, cohort: Cohort, course: CoursePage) -> bool:
    """Whether ``course`` is assigned to ``cohort``."""
    return CohortCourse.objects.filter(cohort=cohort, course=course).exists()


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
    member: User
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
        cohort_members(cohort=cohort)
        # The invitation in the same query: the page shows who has not signed in yet.
        .select_related("profile", "invitation")
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


def cohort_member_detail(*, cohort: Cohort, member: User) -> list[MemberCourse]:
    """One member's completion of each course assigned to the cohort, with what is missing."""
    assignments = list(cohort.assignments.select_related("course").order_by("due_date"))
    completions = courses_completion(user=member, courses=[a.course for a in assignments])
    return [MemberCourse(a, completions[a.course_id]) for a in assignments]


# --- aggregates for regional coordinators and the ministry ---------------------------------------


def report_regions(*, user: User | AnonymousUser) -> frozenset[str] | None:
    """The regions whose aggregates ``user`` may see, or None when they may see no report.

    The scope of every report (``permissions`` decides who reads reports and who sees every
    region): the ministry and administrators see every region, a regional coordinator the
    regions assigned to them. Reports show counts, never names or reflections.
    """
    if not user.is_authenticated:
        return None
    if reports_on_every_region(user):
        return REGION_CODES
    if can_view_reports(user):
        return frozenset(
            CoordinatorRegion.objects.filter(user=user).values_list("region", flat=True)
        )
    return None


def coordinator_regions(*, user: User | AnonymousUser) -> list[str]:
    """The regions a regional coordinator is given (their dashboard's scope), by code."""
    if not user.is_authenticated:
        return []
    return list(
        CoordinatorRegion.objects.filter(user_id=user.pk)
        .order_by("region")
        .values_list("region", flat=True)
    )


# --- specialist imports --------------------------------------------------------------------------


def specialist_import_jobs_recent(*, limit: int = 10) -> QuerySet[SpecialistImportJob]:
    """The latest specialist imports, newest first, without their files."""
    return SpecialistImportJob.objects.defer("data")[:limit]


def specialist_import_job_status(*, job_id: int) -> SpecialistImportJob | None:
    """One specialist import without its file, or None."""
    return SpecialistImportJob.objects.defer("data").filter(pk=job_id).first()


def learner_ids_with_progress(
    *, course_ids: Collection[int], since: datetime | None
) -> QuerySet[LessonProgress, Any]:
    """The ``user_id`` of every learner who completed a lesson of one of ``course_ids`` at or
    after ``since`` (ever, with None): a lazy query another can use as a subquery (the
    certificate sweep asks for everyone in one query)."""
    progress = LessonProgress.objects.filter(course_id__in=course_ids)
    if since is not None:
        progress = progress.filter(completed_at__gte=since)
    return progress.values("user_id")


def cohort_join_invitations_due_ids(
    *, asked_before: datetime, claimed_before: datetime
) -> list[int]:
    """Join invitations still waiting to be sent that were asked for before ``asked_before``
    (the sweep leaves the newest to the task sending them) and are not being sent (no claim, or
    one taken before ``claimed_before``: its worker died), oldest first."""
    rows = CohortJoinInvitation.objects.filter(
        status=CohortJoinInvitation.Status.PENDING, asked_at__lt=asked_before
    ).filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_before))
    return list(rows.order_by("asked_at").values_list("pk", flat=True))


# --- report facts: what a practitioner did in each course, for a batch --------------------------


class PractitionerProfile(NamedTuple):
    """What a report copies from a practitioner's profile."""

    user_id: int
    region: str
    specialty: str
    organisation: str


def _practitioner_profiles_query() -> QuerySet[Profile]:
    # No ordering: Profile's default (by the user's name) would join and sort.
    return Profile.objects.filter(user_id__in=practitioners().values("pk")).order_by()


def practitioner_profiles(
    *, user_ids: Collection[int] | None = None, after: int = 0, limit: int | None = None
) -> list[PractitionerProfile]:
    """The profiles of practitioners (``practitioners``: accounts that keep a profile) among
    ``user_ids`` (default: everyone) whose id is above ``after``, by user id, at most ``limit``:
    one query. Someone without a profile, or no longer a practitioner, is not among them."""
    rows = _practitioner_profiles_query().filter(user_id__gt=after)
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    rows = rows.order_by("user_id")
    values = rows.values_list("user_id", "region", "specialty", "organisation")
    if limit is not None:
        values = values[:limit]
    return [PractitionerProfile(*row) for row in values]


def practitioner_profile_count() -> int:
    """How many practitioners have a profile (those :func:`practitioner_profiles` lists)."""
    return _practitioner_profiles_query().count()


def cohort_user_ids(*, cohort_id: int) -> list[int]:
    """The ids of every member of the cohort ``cohort_id`` (whatever their role)."""
    return list(
        CohortMembership.objects.filter(cohort_id=cohort_id)
        .order_by()
        .values_list("user_id", flat=True)
    )


class CourseHistory(NamedTuple):
    """One learner's history in one course (its identity page, as records are stored)."""

    user_id: int
    course_id: int
    #: Enrolled now (an enrolment not left).
    enrolled: bool
    #: When they enrolled (kept after leaving); None without an enrolment.
    enrolled_at: datetime | None
    #: When they completed their first lesson of the course.
    started_at: datetime | None
    #: When the course became complete by the completion rules: their last lesson
    #: (``course_finished_at``); None while it is not complete.
    completed_at: datetime | None
    #: The earliest due date a cohort of theirs has for the course.
    due_on: date | None


def course_histories(*, user_ids: Collection[int]) -> list[CourseHistory]:
    """Every (learner, course) of ``user_ids`` with an enrolment (left or not) or a completed
    lesson, with what a report needs of it: a fixed number of queries whatever the number of
    learners (enrolments, the courses, their structures, the progress grouped by learner and
    course, the cohorts' due dates, and the registered requirements for the learners whose
    lessons are all done).

    Completion is decided by ``completion_from``, the same rules as everywhere. To keep a batch
    of thousands of learners fast, the progress is counted in SQL (the required lessons done per
    learner and course) rather than read row by row; only a learner who has done every required
    lesson can be complete, and for them ``completion_from`` decides with the other requirements
    (required quizzes) as usual."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    enrolments = {
        (user_id, course_id): (enrolled_at, left_at)
        for user_id, course_id, enrolled_at, left_at in Enrollment.objects.filter(user_id__in=ids)
        .order_by()
        .values_list("user_id", "course_id", "enrolled_at", "left_at")
    }
    progressed = LessonProgress.objects.filter(user_id__in=ids).order_by()
    courses = list(
        all_courses()
        .filter(
            Q(pk__in=progressed.values("course_id"))
            | Q(pk__in={course_id for _user_id, course_id in enrolments})
        )
        .order_by("pk")
    )
    by_id = {course.pk: course for course in courses}
    structures = course_structures(courses)
    required = {
        course_id: {lesson_id for module in modules for lesson_id, _title in module.lessons}
        for course_id, modules in structures.items()
    }
    counted = Q()
    for course_id, lessons in required.items():
        if lessons:
            counted |= Q(course_id=course_id, lesson_id__in=sorted(lessons))
    progress = (
        progressed.values("user_id", "course_id")
        .annotate(
            first_at=Min("completed_at"),
            last_at=Max("completed_at"),
            required_done=Count("pk", filter=counted) if counted else Value(0),
        )
        .values_list("user_id", "course_id", "first_at", "last_at", "required_done")
    )
    activity: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    candidates: list[tuple[int, int]] = []  # every required lesson done: maybe complete
    for user_id, course_id, first, last, required_done in progress:
        activity[(user_id, course_id)] = (first, last)
        if course_id in by_id and required_done == len(required.get(course_id, ())):
            candidates.append((user_id, course_id))
    complete: set[tuple[int, int]] = set()
    if candidates:
        requirements = requirements_lookup(
            users=sorted({user_id for user_id, _course_id in candidates}),
            courses=[by_id[c] for c in sorted({c for _u, c in candidates})],
            structures=structures,
        )
        for user_id, course_id in candidates:
            if completion_from(
                user=user_id,
                course=by_id[course_id],
                structure=structures[course_id],
                done_ids=required[course_id],
                requirements=requirements,
            ).complete:
                complete.add((user_id, course_id))
    # The earliest due date per learner and course, whichever translation a cohort was given.
    cohort_dues = (
        CohortMembership.objects.filter(
            user_id__in=ids, cohort__assignments__due_date__isnull=False
        )
        .order_by()
        .values("user_id", "cohort__assignments__course__translation_key")
        .annotate(due=Min("cohort__assignments__due_date"))
        .values_list("user_id", "cohort__assignments__course__translation_key", "due")
    )
    due: dict[tuple[int, Any], date] = {
        (user_id, key): due_on for user_id, key, due_on in cohort_dues
    }
    histories = []
    for key in sorted(set(enrolments) | set(activity)):
        user_id, course_id = key
        enrolled_at, left_at = enrolments.get(key, (None, None))
        first, last = activity.get(key, (None, None))
        course = by_id.get(course_id)
        histories.append(
            CourseHistory(
                user_id=user_id,
                course_id=course_id,
                enrolled=key in enrolments and left_at is None,
                enrolled_at=enrolled_at,
                started_at=first,
                completed_at=last if key in complete else None,
                due_on=due.get((user_id, course.translation_key)) if course else None,
            )
        )
    return histories


def lesson_done(*, user: User, lesson_id: int) -> bool:
    """Whether ``user`` completed the lesson ``lesson_id`` (in any of its languages): one query."""
    return LessonProgress.objects.filter(
        user=user, lesson_id__in=translation_ids(Page.objects.filter(pk=lesson_id).values("pk"))
    ).exists()

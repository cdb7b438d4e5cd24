"""The dashboard's summary tables (``reports.facts``): equal to what the platform's own per-person
reads say, kept current by events (signals, ``people_changed``), mended after a lost task by the
outbox, rebuilt identically, and computed in a fixed number of queries.

Every expected value comes from :func:`expected_facts`, which asks the platform one person and
one course at a time (``course_completion``, ``course_finished_at``, the rows themselves): an
independent computation of the definitions in ``reports.facts``. All people are synthetic.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale, Page

from certification.models import Certificate, CertificateStatus
from certification.services import certificate_revoke
from core.api import invalidate_page_cache
from courses.api import CoursePage, LessonPage
from learners.api import (
    cohort_add_member,
    cohort_assign_course,
    cohort_for_name,
    course_completion,
    course_finished_at,
    enrollment_create,
    enrollment_leave,
    keeps_a_profile,
    lesson_progress_complete,
)
from learners.models import CohortCourse, Enrollment, LessonProgress, Profile
from quizzes.models import QuestionType, Quiz, QuizResult
from reports.facts import facts_rebuild, facts_refresh, stale_mark, stale_refresh
from reports.models import CertificationFact, CourseFact, PersonFact, StalePerson
from reports.tasks import refresh_stale
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    ProfileFactory,
    UserFactory,
    practitioner,
)
from tests.factories.certification import CertificateFactory, TrackFactory
from tests.factories.quizzes import make_question, make_quiz, place_on_module

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def fresh(page: Any) -> Any:
    return type(page).objects.get(pk=page.pk)


def published(page: Page) -> Any:
    page.save_revision().publish()
    return fresh(page)


# --- the independent computation -----------------------------------------------------------------


def expected_facts() -> tuple[dict[int, dict[str, Any]], dict[Any, Any], dict[Any, Any]]:
    """(people, courses, certifications) as the definitions say, one person at a time."""
    people: dict[int, dict[str, Any]] = {}
    courses: dict[tuple[int, int], dict[str, Any]] = {}
    certifications: dict[tuple[int, int], dict[str, Any]] = {}
    for user in User.objects.all():
        profile = Profile.objects.filter(user=user).first()
        if profile is None or not keeps_a_profile(user):
            continue
        place = {
            "region": profile.region,
            "specialty": profile.specialty,
            "organisation": profile.organisation,
        }
        course_ids = set(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))
        course_ids |= set(
            LessonProgress.objects.filter(user=user).values_list("course_id", flat=True)
        )
        mine = []
        for course_id in course_ids:
            course = CoursePage.objects.get(pk=course_id)
            enrolment = Enrollment.objects.filter(user=user, course=course).first()
            first = LessonProgress.objects.filter(user=user, course=course).aggregate(
                first=Min("completed_at")
            )["first"]
            complete = course_completion(user=user, course=course).complete
            due = CohortCourse.objects.filter(
                cohort__memberships__user=user,
                course__translation_key=course.translation_key,
                due_date__isnull=False,
            ).aggregate(due=Min("due_date"))["due"]
            row = {
                **place,
                "enrolled": enrolment is not None and enrolment.left_at is None,
                "enrolled_at": enrolment.enrolled_at if enrolment else None,
                "started_at": first,
                "completed_at": course_finished_at(user=user, course=course) if complete else None,
                "due_on": due,
            }
            courses[(user.pk, course_id)] = row
            mine.append(row)
        held = []
        for track_id in set(
            Certificate.objects.filter(user=user).values_list("track_id", flat=True)
        ):
            certificates = list(
                Certificate.objects.filter(user=user, track_id=track_id).order_by("sequence")
            )
            kept = [c.expires_on for c in certificates if c.status != CertificateStatus.REVOKED]
            row = {
                **place,
                "first_issued_on": min(c.issued_on for c in certificates),
                "latest_issued_on": max(c.issued_on for c in certificates),
                "valid_until": max(kept) if kept else None,
                "revoked": certificates[-1].status == CertificateStatus.REVOKED,
            }
            certifications[(user.pk, track_id)] = row
            held.append(row)
        open_due = [r["due_on"] for r in mine if r["completed_at"] is None and r["due_on"]]
        valid = [r["valid_until"] for r in held if r["valid_until"]]
        people[user.pk] = {
            **place,
            "enrolled": any(r["enrolled"] for r in mine),
            "in_progress": any(
                r["enrolled"] and r["started_at"] and r["completed_at"] is None for r in mine
            ),
            "completed": any(r["completed_at"] for r in mine),
            "due_on": min(open_due) if open_due else None,
            "valid_until": max(valid) if valid else None,
            "revoked": any(r["revoked"] for r in held),
        }
    return people, courses, certifications


def stored_facts() -> tuple[dict[int, dict[str, Any]], dict[Any, Any], dict[Any, Any]]:
    person_fields = [
        "region",
        "specialty",
        "organisation",
        "enrolled",
        "in_progress",
        "completed",
        "due_on",
        "valid_until",
        "revoked",
    ]
    course_fields = ["region", "specialty", "organisation", "enrolled", "enrolled_at"]
    course_fields += ["started_at", "completed_at", "due_on"]
    cert_fields = ["region", "specialty", "organisation", "first_issued_on", "latest_issued_on"]
    cert_fields += ["valid_until", "revoked"]
    people = {
        row["user_id"]: {f: row[f] for f in person_fields}
        for row in PersonFact.objects.values("user_id", *person_fields)
    }
    courses = {
        (row["user_id"], row["course_id"]): {f: row[f] for f in course_fields}
        for row in CourseFact.objects.values("user_id", "course_id", *course_fields)
    }
    certifications = {
        (row["user_id"], row["track_id"]): {f: row[f] for f in cert_fields}
        for row in CertificationFact.objects.values("user_id", "track_id", *cert_fields)
    }
    return people, courses, certifications


def assert_facts_current() -> None:
    assert stored_facts() == expected_facts()


# --- the data ------------------------------------------------------------------------------------


def course_with_lessons(title: str, lessons: int) -> tuple[CoursePage, list[LessonPage]]:
    course = published(CoursePageFactory(title=title))
    module = published(ModulePageFactory(parent=course))
    return course, [published(LessonPageFactory(parent=module)) for _ in range(lessons)]


def course_with_quiz(title: str) -> tuple[CoursePage, LessonPage, Quiz]:
    course = published(CoursePageFactory(title=title))
    module = published(ModulePageFactory(parent=course))
    lesson = published(LessonPageFactory(parent=module))
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)], title=f"{title}: check")
    place_on_module(quiz, fresh(module))
    return fresh(course), fresh(lesson), quiz


def pass_quiz(quiz: Quiz, user: User, *, passed: bool = True) -> None:
    QuizResult.objects.update_or_create(
        quiz=quiz,
        user=user,
        defaults={"grade": Decimal(90 if passed else 20), "passed": passed, "attempts": 1},
    )


def complete(user: User, lesson: LessonPage, when: datetime) -> None:
    lesson_progress_complete(user=user, lesson=lesson)
    LessonProgress.objects.filter(user=user, lesson_id=lesson.pk).update(completed_at=when)


def at(day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, 5, day, hour))


@pytest.fixture
def world(django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Practitioners in every state the definitions distinguish, and two who must have none,
    made in what stands for one committed transaction (its commit hooks run: the facts follow)."""
    with django_capture_on_commit_callbacks(execute=True):
        return _world()


def _world() -> dict[str, Any]:
    basics, (b1, b2) = course_with_lessons("Working with families who came home", 2)
    assessed, a_lesson, quiz = course_with_quiz("Trauma-informed care")
    cohort, _made = cohort_for_name(name="Synthetic cohort A")
    other, _made = cohort_for_name(name="Synthetic cohort B")
    track = TrackFactory()
    second_track = TrackFactory()

    finisher = practitioner(username="synthetic-finisher")
    learner = practitioner(username="synthetic-learner")
    quiz_failed = practitioner(username="synthetic-quiz-failed")
    quiz_passed = practitioner(username="synthetic-quiz-passed")
    leaver = practitioner(username="synthetic-leaver")
    idle = practitioner(username="synthetic-idle")
    Profile.objects.filter(user=idle).update(region="KZ-11", specialty="social_worker")
    trainer: Any = UserFactory(username="synthetic-trainer", groups=["Trainer"])
    ProfileFactory(user=trainer)
    no_profile: Any = UserFactory(username="synthetic-no-profile", groups=["Practitioner"])

    for person in (finisher, learner):
        cohort_add_member(cohort=cohort, user=person)
    cohort_add_member(cohort=other, user=learner)
    cohort_assign_course(cohort=cohort, course=basics, due_date=date(2026, 9, 1))
    cohort_assign_course(cohort=other, course=basics, due_date=date(2026, 7, 1))

    complete(finisher, b1, at(2))
    complete(finisher, b2, at(5))
    complete(learner, b1, at(3))
    for person in (quiz_failed, quiz_passed, trainer, no_profile):
        enrollment_create(user=person, course=assessed)
        complete(person, a_lesson, at(4))
    pass_quiz(quiz, quiz_failed, passed=False)
    pass_quiz(quiz, quiz_passed)
    enrollment_create(user=leaver, course=basics)
    complete(leaver, b1, at(6))
    enrollment_leave(user=leaver, course=basics)
    # A translation: enrolling in the Russian course is enrolling in the course.
    russian = basics.copy_for_translation(Locale.objects.get(language_code="ru"), copy_parents=True)
    enrollment_create(user=quiz_passed, course=published(russian))

    # Certificates: valid; expired; renewed; the latest revoked; all revoked.
    CertificateFactory(user=finisher, track=track, issued_on=TODAY)
    CertificateFactory(
        user=learner,
        track=track,
        issued_on=TODAY - timedelta(days=900),
        status=CertificateStatus.EXPIRED,
    )
    first = CertificateFactory(
        user=quiz_passed,
        track=track,
        issued_on=TODAY - timedelta(days=800),
        status=CertificateStatus.EXPIRED,
    )
    CertificateFactory(user=quiz_passed, track=track, sequence=2, previous=first, issued_on=TODAY)
    CertificateFactory(user=quiz_passed, track=second_track, issued_on=TODAY - timedelta(days=10))
    kept = CertificateFactory(user=quiz_failed, track=track, issued_on=TODAY - timedelta(days=400))
    CertificateFactory(
        user=quiz_failed,
        track=track,
        sequence=2,
        previous=kept,
        issued_on=TODAY,
        status=CertificateStatus.REVOKED,
    )
    CertificateFactory(user=leaver, track=track, status=CertificateStatus.REVOKED)
    return {
        "basics": basics,
        "lessons": (b1, b2),
        "assessed": assessed,
        "quiz": quiz,
        "cohort": cohort,
        "track": track,
        "finisher": finisher,
        "learner": learner,
        "quiz_failed": quiz_failed,
        "quiz_passed": quiz_passed,
        "leaver": leaver,
        "idle": idle,
        "trainer": trainer,
        "no_profile": no_profile,
    }


def everyone() -> list[int]:
    return list(User.objects.values_list("pk", flat=True))


# --- the tests -----------------------------------------------------------------------------------


def test_refresh_equals_the_definitions(world: dict[str, Any]) -> None:
    assert facts_refresh(user_ids=everyone()) == 6
    assert_facts_current()
    people, courses, certifications = stored_facts()
    # The data covers each case the definitions distinguish (else the comparison proves little).
    assert world["trainer"].pk not in people and world["no_profile"].pk not in people
    assert not any(user_id == world["trainer"].pk for user_id, _course in courses)
    assert people[world["idle"].pk]["region"] == "KZ-11"
    assert not any(people[world["idle"].pk][f] for f in ("enrolled", "in_progress", "completed"))
    assessed = world["assessed"].pk
    assert courses[(world["quiz_passed"].pk, assessed)]["completed_at"] == at(4)
    assert courses[(world["quiz_failed"].pk, assessed)]["completed_at"] is None
    assert people[world["learner"].pk]["in_progress"]
    assert people[world["learner"].pk]["due_on"] == date(2026, 7, 1)  # the earliest cohort's
    assert people[world["finisher"].pk]["due_on"] is None  # completed: nothing due
    leaver = courses[(world["leaver"].pk, world["basics"].pk)]
    assert not leaver["enrolled"] and leaver["enrolled_at"] is not None
    # The translation's enrolment is stored against the identity page.
    assert (world["quiz_passed"].pk, world["basics"].pk) in courses
    assert certifications[(world["quiz_failed"].pk, world["track"].pk)]["revoked"]
    assert certifications[(world["leaver"].pk, world["track"].pk)]["valid_until"] is None
    assert people[world["quiz_passed"].pk]["valid_until"] == TODAY + timedelta(days=730)


def test_refresh_of_nobody_does_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert facts_refresh(user_ids=[]) == 0
    assert len(queries.captured_queries) == 0


def test_someone_who_stops_being_a_practitioner_loses_their_facts(world: dict[str, Any]) -> None:
    facts_refresh(user_ids=everyone())
    learner, idle = world["learner"], world["idle"]
    learner.groups.add(Group.objects.get(name="Trainer"))
    Profile.objects.filter(user=idle).delete()
    facts_refresh(user_ids=[learner.pk, idle.pk])
    assert not PersonFact.objects.filter(user__in=[learner, idle]).exists()
    assert not CourseFact.objects.filter(user=learner).exists()
    assert not CertificationFact.objects.filter(user=learner).exists()
    assert_facts_current()


def test_rebuild_equals_incremental_refresh(world: dict[str, Any]) -> None:
    facts_refresh(user_ids=everyone())
    incremental = stored_facts()
    # Facts of someone who no longer qualifies, however they got there, go in a rebuild.
    PersonFact.objects.create(user=world["trainer"], region="KZ-75", specialty="psychologist")
    for model in (PersonFact, CourseFact, CertificationFact):
        model.objects.filter(user=world["finisher"]).delete()
    seen: list[tuple[int, int]] = []
    assert facts_rebuild(batch_size=2, progress=lambda d, t, _l: seen.append((d, t))) == 6
    assert stored_facts() == incremental
    assert_facts_current()
    assert seen[-1] == (6, 6) and len(seen) == 3  # three batches of two


def test_rebuild_with_nobody_left_empties_the_tables(world: dict[str, Any]) -> None:
    facts_refresh(user_ids=everyone())
    Profile.objects.all().delete()
    assert facts_rebuild() == 0
    assert not PersonFact.objects.exists() and not CourseFact.objects.exists()
    assert not CertificationFact.objects.exists()


def test_events_keep_the_facts_current(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # The world's own events made the facts, with no explicit refresh.
    assert_facts_current()
    assert not StalePerson.objects.exists()
    idle, learner = world["idle"], world["learner"]
    b1, b2 = world["lessons"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrollment_create(user=idle, course=world["basics"])
        complete(idle, b1, at(7))
    # One refresh queued for the whole transaction, however many rows changed.
    assert sum(c.__name__ == "_enqueue_refresh" for c in callbacks) == 1
    assert PersonFact.objects.get(user=idle).in_progress
    with django_capture_on_commit_callbacks(execute=True):
        lesson_progress_complete(user=learner, lesson=b2)
    assert PersonFact.objects.get(user=learner).completed
    # A due date changed affects every member of the cohort.
    with django_capture_on_commit_callbacks(execute=True):
        cohort_assign_course(
            cohort=world["cohort"], course=world["basics"], due_date=date(2026, 6, 15)
        )
    assert CourseFact.objects.get(user=world["finisher"], course=world["basics"]).due_on == date(
        2026, 6, 15
    )
    # A quiz passed completes a course.
    with django_capture_on_commit_callbacks(execute=True):
        pass_quiz(world["quiz"], world["quiz_failed"])
    assert PersonFact.objects.get(user=world["quiz_failed"]).completed
    # A revocation is a bulk update (no post_save): it says so with ``people_changed``.
    admin: Any = UserFactory(is_superuser=True, is_staff=True)
    certificate = Certificate.objects.get(user=world["finisher"])
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, by=admin, reason="Synthetic test")
    assert PersonFact.objects.get(user=world["finisher"]).revoked
    # A role given through the groups, from the group's side.
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name="Trainer").user_set.add(idle)
    assert not PersonFact.objects.filter(user=idle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name="Trainer").user_set.clear()
    assert PersonFact.objects.filter(user=idle).exists()
    assert not StalePerson.objects.exists()
    assert_facts_current()


def test_a_lost_refresh_is_mended_from_the_marks(world: dict[str, Any]) -> None:
    facts_refresh(user_ids=everyone())
    idle = world["idle"]
    # The change and its mark commit; the task never runs (on_commit callbacks are not run here).
    enrollment_create(user=idle, course=world["basics"])
    assert StalePerson.objects.filter(user_id=idle.pk).exists()
    assert not PersonFact.objects.get(user=idle).enrolled
    assert refresh_stale() >= 1  # the sweep (beat) runs the same task
    assert PersonFact.objects.get(user=idle).enrolled
    assert not StalePerson.objects.exists()
    assert refresh_stale() == 0
    assert_facts_current()


def test_stale_refresh_leaves_marks_made_after_it_read_them(world: dict[str, Any]) -> None:
    facts_refresh(user_ids=everyone())
    StalePerson.objects.all().delete()
    stale_mark(user_ids=[world["idle"].pk, None, world["learner"].pk])
    later = timezone.now() + timedelta(minutes=5)
    StalePerson.objects.filter(user_id=world["learner"].pk).update(marked_at=later)
    assert stale_refresh() == 1
    assert list(StalePerson.objects.values_list("user_id", flat=True)) == [world["learner"].pk]
    # Marking again someone marked moves the mark on, one row each.
    assert stale_mark(user_ids=[world["learner"].pk, world["learner"].pk]) == 1
    assert StalePerson.objects.get().marked_at < later
    assert stale_refresh(limit=10) == 1 and not StalePerson.objects.exists()


def test_stale_refresh_respects_its_limit(world: dict[str, Any]) -> None:
    stale_mark(user_ids=everyone())
    marked = StalePerson.objects.count()
    assert stale_refresh(limit=3) == 3
    assert StalePerson.objects.count() == marked - 3


def test_the_command_rebuilds_and_reports(world: dict[str, Any], capsys: Any) -> None:
    call_command("rebuild_report_facts", "--no-progress", "--batch-size", "4")
    out = capsys.readouterr().out
    assert "Facts rebuilt for 6 practitioner(s)" in out and " s." in out
    assert_facts_current()


def _people(
    count: int, course: CoursePage, lessons: tuple[LessonPage, ...], quiz: Quiz
) -> list[int]:
    assessed = CoursePage.objects.get(title="Quiz course")
    a_lesson = LessonPage.objects.get(title="Quiz lesson")
    ids = []
    for n in range(count):
        person = practitioner()
        enrollment_create(user=person, course=course)
        enrollment_create(user=person, course=assessed)
        complete(person, lessons[0], at(1 + n % 20))
        if n % 2:
            complete(person, lessons[1], at(2 + n % 20))
            complete(person, a_lesson, at(3 + n % 20))
            pass_quiz(quiz, person)
            CertificateFactory(user=person)
        ids.append(person.pk)
    return ids


def test_refresh_queries_do_not_grow_with_the_people() -> None:
    course, lessons = course_with_lessons("Counted course", 2)
    assessed = published(CoursePageFactory(title="Quiz course"))
    module = published(ModulePageFactory(parent=assessed))
    published(LessonPageFactory(parent=module, title="Quiz lesson"))
    quiz = make_quiz([make_question(QuestionType.TRUE_FALSE)], title="Counted quiz")
    place_on_module(quiz, fresh(module))
    few = _people(3, course, tuple(lessons), quiz)
    many = _people(30, course, tuple(lessons), quiz)
    invalidate_page_cache()  # cold each time: structures and placements read again
    with CaptureQueriesContext(connection) as small:
        facts_refresh(user_ids=few)
    invalidate_page_cache()
    with CaptureQueriesContext(connection) as large:
        facts_refresh(user_ids=many)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(small.captured_queries) <= 20
    assert PersonFact.objects.filter(completed=True).count() == 1 + 15
    assert_facts_current()

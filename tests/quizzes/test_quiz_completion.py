""" "Passed the required quizzes" in the completion rules, "What is left?", and the batch pages
(cohort table, course report) whose queries must not grow with the learners."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api import invalidate_page_cache
from courses.api import CoursePage, LessonPage, ModulePage
from learners.api import (
    Cohort,
    MissingItem,
    course_completion,
    courses_completion,
    lesson_progress_complete,
)
from learners.completion import _REQUIREMENTS
from learners.models import CohortMembership, Enrollment, LessonProgress, Profile
from quizzes.completion import required_quizzes
from quizzes.models import QuestionType, Quiz, QuizResult
from quizzes.services import attempt_start, attempt_submit
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    practitioner,
)
from tests.factories.quizzes import make_question, make_quiz, place_in_lesson, place_on_module

from .helpers import quiz_url, responses, right, wrong

pytestmark = pytest.mark.django_db


@dataclass
class Course:
    page: CoursePage
    first: ModulePage
    second: ModulePage
    lessons: list[LessonPage]


@pytest.fixture
def course() -> Course:
    """Two modules: the first with two lessons, the second with one."""
    page = CoursePageFactory(title="Trauma-informed care")
    first = ModulePageFactory(parent=page, title="First module")
    second = ModulePageFactory(parent=page, title="Second module")
    lessons = [
        LessonPageFactory(parent=first),
        LessonPageFactory(parent=first),
        LessonPageFactory(parent=second),
    ]
    return Course(page, first, second, lessons)


def fresh(page: Any) -> Any:
    return type(page).objects.get(pk=page.pk)


def small_quiz(title: str, **kwargs: Any) -> Quiz:
    return make_quiz([make_question(QuestionType.TRUE_FALSE)], title=title, **kwargs)


def take(quiz: Quiz, user: Any, *, passing: bool) -> None:
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(attempt=attempt, responses=responses(attempt, right if passing else wrong))


def all_lessons_done(user: Any, course: Course) -> None:
    for lesson in course.lessons:
        lesson_progress_complete(user=user, lesson=fresh(lesson))


def quiz_items(user: Any, course: Course) -> list[MissingItem]:
    return [i for i in course_completion(user=user, course=course.page).missing if i.kind == "quiz"]


def test_a_module_assessment_is_required_until_passed(course: Course, learner: Any) -> None:
    quiz = small_quiz("Module check")
    place_on_module(quiz, fresh(course.first))
    all_lessons_done(learner, course)
    completion = course_completion(user=learner, course=course.page)
    assert not completion.complete
    assert (completion.required, completion.done, completion.percent) == (4, 3, 75)
    assert completion.missing == [
        MissingItem(
            "quiz",
            "Module check",
            "First module",
            "quiz not passed yet (pass mark 80%)",
            course.first.pk,
            f"{quiz_url(quiz.pk)}?from={course.first.pk}",
        )
    ]
    assert [m.complete for m in completion.modules] == [False, True]
    take(quiz, learner, passing=True)
    completion = course_completion(user=learner, course=course.page)
    assert completion.complete
    assert (completion.required, completion.done) == (4, 4)


def test_a_required_lesson_quiz_is_required_until_passed(course: Course, learner: Any) -> None:
    quiz = small_quiz("Lesson check")
    lesson = fresh(course.lessons[2])
    place_in_lesson(quiz, lesson)
    all_lessons_done(learner, course)
    assert quiz_items(learner, course) == [
        MissingItem(
            "quiz",
            "Lesson check",
            "Second module",
            "quiz not passed yet (pass mark 80%)",
            lesson.pk,
            f"{quiz_url(quiz.pk)}?from={lesson.pk}",
        )
    ]
    take(quiz, learner, passing=True)
    assert course_completion(user=learner, course=course.page).complete


def test_a_quiz_not_required_does_not_count(course: Course, learner: Any) -> None:
    place_in_lesson(small_quiz("Practice"), fresh(course.lessons[0]), required=False)
    all_lessons_done(learner, course)
    completion = course_completion(user=learner, course=course.page)
    assert completion.complete
    assert completion.required == 3


def test_a_quiz_placed_twice_counts_once(course: Course, learner: Any) -> None:
    quiz = small_quiz("Twice")
    place_in_lesson(quiz, fresh(course.lessons[0]))
    place_in_lesson(quiz, fresh(course.lessons[1]))
    assert [i.title for i in quiz_items(learner, course)] == ["Twice"]


def test_a_failed_attempt_gives_the_grade_in_the_reason(course: Course, learner: Any) -> None:
    questions = [make_question(QuestionType.TRUE_FALSE) for _ in range(3)]
    quiz = make_quiz(questions, title="Module check", pass_mark=70)
    place_on_module(quiz, fresh(course.first))
    attempt = attempt_start(user=learner, quiz=quiz)
    found = responses(attempt, right)
    found[3] = responses(attempt, wrong)[3]
    attempt_submit(attempt=attempt, responses=found)
    [item] = quiz_items(learner, course)
    assert item.reason == "your grade is 66.67%; the pass mark is 70%"


@pytest.mark.parametrize(
    ("review_score", "closes_in", "shown"),
    [
        ("never", None, False),
        ("after_close", None, False),
        ("after_close", timedelta(days=1), False),
        ("after_close", -timedelta(minutes=1), True),
        ("after_submit", None, True),
    ],
)
def test_the_grade_is_given_only_when_the_review_shows_the_score(
    course: Course, learner: Any, review_score: str, closes_in: timedelta | None, shown: bool
) -> None:
    """ "What is left?" shows no more than the quiz's review: a hidden score stays hidden."""
    quiz = small_quiz("Secret score", review_score=review_score, pass_mark=100)
    place_on_module(quiz, fresh(course.first))
    take(quiz, learner, passing=False)
    if closes_in is not None:
        Quiz.objects.filter(pk=quiz.pk).update(closes_at=timezone.now() + closes_in)
    [item] = quiz_items(learner, course)
    assert item.reason == (
        "your grade is 0%; the pass mark is 100%"
        if shown
        else "quiz not passed yet (pass mark 100%)"
    )


def test_unpublished_pages_require_nothing(course: Course, learner: Any) -> None:
    place_in_lesson(small_quiz("In the lesson"), fresh(course.lessons[2]))
    place_on_module(small_quiz("On the module"), fresh(course.first))
    assert sorted(i.title for i in quiz_items(learner, course)) == [
        "In the lesson",
        "On the module",
    ]
    fresh(course.lessons[2]).unpublish()
    assert [i.title for i in quiz_items(learner, course)] == ["On the module"]
    fresh(course.first).unpublish()
    assert quiz_items(learner, course) == []


def test_removing_the_quiz_block_removes_the_requirement(course: Course, learner: Any) -> None:
    lesson = fresh(course.lessons[0])
    place_in_lesson(small_quiz("Gone soon"), lesson)
    assert len(quiz_items(learner, course)) == 1
    lesson = fresh(lesson)
    lesson.body = [(b.block_type, b.value) for b in lesson.body if b.block_type != "quiz"]
    lesson.save_revision().publish()
    assert quiz_items(learner, course) == []


def test_what_is_left_lists_the_quiz(client: Client, course: Course, learner: Any) -> None:
    place_on_module(small_quiz("Module check"), fresh(course.first))
    client.force_login(learner)
    page = client.get(f"/en/learn/courses/{course.page.pk}/what-is-left/").content.decode()
    assert "Module check" in page
    assert "quiz not passed yet (pass mark 80%)" in page


def test_what_is_left_links_to_the_quiz(client: Client, course: Course, learner: Any) -> None:
    module_quiz, lesson_quiz = small_quiz("Module check"), small_quiz("Lesson check")
    place_on_module(module_quiz, fresh(course.first))
    place_in_lesson(lesson_quiz, fresh(course.lessons[0]))
    client.force_login(learner)
    page = client.get(f"/en/learn/courses/{course.page.pk}/what-is-left/").content.decode()
    for quiz, origin in ((module_quiz, course.first), (lesson_quiz, course.lessons[0])):
        link = re.escape(f'<a href="{quiz_url(quiz.pk)}?from={origin.pk}">')
        assert re.search(rf"{link}[^<]*{quiz.title}</a>", page), quiz.title


# --- batches: one run of the hook, queries that do not grow --------------------------------------


@pytest.fixture
def hook_calls() -> Iterator[list[Any]]:
    """Count the runs of the quiz requirement hook."""
    calls: list[Any] = []
    index = _REQUIREMENTS.index(required_quizzes)

    def counted(users: Any, courses: Any, structures: Any) -> Any:
        calls.append(users)
        return required_quizzes(users, courses, structures)

    _REQUIREMENTS[index] = counted
    yield calls
    _REQUIREMENTS[index] = required_quizzes


def courses_with_quizzes(count: int) -> list[Course]:
    made = []
    for n in range(count):
        page = CoursePageFactory()
        first, second = ModulePageFactory(parent=page), ModulePageFactory(parent=page)
        lessons = [LessonPageFactory(parent=first), LessonPageFactory(parent=second)]
        place_on_module(small_quiz(f"Assessment {n}"), fresh(first))
        place_in_lesson(small_quiz(f"Lesson quiz {n}"), fresh(lessons[1]))
        made.append(Course(page, first, second, lessons))
    return made


def add_members(cohort: Cohort, count: int, courses: list[Course]) -> None:
    """Members with a lesson done and a quiz result (passed for every other one) per course."""
    start = cohort.memberships.count()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"{cohort.pk}-m{start + i}") for i in range(count)]
    )
    CohortMembership.objects.bulk_create([CohortMembership(cohort=cohort, user=u) for u in users])
    quizzes = list(Quiz.objects.filter(placements__kind="module"))
    QuizResult.objects.bulk_create(
        [
            QuizResult(quiz=q, user=u, grade=Decimal(100 * (i % 2)), passed=bool(i % 2), attempts=1)
            for i, u in enumerate(users)
            for q in quizzes
        ]
    )
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(
                user=u,
                lesson_id=c.lessons[0].pk,
                course=c.page,
                course_version="1.0",
                completed_at=timezone.now(),
            )
            for u in users
            for c in courses
        ]
    )


def test_cohort_table_queries_do_not_grow_with_quizzes_placed(
    client: Client, hook_calls: list[Any]
) -> None:
    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Quiz cohort")
    cohort.trainers.add(trainer)
    courses = courses_with_quizzes(3)
    for c in courses:
        cohort.assignments.create(course=c.page, due_date=date(2030, 1, 1))
    client.force_login(trainer)
    url = f"/en/learn/cohorts/{cohort.pk}/"

    def queries() -> int:
        client.get(url)
        hook_calls.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        assert len(hook_calls) == 1  # one run for every member and course
        return len(ctx.captured_queries)

    add_members(cohort, 2, courses)
    few = queries()
    add_members(cohort, 18, courses)
    assert queries() == few
    # Every member has one lesson of two and the module quiz passed or not, but never the
    # lesson quiz: 2 of 4 required items (50%) or 1 of 4 (25%).
    page = client.get(url).content.decode()
    assert page.count("50%") >= 10 * 3
    assert page.count("25%") >= 10 * 3


def test_member_detail_explains_the_missing_quiz(client: Client, course: Course) -> None:
    from learners.api import cohort_add_member, cohort_assign_course

    trainer = UserFactory(groups=["Trainer"])
    cohort = Cohort.objects.create(name="Detail")
    cohort.trainers.add(trainer)
    member = practitioner()
    cohort_add_member(cohort=cohort, user=member)
    cohort_assign_course(cohort=cohort, course=course.page, due_date=date(2030, 1, 1))
    place_on_module(small_quiz("Module check"), fresh(course.first))
    client.force_login(trainer)
    page = client.get(f"/en/learn/cohorts/{cohort.pk}/members/{member.pk}/").content.decode()
    assert "Module check" in page
    assert "quiz not passed yet (pass mark 80%)" in page


def test_dashboard_facts_follow_the_quiz_rules_in_a_fixed_number_of_queries(
    client: Client, course: Course, hook_calls: list[Any]
) -> None:
    """The dashboard's summary of who completed a course (``reports.facts``) asks the
    requirement hooks once per batch, whatever the number of learners, and counts a learner
    complete only with the required quiz passed."""
    from reports.facts import facts_refresh
    from reports.models import CourseFact

    quiz = small_quiz("Module check")
    place_on_module(quiz, fresh(course.first))
    place_in_lesson(small_quiz("Optional"), fresh(course.lessons[0]), required=False)

    def add(count: int, *, passing: bool = True) -> list[int]:
        ids = []
        for _ in range(count):
            user = practitioner()
            Enrollment.objects.create(user=user, course=course.page)
            all_lessons_done(user, course)
            take(quiz, user, passing=passing)
            ids.append(user.pk)
        return ids

    def queries(ids: list[int]) -> int:
        hook_calls.clear()
        invalidate_page_cache()  # cold: structures and placements read again each time
        with CaptureQueriesContext(connection) as ctx:
            facts_refresh(user_ids=ids)
        assert len(hook_calls) == 1
        return len(ctx.captured_queries)

    few = queries(add(2))
    failed = add(1, passing=False)
    many = add(17) + failed
    assert queries(many) == few
    assert Profile.objects.count() == 20
    # Everyone finished the lessons; all but the one who failed the quiz completed.
    done = CourseFact.objects.filter(course=course.page, completed_at__isnull=False)
    assert done.count() == 19
    assert not done.filter(user_id__in=failed).exists()


def test_completion_of_many_courses_with_quizzes_does_not_grow(learner: Any) -> None:
    """My learning: the pages, the learner's lessons, the courses' required activities, their
    required quizzes and the learner's results on them: five queries for one course or for
    many."""
    few, many = courses_with_quizzes(1), courses_with_quizzes(5)
    courses_completion(user=learner, courses=[c.page for c in few])  # warm the caches

    def queries(courses: list[Course]) -> int:
        invalidate_page_cache()  # cold: structures and placements read again each time
        with CaptureQueriesContext(connection) as ctx:
            result = courses_completion(user=learner, courses=[c.page for c in courses])
        assert all(len(result[c.page.pk].missing) == 4 for c in courses)
        return len(ctx.captured_queries)

    assert queries(few) == queries(many) == 5

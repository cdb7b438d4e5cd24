"""The learner's path (issue #11, item 4): "Next" leads to a module's quiz and on from it,
completing a lesson confirms it where the learner is, outlines tick what is done, and every state
reads truthfully."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.api import CoursePage, LessonPage, ModulePage
from learners.api import enrollment_create, lesson_progress_complete
from quizzes.models import Quiz
from quizzes.services import attempt_start, attempt_submit
from tests.conftest import assert_max_queries
from tests.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, practitioner
from tests.factories.quizzes import make_question, make_quiz, place_in_lesson, place_on_module
from tests.quizzes.helpers import responses, right, wrong

pytestmark = pytest.mark.django_db


class Course:
    """Two modules of two lessons; the first module ends with a quiz."""

    def __init__(self, mode: str = "mark") -> None:
        self.course = CoursePageFactory(title="Support after return", completion_mode=mode)
        self.modules = [ModulePageFactory(parent=self.course, title=f"Module {n}") for n in (1, 2)]
        self.lessons = [
            LessonPageFactory(parent=module, title=f"Lesson {m}.{n}")
            for m, module in enumerate(self.modules, start=1)
            for n in (1, 2)
        ]
        self.quiz = make_quiz([make_question("single_choice")], title="Check your understanding")
        place_on_module(self.quiz, self.modules[0])

    def url(self, page: Any) -> str:
        return str(page.url)


def quiz_link(quiz: Quiz, module: ModulePage) -> str:
    return f"/en/learn/quizzes/{quiz.pk}/?from={module.pk}"


def pass_quiz(user: User, quiz: Quiz, *, passing: bool = True) -> None:
    attempt = attempt_start(user=user, quiz=quiz)
    attempt_submit(attempt=attempt, responses=responses(attempt, right if passing else wrong))


@pytest.fixture
def learner(client: Client) -> User:
    user: User = practitioner()
    client.force_login(user)
    return user


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- "Next" from a module's last lesson ---------------------------------------------------------


def test_last_lesson_of_a_module_leads_to_its_quiz(client: Client, learner: User) -> None:
    c = Course()
    html = page(client, c.url(c.lessons[1]))
    assert f'href="{quiz_link(c.quiz, c.modules[0])}" rel="next"' in html
    assert "Next: the module quiz" in html
    assert c.lessons[2].title not in html.split('id="lesson-pager"')[1]  # not into module 2


def test_other_lessons_lead_to_the_next_lesson(client: Client, learner: User) -> None:
    c = Course()
    first = page(client, c.url(c.lessons[0]))
    assert f'href="{c.url(c.lessons[1])}" rel="next"' in first
    assert "the module quiz" not in first
    # Module 2 has no quiz: its last lesson is the course's last.
    last = page(client, c.url(c.lessons[3]))
    assert "Back to the course overview" in last
    assert "the module quiz" not in last


def test_a_module_without_quiz_leads_to_the_next_module(client: Client) -> None:
    c = Course()
    c.modules[0].assessment = None
    c.modules[0].save_revision().publish()
    html = page(client, c.url(c.lessons[1]))  # anonymous readers see the same way on
    assert f'href="{c.url(c.lessons[2])}" rel="next"' in html
    assert "Next module" in html
    assert "the module quiz" not in html


def test_anonymous_reader_is_led_to_the_quiz_too(client: Client) -> None:
    c = Course()
    html = page(client, c.url(c.lessons[1]))
    assert f'href="{quiz_link(c.quiz, c.modules[0])}"' in html


def test_reach_end_course_completes_the_lesson_on_the_way_to_the_quiz(
    client: Client, learner: User
) -> None:
    c = Course(mode="reach_end")
    html = page(client, c.url(c.lessons[1]))
    assert f'name="next" value="{quiz_link(c.quiz, c.modules[0])}"' in html
    assert "Complete and go to the next lesson" not in html  # the learners form stands aside
    response = client.post(
        f"/en/learn/lessons/{c.lessons[1].pk}/complete/", {"next": quiz_link(c.quiz, c.modules[0])}
    )
    assert response["Location"] == quiz_link(c.quiz, c.modules[0])
    assert page(client, response["Location"])  # the quiz page opens


# --- the quiz page leads on -----------------------------------------------------------------------


def test_passing_a_module_quiz_leads_on_to_the_next_module(client: Client, learner: User) -> None:
    c = Course()
    before = page(client, quiz_link(c.quiz, c.modules[0]))
    assert "Go on to module 2" not in before
    pass_quiz(learner, c.quiz, passing=False)
    assert "Go on to module 2" not in page(client, quiz_link(c.quiz, c.modules[0]))
    pass_quiz(learner, c.quiz)
    html = page(client, quiz_link(c.quiz, c.modules[0]))
    assert f'<a class="button" href="{c.url(c.modules[1])}">Go on to module 2' in html
    attempt = c.quiz.attempts.filter(user=learner, passed=True).get()
    review = page(client, f"/en/learn/quizzes/attempts/{attempt.pk}/review/?from={c.modules[0].pk}")
    assert f'href="{c.url(c.modules[1])}"' in review


def test_the_last_modules_quiz_leads_back_to_the_course(client: Client, learner: User) -> None:
    c = Course()
    quiz = make_quiz([make_question("single_choice")], title="Final check")
    place_on_module(quiz, c.modules[1])
    pass_quiz(learner, quiz)
    html = page(client, quiz_link(quiz, c.modules[1]))
    assert "This was the last module of the course." in html
    assert f'<a class="button" href="{c.url(c.course)}">Back to the course</a>' in html


def test_a_lesson_quiz_does_not_claim_a_next_module(client: Client, learner: User) -> None:
    c = Course()
    quiz = make_quiz([make_question("single_choice")], title="In the lesson")
    place_in_lesson(quiz, c.lessons[0])
    pass_quiz(learner, quiz)
    html = page(client, f"/en/learn/quizzes/{quiz.pk}/?from={c.lessons[0].pk}")
    assert "What comes next" not in html


# --- completing a lesson where the learner is -----------------------------------------------------


def test_completion_returns_to_the_progress_panel_and_says_what_comes_next(
    client: Client, learner: User
) -> None:
    c = Course()
    url = c.url(c.lessons[1])
    html = page(client, url)
    assert 'id="progress"' in html and "data-complete-lesson" in html
    assert f'name="next" value="{url}#progress"' in html
    assert "Not completed yet." in html
    response = client.post(
        f"/en/learn/lessons/{c.lessons[1].pk}/complete/", {"next": url + "#progress"}
    )
    assert response.status_code == 302
    assert response["Location"] == url + "#progress"
    html = page(client, url)
    assert "Lesson completed." in html
    assert "Next: the module quiz, “Check your understanding”." in html
    assert "Lesson completed." not in page(client, url)  # said once; then the date


def test_completing_the_last_lesson_of_the_course_says_so(client: Client, learner: User) -> None:
    c = Course()
    client.post(f"/en/learn/lessons/{c.lessons[3].pk}/complete/")
    html = page(client, c.url(c.lessons[3]))
    assert "This was the last lesson of the course." in html


def test_the_confirmation_is_only_for_the_lesson_completed(client: Client, learner: User) -> None:
    c = Course(mode="reach_end")
    client.post(f"/en/learn/lessons/{c.lessons[0].pk}/complete/", {"next": c.url(c.lessons[1])})
    assert "Lesson completed." not in page(client, c.url(c.lessons[1]))
    assert "Lesson completed." not in page(client, c.url(c.lessons[0]))  # the flag was used up


def test_completion_of_a_lesson_not_live_is_refused(client: Client, learner: User) -> None:
    c = Course()
    c.lessons[0].unpublish()
    response = client.post(f"/en/learn/lessons/{c.lessons[0].pk}/complete/")
    assert response.status_code == 404
    assert "Lesson completed." not in page(client, c.url(c.lessons[1]))


# --- ticks and states -------------------------------------------------------------------------------


def test_module_page_ticks_lessons_and_the_passed_quiz(client: Client, learner: User) -> None:
    c = Course()
    module_url = c.url(c.modules[0])
    html = page(client, module_url)
    assert "Not started" in html and "✓" not in html
    lesson_progress_complete(user=learner, lesson=c.lessons[0])
    html = page(client, module_url)
    assert "In progress" in html
    assert html.count('class="tick"') == 1
    assert "Completed: </span><a" in html
    lesson_progress_complete(user=learner, lesson=c.lessons[1])
    assert "In progress" in page(client, module_url)  # the quiz is still to pass
    pass_quiz(learner, c.quiz)
    html = page(client, module_url)
    assert html.count('class="tick"') == 2
    assert "You passed this quiz." in html
    assert '<p class="state state--done"><span aria-hidden="true">✓</span> Completed</p>' in html


def test_course_page_ticks_lessons_and_modules(client: Client, learner: User) -> None:
    c = Course()
    enrollment_create(user=learner, course=c.course)
    html = page(client, c.url(c.course))
    assert "Not started" in html
    for lesson in c.lessons[:2]:
        lesson_progress_complete(user=learner, lesson=lesson)
    pass_quiz(learner, c.quiz)
    html = page(client, c.url(c.course))
    assert html.count('class="tick"') == 2
    assert html.count("state--done") == 1  # module 1 (the course is not complete)
    assert "In progress" in html
    for lesson in c.lessons[2:]:
        lesson_progress_complete(user=learner, lesson=lesson)
    html = page(client, c.url(c.course))
    assert html.count('class="tick"') == 4
    assert html.count("state--done") == 3  # both modules and the course


def test_anonymous_readers_see_no_ticks_or_states(client: Client) -> None:
    c = Course()
    for url in (c.url(c.course), c.url(c.modules[0])):
        html = page(client, url)
        assert 'class="tick"' not in html
        assert "Not started" not in html


def test_course_page_continue_leads_to_the_quiz_once_the_lessons_are_done(
    client: Client, learner: User
) -> None:
    c = Course()
    enrollment_create(user=learner, course=c.course)
    for lesson in c.lessons[:2]:
        lesson_progress_complete(user=learner, lesson=lesson)
    html = page(client, c.url(c.course))
    assert f'<a class="button" href="{quiz_link(c.quiz, c.modules[0])}">Continue' in html


def outline_course(lessons: int) -> CoursePage:
    course = CoursePageFactory(completion_mode="mark")
    modules = [ModulePageFactory(parent=course) for _ in range(2)]
    for i in range(lessons):
        LessonPageFactory(parent=modules[i % 2])
    place_on_module(make_quiz([make_question("single_choice")]), modules[0])
    return course


def count(client: Client, url: str) -> int:
    page(client, url)  # warm
    with CaptureQueriesContext(connection) as ctx:
        page(client, url)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("which", ["course", "module"])
def test_ticks_cost_the_same_for_2_or_10_lessons(client: Client, learner: User, which: str) -> None:
    def url_of(course: CoursePage) -> str:
        for lesson in LessonPage.objects.descendant_of(course).live()[:3]:
            lesson_progress_complete(user=learner, lesson=lesson)
        enrollment_create(user=learner, course=course)
        target = course if which == "course" else course.get_children().first()
        return str(target.url)

    small, large = url_of(outline_course(2)), url_of(outline_course(10))
    assert count(client, small) == count(client, large)
    # 17: with the required activities of the course (activities.completion), since #17.
    with assert_max_queries(17):
        client.get(large)


# --- My learning --------------------------------------------------------------------------------------


def test_my_learning_says_nothing_untrue_beside_a_completed_course(
    client: Client, learner: User
) -> None:
    c = Course()
    c.modules[0].assessment = None
    c.modules[0].save_revision().publish()
    enrollment_create(user=learner, course=c.course)
    html = page(client, "/en/learn/")
    assert "Not started" in html
    assert ">Start<" in html
    assert "You are not taking a course yet." not in html
    for lesson in c.lessons:
        lesson_progress_complete(user=learner, lesson=lesson)
    html = page(client, "/en/learn/")
    assert "You are not taking a course yet." not in html
    assert "You have completed every course you are taking." in html
    assert "Not started" not in html and "In progress" not in html
    completed = html.split('id="completed-heading"')[1]
    assert c.course.title in completed and "Completed" in completed


def test_my_learning_in_progress_and_continue_to_the_quiz(client: Client, learner: User) -> None:
    c = Course()
    enrollment_create(user=learner, course=c.course)
    lesson_progress_complete(user=learner, lesson=c.lessons[0])
    html = page(client, "/en/learn/")
    assert "In progress" in html and ">Continue<" in html
    lesson_progress_complete(user=learner, lesson=c.lessons[1])
    html = page(client, "/en/learn/")
    assert f'href="{quiz_link(c.quiz, c.modules[0])}"' in html  # the quiz is what is next
    assert "Next: Check your understanding" in html

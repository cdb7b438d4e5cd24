"""A practitioner takes a module assessment in Chromium (issue #4).

Quizzes are meant to be fully keyboard and screen-reader operable and to work with JavaScript
off. These tests take a quiz of one question of every type the way a learner would: answering
with the keyboard (Tab, arrow keys, Space, typing), leaving and coming back (autosave), without
JavaScript, double-clicking the final submit, and running out of time. Every quiz page is
checked with axe-core (WCAG 2.1 A and AA) and for sideways scrolling at the project's widths;
screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_page, shows, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The widths the browser tests check: a small phone, a phone, a tablet, a desktop.
WIDTHS = (320, PHONE["width"], 768, DESKTOP["width"])
QUIZ_TITLE = "Module 1 assessment"


@pytest.fixture
def site(migrated_db: None, live_server: Any) -> str:
    """The live server, without the curricula the other browser tests import (overrides
    ``conftest.site``): these tests build the one course they need."""
    return str(live_server.url)


@dataclass
class QuizCourse:
    """The course the tests build: one module of one lesson, with a quiz as its assessment."""

    course: Any
    module: Any
    quiz: Any
    user: Any

    @property
    def module_path(self) -> str:
        return f"/en/courses/{self.course.slug}/{self.module.slug}/"

    @property
    def what_is_left_path(self) -> str:
        return f"/en/learn/courses/{self.course.pk}/what-is-left/"


def build_course(**quiz_options: Any) -> QuizCourse:
    """A course whose module's assessment asks one question of every type, in a known order.

    The numeric question takes a decimal (2.5), so a learner can type it with a comma.
    """
    from quizzes.models import QuestionOption, QuestionType
    from tests.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        practitioner,
    )
    from tests.factories.quizzes import (
        AUTO_KINDS,
        QuestionFactory,
        make_question,
        make_quiz,
        place_on_module,
    )

    course = CoursePageFactory(title="Quiz course", slug="quiz-course")
    module = ModulePageFactory(parent=course, title="First module", slug="first-module")
    LessonPageFactory(parent=module, title="Coming home", slug="coming-home")
    questions = []
    for kind in AUTO_KINDS:
        if kind == QuestionType.NUMERIC:
            question = QuestionFactory(
                kind=kind, text="How many litres of water a day? Give one decimal place."
            )
            QuestionOption.objects.create(
                question=question, value=Decimal("2.5"), tolerance=0, weight=100
            )
        else:
            question = make_question(kind)
        questions.append(question)
    quiz = make_quiz(questions, title=QUIZ_TITLE, **quiz_options)
    place_on_module(quiz, module)
    user = practitioner(username="aigerim", first_name="Aigerim")
    return QuizCourse(course=course, module=module, quiz=quiz, user=user)


def check_widths(page: Any, axe_source: str, name: str, screenshot_dir: Path) -> None:
    """:func:`check_page` at every width of :data:`WIDTHS`, then back to the page's own size."""
    original = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": original["height"]})
        page.evaluate("window.scrollTo(0, 0)")  # sticky bars at their place in the screenshot
        check_page(page, axe_source, f"{name}-{width}", screenshot_dir)
    page.set_viewport_size(original)


# --- answering with the keyboard ----------------------------------------------------------------


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Any, locator: Any, limit: int = 40) -> None:
    """Press Tab until ``locator`` has the focus: it must be reachable by keyboard, in order."""
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{locator} not reached in {limit} presses of Tab")


def choose_radio(page: Any, question: Any, label: str) -> None:
    """Tab into the radio group, then move to ``label`` with the arrow keys (or Space)."""
    radios = question.get_by_role("radio")
    names = [
        radios.nth(i).evaluate("r => r.labels[0].textContent.trim()") for i in range(radios.count())
    ]
    target = names.index(label)
    tab_to(page, radios.first)
    if target == 0:
        page.keyboard.press("Space")
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    assert question.get_by_role("radio", name=label).is_checked()


def tick_boxes(page: Any, question: Any, labels: set[str]) -> None:
    """Tab to each box to tick, in page order, and press Space."""
    boxes = question.get_by_role("checkbox")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if box.evaluate("b => b.labels[0].textContent.trim()") in labels:
            tab_to(page, box)
            page.keyboard.press("Space")
            assert box.is_checked()


def type_into(page: Any, field: Any, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def pick(page: Any, select: Any, text: str) -> None:
    """Choose an option of a closed <select> by typing its first letters (type-ahead)."""
    tab_to(page, select)
    page.keyboard.type(text)
    assert selected_text(select) == text


def selected_text(select: Any) -> str:
    return str(select.evaluate("s => s.selectedOptions[0].text"))


ORDER = {"Introduce yourself": "1", "Explain the visit": "2", "Ask": "3"}
MATCHES = {"Under 5": "Clinging", "6 to 11": "Withdrawal"}


def answer_everything(page: Any) -> None:
    """Answer the eight questions right, by keyboard, from the top of the form."""
    q = [page.locator(f"#question-{n}") for n in range(1, 9)]
    choose_radio(page, q[0], "Listen first")  # single choice
    tick_boxes(page, q[1], {"Predictable routines", "Clear choices"})  # multiple response
    choose_radio(page, q[2], "False")  # true or false
    type_into(page, q[3].get_by_label("Your answer"), "Tolerance")  # short answer
    type_into(page, q[4].get_by_label("Your answer (a number)"), "2,5")  # a comma decimal
    selects = q[5].get_by_role("combobox")  # matching: the prompts come in a random order
    for i in range(selects.count()):
        select = selects.nth(i)
        prompt = select.evaluate("s => s.labels[0].textContent.trim()")
        pick(page, select, MATCHES[prompt])
    selects = q[6].get_by_role("combobox")  # ordering: a position for each item, in page order
    for i in range(selects.count()):
        select = selects.nth(i)
        item = select.evaluate("s => s.parentElement.querySelector('span').textContent.trim()")
        pick(page, select, ORDER[item])
    choose_radio(page, q[7], "Offer a quiet room")  # scenario


def assert_answers_shown(page: Any) -> None:
    """After a reload: every answer is back on the form."""
    q = [page.locator(f"#question-{n}") for n in range(1, 9)]
    assert q[0].get_by_role("radio", name="Listen first").is_checked()
    assert q[1].get_by_role("checkbox", name="Predictable routines").is_checked()
    assert q[1].get_by_role("checkbox", name="Clear choices").is_checked()
    assert not q[1].get_by_role("checkbox", name="Surprise visits").is_checked()
    assert q[2].get_by_role("radio", name="False").is_checked()
    assert q[3].get_by_label("Your answer").input_value() == "Tolerance"
    assert q[4].get_by_label("Your answer (a number)").input_value() == "2,5"
    for prompt, match in MATCHES.items():
        assert selected_text(q[5].get_by_role("combobox", name=prompt)) == match
    for item, position in ORDER.items():
        select = q[6].get_by_role("combobox", name=f"Position of “{item}”")
        assert selected_text(select) == position
    assert q[7].get_by_role("radio", name="Offer a quiet room").is_checked()


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    """Poll the database (the server's writes are committed) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.1)


def saved_answers(attempt_id: int) -> int:
    from quizzes.models import AttemptAnswer

    return AttemptAnswer.objects.filter(attempt_id=attempt_id, response__isnull=False).count()


def open_attempt(page: Any, data: QuizCourse) -> Any:
    """From the module page to a started attempt; returns the attempt."""
    from quizzes.models import Attempt

    page.get_by_role("link", name="Go to the assessment").click()
    page.wait_for_url(f"**/quizzes/{data.quiz.pk}/**")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/attempts/*/**")
    return Attempt.objects.get(user=data.user, quiz=data.quiz)


# --- the tests ----------------------------------------------------------------------------------


def test_take_and_pass_a_quiz_by_keyboard(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    """Module page, quiz page, start; every answer by keyboard, autosaved and still there after
    a reload; finish, summary, submit; the review shows 100% and the quiz is no longer left."""
    from quizzes.models import Attempt, AttemptState, QuizResult

    data = build_course()
    page = page_for(PHONE)
    sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    page.goto(f"{site}{data.what_is_left_path}")
    assert QUIZ_TITLE in page.locator("main").inner_text()

    page.goto(f"{site}{data.module_path}")
    page.get_by_role("link", name="Go to the assessment").click()
    page.wait_for_url(f"**/quizzes/{data.quiz.pk}/**")
    check_widths(page, axe_source, "quiz-01-quiz", screenshot_dir)
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_url("**/attempts/*/**")
    attempt = Attempt.objects.get(user=data.user, quiz=data.quiz)
    assert "Answered 0 of 8." in page.locator(".quiz-status").inner_text()

    answer_everything(page)
    status = page.locator("#autosave-status")
    status.filter(has_text="Saved at").wait_for()
    wait_until(lambda: saved_answers(attempt.pk) == 8)  # the last change is saved too

    page.reload()  # come back later: the answers are where the learner left them
    assert_answers_shown(page)
    assert "Answered 8 of 8." in page.locator(".quiz-status").inner_text()
    check_widths(page, axe_source, "quiz-02-attempt", screenshot_dir)

    finish = page.get_by_role("button", name="Finish attempt…")
    finish.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/summary/**")
    assert "You have answered 8 of 8 questions." in page.locator("main").inner_text()
    check_widths(page, axe_source, "quiz-03-summary", screenshot_dir)

    page.get_by_role("button", name="Submit and finish").click()
    page.wait_for_url("**/review/**")
    main = page.locator("main").inner_text()
    assert "Your score: 100% (8 of 8 marks)." in main
    assert "passed" in main
    check_widths(page, axe_source, "quiz-04-review", screenshot_dir)

    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.score == 100
    assert QuizResult.objects.get(user=data.user, quiz=data.quiz).passed

    page.get_by_role("link", name="Back to the quiz").click()
    shows(page.locator("main"), "Your grade: 100%.")
    check_widths(page, axe_source, "quiz-05-quiz-passed", screenshot_dir)

    page.goto(f"{site}{data.what_is_left_path}")
    left = page.locator("main").inner_text()
    assert "Coming home" in left  # the lesson is still to do
    assert QUIZ_TITLE not in left  # the quiz is not


def test_take_a_quiz_without_javascript(browser: Any, site: str) -> None:
    """Plain forms: answer, "Save and continue later", come back, finish, submit, graded."""
    from quizzes.models import Attempt, AttemptState

    data = build_course()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
        attempt = open_attempt(page, data)
        q = [page.locator(f"#question-{n}") for n in range(1, 9)]
        q[0].get_by_text("Listen first").click()
        q[1].get_by_text("Predictable routines").click()
        q[1].get_by_text("Clear choices").click()
        q[2].get_by_text("False").click()
        q[3].get_by_label("Your answer").fill("Tolerance")
        q[4].get_by_label("Your answer (a number)").fill("2,5")
        for prompt, match in MATCHES.items():
            q[5].get_by_role("combobox", name=prompt).select_option(label=match)
        for item, position in ORDER.items():
            q[6].get_by_role("combobox", name=f"Position of “{item}”").select_option(position)
        q[7].get_by_text("Offer a quiet room").click()

        page.get_by_role("button", name="Save and continue later").click()
        page.wait_for_load_state()
        assert "Your answers are saved." in page.locator("main").inner_text()
        assert saved_answers(attempt.pk) == 8
        page.reload()
        assert_answers_shown(page)

        page.get_by_role("button", name="Finish attempt…").click()
        page.wait_for_url("**/summary/**")
        page.get_by_role("button", name="Submit and finish").click()
        page.wait_for_url("**/review/**")
        assert "Your score: 100% (8 of 8 marks)." in page.locator("main").inner_text()
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.FINISHED
        assert Attempt.objects.filter(user=data.user).count() == 1
    finally:
        context.close()


def test_a_double_click_on_submit_grades_once(page_for: Any, site: str) -> None:
    """A fast double click on "Submit and finish" sends one submit and grades one attempt."""
    from quizzes.models import Attempt, AttemptState, QuizResult

    data = build_course()
    page = page_for(PHONE)
    sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    open_attempt(page, data)
    page.locator("#question-1").get_by_text("Listen first").click()
    page.get_by_role("button", name="Finish attempt…").click()
    page.wait_for_url("**/summary/**")
    submits: list[str] = []
    page.on("request", lambda r: submits.append(r.url) if "/submit/" in r.url else None)
    page.get_by_role("button", name="Submit and finish").dblclick()
    page.wait_for_url("**/review/**")
    page.wait_for_load_state()
    assert "Your score: 12.50% (1 of 8 marks)." in page.locator("main").inner_text()
    assert len(submits) == 1  # quiz.js lets the form go once
    attempts = Attempt.objects.filter(user=data.user, quiz=data.quiz)
    assert [a.state for a in attempts] == [AttemptState.FINISHED]
    assert QuizResult.objects.get(user=data.user, quiz=data.quiz).attempts == 1


def test_submitting_from_two_tabs_grades_once(browser: Any, site: str) -> None:
    """Without JavaScript nothing stops a second submit: the server grades the attempt once."""
    from quizzes.models import Attempt, AttemptState, QuizResult

    data = build_course()
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        first = context.new_page()
        sign_in(
            first, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}"
        )
        open_attempt(first, data)
        first.get_by_role("button", name="Finish attempt…").click()
        first.wait_for_url("**/summary/**")
        second = context.new_page()
        second.goto(first.url)
        for page in (first, second):
            page.get_by_role("button", name="Submit and finish").click()
            page.wait_for_url("**/review/**")
        assert "This attempt had already been submitted." in second.locator("main").inner_text()
    finally:
        context.close()
    attempts = Attempt.objects.filter(user=data.user, quiz=data.quiz)
    assert [a.state for a in attempts] == [AttemptState.FINISHED]
    assert QuizResult.objects.get(user=data.user, quiz=data.quiz).attempts == 1


def test_the_countdown_submits_at_the_time_limit(
    page_for: Any, site: str, axe_source: str, screenshot_dir: Path
) -> None:
    """The countdown reaches zero and the page submits itself, with the answers on it."""
    from django.utils import timezone

    from quizzes.models import Attempt, AttemptState

    data = build_course(time_limit_minutes=1)
    page = page_for(PHONE)
    sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    attempt = open_attempt(page, data)
    timer = page.get_by_role("timer")
    assert timer.inner_text().startswith("Time left: 0:") or "1:00" in timer.inner_text()
    check_widths(page, axe_source, "quiz-06-attempt-timed", screenshot_dir)

    # Rather than wait a minute: the deadline is a few seconds away when the page loads.
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=6))
    page.reload()
    assert page.get_by_role("timer").inner_text().startswith("Time left: 0:0")
    choose_radio(page, page.locator("#question-1"), "Listen first")
    page.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    page.wait_for_url("**/review/**", timeout=15_000)  # nobody pressed anything
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED
    assert attempt.answers.get(position=1).status == "correct"  # saved in time, counted


def test_answers_after_the_time_limit_are_not_counted(page_for: Any, site: str) -> None:
    """The learner's device runs late (a tab in the background, a phone asleep) and its
    connection drops: the countdown submits after the server's deadline, with an answer given
    too late on the page. Only the answer saved in time counts."""
    from django.utils import timezone

    from quizzes.models import Attempt, AttemptState

    data = build_course(time_limit_minutes=1)
    page = page_for(PHONE)
    sign_in(page, site, "aigerim", next_path=data.module_path, lands_on=f"**{data.module_path}")
    attempt = open_attempt(page, data)
    deadline = timezone.now() + timedelta(seconds=5)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    page.clock.install()
    page.reload()
    page.clock.pause_at(timezone.now() + timedelta(milliseconds=200))  # timers wait for the test
    page.locator("#question-1").get_by_text("Listen first").click()
    page.clock.run_for(1000)  # the autosave, 0.6 s after the change: in time
    page.locator("#autosave-status").filter(has_text="Saved at").wait_for()
    wait_until(lambda: saved_answers(attempt.pk) == 1)

    time.sleep(max(0.0, (deadline - timezone.now()).total_seconds()) + 0.5)
    timer = page.get_by_role("timer")
    assert timer.inner_text() != "Time left: 0:00"  # late: the page still shows time left
    page.route("**/autosave/", lambda route: route.abort())  # and the connection drops
    page.locator("#question-3").get_by_text("False").click()  # too late
    page.clock.run_for(1000)
    page.locator("#autosave-status").filter(has_text="Not saved").wait_for()
    page.unroute("**/autosave/")
    page.clock.run_for(10_000)  # the countdown reaches zero and submits what is on the page
    page.wait_for_url("**/review/**")
    main = page.locator("main").inner_text()
    assert "The time limit had passed; answers given after it were not counted." in main
    assert "This attempt was closed at its time limit" in main
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.FINISHED and attempt.closed_at_deadline
    assert attempt.answers.get(position=1).status == "correct"
    assert attempt.answers.get(position=3).status == "unanswered"
